/* The alignment service under test: real stores on a test database, the
 * test catalog, the webhook deployer against a loopback receiver, a
 * recording logger and auditor, a fake clock. */
import { LoggerService } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  Deployment,
  EnvironmentDefinition,
} from '@env-parity/plugin-env-parity-common';
import { Knex } from 'knex';
import {
  auditRecorder,
  createApprovalCatalog,
  people,
  SRE,
} from '../../approvals/__testUtils__';
import {
  databaseTestbed,
  DatabaseTestbed,
} from '../../approvals/__testUtils__/testbed';
import { notificationsRecorder } from '../../access/__testUtils__';
import { ParityReportBuilder } from '../../report';
import { DatabaseSnapshotStore } from '../../store/DatabaseSnapshotStore';
import { component } from '../../testUtils';
import { AlignmentCaller, AlignmentService } from '../AlignmentService';
import { AlignEnvironmentPolicy, DEFAULT_ALIGN_OPTIONS } from '../config';
import { DatabaseAlignmentStore } from '../DatabaseAlignmentStore';
import { WebhookDeployer } from '../deployers/webhook';
import { storedReports } from '../verification';
import { Receiver, startReceiver } from './receiver';

export { startReceiver } from './receiver';
export type { Receiver } from './receiver';
export {
  ADMIN,
  ALICE,
  BOB,
  CAROL,
  DAVE,
  MALLORY,
  SRE,
} from '../../approvals/__testUtils__';

export { databases } from '../../approvals/__testUtils__/testbed';

export const MINUTE = 60_000;

/** What every alignment test starts from: see {@link alignmentTestbed}. */
export interface AlignmentTestbed extends DatabaseTestbed {
  receiver: Receiver;
}

/**
 * Registers the set-up and tear-down of each test of the calling `describe`:
 * a fresh `databaseId` database, a loopback webhook receiver and a clock at
 * `start` (see {@link databaseTestbed}). The returned object's fields are
 * filled before each test.
 */
export function alignmentTestbed(
  databaseId: TestDatabaseId,
  start: number,
): AlignmentTestbed {
  const bed = databaseTestbed<AlignmentTestbed>(databaseId, start);
  beforeEach(async () => {
    bed.receiver = await startReceiver();
  });
  afterEach(async () => {
    await bed.receiver.close();
  });
  return bed;
}

export const SECRET = 'planted-webhook-secret-5f1e0c9a';
export const SERVICE = 'component:default/checkout-web';
export const DIGEST = `sha256:${'a'.repeat(64)}`;
export const OLD_DIGEST = `sha256:${'b'.repeat(64)}`;

/** What production runs, and what staging ran before alignment. */
export const PRODUCTION: Deployment = {
  version: '1.4.2',
  revision: '0123456789abcdef0123456789abcdef01234567',
  artifact: `ghcr.io/acme/checkout-web:1.4.2@${DIGEST}`,
};
export const STAGING_BEFORE: Deployment = {
  version: '1.4.1',
  revision: 'fedcba9876543210fedcba9876543210fedcba98',
  artifact: `ghcr.io/acme/checkout-web:1.4.1@${OLD_DIGEST}`,
};

export const ENVIRONMENTS: EnvironmentDefinition[] = [
  { name: 'dev', title: 'Dev', reference: false, source: 'config' },
  {
    name: 'staging',
    title: 'Staging',
    reference: false,
    owner: SRE,
    source: 'config',
  },
  {
    name: 'production',
    title: 'Production',
    reference: true,
    owner: SRE,
    source: 'config',
  },
];

/** The services checkout-web, orders and hidden, and the people. */
export function alignEntities(): Entity[] {
  return [
    component('checkout-web'),
    component('orders'),
    component('hidden'),
    ...people(),
  ];
}

/** A logger recording every line, to search for a planted secret. */
export function recordingLogger() {
  const lines: string[] = [];
  const logger: LoggerService = {
    error: (m, meta) => lines.push(`error ${m} ${JSON.stringify(meta ?? {})}`),
    warn: (m, meta) => lines.push(`warn ${m} ${JSON.stringify(meta ?? {})}`),
    info: (m, meta) => lines.push(`info ${m} ${JSON.stringify(meta ?? {})}`),
    debug: (m, meta) => lines.push(`debug ${m} ${JSON.stringify(meta ?? {})}`),
    child: () => logger,
  };
  return { logger, lines };
}

/** A user calling with the given permissions (review and admin off unless said). */
export function as(
  userRef: string,
  can: Partial<AlignmentCaller['can']> = {},
): AlignmentCaller {
  return {
    credentials: mockCredentials.user(userRef),
    userRef,
    can: { review: false, admin: false, ...can },
  };
}

export const reviewer = (userRef: string) => as(userRef, { review: true });

export const request = {
  entityRef: SERVICE,
  environment: 'staging',
  reason: 'Staging runs last week’s build; reproduce the checkout bug',
};

/**
 * The service on `knex`, with the webhook deployer calling `receiver`.
 * Several services may share a database: each is a backend replica.
 */
export async function setup(options: {
  knex: Knex;
  receiver: Receiver;
  clock: { now: number };
  policy?: Partial<AlignEnvironmentPolicy>;
  maxOpenPerUser?: number;
  reviewTimeoutMs?: number;
  webhook?: { attempts?: number; timeoutMs?: number };
  dispatchTimeoutMs?: number;
}) {
  const { knex, receiver, clock } = options;
  const database = mockServices.database.mock({ getClient: async () => knex });
  const store = await DatabaseAlignmentStore.create({ database });
  const snapshots = await DatabaseSnapshotStore.create({ database });
  const { catalog } = createApprovalCatalog(alignEntities(), {
    'component:default/hidden': ['user:default/alice'],
  });
  const { logger, lines } = recordingLogger();
  const { auditor, audits } = auditRecorder();
  const environments = { list: async () => ENVIRONMENTS };
  const notifications = notificationsRecorder();
  const builder = new ParityReportBuilder({
    providers: [],
    comparers: [],
    logger,
  });
  const deployer = new WebhookDeployer({
    url: receiver.url,
    secret: SECRET,
    allowPrivateNetworks: true,
    attempts: options.webhook?.attempts ?? 3,
    timeoutMs: options.webhook?.timeoutMs ?? 10_000,
    backoffMs: 10,
    sleep: async () => {},
    logger,
  });
  const service = new AlignmentService({
    store,
    environments,
    catalog,
    auth: mockServices.auth(),
    logger,
    auditor,
    notifications: notifications.service,
    deployers: [deployer],
    reports: storedReports({ snapshots, builder, environments }),
    options: {
      ...DEFAULT_ALIGN_OPTIONS,
      environments: {
        staging: {
          deployer: 'webhook',
          approval: {
            approvers: { type: 'environment-owner' },
            requiredApprovals: 1,
          },
          verifyTimeoutMs: 30 * MINUTE,
          ...options.policy,
        },
      },
      maxOpenPerUser: options.maxOpenPerUser ?? 10,
      ...(options.reviewTimeoutMs && {
        reviewTimeoutMs: options.reviewTimeoutMs,
      }),
      ...(options.dispatchTimeoutMs && {
        dispatchTimeoutMs: options.dispatchTimeoutMs,
      }),
    },
    clock: () => new Date(clock.now),
  });
  /** Records what a collection saw in an environment, at the clock's time. */
  const observe = (environment: string, deployment: Deployment) =>
    snapshots.applyObservations(
      [
        {
          entityRef: SERVICE,
          environment,
          provider: 'annotations',
          deployment,
        },
      ],
      new Date(clock.now),
    );
  return {
    service,
    store,
    snapshots,
    observe,
    lines,
    audits,
    notifications: notifications.sent,
  };
}

/** Every row of the alignment tables, as one string to search. */
export async function allRows(knex: Knex): Promise<string> {
  const tables = [
    'env_parity_alignments',
    'env_parity_alignment_decisions',
    'env_parity_alignment_steps',
  ];
  return JSON.stringify(await Promise.all(tables.map(t => knex(t).select())));
}

export async function countAlignments(knex: Knex): Promise<number> {
  return Number((await knex('env_parity_alignments').count({ n: '*' }))[0].n);
}
