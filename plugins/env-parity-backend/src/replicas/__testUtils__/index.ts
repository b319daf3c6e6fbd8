/* The replica service under test: a real store on a test database, the
 * test catalog, a recording in-memory driver, a recording permission
 * policy, auditor and notifications, a fake clock. */
import { PermissionsService } from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';
import { Knex } from 'knex';
import { notificationsRecorder } from '../../access/__testUtils__';
import {
  ADMIN,
  ALICE,
  auditRecorder,
  createApprovalCatalog,
  MALLORY,
  people,
} from '../../approvals/__testUtils__';
import { DatabaseSnapshotStore } from '../../store/DatabaseSnapshotStore';
import { component } from '../../testUtils';
import { DEFAULT_REPLICA_OPTIONS, ReplicaOptions } from '../config';
import { DatabaseReplicaStore } from '../DatabaseReplicaStore';
import { ReplicaCaller, ReplicaService } from '../ReplicaService';
import { PRODUCTION, RecordingReplicaDriver } from './driver';

export { DIGEST, PRODUCTION, RecordingReplicaDriver } from './driver';
export {
  ADMIN,
  ALICE,
  BOB,
  CAROL,
  DAVE,
  MALLORY,
} from '../../approvals/__testUtils__';

// what every replica test starts from: a fresh database and a clock per test
export {
  databases,
  databaseTestbed as replicaTestbed,
} from '../../approvals/__testUtils__/testbed';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const SERVICE = 'component:default/payments-api';

export const ENVIRONMENTS: EnvironmentDefinition[] = [
  { name: 'staging', title: 'Staging', reference: false, source: 'config' },
  {
    name: 'production',
    title: 'Production',
    reference: true,
    source: 'config',
  },
];

/**
 * The policy: everyone but mallory may launch replicas of payments-api (a
 * resource decision on the entity, nothing else); admin is the replica
 * admin.
 */
export function replicaPolicy(
  permission: string,
  userRef: string,
  resourceRef?: string,
): boolean {
  if (permission === 'env-parity.replica.create') {
    return userRef !== MALLORY && resourceRef === SERVICE;
  }
  if (permission === 'env-parity.replica.admin') {
    return userRef === ADMIN;
  }
  return userRef !== MALLORY;
}

/** A permission service asking {@link replicaPolicy}, logging each question. */
export function recordingPermissions(log: string[]): PermissionsService {
  return {
    async authorize(requests: any[], options: any) {
      const principal = options?.credentials?.principal;
      return requests.map(r => {
        log.push(`authorize ${r.permission.name}`);
        return {
          result:
            principal?.type === 'user' &&
            replicaPolicy(
              r.permission.name,
              principal.userEntityRef,
              r.resourceRef,
            )
              ? AuthorizeResult.ALLOW
              : AuthorizeResult.DENY,
        };
      });
    },
    async authorizeConditional(requests: any[]) {
      return requests.map(() => ({ result: AuthorizeResult.DENY }));
    },
  } as unknown as PermissionsService;
}

/** A user calling, an admin of replicas or not. */
export function as(userRef: string, admin = false): ReplicaCaller {
  return {
    credentials: mockCredentials.user(userRef),
    userRef,
    can: { admin },
  };
}

export const launchBody = {
  entityRef: SERVICE,
  reason: 'Reproduce the refund rounding bug',
};

/**
 * The service on `knex` (each call is one more backend replica on the same
 * database), with `driver` and production observed running
 * {@link PRODUCTION}. Everything it does is recorded: `log` (permission
 * questions, store inserts and driver calls in order), `audits`,
 * `notifications`.
 */
export async function setup(options: {
  knex: Knex;
  clock: { now: number };
  driver?: RecordingReplicaDriver;
  log?: string[];
  options?: Partial<ReplicaOptions>;
}) {
  const { knex, clock } = options;
  const log = options.log ?? options.driver?.log ?? [];
  const driver = options.driver ?? new RecordingReplicaDriver(log);
  const database = mockServices.database.mock({ getClient: async () => knex });
  const store = await DatabaseReplicaStore.create({ database });
  const insert = store.insert.bind(store);
  store.insert = async (...args) => {
    const stored = await insert(...args);
    log.push('store.insert');
    return stored;
  };
  const snapshots = await DatabaseSnapshotStore.create({ database });
  await snapshots.applyObservations(
    [
      {
        entityRef: SERVICE,
        environment: 'production',
        provider: 'kubernetes',
        deployment: PRODUCTION,
      },
    ],
    new Date(clock.now),
  );
  const { catalog } = createApprovalCatalog(
    [component('payments-api'), component('hidden'), ...people()],
    { 'component:default/hidden': [ALICE] },
  );
  const { auditor, audits } = auditRecorder();
  const notifications = notificationsRecorder();
  const service = new ReplicaService({
    store,
    driver,
    catalog,
    auth: mockServices.auth(),
    permissions: recordingPermissions(log),
    environments: { list: async () => ENVIRONMENTS },
    snapshots,
    logger: mockServices.logger.mock(),
    auditor,
    notifications: notifications.service,
    options: { ...DEFAULT_REPLICA_OPTIONS, ...options.options },
    clock: () => new Date(clock.now),
  });
  return {
    service,
    store,
    driver,
    log,
    audits,
    notifications: notifications.sent,
  };
}

export async function countReplicas(knex: Knex): Promise<number> {
  return Number((await knex('env_parity_replicas').count({ n: '*' }))[0].n);
}
