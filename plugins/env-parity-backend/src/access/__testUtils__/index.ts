import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  NotificationSendOptions,
  NotificationService,
  notificationService,
} from '@backstage/plugin-notifications-node';
import { AccessRequest } from '@env-parity/plugin-env-parity-common';
import {
  AccessGrantResult,
  AccessProvisioner,
  envParityAccessProvisionersExtensionPoint,
} from '@env-parity/plugin-env-parity-node';
import { component, createTestCatalog } from '../../testUtils';

export const ALICE = 'user:default/alice';
export const BOB = 'user:default/bob';
export const CAROL = 'user:default/carol';
export const DAVE = 'user:default/dave';
export const MALLORY = 'user:default/mallory';
export const ADMIN = 'user:default/admin';
/** In `sre-eu` only, a child group of `sre`. */
export const ERIN = 'user:default/erin';
/** In `sre-eu-oncall` only, a child group of `sre-eu` (a grand-child of `sre`). */
export const FRANK = 'user:default/frank';
export const SRE = 'group:default/sre';
export const SRE_EU = 'group:default/sre-eu';
export const SRE_EU_ONCALL = 'group:default/sre-eu-oncall';
export const TEAM = 'group:default/team';

export function user(name: string, groups: string[], email?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf: groups, ...(email && { profile: { email } }) },
    relations: groups.map(g => ({ type: 'memberOf', targetRef: g })),
  };
}

/**
 * A group with the relations the catalog derives: `hasMember` for its
 * members, `childOf` its parent and `parentOf` its children.
 */
export function group(
  name: string,
  members: string[],
  hierarchy: { parent?: string; children?: string[] } = {},
): Entity {
  const children = hierarchy.children ?? [];
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'team',
      ...(hierarchy.parent && { parent: hierarchy.parent }),
      children,
    },
    relations: [
      ...members.map(m => ({ type: 'hasMember', targetRef: m })),
      ...(hierarchy.parent
        ? [{ type: 'childOf', targetRef: hierarchy.parent }]
        : []),
      ...children.map(c => ({ type: 'parentOf', targetRef: c })),
    ],
  };
}

/**
 * The people: alice and mallory are in team (which owns the services); bob
 * and carol are in sre (which owns production) by their `memberOf`; dave is
 * in sre only by the group's `hasMember`; erin is only in sre-eu, a child
 * group of sre, and frank only in sre-eu-oncall, a child group of sre-eu;
 * admin is in no group.
 */
export function accessEntities(extraServices: string[] = []): Entity[] {
  return [
    component('payments', {
      'backstage.io/kubernetes-namespace': 'payments',
    }),
    component('secret'),
    ...extraServices.map(name => component(name)),
    user('alice', [TEAM], 'alice@example.com'),
    user('bob', [SRE]),
    user('carol', [SRE]),
    user('dave', []),
    user('erin', [SRE_EU]),
    user('frank', [SRE_EU_ONCALL]),
    user('mallory', [TEAM]),
    user('admin', []),
    group('sre', [BOB, CAROL, DAVE], { children: [SRE_EU] }),
    group('sre-eu', [ERIN], { parent: SRE, children: [SRE_EU_ONCALL] }),
    group('sre-eu-oncall', [FRANK], { parent: SRE_EU }),
    group('team', [ALICE, MALLORY]),
  ];
}

/** The test catalog of the backend tests, plus `getEntitiesByRefs`. */
export function createAccessCatalog(
  entities: Entity[],
  hiddenFrom: Record<string, string[]> = {},
) {
  const { catalog } = createTestCatalog(entities, hiddenFrom);
  const full: CatalogService = {
    ...catalog,
    async getEntitiesByRefs(request, options) {
      return {
        items: await Promise.all(
          request.entityRefs.map(ref => catalog.getEntityByRef(ref, options)),
        ),
      };
    },
  };
  return {
    catalog: full,
    factory: createServiceFactory({
      service: catalogServiceRef,
      deps: {},
      factory: () => full,
    }),
  };
}

/**
 * A permission policy by user: `create` for everyone, `review` for
 * bob, carol, dave, erin, frank, mallory and admin, `admin` for admin. Services are
 * allowed everything, as Backstage's permission client does.
 */
export function accessPolicy(permission: string, userRef: string): boolean {
  if (permission === 'env-parity.access.admin') {
    return userRef === ADMIN;
  }
  if (permission === 'env-parity.access.review') {
    return [BOB, CAROL, DAVE, ERIN, FRANK, MALLORY, ADMIN].includes(userRef);
  }
  return true;
}

export function permissionsFactory(
  policy: (permission: string, userRef: string) => boolean = accessPolicy,
) {
  const service = {
    async authorize(requests: any[], options: any) {
      const principal = options?.credentials?.principal;
      return requests.map(r => ({
        result:
          principal?.type === 'service' ||
          (principal?.type === 'user' &&
            policy(r.permission.name, principal.userEntityRef))
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      }));
    },
    async authorizeConditional(requests: any[]) {
      return requests.map(() => ({ result: AuthorizeResult.ALLOW }));
    },
  } as unknown as PermissionsService;
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => service,
  });
}

/** Records every notification instead of sending it. */
export function notificationsRecorder() {
  const sent: NotificationSendOptions[] = [];
  const service: NotificationService = {
    async send(options) {
      sent.push(options);
    },
  };
  return {
    sent,
    service,
    factory: createServiceFactory({
      service: notificationService,
      deps: {},
      factory: () => service,
    }),
  };
}

export type Deferred = { promise: Promise<void>; resolve(): void };

export function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>(r => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * A provisioner that records its calls and fails while told to; `gate`
 * holds revokes until released.
 */
export class RecordingProvisioner implements AccessProvisioner {
  readonly grants: AccessRequest[] = [];
  readonly revokes: AccessRequest[] = [];
  failGrants = 0;
  failRevokes = 0;
  revokeGate?: Promise<void>;

  constructor(readonly name = 'recording') {}

  async grant(request: AccessRequest): Promise<AccessGrantResult> {
    if (this.failGrants > 0) {
      this.failGrants -= 1;
      throw new Error('the access system is down');
    }
    this.grants.push(request);
    return { metadata: { account: `ro-${request.id.slice(0, 8)}` } };
  }

  async revoke(request: AccessRequest): Promise<void> {
    if (this.revokeGate) {
      await this.revokeGate;
    }
    if (this.failRevokes > 0) {
      this.failRevokes -= 1;
      throw new Error('the access system is down');
    }
    this.revokes.push(request);
  }
}

/** A backend module adding a provisioner through the extension point. */
export function provisionerModule(provisioner: AccessProvisioner) {
  return createBackendModule({
    pluginId: 'env-parity',
    moduleId: `test-provisioner-${provisioner.name}`,
    register(reg) {
      reg.registerInit({
        deps: { access: envParityAccessProvisionersExtensionPoint },
        async init({ access }) {
          access.addProvisioner(provisioner);
        },
      });
    },
  });
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
) {
  // performance.now, not Date: tests fake the date.
  const start = performance.now();
  for (;;) {
    if (await condition()) {
      return;
    }
    if (performance.now() - start > timeoutMs) {
      throw new Error('Timed out waiting for a condition');
    }
    await new Promise(r => setTimeout(r, 10));
  }
}
