import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/types';
import { NotificationSendOptions } from '@backstage/plugin-notifications-node';
import {
  EnvironmentDefinition,
  Verdict,
} from '@env-parity/plugin-env-parity-common';
import { notificationsRecorder } from '../access/__testUtils__';
import { ScorecardStore } from '../scorecard';
import { EntityReport } from '../scorecard/rows';
import { component, createTestCatalog } from '../testUtils';
import { DIGEST_DEFAULTS, DigestOptions, readNotifyOptions } from './config';
import { DigestStore } from './DigestStore';
import { DriftDigest } from './DriftDigest';
import { createDriftNotifications, DIGEST_TASK_ID } from '.';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 11, 7, 8, 0, 0);
const TEAM_A = 'group:default/team-a';
const TEAM_B = 'group:default/team-b';
const TEAM_C = 'group:default/team-c';

const ENVIRONMENTS: EnvironmentDefinition[] = [
  {
    name: 'development',
    title: 'Development',
    reference: false,
    source: 'config',
  },
  { name: 'staging', title: 'Staging', reference: false, source: 'config' },
  {
    name: 'production',
    title: 'Production',
    reference: true,
    source: 'config',
  },
];

function report(
  name: string,
  owner: string,
  scope: string,
  verdict: Verdict,
  driftDaysAgo?: number,
): EntityReport {
  const inSync = verdict === 'in-sync' || verdict === 'unknown';
  return {
    entityRef: `component:default/${name}`,
    scope,
    kind: 'component',
    namespace: 'default',
    name,
    title: null,
    owner,
    specOwner: owner,
    system: null,
    specSystem: null,
    lifecycle: 'production',
    specType: 'service',
    searchText: name,
    referenceEnvironment: 'production',
    referenceVersion: '2.0.0',
    referenceRevision: null,
    comparedEnvironment: scope,
    comparedVersion: inSync ? '2.0.0' : '1.9.0',
    comparedRevision: null,
    revisionStatus: null,
    commitsAhead: null,
    commitsBehind: null,
    verdict,
    score: inSync ? 100 : 40,
    unknownReason: null,
    driftSince:
      driftDaysAgo === undefined ? null : new Date(T0 - driftDaysAgo * DAY),
    observationFailed: false,
    observedAt: new Date(T0 - HOUR),
    updatedAt: new Date(T0 - HOUR),
  };
}

/** Team A: orders (30 days) and payments (10 days) drift in staging, ledger is in sync. */
const REPORTS = [
  report('payments', TEAM_A, 'staging', 'different', 10),
  report('ledger', TEAM_A, 'staging', 'in-sync'),
  report('orders', TEAM_A, 'staging', 'behind', 30),
  report('payments', TEAM_A, 'development', 'ahead', 1),
  // team B: only its development drifts; staging is unknown
  report('search', TEAM_B, 'staging', 'unknown'),
  report('search', TEAM_B, 'development', 'diverged', 2),
  // team C's only drifting service opts out
  report('billing', TEAM_C, 'staging', 'config-drift', 5),
  report('billing', TEAM_C, 'worst', 'config-drift', 5),
];

const CATALOG = [
  component('payments'),
  component('ledger'),
  component('orders'),
  component('search'),
  component('billing', { 'env-parity/notify': 'none' }),
];

async function setup(
  databaseId: TestDatabaseId,
  options: Partial<DigestOptions> = {},
  entities: Entity[] = CATALOG,
) {
  const knex = await databases.init(databaseId);
  const database = mockServices.database.mock({ getClient: async () => knex });
  const scorecard = await ScorecardStore.create({ database });
  await scorecard.upsertReports(REPORTS);
  const notifications = notificationsRecorder();
  let now = T0;
  /** A backend replica's digest: its own stores on the shared database. */
  const replica = async () =>
    new DriftDigest({
      scorecard: await ScorecardStore.create({ database }),
      store: await DigestStore.create({ database }),
      notifications: notifications.service,
      catalog: createTestCatalog(entities).catalog,
      auth: mockServices.auth(),
      environments: { list: async () => ENVIRONMENTS },
      logger: mockServices.logger.mock(),
      options: { ...DIGEST_DEFAULTS, ...options },
      clock: () => new Date(now),
    });
  return {
    notifications,
    replicas: [await replica(), await replica()],
    setNow: (at: number) => {
      now = at;
    },
  };
}

const to = (sent: NotificationSendOptions[]) =>
  sent.map(n => (n.recipients as { entityRef: string }).entityRef);

describe('DriftDigest', () => {
  it.each(databases.eachSupportedId())(
    'sends each team with drift exactly one digest per period across two replicas, oldest drift first, on %p',
    async databaseId => {
      const { notifications, replicas, setNow } = await setup(databaseId);

      await Promise.all(replicas.map(r => r.run()));
      // team B's staging does not drift, team C's drift opts out
      expect(to(notifications.sent)).toEqual([TEAM_A]);
      expect(notifications.sent[0]).toEqual({
        recipients: { type: 'entity', entityRef: TEAM_A },
        payload: {
          title:
            'team-a: 2 services whose Staging no longer represents Production',
          description: [
            'Staging differs from Production, oldest drift first:',
            'orders: behind, drifting for 30 days (since 2026-11-07)',
            'payments: different, drifting for 10 days (since 2026-11-27)',
          ].join('\n'),
          link: '/env-parity?owner=group%3Adefault%2Fteam-a&environment=staging&sort=driftAge&order=desc',
          severity: 'normal',
          topic: 'env-parity-digest',
          scope: `env-parity-digest:${TEAM_A}`,
        },
      });

      // the task run again in the same period, by either replica: nothing
      setNow(T0 + HOUR);
      await replicas[1].run();
      setNow(T0 + 3 * DAY);
      await Promise.all(replicas.map(r => r.run()));
      expect(notifications.sent).toHaveLength(1);

      // next week: one more, again from one replica only
      setNow(T0 + 7 * DAY);
      const results = await Promise.all(replicas.map(r => r.run()));
      expect(results.map(r => r.sent).sort()).toEqual([0, 1]);
      expect(to(notifications.sent)).toEqual([TEAM_A, TEAM_A]);
      expect(notifications.sent[1].payload.description).toContain(
        'orders: behind, drifting for 37 days',
      );
    },
  );

  it('reports the configured environment instead of the one before the reference', async () => {
    const { notifications, replicas } = await setup('SQLITE_3', {
      environment: 'development',
    });
    await replicas[0].run();
    expect(to(notifications.sent)).toEqual([TEAM_A, TEAM_B]);
    expect(notifications.sent[1].payload).toMatchObject({
      title:
        'team-b: 1 service whose Development no longer represents Production',
      link: '/env-parity?owner=group%3Adefault%2Fteam-b&environment=development&sort=driftAge&order=desc',
    });
  });

  it('sends nothing when every drifting service opts out', async () => {
    const { notifications, replicas } = await setup(
      'SQLITE_3',
      {},
      CATALOG.map(e =>
        component(e.metadata.name, { 'env-parity/notify': 'none' }),
      ),
    );
    expect(await replicas[0].run()).toEqual({ sent: 0 });
    expect(notifications.sent).toEqual([]);
  });
});

describe('the digest task', () => {
  const start = async (digest: JsonObject) => {
    const scheduler = mockServices.scheduler.mock();
    await createDriftNotifications({
      config: mockServices.rootConfig({
        data: { envParity: { notify: { digest } } },
      }),
      database: mockServices.database.mock({
        getClient: async () => databases.init('SQLITE_3'),
      }),
      logger: mockServices.logger.mock(),
      scheduler,
      catalog: createTestCatalog([]).catalog,
      auth: mockServices.auth(),
      environments: { list: async () => ENVIRONMENTS },
      notifications: notificationsRecorder().service,
      updater: {
        updateEntities: async () => ({ written: 0 }),
        removeEntitiesExcept: async () => 0,
      },
    });
    return scheduler.scheduleTask.mock.calls.map(([task]) => task);
  };

  it('is scheduled once for all replicas, weekly by default or on a cron', async () => {
    expect(await start({})).toEqual([
      expect.objectContaining({
        id: DIGEST_TASK_ID,
        scope: 'global',
        frequency: { days: 7 },
      }),
    ]);
    expect(await start({ schedule: '0 8 * * 1' })).toEqual([
      expect.objectContaining({ frequency: { cron: '0 8 * * 1' } }),
    ]);
    expect(await start({ enabled: false })).toEqual([]);
  });

  it('reads its schedule as a cron or a duration', () => {
    const read = (digest: JsonObject) =>
      readNotifyOptions(
        mockServices.rootConfig({
          data: { envParity: { notify: { digest } } },
        }),
      ).digest;
    expect(read({ schedule: { cron: '0 8 * * 1' } })).toEqual({
      enabled: true,
      frequency: { cron: '0 8 * * 1' },
      minimumGapMs: HOUR,
    });
    expect(read({ schedule: '1d', environment: 'staging' })).toEqual({
      enabled: true,
      frequency: { days: 1 },
      minimumGapMs: 12 * HOUR,
      environment: 'staging',
    });
    expect(read({ schedule: { weeks: 2 } }).minimumGapMs).toBe(7 * DAY);
    expect(() => read({ schedule: { minutes: 5 } })).toThrow(
      'envParity.notify.digest.schedule must be at least an hour',
    );
  });
});
