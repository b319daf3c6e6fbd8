import { TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { readdirSync } from 'node:fs';
import { ScorecardStore } from './ScorecardStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

const directory = resolvePackagePath(
  '@env-parity/plugin-env-parity-backend',
  'migrations',
);
const MIGRATION = '20261203_scorecard_environments.js';

const T0 = new Date('2026-11-20T10:00:00.000Z');
const T1 = new Date('2026-11-28T10:00:00.000Z');

function oldRow(name: string, fields: Record<string, unknown> = {}) {
  return {
    entity_ref: `component:default/${name}`,
    kind: 'component',
    namespace: 'default',
    name,
    title: null,
    owner: 'group:default/team-a',
    spec_owner: 'team-a',
    system: null,
    spec_system: null,
    lifecycle: 'production',
    spec_type: 'service',
    search_text: `${name} component:default/${name} group:default/team-a`,
    reference_environment: 'production',
    reference_version: '1.0.0',
    reference_revision: 'a'.repeat(40),
    compared_environment: 'staging',
    compared_version: '1.0.0',
    compared_revision: 'a'.repeat(40),
    revision_status: null,
    commits_ahead: null,
    commits_behind: null,
    verdict: 'in-sync',
    score: 100,
    drift_since: null,
    observation_failed: false,
    observed_at: T1,
    updated_at: T1,
    ...fields,
  };
}

/** An old row as the store's row type (without scope). */
function fromOld(row: ReturnType<typeof oldRow>) {
  return {
    entityRef: row.entity_ref,
    kind: row.kind,
    namespace: row.namespace,
    name: row.name,
    title: row.title,
    owner: row.owner,
    specOwner: row.spec_owner,
    system: row.system,
    specSystem: row.spec_system,
    lifecycle: row.lifecycle,
    specType: row.spec_type,
    searchText: row.search_text,
    referenceEnvironment: row.reference_environment,
    referenceVersion: row.reference_version,
    referenceRevision: row.reference_revision,
    comparedEnvironment: String(row.compared_environment),
    comparedVersion: row.compared_version,
    comparedRevision: row.compared_revision,
    revisionStatus: row.revision_status,
    commitsAhead: row.commits_ahead,
    commitsBehind: row.commits_behind,
    verdict: 'in-sync' as const,
    score: 100,
    unknownReason: null,
    driftSince: null,
    observationFailed: false,
    observedAt: T1,
    updatedAt: T1,
  };
}

describe.each(databases.eachSupportedId())(
  'scorecard per environment migration on %p',
  id => {
    it('turns existing rows and history into rows of the environment they compared', async () => {
      const knex = await databases.init(id);
      const before = readdirSync(directory)
        .filter(f => f.endsWith('.js') && f < MIGRATION)
        .sort();
      for (const name of before) {
        await knex.migrate.up({ directory, name });
      }
      await knex('env_parity_entity_reports').insert([
        oldRow('api'),
        oldRow('web', {
          compared_version: '1.1.0',
          compared_revision: 'b'.repeat(40),
          revision_status: 'behind',
          commits_ahead: 0,
          commits_behind: 3,
          verdict: 'behind',
          score: 52,
          drift_since: T0,
          observation_failed: true,
        }),
      ]);
      await knex('env_parity_scorecard_daily').insert([
        {
          day: '2026-11-27',
          owner: '',
          tracked: 2,
          in_parity: 1,
          median_score: 76,
          median_drift_age_days: 7,
          behind: 1,
          tag_mismatch: 0,
          recorded_at: T1,
        },
        {
          day: '2026-11-27',
          owner: 'group:default/team-a',
          tracked: 2,
          in_parity: 1,
          median_score: 76,
          median_drift_age_days: null,
          behind: 1,
          tag_mismatch: 0,
          recorded_at: T1,
        },
      ]);

      await knex.migrate.latest({ directory });
      expect(await knex.schema.hasTable('env_parity_entity_reports')).toBe(
        false,
      );
      expect(await knex.schema.hasTable('env_parity_scorecard_daily')).toBe(
        false,
      );

      const store = new ScorecardStore(knex);
      const rows = await store.getReports([
        'component:default/api',
        'component:default/web',
      ]);
      expect([...rows.get('component:default/api')!.keys()]).toEqual([
        'staging',
      ]);
      expect(rows.get('component:default/web')!.get('staging')).toEqual({
        entityRef: 'component:default/web',
        scope: 'staging',
        kind: 'component',
        namespace: 'default',
        name: 'web',
        title: null,
        owner: 'group:default/team-a',
        specOwner: 'team-a',
        system: null,
        specSystem: null,
        lifecycle: 'production',
        specType: 'service',
        searchText: 'web component:default/web group:default/team-a',
        referenceEnvironment: 'production',
        referenceVersion: '1.0.0',
        referenceRevision: 'a'.repeat(40),
        comparedEnvironment: 'staging',
        comparedVersion: '1.1.0',
        comparedRevision: 'b'.repeat(40),
        revisionStatus: 'behind',
        commitsAhead: 0,
        commitsBehind: 3,
        verdict: 'behind',
        score: 52,
        unknownReason: null,
        driftSince: T0,
        observationFailed: true,
        observedAt: T1,
        updatedAt: T1,
      });
      const page = await store.queryPage({
        filter: { scope: 'staging' },
        sort: { field: 'score', order: 'asc' },
        offset: 0,
        limit: 10,
      });
      expect(page.rows.map(r => r.name)).toEqual(['web', 'api']);
      expect(await store.trend('staging', '', '2026-11-01')).toEqual([
        {
          day: '2026-11-27',
          scope: 'staging',
          owner: '',
          tracked: 2,
          inParity: 1,
          unknown: 0,
          medianScore: 76,
          medianDriftAgeDays: 7,
          behind: 1,
          tagMismatch: 0,
        },
      ]);
      expect(
        await store.trend('staging', 'group:default/team-a', '2026-11-01'),
      ).toHaveLength(1);
    });

    it('rolls back to one row per entity, keeping the first environment by name', async () => {
      const knex = await databases.init(id);
      await knex.migrate.latest({ directory });
      const store = new ScorecardStore(knex);
      const row = (scope: string, compared: string) => ({
        ...fromOld(oldRow('api', { compared_environment: compared })),
        scope,
      });
      await store.upsertReports([
        row('staging', 'staging'),
        row('development', 'development'),
        row('worst', 'development'),
      ]);
      for (const name of readdirSync(directory)
        .filter(f => f.endsWith('.js') && f >= MIGRATION)
        .sort()
        .reverse()) {
        await knex.migrate.down({ directory, name });
      }
      const rows = await knex('env_parity_entity_reports').select(
        'entity_ref',
        'compared_environment',
      );
      expect(rows).toEqual([
        {
          entity_ref: 'component:default/api',
          compared_environment: 'development',
        },
      ]);
      expect(await knex.schema.hasTable('env_parity_scorecard_rows')).toBe(
        false,
      );
      // and up again
      await knex.migrate.latest({ directory });
      expect([
        ...(await store.getReports(['component:default/api']))
          .get('component:default/api')!
          .keys(),
      ]).toEqual(['development']);
    });

    it('keeps history without rows apart, under no environment', async () => {
      const knex = await databases.init(id);
      for (const name of readdirSync(directory)
        .filter(f => f.endsWith('.js') && f < MIGRATION)
        .sort()) {
        await knex.migrate.up({ directory, name });
      }
      await knex('env_parity_scorecard_daily').insert({
        day: '2026-11-27',
        owner: '',
        tracked: 0,
        in_parity: 0,
        median_score: null,
        median_drift_age_days: null,
        behind: 0,
        tag_mismatch: 0,
        recorded_at: T1,
      });
      await knex.migrate.latest({ directory });
      const store = new ScorecardStore(knex);
      expect(await store.trend('', '', '2026-11-01')).toHaveLength(1);
    });
  },
);
