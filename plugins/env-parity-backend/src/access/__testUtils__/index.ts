import {
  coreServices,
  createBackendModule,
  createServiceFactory,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
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
import {
  ADMIN,
  BOB,
  CAROL,
  DAVE,
  ERIN,
  FRANK,
  MALLORY,
  people,
} from '../../approvals/__testUtils__';
import { component } from '../../testUtils';
import { AccessRequestRecord } from '../records';

/** The services payments and secret (and `extraServices`), and the {@link people}. */
export function accessEntities(extraServices: string[] = []): Entity[] {
  return [
    component('payments', {
      'backstage.io/kubernetes-namespace': 'payments',
    }),
    component('secret'),
    ...extraServices.map(name => component(name)),
    ...people(),
  ];
}

/** The test catalog of the backend tests, plus `getEntitiesByRefs`. */
export { createApprovalCatalog as createAccessCatalog } from '../../approvals/__testUtils__';
export {
  ADMIN,
  ALICE,
  BOB,
  CAROL,
  DAVE,
  ERIN,
  FRANK,
  group,
  MALLORY,
  people,
  SRE,
  SRE_EU,
  SRE_EU_ONCALL,
  TEAM,
  user,
} from '../../approvals/__testUtils__';

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

/**
 * A stored access request of alice for payments in production, pending
 * since `start` (review deadline an hour later), 30 minutes of access;
 * `fields` replace any of it.
 */
export function accessRecord(
  start: Date,
  fields: Partial<AccessRequestRecord> = {},
): AccessRequestRecord {
  return {
    id: 'r1',
    entityRef: 'component:default/payments',
    environment: 'production',
    requester: 'user:default/alice',
    reason: 'Checking whether the bug is in production',
    durationMinutes: 30,
    breakGlass: false,
    status: 'pending',
    version: 1,
    approverRef: 'group:default/sre',
    approverSource: 'environment-owner',
    requiredApprovals: 1,
    approvals: 0,
    provisioner: 'record-only',
    provisioningAttempts: 0,
    reviewRequired: false,
    createdAt: start,
    updatedAt: start,
    reviewDeadlineAt: new Date(start.getTime() + 60 * 60_000),
    ...fields,
  };
}
