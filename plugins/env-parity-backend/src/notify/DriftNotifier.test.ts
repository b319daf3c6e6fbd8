import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  EnvironmentDefinition,
  Snapshot,
  Verdict,
} from '@env-parity/plugin-env-parity-common';
import { notificationsRecorder } from '../access/__testUtils__';
import { EntityReport } from '../scorecard/rows';
import type { ScorecardUpdater } from '../scorecard/ScorecardWriter';
import { testEnvironments } from '@env-parity/plugin-env-parity-node/testUtils';
import { component, createTestCatalog } from '../testUtils';
import { NOTIFY_DEFAULTS, NotifyOptions, readNotifyOptions } from './config';
import { DriftNotificationStore } from './DriftNotificationStore';
import { DriftNotifier } from './DriftNotifier';
import { createDriftNotifications } from '.';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const PAYMENTS = 'component:default/payments';

const environments: EnvironmentDefinition[] = testEnvironments(
  'staging',
  'production',
);

function row(verdict: Verdict, driftSince?: number): EntityReport {
  return {
    entityRef: PAYMENTS,
    scope: 'staging',
    kind: 'component',
    namespace: 'default',
    name: 'payments',
    title: null,
    owner: 'group:default/team',
    specOwner: 'team',
    system: null,
    specSystem: null,
    lifecycle: 'production',
    specType: 'service',
    searchText: 'payments',
    referenceEnvironment: 'production',
    referenceVersion: '1.4.2',
    referenceRevision: null,
    comparedEnvironment: 'staging',
    comparedVersion: verdict === 'in-sync' ? '1.4.2' : '1.5.0',
    comparedRevision: null,
    revisionStatus: null,
    commitsAhead: null,
    commitsBehind: null,
    verdict,
    score: verdict === 'in-sync' ? 100 : 50,
    unknownReason: null,
    driftSince: driftSince === undefined ? null : new Date(driftSince),
    observationFailed: false,
    observedAt: null,
    updatedAt: new Date(T0),
  };
}

/**
 * The scorecard as the collector leaves it: each call to `updateEntities`
 * writes the next state of payments' staging row, as the real writer would
 * after a collection.
 */
class ScriptedScorecard implements ScorecardUpdater {
  private current?: EntityReport;
  readonly script: Array<EntityReport | undefined> = [];

  async getReports(refs: string[]) {
    const result = new Map<string, Map<string, EntityReport>>();
    if (this.current && refs.includes(PAYMENTS)) {
      result.set(
        PAYMENTS,
        new Map([
          [this.current.scope, this.current],
          ['worst', { ...this.current, scope: 'worst' }],
        ]),
      );
    }
    return result;
  }

  async updateEntities() {
    this.current = this.script.shift();
    return { written: 1 };
  }

  async removeEntitiesExcept() {
    return 0;
  }
}

async function setup(
  databaseId: TestDatabaseId = 'SQLITE_3',
  options: Partial<NotifyOptions> = {},
  definitions: EnvironmentDefinition[] = environments,
) {
  const knex = await databases.init(databaseId);
  const store = await DriftNotificationStore.create({
    database: mockServices.database.mock({ getClient: async () => knex }),
  });
  const scorecard = new ScriptedScorecard();
  const notifications = notificationsRecorder();
  let now = T0;
  const notifier = new DriftNotifier({
    updater: scorecard,
    scorecard,
    store,
    notifications: notifications.service,
    logger: mockServices.logger.mock(),
    options: { ...NOTIFY_DEFAULTS, ...options },
    clock: () => new Date(now),
  });
  let entity: Entity = component('payments');
  /** One collection, after which the staging row is `next`, at `at`. */
  const collect = async (next: EntityReport | undefined, at: number) => {
    now = at;
    scorecard.script.push(next);
    await notifier.updateEntities([entity], [] as Snapshot[], definitions);
  };
  return {
    knex,
    notifications,
    collect,
    setEntity: (e: Entity) => {
      entity = e;
    },
  };
}

describe('DriftNotifier', () => {
  it.each(databases.eachSupportedId())(
    'notifies the owner once when staging turns from in sync to drift, and once when the drift is a week old, on %p',
    async databaseId => {
      const { notifications, collect } = await setup(databaseId);
      await collect(row('in-sync'), T0);
      expect(notifications.sent).toEqual([]);

      const drift = T0 + 1000;
      await collect(row('different', drift), drift);
      expect(notifications.sent).toEqual([
        {
          recipients: { type: 'entity', entityRef: 'group:default/team' },
          payload: {
            title: 'payments: Staging drifts from Production',
            description:
              'Staging of payments is no longer in sync with Production: Staging runs 1.5.0, Production 1.4.2 (verdict: different).',
            link: '/catalog/default/component/payments/parity#drift',
            severity: 'normal',
            topic: 'env-parity-drift',
            scope: `env-parity-drift:${PAYMENTS}:staging`,
          },
        },
      ]);

      // the same drift, collected again and again: nothing new
      await collect(row('different', drift), drift + DAY);
      await collect(row('different', drift), drift + 6 * DAY);
      expect(notifications.sent).toHaveLength(1);

      await collect(row('different', drift), drift + 7 * DAY);
      await collect(row('different', drift), drift + 8 * DAY);
      expect(notifications.sent).toHaveLength(2);
      expect(notifications.sent[1].payload).toMatchObject({
        title: 'payments: Staging has differed from Production for 7 days',
        description:
          'Staging of payments has differed from Production since 2026-11-20: Staging runs 1.5.0, Production 1.4.2 (verdict: different).',
        severity: 'high',
      });
    },
  );

  it('suppresses a new drift within the flapping window, and notifies one after it', async () => {
    const { notifications, collect } = await setup('SQLITE_3', {
      flappingWindowMs: 6 * 60 * 60 * 1000,
    });
    await collect(row('in-sync'), T0);
    await collect(row('different', T0 + 1), T0 + 1);
    expect(notifications.sent).toHaveLength(1);
    // back in sync, drifting again an hour later: the owner just heard
    await collect(row('in-sync'), T0 + 30 * 60_000);
    await collect(row('config-drift', T0 + 60 * 60_000), T0 + 60 * 60_000);
    expect(notifications.sent).toHaveLength(1);
    // and again a day later: a new drift worth telling
    await collect(row('in-sync'), T0 + DAY);
    await collect(row('behind', T0 + DAY + 1), T0 + DAY + 1);
    expect(notifications.sent).toHaveLength(2);
  });

  it('stays silent for in sync, unknown, a drift it did not see start, an opted-out or ownerless service', async () => {
    const { notifications, collect, setEntity } = await setup();
    // first seen already drifting (e.g. right after an upgrade): only the age rule applies
    await collect(row('different', T0 - DAY), T0);
    await collect(row('unknown'), T0 + 1);
    await collect(row('in-sync'), T0 + 2);
    expect(notifications.sent).toEqual([]);

    setEntity(component('payments', { 'env-parity/notify': 'none' }));
    await collect(row('different', T0 + 3), T0 + 3);
    await collect(row('different', T0 + 3), T0 + 30 * DAY);
    const ownerless = component('payments');
    delete ownerless.spec!.owner;
    setEntity(ownerless);
    await collect(row('in-sync'), T0 + 31 * DAY);
    await collect(row('different', T0 + 32 * DAY), T0 + 32 * DAY);
    expect(notifications.sent).toEqual([]);
  });

  describe('with environmentOwners', () => {
    const owned = (owner: string) =>
      environments.map(e => (e.name === 'staging' ? { ...e, owner } : e));

    it.each(databases.eachSupportedId())(
      "also tells the environment's owner, in the same notification, on %p",
      async databaseId => {
        const { notifications, collect } = await setup(
          databaseId,
          { environmentOwners: true },
          owned('sre'),
        );
        await collect(row('in-sync'), T0);
        await collect(row('different', T0 + 1), T0 + 1);
        expect(notifications.sent).toHaveLength(1);
        expect(notifications.sent[0].recipients).toEqual({
          type: 'entity',
          entityRef: ['group:default/team', 'group:default/sre'],
        });
        // the aged drift goes to both as well, once
        await collect(row('different', T0 + 1), T0 + 8 * DAY);
        await collect(row('different', T0 + 1), T0 + 9 * DAY);
        expect(notifications.sent).toHaveLength(2);
        expect(notifications.sent[1].recipients).toEqual(
          notifications.sent[0].recipients,
        );
      },
    );

    it('tells an owner of both the service and the environment once', async () => {
      const { notifications, collect } = await setup(
        'SQLITE_3',
        { environmentOwners: true },
        owned('Group:default/Team'),
      );
      await collect(row('in-sync'), T0);
      await collect(row('different', T0 + 1), T0 + 1);
      expect(notifications.sent.map(n => n.recipients)).toEqual([
        { type: 'entity', entityRef: 'group:default/team' },
      ]);
    });

    it("leaves the environment's owner out by default, and stays silent for an opted-out service", async () => {
      const { notifications, collect } = await setup(
        'SQLITE_3',
        {},
        owned('sre'),
      );
      await collect(row('in-sync'), T0);
      await collect(row('different', T0 + 1), T0 + 1);
      expect(notifications.sent.map(n => n.recipients)).toEqual([
        { type: 'entity', entityRef: 'group:default/team' },
      ]);

      const optedOut = await setup(
        'SQLITE_3',
        { environmentOwners: true },
        owned('sre'),
      );
      optedOut.setEntity(
        component('payments', { 'env-parity/notify': 'none' }),
      );
      await optedOut.collect(row('in-sync'), T0);
      await optedOut.collect(row('different', T0 + 1), T0 + 1);
      expect(optedOut.notifications.sent).toEqual([]);
    });

    it("tells the environment's owner of a service nobody owns", async () => {
      const { notifications, collect, setEntity } = await setup(
        'SQLITE_3',
        { environmentOwners: true },
        owned('group:default/sre'),
      );
      const ownerless = component('payments');
      delete ownerless.spec!.owner;
      setEntity(ownerless);
      await collect(row('in-sync'), T0);
      await collect(row('different', T0 + 1), T0 + 1);
      expect(notifications.sent.map(n => n.recipients)).toEqual([
        { type: 'entity', entityRef: 'group:default/sre' },
      ]);
    });
  });

  it('never fails a collection when the notification cannot be sent', async () => {
    const { collect, knex } = await setup();
    await collect(row('in-sync'), T0);
    await knex.schema.dropTable('env_parity_drift_notifications');
    await expect(collect(row('different', T0 + 1), T0 + 1)).resolves.toBe(
      undefined,
    );
  });
});

describe('DriftNotificationStore', () => {
  it.each(databases.eachSupportedId())(
    'lets one of concurrent replicas claim a notification, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const stores = await Promise.all(
        [1, 2, 3].map(() =>
          DriftNotificationStore.create({
            database: mockServices.database.mock({
              getClient: async () => knex,
            }),
          }),
        ),
      );
      const claim = {
        entityRef: PAYMENTS,
        environment: 'staging',
        driftSince: new Date(T0),
        kind: 'drift-started' as const,
        now: new Date(T0 + 1),
      };
      const claimed = await Promise.all(stores.map(s => s.claim(claim)));
      expect(claimed.filter(Boolean)).toHaveLength(1);
      // the other kind of the same drift is its own notification
      expect(await stores[0].claim({ ...claim, kind: 'drift-aged' })).toBe(
        true,
      );
      expect(
        await stores[1].notifiedSince({
          entityRef: PAYMENTS,
          environment: 'staging',
          since: new Date(T0 + 1),
        }),
      ).toBe(true);
      expect(
        await stores[1].notifiedSince({
          entityRef: PAYMENTS,
          environment: 'staging',
          since: new Date(T0 + 2),
        }),
      ).toBe(false);
    },
  );
});

describe('createDriftNotifications', () => {
  it('is the scorecard updater itself when notifications are off', async () => {
    const updater = new ScriptedScorecard();
    const scheduler = mockServices.scheduler.mock();
    const created = await createDriftNotifications({
      config: mockServices.rootConfig({
        data: { envParity: { notify: { enabled: false } } },
      }),
      database: mockServices.database.mock(),
      logger: mockServices.logger.mock(),
      scheduler: scheduler,
      catalog: createTestCatalog([]).catalog,
      auth: mockServices.auth(),
      environments: { list: async () => environments },
      notifications: notificationsRecorder().service,
      updater,
    });
    expect(created).toBe(updater);
    // and no digest is scheduled
    expect(scheduler.scheduleTask).not.toHaveBeenCalled();
  });

  it('reads its options, with defaults', () => {
    expect(readNotifyOptions(mockServices.rootConfig())).toEqual({
      enabled: true,
      driftAgeDays: 7,
      flappingWindowMs: 86_400_000,
      environmentOwners: false,
      digest: {
        enabled: true,
        frequency: { days: 7 },
        minimumGapMs: 3.5 * DAY,
      },
    });
    expect(
      readNotifyOptions(
        mockServices.rootConfig({
          data: {
            envParity: {
              notify: { driftAgeDays: 3, flappingWindow: { hours: 2 } },
            },
          },
        }),
      ),
    ).toMatchObject({
      enabled: true,
      driftAgeDays: 3,
      flappingWindowMs: 7_200_000,
    });
    expect(() =>
      readNotifyOptions(
        mockServices.rootConfig({
          data: { envParity: { notify: { driftAgeDays: 0 } } },
        }),
      ),
    ).toThrow('envParity.notify.driftAgeDays must be a whole number of days');
  });
});
