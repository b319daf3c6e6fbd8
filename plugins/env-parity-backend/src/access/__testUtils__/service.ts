/* The AccessService under test: a real store on a test database, the test
 * catalog, a recording provisioner, notifications and audit, a fake clock. */
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';
import { Knex } from 'knex';
import { auditRecorder } from '../../approvals/__testUtils__';
import { AccessCaller, AccessService } from '../AccessService';
import { AccessOptions, DEFAULT_ACCESS_OPTIONS } from '../config';
import { DatabaseAccessStore } from '../DatabaseAccessStore';
import {
  accessEntities,
  accessPolicy,
  createAccessCatalog,
  notificationsRecorder,
  RecordingProvisioner,
  SRE,
} from '.';

export const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

export const T0 = Date.UTC(2026, 10, 28, 9, 0, 0);
export const MINUTE = 60_000;

export const ENVIRONMENTS: EnvironmentDefinition[] = [
  { name: 'staging', title: 'Staging', reference: false, source: 'config' },
  {
    name: 'production',
    title: 'Production',
    reference: true,
    owner: SRE,
    source: 'config',
  },
];

export function as(
  userRef: string,
  can: Partial<AccessCaller['can']> = {},
): AccessCaller {
  return {
    credentials: mockCredentials.user(userRef),
    userRef,
    can: {
      create: accessPolicy('env-parity.access.create', userRef),
      review: accessPolicy('env-parity.access.review', userRef),
      admin: accessPolicy('env-parity.access.admin', userRef),
      ...can,
    },
  };
}

export const service: AccessCaller = {
  credentials: mockCredentials.service() as BackstageCredentials,
  can: { create: true, review: true, admin: true },
};

export const body = {
  entityRef: 'component:default/payments',
  reason: 'Checkout fails for EU customers; is it broken in production too?',
  durationMinutes: 30,
};

export async function setup(
  options: {
    access?: Partial<AccessOptions>;
    entities?: Entity[];
    hiddenFrom?: Record<string, string[]>;
    knex?: Knex;
    provisioner?: RecordingProvisioner;
  } = {},
) {
  const knex = options.knex ?? (await databases.init('SQLITE_3'));
  const store = await DatabaseAccessStore.create({
    database: mockServices.database.mock({ getClient: async () => knex }),
  });
  const clock = { now: T0 };
  const entities = options.entities ?? accessEntities();
  const { catalog } = createAccessCatalog(entities, options.hiddenFrom);
  const notifications = notificationsRecorder();
  const provisioner = options.provisioner ?? new RecordingProvisioner();
  const { auditor, audits } = auditRecorder();
  const access = new AccessService({
    store,
    environments: { list: async () => ENVIRONMENTS },
    catalog,
    auth: mockServices.auth(),
    logger: mockServices.logger.mock(),
    auditor,
    notifications: notifications.service,
    provisioners: [provisioner],
    options: {
      ...DEFAULT_ACCESS_OPTIONS,
      provisioner: provisioner.name,
      instructions: {
        production:
          'kubectl --context prod -n payments get pods  # as {{ user.email }}, account {{ grant.account }}, until {{ expiresAt }}',
      },
      ...options.access,
    },
    clock: () => new Date(clock.now),
  });
  const tick = (minutes: number) => {
    clock.now += minutes * MINUTE;
  };
  const stored = async () =>
    knex('env_parity_access_requests').count({ n: '*' });
  return {
    access,
    store,
    knex,
    clock,
    tick,
    entities,
    provisioner,
    notifications,
    audits,
    stored: async () => Number((await stored())[0].n),
  };
}
