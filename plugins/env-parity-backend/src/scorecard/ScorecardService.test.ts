import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  Deployment,
  reportObservedAt,
  ScorecardRow,
  Snapshot,
} from '@env-parity/plugin-env-parity-common';
import {
  DeploymentProvider,
  RevisionComparer,
} from '@env-parity/plugin-env-parity-node';
import { Knex } from 'knex';
import {
  DeploymentCollector,
  readCollectorOptions,
} from '../collector/DeploymentCollector';
import { EnvironmentRegistry } from '../environments';
import { AnnotationDeploymentProvider } from '../providers/AnnotationDeploymentProvider';
import { DatabaseSnapshotStore } from '../store/DatabaseSnapshotStore';
import { component, createTestCatalog } from '../testUtils';
import { ParityReportService } from '../ParityReportService';
import { ParityReportBuilder } from '../report';
import { scorecardEnvironments } from './rows';
import { readScorecardOptions, ScorecardService } from './ScorecardService';
import { ScorecardStore } from './ScorecardStore';
import { ScorecardWriter } from './ScorecardWriter';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

function annotated(
  name: string,
  versions: { production?: string; staging?: string; development?: string },
  spec: Record<string, string> = {},
): Entity {
  const entity = component(
    name,
    Object.fromEntries(
      Object.entries(versions).map(([env, version]) => [
        `env-parity/${env}.version`,
        version,
      ]),
    ),
  );
  entity.spec = { ...entity.spec, ...spec };
  return entity;
}

function snapshot(
  entity: string,
  environment: string,
  deployment: Deployment,
  changedAt: string,
): Snapshot {
  return {
    entityRef: `component:default/${entity}`,
    environment,
    provider: 'annotations',
    deployment,
    observedAt: changedAt,
    checkedAt: changedAt,
    changedAt,
  };
}

const config = new ConfigReader({
  envParity: {
    environments: [
      { name: 'development' },
      { name: 'staging' },
      { name: 'production', reference: true },
    ],
    environmentsFromCatalog: false,
    scorecard: { historyRetention: { days: 3 } },
  },
});

describe('scorecard environments and options', () => {
  const envs = (names: string[], reference?: string) =>
    names.map(name => ({
      name,
      title: name,
      reference: name === reference,
      source: 'config' as const,
    }));

  it('shows the environment right before the reference by default unless configured', () => {
    const list = envs(['dev', 'staging', 'prod'], 'prod');
    const shown = (configured?: string, l = list) =>
      scorecardEnvironments(l, configured)?.defaultEnvironment.name;
    expect(shown()).toBe('staging');
    expect(shown('dev')).toBe('dev');
    expect(shown('prod')).toBe('staging');
    expect(scorecardEnvironments(list, 'prod')?.misconfigured).toBe('prod');
    expect(shown('nope')).toBe('staging');
    expect(shown(undefined, envs(['prod', 'canary'], 'prod'))).toBe('canary');
    expect(scorecardEnvironments(envs(['prod'], 'prod'))).toBeUndefined();
    expect(scorecardEnvironments(list)?.compared.map(e => e.name)).toEqual([
      'dev',
      'staging',
    ]);
  });

  it('reads the configuration with defaults', () => {
    expect(readScorecardOptions(new ConfigReader({}))).toEqual({
      environment: undefined,
      historyRetentionDays: 400,
      schedule: expect.objectContaining({ frequency: { hours: 1 } }),
    });
    expect(
      readScorecardOptions(
        new ConfigReader({
          envParity: {
            scorecard: {
              environment: 'qa',
              historyRetention: { days: 30 },
              schedule: { frequency: { minutes: 30 }, timeout: { minutes: 5 } },
            },
          },
        }),
      ),
    ).toEqual({
      environment: 'qa',
      historyRetentionDays: 30,
      schedule: { frequency: { minutes: 30 }, timeout: { minutes: 5 } },
    });
  });
});

describe.each(databases.eachSupportedId())('ScorecardService on %p', id => {
  let knex: Knex;
  let snapshots: DatabaseSnapshotStore;
  let store: ScorecardStore;
  let now: Date;
  let hidden: Set<string>;
  let decision: any;
  let ownership: string[];
  let comparers: RevisionComparer[];
  let getEntitiesByRefs: jest.Mock;

  const user = mockCredentials.user('user:default/me');

  function setup(
    entities: Entity[] = [],
    providers: DeploymentProvider[] = [new AnnotationDeploymentProvider()],
    staleAfterMs?: number,
  ) {
    const { catalog: base } = createTestCatalog(entities);
    getEntitiesByRefs = jest.fn(
      async ({ entityRefs }: { entityRefs: string[] }) => ({
        items: entityRefs.map(ref =>
          hidden.has(ref) ? undefined : ({ kind: 'Component' } as Entity),
        ),
      }),
    );
    const catalog = { ...base, getEntitiesByRefs } as unknown as CatalogService;
    const auth = mockServices.auth();
    const logger = mockServices.logger.mock();
    const environments = EnvironmentRegistry.fromConfig(config, {
      catalog,
      auth,
      logger,
    });
    const scorecard = new ScorecardService({
      store,
      environments,
      catalog,
      permissions: mockServices.permissions.mock({
        authorize: async () => [{ result: AuthorizeResult.ALLOW }],
        authorizeConditional: async () => [decision],
      }),
      userInfo: mockServices.userInfo.mock({
        getUserInfo: async () => ({
          userEntityRef: 'user:default/me',
          ownershipEntityRefs: ownership,
        }),
      }),
      logger,
      options: readScorecardOptions(config),
      latestRunStart: () => snapshots.latestCompletedRunStart(),
      clock: () => now,
    });
    const builder = new ParityReportBuilder({
      providers,
      comparers,
      logger,
      staleAfterMs,
    });
    const writer = new ScorecardWriter({
      store,
      builder,
      logger,
      clock: () => now,
    });
    const collector = new DeploymentCollector({
      store: snapshots,
      providers,
      environments,
      catalog,
      auth,
      logger,
      options: readCollectorOptions(config),
      scorecard: writer,
    });
    const reports = new ParityReportService({
      store: snapshots,
      environments,
      collector,
      builder,
    });
    return { scorecard, writer, collector, environments, logger, reports };
  }

  beforeEach(async () => {
    knex = await databases.init(id);
    snapshots = await DatabaseSnapshotStore.create({
      database: mockServices.database.mock({ getClient: async () => knex }),
    });
    store = new ScorecardStore(knex);
    now = new Date();
    hidden = new Set();
    decision = { result: AuthorizeResult.ALLOW };
    ownership = ['user:default/me', 'group:default/team-a'];
    comparers = [];
  });

  it('counts configuration drift, except keys the service expects to differ', async () => {
    // a stand-in for a cluster provider: the same build, FEATURE_X and
    // replicas differ between staging and production
    const cluster: DeploymentProvider = {
      getProviderName: () => 'cluster',
      supports: () => true,
      async observe() {
        return ['staging', 'production'].map(environment => ({
          environment,
          deployment: {
            version: '1.0.0',
            config: {
              'configmap/api.FEATURE_X': { hash: environment },
              'deployment/api.replicas': { hash: environment },
            },
          },
        }));
      },
    };
    const drifting = component('drifting', {});
    const ignoring = component('ignoring', {
      'env-parity/ignore-config': 'configmap/*, *.replicas',
    });
    const { collector, scorecard } = setup([drifting, ignoring], [cluster]);
    await collector.collectAll();
    const page = await scorecard.getPage({ sort: 'name' }, user);
    expect(page.items.map(r => [r.name, r.verdict, r.score])).toEqual([
      ['drifting', 'config-drift', 90],
      ['ignoring', 'in-sync', 100],
    ]);
  });

  it('keeps unknown out of averages and rankings, says why, and agrees with the report on when it was last observed', async () => {
    const entities = [
      // a real drift
      annotated(
        'drifter',
        { production: '1.0.0', staging: '0.9.0' },
        {
          owner: 'team-drift',
        },
      ),
      // merely no data in one of the two environments
      annotated('quiet', { production: '1.0.0' }, { owner: 'team-nodata' }),
      annotated('newbie', { staging: '0.1.0' }, { owner: 'team-nodata' }),
      // in neither: only development runs it
      annotated('idle', { development: '1.0.0' }, { owner: 'team-idle' }),
    ];
    const { scorecard, collector, reports } = setup(entities);
    await collector.collectAll();

    const page = await scorecard.getPage({}, user);
    // by score, worst first: the one real drift, then the unknown apart
    expect(page.items.map(r => [r.name, r.verdict, r.unknownReason])).toEqual([
      ['drifter', 'different', undefined],
      ['idle', 'unknown', 'neither-deployed'],
      ['newbie', 'unknown', 'reference-not-deployed'],
      ['quiet', 'unknown', 'not-deployed'],
    ]);
    const descending = await scorecard.getPage({ order: 'desc' }, user);
    expect(descending.items.map(r => r.name)).toEqual([
      'drifter',
      'idle',
      'newbie',
      'quiet',
    ]);

    const summary = await scorecard.getSummary({}, user);
    expect(summary).toMatchObject({
      tracked: 4,
      unknown: 3,
      inParity: 0,
      inParityShare: 0,
      averageScore: 50,
      medianScore: 50,
    });

    const teams = await scorecard.getTeams({}, user);
    expect(
      teams.items.map(t => [t.owner, t.tracked, t.unknown, t.averageScore]),
    ).toEqual([
      ['group:default/team-drift', 1, 0, 50],
      // no known verdict: no average, after every team with one
      ['group:default/team-idle', 1, 1, undefined],
      ['group:default/team-nodata', 2, 2, undefined],
    ]);
    expect(teams.items[2].inParityShare).toBeUndefined();

    // "last observed": the row and the Parity tab's report say the same
    const idle = entities[3];
    const report = await reports.getReport(idle);
    const observed = reportObservedAt(report.environments);
    expect(observed).toBeDefined();
    const idleRow = page.items.find(r => r.name === 'idle')!;
    expect(idleRow.lastObservedAt).toBe(observed);

    await scorecard.recordDaily();
    expect((await scorecard.getTrend({}, user)).items[0]).toMatchObject({
      tracked: 4,
      unknown: 3,
      inParityShare: 0,
      medianScore: 50,
    });
  });

  describe('every environment', () => {
    const entities = [
      // staging in sync, development behind on its version
      annotated(
        'api',
        { production: '2.0.0', staging: '2.0.0', development: '1.0.0' },
        { owner: 'team-a' },
      ),
      // staging differs, development not deployed
      annotated('web', { production: '1.0.0', staging: '1.1.0' }),
      // both differ equally: the tie goes to staging, closest to production
      annotated('worker', {
        production: '1.0.0',
        staging: '0.9.0',
        development: '0.8.0',
      }),
    ];
    const rows = (items: ScorecardRow[]) =>
      items.map(r => [r.name, r.comparedEnvironment, r.verdict]);

    it('answers for each environment, staging by default, and for the worst', async () => {
      const { scorecard, collector } = setup(entities);
      await collector.collectAll();
      expect(await scorecard.getEnvironments()).toEqual({
        reference: 'production',
        defaultEnvironment: 'staging',
        environments: [
          { name: 'development', title: 'development' },
          { name: 'staging', title: 'staging' },
        ],
      });
      expect(
        rows((await scorecard.getPage({ sort: 'name' }, user)).items),
      ).toEqual([
        ['api', 'staging', 'in-sync'],
        ['web', 'staging', 'different'],
        ['worker', 'staging', 'different'],
      ]);
      expect(
        rows(
          (
            await scorecard.getPage(
              { sort: 'name', environment: 'development' },
              user,
            )
          ).items,
        ),
      ).toEqual([
        ['api', 'development', 'different'],
        ['web', 'development', 'unknown'],
        ['worker', 'development', 'different'],
      ]);
      expect(
        rows(
          (
            await scorecard.getPage(
              { sort: 'name', environment: 'worst' },
              user,
            )
          ).items,
        ),
      ).toEqual([
        ['api', 'development', 'different'],
        ['web', 'staging', 'different'],
        ['worker', 'staging', 'different'],
      ]);
      await expect(
        scorecard.getSummary({ environment: 'worst' }, user),
      ).resolves.toMatchObject({
        referenceEnvironment: 'production',
        comparedEnvironment: 'worst',
        tracked: 3,
        inParity: 0,
      });
      await expect(scorecard.getSummary({}, user)).resolves.toMatchObject({
        comparedEnvironment: 'staging',
        inParity: 1,
      });
      const teams = await scorecard.getTeams(
        { environment: 'development' },
        user,
      );
      expect(teams.items.map(t => [t.owner, t.tracked, t.inParity])).toEqual([
        ['group:default/team', 2, 0],
        ['group:default/team-a', 1, 0],
      ]);
      const exported: string[] = [];
      for await (const chunk of scorecard.exportRows(
        { sort: 'name', environment: 'development' },
        user,
      )) {
        exported.push(...chunk.map(r => `${r.name}@${r.comparedEnvironment}`));
      }
      expect(exported).toEqual([
        'api@development',
        'web@development',
        'worker@development',
      ]);

      now = new Date();
      await scorecard.recordDaily();
      const trend = await scorecard.getTrend({ environment: 'worst' }, user);
      expect(trend.environment).toBe('worst');
      expect(trend.items).toEqual([
        expect.objectContaining({ tracked: 3, inParity: 0 }),
      ]);
      expect((await scorecard.getTrend({}, user)).items[0]).toMatchObject({
        tracked: 3,
        inParity: 1,
      });
    });

    it('rejects the reference and unknown environments with a clear message', async () => {
      const { scorecard } = setup(entities);
      await expect(
        scorecard.getPage({ environment: 'production' }, user),
      ).rejects.toThrow(
        'environment "production" is the reference environment, which every other environment is compared with; choose one of development, staging or worst',
      );
      await expect(
        scorecard.getSummary({ environment: 'qa' }, user),
      ).rejects.toThrow(
        'environment "qa" is not a configured environment; choose one of development, staging or worst',
      );
      await expect(
        scorecard.getTrend({ environment: 'qa' }, user),
      ).rejects.toMatchObject({ name: 'InputError' });
      await expect(
        scorecard.getTeams({ environment: 'qa' }, user),
      ).rejects.toMatchObject({ name: 'InputError' });
      await expect(
        scorecard.exportRows({ environment: 'qa' }, user).next(),
      ).rejects.toMatchObject({ name: 'InputError' });
    });

    it('counts an observation older than staleAfter as failed, as the Parity tab shows it stale', async () => {
      const entity = annotated('api', {});
      const observed = new Date(Date.now() - 2 * 3_600_000).toISOString();
      const list = ['production', 'staging'].map(environment =>
        snapshot('api', environment, { version: '1.0.0' }, observed),
      );
      const { scorecard, writer, environments, reports } = setup(
        [entity],
        undefined,
        3_600_000,
      );
      await snapshots.applyObservations(
        list.map(s => ({
          entityRef: s.entityRef,
          environment: s.environment,
          provider: s.provider,
          deployment: s.deployment,
        })),
        new Date(observed),
      );
      const tab = await reports.getReport(entity);
      expect(tab.environments.find(e => e.name === 'staging')?.status).toBe(
        'stale',
      );
      await writer.updateEntities(
        [entity],
        await snapshots.getSnapshots('component:default/api'),
        await environments.list(),
      );
      const [row] = (await scorecard.getPage({}, user)).items;
      expect(row).toMatchObject({
        verdict: 'in-sync',
        observationFailed: true,
      });
    });
  });

  describe('kept current by the collector', () => {
    it('writes a row per tracked entity and nothing on an unchanged pass', async () => {
      const entities = [
        annotated(
          'api',
          { production: '1.0.0', staging: '1.0.0' },
          { owner: 'team-a', system: 'payments' },
        ),
        annotated('web', { production: '1.0.0', staging: '1.1.0' }),
        annotated('worker', { production: '2.0.0' }, { owner: 'user:jane' }),
        component('bare'),
      ];
      const { collector, scorecard } = setup(entities);

      const first = await collector.collectAll();
      // development, staging and the worst environment of each
      expect(first).toMatchObject({ entities: 3, reportsWritten: 9 });
      const page = await scorecard.getPage({ sort: 'name' }, user);
      expect(
        page.items.map(r => [
          r.name,
          r.owner,
          r.system,
          r.referenceVersion,
          r.comparedEnvironment,
          r.comparedVersion,
          r.verdict,
          r.score,
        ]),
      ).toEqual([
        [
          'api',
          'group:default/team-a',
          'system:default/payments',
          '1.0.0',
          'staging',
          '1.0.0',
          'in-sync',
          100,
        ],
        [
          'web',
          'group:default/team',
          undefined,
          '1.0.0',
          'staging',
          '1.1.0',
          'different',
          50,
        ],
        [
          'worker',
          'user:default/jane',
          undefined,
          '2.0.0',
          'staging',
          undefined,
          'unknown',
          0,
        ],
      ]);

      const second = await collector.collectAll();
      expect(second).toMatchObject({ written: 0, reportsWritten: 0 });

      // a deployment changes: one row
      entities[0].metadata.annotations!['env-parity/staging.version'] = '1.2.0';
      // staging's row and the worst-environment row
      expect(await collector.collectAll()).toMatchObject({
        written: 1,
        reportsWritten: 2,
      });
      // metadata only: no snapshot, every row of the entity
      entities[1].spec!.owner = 'group:default/team-b';
      expect(await collector.collectAll()).toMatchObject({
        written: 0,
        reportsWritten: 3,
      });
      // an entity leaves the catalog: its row goes too
      entities.splice(2, 1);
      expect(await collector.collectAll()).toMatchObject({
        removed: 1,
        reportsWritten: 1,
      });
      const after = await scorecard.getPage({ sort: 'name' }, user);
      expect(after.items.map(r => [r.name, r.owner, r.verdict])).toEqual([
        ['api', 'group:default/team-a', 'different'],
        ['web', 'group:default/team-b', 'different'],
      ]);
      expect(after.items[0].driftSince).toBeDefined();
    });

    it('updates the row of an explicitly refreshed entity', async () => {
      const entity = annotated('api', {
        production: '1.0.0',
        staging: '0.9.0',
      });
      const { collector, scorecard } = setup([entity]);
      await collector.collectEntity(entity);
      const [before] = (await scorecard.getPage({}, user)).items;
      await new Promise(r => setTimeout(r, 20));
      now = new Date();
      await collector.collectEntity(entity);
      const [after] = (await scorecard.getPage({}, user)).items;
      expect(Date.parse(after.lastObservedAt!)).toBeGreaterThan(
        Date.parse(before.lastObservedAt!),
      );
      expect(after.driftSince).toBe(before.driftSince);
    });
  });

  describe('drift since', () => {
    const entity = annotated('api', {});
    const at = (iso: string) => new Date(iso);
    let envs: Awaited<ReturnType<EnvironmentRegistry['list']>>;
    const update = async (
      { scorecard, writer }: ReturnType<typeof setup>,
      list: Snapshot[],
    ): Promise<ScorecardRow> => {
      await writer.updateEntities([entity], list, envs);
      const [row] = (await scorecard.getPage({}, user)).items;
      return row;
    };

    it('starts at the later deployment on first sight, else at the change', async () => {
      const set = setup();
      envs = await set.environments.list();
      now = at('2026-11-28T12:00:00Z');
      const row = await update(set, [
        snapshot(
          'api',
          'production',
          { version: '1', deployedAt: '2026-11-01T00:00:00Z' },
          '2026-11-27T00:00:00Z',
        ),
        snapshot(
          'api',
          'staging',
          { version: '2', deployedAt: '2026-11-10T00:00:00Z' },
          '2026-11-27T00:00:00Z',
        ),
      ]);
      expect(row.driftSince).toBe('2026-11-10T00:00:00.000Z');
      expect(row.driftAgeDays).toBe(18);

      await store.deleteReportsExcept(new Set());
      const noDeployTimes = await update(set, [
        snapshot('api', 'production', { version: '1' }, '2026-11-20T00:00:00Z'),
        snapshot('api', 'staging', { version: '2' }, '2026-11-25T00:00:00Z'),
      ]);
      expect(noDeployTimes.driftSince).toBe('2026-11-25T00:00:00.000Z');
    });

    it('follows the verdict: set on leaving in-sync, kept while out of sync, cleared in sync and unknown', async () => {
      const set = setup();
      envs = await set.environments.list();
      const prod = snapshot(
        'api',
        'production',
        { version: '1', deployedAt: '2026-01-01T00:00:00Z' },
        '2026-11-01T00:00:00Z',
      );
      now = at('2026-11-20T00:00:00Z');
      const inSync = await update(set, [
        prod,
        snapshot(
          'api',
          'staging',
          { version: '1', deployedAt: '2026-01-01T00:00:00Z' },
          '2026-11-01T00:00:00Z',
        ),
      ]);
      expect(inSync.verdict).toBe('in-sync');
      expect(inSync.driftSince).toBeUndefined();

      // seen in sync before: the drift starts with the change, not the old deployment times
      now = at('2026-11-21T00:00:00Z');
      const drifted = await update(set, [
        prod,
        snapshot(
          'api',
          'staging',
          { version: '2', deployedAt: '2025-12-01T00:00:00Z' },
          '2026-11-20T23:55:00Z',
        ),
      ]);
      expect(drifted.verdict).toBe('different');
      expect(drifted.driftSince).toBe('2026-11-20T23:55:00.000Z');

      now = at('2026-11-25T00:00:00Z');
      const still = await update(set, [
        prod,
        snapshot('api', 'staging', { version: '3' }, '2026-11-24T00:00:00Z'),
      ]);
      expect(still.driftSince).toBe('2026-11-20T23:55:00.000Z');
      expect(still.driftAgeDays).toBe(4);

      const unknown = await update(set, [prod]);
      expect(unknown.verdict).toBe('unknown');
      expect(unknown.driftSince).toBeUndefined();

      const back = await update(set, [
        prod,
        snapshot('api', 'staging', { version: '1' }, '2026-11-24T00:00:00Z'),
      ]);
      expect(back.verdict).toBe('in-sync');
      expect(back.driftSince).toBeUndefined();
    });
  });

  describe('revision comparisons', () => {
    const base = 'a'.repeat(40);
    const head = 'b'.repeat(40);
    const entity = annotated('api', {});
    const pair = (h: string) => [
      snapshot('api', 'production', { revision: base }, '2026-11-01T00:00:00Z'),
      snapshot('api', 'staging', { revision: h }, '2026-11-01T00:00:00Z'),
    ];

    it('asks a comparer once per revision pair and retries failures', async () => {
      let fail = false;
      const compare = jest.fn(async () => {
        if (fail) {
          throw new Error('rate limited');
        }
        return { status: 'behind' as const, aheadBy: 0, behindBy: 4 };
      });
      comparers = [
        { getComparerName: () => 'scm', supports: () => true, compare },
      ];
      const { scorecard, writer, environments, logger } = setup();
      const envs = await environments.list();

      // development (unknown), staging, and the worst environment
      await expect(
        writer.updateEntities([entity], pair(head), envs),
      ).resolves.toEqual({ written: 3 });
      const [row] = (await scorecard.getPage({}, user)).items;
      expect(row).toMatchObject({
        verdict: 'behind',
        score: 52,
        commitsBehind: 4,
        commitsAhead: 0,
      });
      expect((await scorecard.getSummary({}, user)).behind).toBe(1);

      await expect(
        writer.updateEntities([entity], pair(head), envs),
      ).resolves.toEqual({ written: 0 });
      expect(compare).toHaveBeenCalledTimes(1);

      fail = true;
      const other = 'c'.repeat(40);
      await writer.updateEntities([entity], pair(other), envs);
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining('rate limited'),
      );
      expect((await scorecard.getPage({}, user)).items[0].verdict).toBe(
        'different',
      );
      fail = false;
      await writer.updateEntities([entity], pair(other), envs);
      expect(compare).toHaveBeenCalledTimes(3);
      expect((await scorecard.getPage({}, user)).items[0].verdict).toBe(
        'behind',
      );
    });
  });

  describe('visibility', () => {
    const entities = [
      annotated('a1', { production: '1', staging: '1' }, { owner: 'team-a' }),
      annotated('a2', { production: '1', staging: '2' }, { owner: 'team-a' }),
      annotated('b1', { production: '1', staging: '0' }, { owner: 'team-b' }),
      annotated(
        'b2',
        { production: '1', staging: '1' },
        { owner: 'team-b', lifecycle: 'experimental' },
      ),
      annotated('c1', { production: '1', staging: '3' }, { owner: 'team-c' }),
    ];
    const ownerCondition = {
      rule: 'IS_ENTITY_OWNER',
      resourceType: 'catalog-entity',
      params: { claims: ['group:default/team-a'] },
    };

    async function seeded() {
      const result = setup(entities);
      await result.collector.collectAll();
      return result;
    }

    it('shows everything on allow and nothing on deny', async () => {
      const { scorecard } = await seeded();
      const all = await scorecard.getPage({ sort: 'name' }, user);
      expect(all).toMatchObject({
        totalCount: 5,
        totalsMayIncludeHidden: false,
      });

      decision = { result: AuthorizeResult.DENY };
      await expect(scorecard.getPage({}, user)).resolves.toEqual({
        items: [],
        totalCount: 0,
        page: 1,
        pageSize: 50,
        totalsMayIncludeHidden: false,
      });
      await expect(scorecard.getSummary({}, user)).resolves.toMatchObject({
        tracked: 0,
        inParity: 0,
      });
      await expect(scorecard.getTeams({}, user)).resolves.toEqual({
        items: [],
        totalsMayIncludeHidden: false,
      });
      await expect(scorecard.getTrend({}, user)).resolves.toMatchObject({
        items: [],
      });
      const exported = [];
      for await (const chunk of scorecard.exportRows({}, user)) {
        exported.push(...chunk);
      }
      expect(exported).toEqual([]);
    });

    it('applies translatable catalog conditions in SQL, counts included', async () => {
      const { scorecard } = await seeded();
      decision = {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          anyOf: [
            ownerCondition,
            {
              allOf: [
                {
                  rule: 'HAS_SPEC',
                  resourceType: 'catalog-entity',
                  params: { key: 'owner', value: 'team-b' },
                },
                {
                  not: {
                    rule: 'HAS_SPEC',
                    resourceType: 'catalog-entity',
                    params: { key: 'lifecycle', value: 'experimental' },
                  },
                },
              ],
            },
          ],
        },
      };
      const page = await scorecard.getPage({ sort: 'name' }, user);
      expect(page.items.map(r => r.name)).toEqual(['a1', 'a2', 'b1']);
      expect(page).toMatchObject({
        totalCount: 3,
        totalsMayIncludeHidden: false,
      });
      expect(getEntitiesByRefs).not.toHaveBeenCalled();
      const summary = await scorecard.getSummary({}, user);
      expect(summary).toMatchObject({
        tracked: 3,
        inParity: 1,
        totalsMayIncludeHidden: false,
      });
      const teams = await scorecard.getTeams({}, user);
      expect(teams.items.map(t => [t.owner, t.tracked])).toEqual([
        ['group:default/team-b', 1],
        ['group:default/team-a', 2],
      ]);
    });

    it('checks rows with the catalog where a rule cannot be translated, never showing a hidden one', async () => {
      const { scorecard } = await seeded();
      decision = {
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: {
          anyOf: [
            ownerCondition,
            {
              rule: 'HAS_ANNOTATION',
              resourceType: 'catalog-entity',
              params: { annotation: 'public' },
            },
          ],
        },
      };
      hidden = new Set(['component:default/b1', 'component:default/c1']);
      const page = await scorecard.getPage({ sort: 'name', pageSize: 3 }, user);
      expect(page.items.map(r => r.name)).toEqual(['a1', 'a2']);
      expect(page).toMatchObject({
        totalCount: 5,
        totalsMayIncludeHidden: true,
      });
      // only the uncertain rows of the page were asked about
      expect(getEntitiesByRefs).toHaveBeenCalledTimes(1);
      expect(getEntitiesByRefs.mock.calls[0][0].entityRefs).toEqual([
        'component:default/b1',
      ]);
      expect(getEntitiesByRefs.mock.calls[0][1]).toEqual({ credentials: user });
      const next = await scorecard.getPage(
        { sort: 'name', pageSize: 3, page: 2 },
        user,
      );
      expect(next.items.map(r => r.name)).toEqual(['b2']);

      const exported: string[] = [];
      for await (const chunk of scorecard.exportRows({ sort: 'name' }, user)) {
        exported.push(...chunk.map(r => r.name));
      }
      expect(exported).toEqual(['a1', 'a2', 'b2']);
      await expect(scorecard.getTrend({}, user)).resolves.toMatchObject({
        totalsMayIncludeHidden: true,
      });
    });

    it('filters to what the caller owns', async () => {
      const { scorecard } = await seeded();
      const mine = await scorecard.getPage(
        { ownedByMe: true, sort: 'name' },
        user,
      );
      expect(mine.items.map(r => r.name)).toEqual(['a1', 'a2']);
      ownership = [];
      expect(
        (await scorecard.getPage({ ownedByMe: true }, user)).totalCount,
      ).toBe(0);
      const service = mockCredentials.service('plugin:catalog');
      expect(
        (await scorecard.getPage({ ownedByMe: true }, service)).totalCount,
      ).toBe(0);
    });
  });

  describe('daily history', () => {
    it('records UTC days, serves the last N days and deletes past the retention', async () => {
      const { scorecard, collector } = setup([
        annotated('api', { production: '1', staging: '1' }),
        annotated('web', { production: '1', staging: '2' }),
      ]);
      await collector.collectAll();

      // 3 days of retention: the 26th goes when the 29th is recorded
      for (const iso of [
        '2026-11-26T10:00:00.000Z',
        '2026-11-27T00:00:00.000Z',
        '2026-11-28T23:59:59.999Z',
        '2026-11-29T00:00:00.000Z',
      ]) {
        now = new Date(iso);
        await scorecard.recordDaily();
      }
      // the catalog and its one owner, for development, staging and worst
      await expect(scorecard.recordDaily()).resolves.toEqual({
        day: '2026-11-29',
        written: 6,
        deleted: 0,
      });

      now = new Date('2026-11-29T00:00:00.000Z');
      const trend = await scorecard.getTrend({}, user);
      expect(trend.from).toBe('2026-09-01');
      expect(trend.to).toBe('2026-11-29');
      expect(trend.items.map(i => i.day)).toEqual([
        '2026-11-27',
        '2026-11-28',
        '2026-11-29',
      ]);
      expect(trend.items[2]).toEqual({
        day: '2026-11-29',
        tracked: 2,
        inParity: 1,
        unknown: 0,
        inParityShare: 0.5,
        medianScore: 75,
        behind: 0,
        tagMismatch: 0,
        medianDriftAgeDays: expect.any(Number),
      });
      expect(trend.totalsMayIncludeHidden).toBe(false);

      // the last day is today; one day back from just before midnight
      now = new Date('2026-11-29T23:59:59.999Z');
      const today = await scorecard.getTrend({ days: 1 }, user);
      expect(today.items.map(i => i.day)).toEqual(['2026-11-29']);
      const two = await scorecard.getTrend({ days: 2 }, user);
      expect(two.from).toBe('2026-11-28');
      expect(two.items.map(i => i.day)).toEqual(['2026-11-28', '2026-11-29']);

      const owner = await scorecard.getTrend(
        { owner: 'group:default/team', days: 2 },
        user,
      );
      expect(owner.owner).toBe('group:default/team');
      expect(owner.items).toHaveLength(2);
      expect(
        (await scorecard.getTrend({ owner: 'group:default/none' }, user)).items,
      ).toEqual([]);
    });
  });
});
