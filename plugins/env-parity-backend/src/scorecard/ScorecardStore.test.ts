import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Verdict } from '@env-parity/plugin-env-parity-common';
import { Knex } from 'knex';
import { DatabaseSnapshotStore } from '../store/DatabaseSnapshotStore';
import {
  EntityReport,
  ReportFilter,
  ReportSort,
  ScorecardStore,
} from './ScorecardStore';
import { Predicate } from './visibility';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

const DAY = 86_400_000;
const NOW = new Date(Date.UTC(2026, 10, 28, 12, 0, 0, 250));
const daysAgo = (n: number) => new Date(NOW.getTime() - n * DAY);

function report(
  name: string,
  fields: Partial<EntityReport> = {},
): EntityReport {
  const owner =
    fields.owner === undefined ? 'group:default/team-a' : fields.owner;
  return {
    entityRef: `component:default/${name}`,
    scope: 'staging',
    kind: 'component',
    namespace: 'default',
    name,
    title: null,
    owner,
    specOwner: owner ? owner.replace(/^group:default\//, '') : null,
    system: null,
    specSystem: null,
    lifecycle: 'production',
    specType: 'service',
    searchText: `${name} component:default/${name} ${
      owner ?? ''
    }`.toLowerCase(),
    referenceEnvironment: 'production',
    referenceVersion: '1.0.0',
    referenceRevision: null,
    comparedEnvironment: 'staging',
    comparedVersion: '1.0.0',
    comparedRevision: null,
    revisionStatus: null,
    commitsAhead: null,
    commitsBehind: null,
    verdict: 'in-sync',
    score: 100,
    unknownReason: null,
    driftSince: null,
    observationFailed: false,
    observedAt: daysAgo(0),
    updatedAt: daysAgo(0),
    ...fields,
  };
}

function drifting(
  name: string,
  verdict: Verdict,
  score: number,
  driftDays: number,
  fields: Partial<EntityReport> = {},
): EntityReport {
  return report(name, {
    verdict,
    score,
    comparedVersion: '1.1.0',
    driftSince: daysAgo(driftDays),
    ...fields,
  });
}

describe.each(databases.eachSupportedId())('ScorecardStore on %p', id => {
  let knex: Knex;
  let store: ScorecardStore;

  beforeEach(async () => {
    knex = await databases.init(id);
    // runs every migration of the plugin, the scorecard's included
    await DatabaseSnapshotStore.create({
      database: mockServices.database.mock({ getClient: async () => knex }),
    });
    store = new ScorecardStore(knex);
  });

  const names = (rows: { name: string }[]) => rows.map(r => r.name);
  // name order depends on the database's collation; compare sets there
  const nameSet = (rows: { name: string }[]) =>
    rows.map(r => r.name.toLowerCase()).sort();
  const page = (
    sort: ReportSort,
    filter: Omit<ReportFilter, 'scope'> = {},
    offset = 0,
    limit = 50,
  ) =>
    store.queryPage({
      filter: { scope: 'staging', ...filter },
      sort,
      offset,
      limit,
    });

  it('stores rows as they are and replaces them on upsert', async () => {
    const full = drifting('api', 'behind', 40, 3, {
      title: 'The API, "quoted"',
      system: 'system:default/payments',
      specSystem: 'payments',
      referenceRevision: 'a'.repeat(40),
      comparedRevision: 'b'.repeat(40),
      revisionStatus: 'behind',
      commitsAhead: 0,
      commitsBehind: 10,
      observationFailed: true,
    });
    const bare = report('bare', {
      owner: null,
      lifecycle: null,
      specType: null,
      referenceVersion: null,
      comparedVersion: null,
      verdict: 'unknown',
      score: 0,
      observedAt: null,
    });
    await store.upsertReports([full, bare]);
    const stored = await store.getReports([full.entityRef, bare.entityRef]);
    expect(stored.get(full.entityRef)?.get('staging')).toEqual(full);
    expect(stored.get(bare.entityRef)?.get('staging')).toEqual(bare);

    const changed = { ...full, verdict: 'in-sync' as const, driftSince: null };
    await store.upsertReports([changed]);
    expect(
      (await store.getReports([full.entityRef]))
        .get(full.entityRef)
        ?.get('staging'),
    ).toEqual(changed);

    await expect(
      store.deleteReportsExcept(new Set([bare.entityRef])),
    ).resolves.toBe(1);
    expect([
      ...(await store.getReports([full.entityRef, bare.entityRef])).keys(),
    ]).toEqual([bare.entityRef]);
  });

  describe('with a catalog of rows', () => {
    beforeEach(async () => {
      await store.upsertReports([
        report('alpha'),
        drifting('bravo', 'behind', 40, 10),
        drifting('charlie', 'tag-mismatch', 20, 30, {
          owner: 'group:default/team-b',
          specOwner: 'team-b',
          lifecycle: 'experimental',
        }),
        drifting('delta', 'different', 50, 1, {
          owner: 'group:default/team-b',
          specOwner: 'team-b',
          system: 'system:default/payments',
        }),
        report('echo', {
          owner: null,
          specOwner: null,
          verdict: 'unknown',
          score: 0,
          unknownReason: 'not-deployed',
          comparedVersion: null,
        }),
        drifting('foxtrot', 'config-drift', 95, 2, {
          kind: 'api',
          entityRef: 'api:default/foxtrot',
          name: 'FoxTrot',
          searchText: 'foxtrot 100%_done api:default/foxtrot',
        }),
      ]);
    });

    it('keeps each scope apart: rows, deletes and daily aggregates', async () => {
      const alpha = 'component:default/alpha';
      const inDevelopment = { comparedEnvironment: 'development' };
      await store.upsertReports([
        drifting('alpha', 'config-drift', 80, 3, {
          ...inDevelopment,
          scope: 'development',
        }),
        drifting('alpha', 'config-drift', 80, 3, {
          ...inDevelopment,
          scope: 'worst',
        }),
      ]);
      const stored = await store.getReports([alpha]);
      expect([...stored.get(alpha)!.keys()].sort()).toEqual([
        'development',
        'staging',
        'worst',
      ]);
      expect((await page({ field: 'name', order: 'asc' })).totalCount).toBe(6);
      const worst = await store.queryPage({
        filter: { scope: 'worst' },
        sort: { field: 'name', order: 'asc' },
        offset: 0,
        limit: 10,
      });
      expect(worst.rows.map(r => [r.name, r.comparedEnvironment])).toEqual([
        ['alpha', 'development'],
      ]);
      expect(await store.summary({ scope: 'development' })).toMatchObject({
        tracked: 1,
        inParity: 0,
      });
      await store.recordDaily({
        day: '2026-11-28',
        now: NOW,
        keepFrom: '2026-01-01',
        scopes: ['staging', 'worst'],
      });
      expect(await store.trend('worst', '', '2026-11-28')).toMatchObject([
        { scope: 'worst', tracked: 1, inParity: 0, medianScore: 80 },
      ]);
      expect(await store.trend('staging', '', '2026-11-28')).toMatchObject([
        { tracked: 6, inParity: 1 },
      ]);
      // not a scope of the scorecard any more: not recorded
      expect(await store.trend('development', '', '2026-11-28')).toEqual([]);

      await expect(
        store.deleteReports([{ entityRef: alpha, scope: 'development' }]),
      ).resolves.toBe(1);
      expect(
        [...(await store.getReports([alpha])).get(alpha)!.keys()].sort(),
      ).toEqual(['staging', 'worst']);
      await expect(
        store.deleteReportsExcept(new Set(['component:default/bravo'])),
      ).resolves.toBe(5);
    });

    it('sorts by score, worst first, ties by entity ref, unknown apart after every score either way, and pages', async () => {
      const all = await page({ field: 'score', order: 'asc' });
      expect(all.totalCount).toBe(6);
      // echo is unknown (score 0): not the worst, but apart at the end
      expect(names(all.rows)).toEqual([
        'charlie',
        'bravo',
        'delta',
        'FoxTrot',
        'alpha',
        'echo',
      ]);
      expect(all.rows[5].unknownReason).toBe('not-deployed');
      expect(all.rows[0].unknownReason).toBeNull();
      const second = await page({ field: 'score', order: 'asc' }, {}, 2, 2);
      expect(second.totalCount).toBe(6);
      expect(names(second.rows)).toEqual(['delta', 'FoxTrot']);
      const desc = await page({ field: 'score', order: 'desc' });
      expect(names(desc.rows)).toEqual([
        'alpha',
        'FoxTrot',
        'delta',
        'bravo',
        'charlie',
        'echo',
      ]);
    });

    it('sorts by drift age with services in sync as age 0', async () => {
      const oldestFirst = await page({ field: 'driftAge', order: 'desc' });
      expect(names(oldestFirst.rows)).toEqual([
        'charlie',
        'bravo',
        'FoxTrot',
        'delta',
        'alpha',
        'echo',
      ]);
      const youngestFirst = await page({ field: 'driftAge', order: 'asc' });
      expect(names(youngestFirst.rows)).toEqual([
        'alpha',
        'echo',
        'delta',
        'FoxTrot',
        'bravo',
        'charlie',
      ]);
    });

    it('sorts by verdict in display order and by owner with none last', async () => {
      const byVerdict = await page({ field: 'verdict', order: 'asc' });
      expect(byVerdict.rows.map(r => r.verdict)).toEqual([
        'in-sync',
        'config-drift',
        'behind',
        'tag-mismatch',
        'different',
        'unknown',
      ]);
      const byOwner = await page({ field: 'owner', order: 'desc' });
      expect(byOwner.rows.map(r => r.owner)).toEqual([
        'group:default/team-b',
        'group:default/team-b',
        'group:default/team-a',
        'group:default/team-a',
        'group:default/team-a',
        null,
      ]);
    });

    it('sorts by last observation, a completed run counting for rows without failures', async () => {
      await store.upsertReports([
        report('alpha', { observedAt: daysAgo(5) }),
        report('bravo', { observedAt: daysAgo(4), observationFailed: true }),
        report('charlie', { observedAt: new Date(NOW.getTime() + 1000) }),
      ]);
      const result = await store.queryPage({
        filter: { scope: 'staging', kind: ['component'] },
        sort: { field: 'lastObserved', order: 'asc' },
        offset: 0,
        limit: 10,
        runStart: daysAgo(1),
      });
      // bravo failed: its own time; alpha and the rest count as observed by
      // the run a day ago; charlie was observed after it
      expect(names(result.rows)).toEqual([
        'bravo',
        'alpha',
        'delta',
        'echo',
        'charlie',
      ]);
    });

    it('filters by owner, system, kind, lifecycle, verdict and ownership', async () => {
      const sort: ReportSort = { field: 'name', order: 'asc' };
      expect(
        names((await page(sort, { owner: ['group:default/team-b'] })).rows),
      ).toEqual(['charlie', 'delta']);
      expect(
        names((await page(sort, { system: ['system:default/payments'] })).rows),
      ).toEqual(['delta']);
      expect(names((await page(sort, { kind: ['api'] })).rows)).toEqual([
        'FoxTrot',
      ]);
      expect(
        names((await page(sort, { lifecycle: ['experimental'] })).rows),
      ).toEqual(['charlie']);
      expect(
        names((await page(sort, { verdict: ['behind', 'unknown'] })).rows),
      ).toEqual(['bravo', 'echo']);
      const mine = await page(sort, {
        ownedBy: ['user:default/me', 'group:default/team-b'],
        verdict: ['tag-mismatch', 'behind'],
      });
      expect(names(mine.rows)).toEqual(['charlie']);
      expect(mine.totalCount).toBe(1);
      expect((await page(sort, { ownedBy: [] })).totalCount).toBe(0);
    });

    it('matches free text literally, wildcards included', async () => {
      const sort: ReportSort = { field: 'name', order: 'asc' };
      expect(names((await page(sort, { q: 'CHAR' })).rows)).toEqual([
        'charlie',
      ]);
      expect(names((await page(sort, { q: '100%_d' })).rows)).toEqual([
        'FoxTrot',
      ]);
      expect((await page(sort, { q: '%' })).totalCount).toBe(1);
      expect((await page(sort, { q: '_' })).totalCount).toBe(1);
      expect((await page(sort, { q: 'team-b' })).totalCount).toBe(2);
      expect((await page(sort, { q: "o'brien\\" })).totalCount).toBe(0);
    });

    it('filters by the catalog conditions, NULL-safe under not', async () => {
      const sort: ReportSort = { field: 'name', order: 'asc' };
      const ownedByA: Predicate = {
        type: 'in',
        column: 'owner',
        values: ['group:default/team-a'],
      };
      expect(nameSet((await page(sort, { visible: ownedByA })).rows)).toEqual([
        'alpha',
        'bravo',
        'foxtrot',
      ]);
      // not owned by team-a includes the service without owner
      expect(
        names(
          (await page(sort, { visible: { type: 'not', item: ownedByA } })).rows,
        ),
      ).toEqual(['charlie', 'delta', 'echo']);
      const either: Predicate = {
        type: 'or',
        items: [
          { type: 'in', column: 'spec_owner', values: ['team-b'] },
          { type: 'in', column: 'name', values: ['foxtrot'], lower: true },
        ],
      };
      expect(nameSet((await page(sort, { visible: either })).rows)).toEqual([
        'charlie',
        'delta',
        'foxtrot',
      ]);
      const both: Predicate = {
        type: 'and',
        items: [
          { type: 'in', column: 'kind', values: ['component'] },
          { type: 'not', item: { type: 'present', column: 'owner' } },
        ],
      };
      expect(names((await page(sort, { visible: both })).rows)).toEqual([
        'echo',
      ]);
      expect(
        (await page(sort, { visible: { type: 'const', value: false } }))
          .totalCount,
      ).toBe(0);
      expect(
        (
          await page(sort, {
            visible: { type: 'in', column: 'kind', values: [] },
          })
        ).totalCount,
      ).toBe(0);
    });

    it('marks which rows the certain bound covers', async () => {
      const result = await store.queryPage({
        filter: { scope: 'staging', visible: { type: 'const', value: true } },
        certain: {
          type: 'in',
          column: 'owner',
          values: ['group:default/team-b'],
        },
        sort: { field: 'score', order: 'asc' },
        offset: 0,
        limit: 10,
      });
      expect(result.rows.map(r => [r.name, r.certain])).toEqual([
        ['charlie', true],
        ['bravo', false],
        ['delta', true],
        ['FoxTrot', false],
        ['alpha', false],
        ['echo', false],
      ]);
    });

    it('streams every row in order, a chunk at a time', async () => {
      const chunks = [];
      for await (const chunk of store.streamRows({
        filter: { scope: 'staging' },
        sort: { field: 'score', order: 'asc' },
        size: 4,
      })) {
        chunks.push(names(chunk));
      }
      expect(chunks).toEqual([
        ['charlie', 'bravo', 'delta', 'FoxTrot'],
        ['alpha', 'echo'],
      ]);
    });

    it('sums up the tiles with medians, unknown counted apart and out of the average and median', async () => {
      const summary = await store.summary({ scope: 'staging' });
      expect(summary).toEqual({
        tracked: 6,
        inParity: 1,
        unknown: 1,
        behind: 1,
        tagMismatch: 1,
        drifting: 4,
        // echo's unknown is no score of 0
        averageScore: 61,
        // 20 40 50 95 100
        medianScore: 50,
        // drift days 30 10 | 2 1: the middle two are 10 and 2 days ago
        medianDriftSince: daysAgo(6),
        verdicts: {
          'in-sync': 1,
          'config-drift': 1,
          ahead: 0,
          behind: 1,
          diverged: 0,
          'tag-mismatch': 1,
          different: 1,
          unknown: 1,
        },
      });
      const teamB = await store.summary({
        scope: 'staging',
        owner: ['group:default/team-b'],
      });
      expect(teamB).toMatchObject({
        tracked: 2,
        inParity: 0,
        medianScore: 35,
        medianDriftSince: daysAgo(15.5),
      });
      const odd = await store.summary({
        scope: 'staging',
        owner: ['group:default/team-a'],
      });
      expect(odd).toMatchObject({ tracked: 3, medianScore: 95 });
      const none = await store.summary({
        scope: 'staging',
        owner: ['group:default/nobody'],
      });
      expect(none).toMatchObject({ tracked: 0, drifting: 0, unknown: 0 });
      expect(none.averageScore).toBeUndefined();
      const onlyUnknown = await store.summary({
        scope: 'staging',
        verdict: ['unknown'],
      });
      expect(onlyUnknown).toMatchObject({ tracked: 1, unknown: 1 });
      expect(onlyUnknown.averageScore).toBeUndefined();
      expect(onlyUnknown.medianScore).toBeUndefined();
      expect(none.medianScore).toBeUndefined();
      expect(none.medianDriftSince).toBeUndefined();
    });

    it('rolls up per owner', async () => {
      const teams = await store.teams({ scope: 'staging' });
      const byOwner = Object.fromEntries(teams.map(t => [String(t.owner), t]));
      expect(Object.keys(byOwner).sort()).toEqual([
        'group:default/team-a',
        'group:default/team-b',
        'null',
      ]);
      expect(byOwner['group:default/team-b']).toEqual({
        owner: 'group:default/team-b',
        tracked: 2,
        inParity: 0,
        unknown: 0,
        averageScore: 35,
        oldestDriftSince: daysAgo(30),
        verdicts: expect.objectContaining({ 'tag-mismatch': 1, different: 1 }),
      });
      expect(byOwner['group:default/team-a']).toMatchObject({
        tracked: 3,
        inParity: 1,
        averageScore: expect.closeTo((100 + 40 + 95) / 3, 3),
      });
      // only an unknown service: no average at all, not an average of 0
      expect(byOwner.null).toMatchObject({
        owner: null,
        tracked: 1,
        unknown: 1,
      });
      expect(byOwner.null.averageScore).toBeUndefined();
      expect(byOwner.null.oldestDriftSince).toBeUndefined();
    });

    it('records daily aggregates per UTC day, replaces the day, and keeps the retention', async () => {
      await store.insertDaily(
        [
          {
            day: '2025-01-01',
            scope: 'staging',
            owner: '',
            tracked: 1,
            inParity: 1,
            medianScore: 100,
            medianDriftAgeDays: null,
            behind: 0,
            tagMismatch: 0,
          },
          {
            day: '2026-11-27',
            scope: 'staging',
            owner: '',
            tracked: 5,
            inParity: 0,
            medianScore: 10,
            medianDriftAgeDays: 3,
            behind: 1,
            tagMismatch: 0,
          },
          {
            day: '2026-11-28',
            scope: 'staging',
            owner: 'group:default/gone',
            tracked: 1,
            inParity: 0,
            medianScore: 0,
            medianDriftAgeDays: null,
            behind: 0,
            tagMismatch: 0,
          },
        ],
        daysAgo(1),
      );
      const result = await store.recordDaily({
        day: '2026-11-28',
        now: NOW,
        keepFrom: '2025-11-01',
        scopes: ['staging', 'worst'],
      });
      expect(result).toEqual({ written: 4, deleted: 1 });
      // a second run the same day replaces the day's rows
      await expect(
        store.recordDaily({
          day: '2026-11-28',
          now: NOW,
          keepFrom: '2025-11-01',
          scopes: ['staging', 'worst'],
        }),
      ).resolves.toEqual({ written: 4, deleted: 0 });

      expect(await store.trend('staging', '', '2026-11-27')).toEqual([
        {
          day: '2026-11-27',
          scope: 'staging',
          owner: '',
          tracked: 5,
          inParity: 0,
          unknown: 0,
          medianScore: 10,
          medianDriftAgeDays: 3,
          behind: 1,
          tagMismatch: 0,
        },
        {
          day: '2026-11-28',
          scope: 'staging',
          owner: '',
          tracked: 6,
          inParity: 1,
          unknown: 1,
          medianScore: 50,
          medianDriftAgeDays: 6,
          behind: 1,
          tagMismatch: 1,
        },
      ]);
      expect(
        await store.trend('staging', 'group:default/team-b', '2026-01-01'),
      ).toEqual([
        {
          day: '2026-11-28',
          scope: 'staging',
          owner: 'group:default/team-b',
          tracked: 2,
          inParity: 0,
          unknown: 0,
          medianScore: 35,
          medianDriftAgeDays: 15.5,
          behind: 0,
          tagMismatch: 1,
        },
      ]);
      const teamA = await store.trend(
        'staging',
        'group:default/team-a',
        '2026-11-28',
      );
      // drift days 10 and 2 (alpha is in sync)
      expect(teamA[0]).toMatchObject({
        tracked: 3,
        medianScore: 95,
        medianDriftAgeDays: 6,
      });
      expect(
        await store.trend('staging', 'group:default/gone', '2026-01-01'),
      ).toEqual([]);
      expect(await store.trend('staging', '', '2026-11-29')).toEqual([]);
    });
  });
});
