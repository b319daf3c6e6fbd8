/*
 * DEMO ONLY: a permission policy modelled on a small organisation. Everyone
 * signed in may use Env Parity and ask for access; only members of the SRE
 * team (group:default/sre, the owners of production) are access admins, who
 * may see and revoke every access request. Dana, an outside contractor, may
 * not use Env Parity at all, so the demo can show what a user without the
 * permissions sees. A real app writes its own policy; see
 * https://backstage.io/docs/permissions/writing-a-policy
 */
import {
  coreServices,
  createBackendModule,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';

/** Users who may not use Env Parity at all. */
const RESTRICTED_USERS = ['user:default/dana'];

/** Groups whose members administer access requests. */
const ACCESS_ADMIN_GROUPS = ['group:default/sre'];

/** envParityAccessAdminPermission of @env-parity/plugin-env-parity-common. */
const ACCESS_ADMIN_PERMISSION = 'env-parity.access.admin';

/**
 * Allows everything, except Env Parity to the restricted demo users and the
 * access admin permission to anyone outside the SRE team.
 */
export class DemoPermissionPolicy implements PermissionPolicy {
  constructor(private readonly userInfo: UserInfoService) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const name = request.permission.name;
    if (!name.startsWith('env-parity.')) {
      return { result: AuthorizeResult.ALLOW };
    }
    if (!user) {
      return { result: AuthorizeResult.ALLOW };
    }
    const { userEntityRef, ownershipEntityRefs } =
      await this.userInfo.getUserInfo(user.credentials);
    if (RESTRICTED_USERS.includes(userEntityRef)) {
      return { result: AuthorizeResult.DENY };
    }
    if (name === ACCESS_ADMIN_PERMISSION) {
      return {
        result: ownershipEntityRefs.some(ref =>
          ACCESS_ADMIN_GROUPS.includes(ref),
        )
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}

export default createBackendModule({
  pluginId: 'permission',
  moduleId: 'env-parity-demo-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint, userInfo: coreServices.userInfo },
      async init({ policy, userInfo }) {
        policy.setPolicy(new DemoPermissionPolicy(userInfo));
      },
    });
  },
});
