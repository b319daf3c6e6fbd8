import {
  BackstageCredentials,
  BackstageUserInfo,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  createPermission,
} from '@backstage/plugin-permission-common';
import { DemoPermissionPolicy } from './demoPermissionPolicy';

/** The demo organisation's memberships (examples/org.yaml). */
const ORG: Record<string, string[]> = {
  'user:default/alice': ['group:default/sre'],
  'user:default/bob': ['group:default/checkout-team'],
  'user:default/guest': ['group:default/payments-team'],
  'user:default/dana': ['group:default/contractors'],
};

const userInfo: UserInfoService = {
  async getUserInfo(credentials: BackstageCredentials) {
    const ref = (credentials.principal as { userEntityRef: string })
      .userEntityRef;
    return {
      userEntityRef: ref,
      ownershipEntityRefs: [ref, ...(ORG[ref] ?? [])],
    } satisfies BackstageUserInfo;
  },
};

function userOf(ref: string) {
  const credentials = {
    $$type: '@backstage/BackstageCredentials',
    principal: { type: 'user', userEntityRef: ref },
  } as BackstageCredentials;
  return {
    credentials,
    info: { userEntityRef: ref, ownershipEntityRefs: [ref] },
  };
}

const permission = (name: string) => createPermission({ name, attributes: {} });

describe('DemoPermissionPolicy', () => {
  const policy = new DemoPermissionPolicy(userInfo);
  const decide = async (user: string, name: string) =>
    (await policy.handle({ permission: permission(name) }, userOf(user)))
      .result;

  it.each([
    ['user:default/alice', 'env-parity.access.admin', AuthorizeResult.ALLOW],
    ['user:default/bob', 'env-parity.access.admin', AuthorizeResult.DENY],
    ['user:default/guest', 'env-parity.access.admin', AuthorizeResult.DENY],
    ['user:default/bob', 'env-parity.access.review', AuthorizeResult.ALLOW],
    ['user:default/guest', 'env-parity.access.create', AuthorizeResult.ALLOW],
    ['user:default/guest', 'env-parity.report.read', AuthorizeResult.ALLOW],
    ['user:default/dana', 'env-parity.report.read', AuthorizeResult.DENY],
    ['user:default/dana', 'env-parity.access.create', AuthorizeResult.DENY],
    ['user:default/dana', 'catalog.entity.read', AuthorizeResult.ALLOW],
  ])('%s, %s: %s', async (user, name, expected) => {
    expect(await decide(user, name)).toBe(expected);
  });
});
