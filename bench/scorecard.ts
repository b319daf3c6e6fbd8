/* eslint-disable no-console */
/*
 * The scorecard benchmark: `yarn bench` (see bench/run.js).
 *
 * Seeds 10,000 entities x 4 environments in a fresh PostgreSQL database
 * (snapshots; scorecard rows per non-reference environment plus each
 * service's worst environment, 40,000 rows; 90 days of daily history per
 * environment) and times, in
 * this process, the store and service functions that serve each request
 * (server time, without HTTP). Then runs two full collections of 10,000
 * entities with a provider that answers after 50 ms, in a second fresh
 * database.
 *
 *   BENCH_POSTGRES_URL   server to use (default postgresql://postgres@127.0.0.1:5432)
 *   BENCH_ENTITIES       entities to seed (default 10000)
 *   BENCH_SKIP_COLLECTION=1  skip the two collection passes
 *   BENCH_KEEP_DB=1      keep the databases afterwards
 */
import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  computeParityReport,
  Deployment,
  EnvironmentDefinition,
  Snapshot,
} from '@env-parity/plugin-env-parity-common';
import {
  DeploymentProvider,
  ProviderObservation,
  RevisionComparer,
} from '@env-parity/plugin-env-parity-node';
import knexFactory, { Knex } from 'knex';
import { createHash } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  DeploymentCollector,
  readCollectorOptions,
} from '../plugins/env-parity-backend/src/collector/DeploymentCollector';
import { EnvironmentRegistry } from '../plugins/env-parity-backend/src/environments';
import { ParityReportService } from '../plugins/env-parity-backend/src/ParityReportService';
import {
  csvHeader,
  csvRow,
} from '../plugins/env-parity-backend/src/scorecard/csv';
import { ParityReportBuilder } from '../plugins/env-parity-backend/src/report';
import {
  readScorecardOptions,
  ScorecardService,
} from '../plugins/env-parity-backend/src/scorecard/ScorecardService';
import { ScorecardStore } from '../plugins/env-parity-backend/src/scorecard/ScorecardStore';
import { ScorecardWriter } from '../plugins/env-parity-backend/src/scorecard/ScorecardWriter';
import { DatabaseSnapshotStore } from '../plugins/env-parity-backend/src/store/DatabaseSnapshotStore';

const SERVER =
  process.env.BENCH_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432';
const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 10_000);
const OWNERS = 200;
const DAY = 86_400_000;
const ENVIRONMENTS = ['development', 'qa', 'staging', 'production'];
const NOW = Date.now();

// ------------------------------------------------------------------ fixtures

const logger: LoggerService = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return logger;
  },
};

const config = new ConfigReader({
  envParity: {
    environments: ENVIRONMENTS.map(name => ({
      name,
      ...(name === 'production' && { reference: true }),
    })),
    environmentsFromCatalog: false,
  },
});

const user: BackstageCredentials = {
  $$type: '@backstage/BackstageCredentials',
  principal: { type: 'user', userEntityRef: 'user:default/bench' },
} as BackstageCredentials;

let catalogDecision: any = { result: AuthorizeResult.ALLOW };
const permissions: PermissionsService = {
  async authorize(requests) {
    return requests.map(() => ({ result: AuthorizeResult.ALLOW }));
  },
  async authorizeConditional(requests) {
    return requests.map(() => catalogDecision);
  },
};

const userInfo: UserInfoService = {
  async getUserInfo() {
    return {
      userEntityRef: 'user:default/bench',
      ownershipEntityRefs: ['user:default/bench', 'group:default/team-7'],
    };
  },
};

function hash(...parts: (string | number)[]): string {
  return createHash('sha256').update(parts.join(':')).digest('hex');
}

function entityOf(i: number): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name: `svc-${String(i).padStart(5, '0')}`,
      namespace: 'default',
      title: `Service ${i}`,
      annotations: { 'env-parity/bench': 'true' },
    },
    spec: {
      type: 'service',
      owner: `team-${i % OWNERS}`,
      system: `sys-${i % 500}`,
      lifecycle: ['production', 'experimental', 'deprecated'][i % 3],
    },
  };
}

/** What runs where for entity i: buckets give every verdict. */
const comparisons = new Map<
  string,
  { status: 'ahead' | 'behind'; n: number }
>();
function deploymentsOf(
  i: number,
  generation = 0,
): Record<string, Deployment | undefined> {
  const bucket = parseInt(hash(i, 'bucket').slice(0, 8), 16) % 100;
  const days = (parseInt(hash(i, 'days').slice(0, 8), 16) % 60) + 1;
  const version = `1.${i % 20}.${generation}`;
  const revision = hash(i, 'rev', generation).slice(0, 40);
  const digest = hash(i, 'digest', generation);
  const prod: Deployment = {
    version,
    revision,
    artifact: `ghcr.io/acme/svc-${i}:${version}@sha256:${digest}`,
    deployedAt: new Date(NOW - days * DAY).toISOString(),
    deployedBy: 'ci',
    config: { LOG_LEVEL: { hash: hash('info'), value: 'info' } },
  };
  let staging: Deployment | undefined = { ...prod };
  const later = new Date(NOW - Math.floor(days / 2) * DAY).toISOString();
  if (bucket >= 50 && bucket < 60) {
    staging.config = { LOG_LEVEL: { hash: hash('debug'), value: 'debug' } };
  } else if (bucket >= 60 && bucket < 75) {
    const head = hash(i, 'staging-rev', generation).slice(0, 40);
    comparisons.set(head, {
      status: bucket < 68 ? 'behind' : 'ahead',
      n: (bucket % 7) + 1,
    });
    staging = {
      ...prod,
      version: `1.${i % 20}.${generation + 1}`,
      revision: head,
      artifact: `ghcr.io/acme/svc-${i}:next@sha256:${hash(i, 'stg-digest')}`,
      deployedAt: later,
    };
  } else if (bucket >= 75 && bucket < 85) {
    staging = {
      ...prod,
      artifact: `ghcr.io/acme/svc-${i}:${version}@sha256:${hash(i, 'rebuilt')}`,
      deployedAt: later,
    };
  } else if (bucket >= 85 && bucket < 95) {
    staging = {
      ...prod,
      version: `2.0.0-rc.${i % 5}`,
      revision: hash(i, 'unrelated').slice(0, 40),
      artifact: `ghcr.io/acme/svc-${i}:rc@sha256:${hash(i, 'rc')}`,
      deployedAt: later,
    };
  } else if (bucket >= 95) {
    staging = undefined;
  }
  return {
    production: prod,
    staging,
    qa: staging ? { ...staging, deployedBy: 'qa-bot' } : { ...prod },
    development: {
      version: `1.${i % 20}.${generation + 2}-dev`,
      revision: hash(i, 'dev', generation).slice(0, 40),
      deployedAt: later,
    },
  };
}

function observationsOf(i: number): ProviderObservation[] {
  return Object.entries(deploymentsOf(i))
    .filter(([, d]) => d)
    .map(([environment, deployment]) => ({ environment, deployment }));
}

const comparer: RevisionComparer = {
  getComparerName: () => 'bench-scm',
  supports: () => true,
  async compare({ head }) {
    const c = comparisons.get(head);
    if (!c) {
      return undefined;
    }
    return c.status === 'behind'
      ? { status: 'behind', aheadBy: 0, behindBy: c.n }
      : { status: 'ahead', aheadBy: c.n, behindBy: 0 };
  },
};

/** A provider that answers after `delayMs`, like a remote API. */
function slowProvider(name: string, delayMs: number): DeploymentProvider {
  return {
    getProviderName: () => name,
    supports: () => true,
    async observe({ entity }) {
      await new Promise(r => setTimeout(r, delayMs));
      return observationsOf(Number(entity.metadata.name.slice(4)));
    },
  };
}

function memoryCatalog(entities: Entity[]): CatalogService {
  const catalog: Partial<CatalogService> = {
    async *streamEntities(request) {
      const size = request?.pageSize ?? 500;
      for (let i = 0; i < entities.length; i += size) {
        yield entities.slice(i, i + size);
      }
    },
    async getEntitiesByRefs(request) {
      return { items: request.entityRefs.map(() => ({} as Entity)) };
    },
  };
  return catalog as CatalogService;
}

// --------------------------------------------------------------- databases

async function freshDatabase(
  label: string,
): Promise<{ knex: Knex; drop: () => Promise<void> }> {
  const name = `env_parity_bench_${label}_${process.pid}_${Date.now()}`;
  const url = (db: string) => {
    const u = new URL(SERVER);
    u.pathname = `/${db}`;
    return u.toString();
  };
  const admin = knexFactory({ client: 'pg', connection: url('postgres') });
  await admin.raw('create database ??', [name]);
  const knex = knexFactory({
    client: 'pg',
    connection: url(name),
    pool: { min: 0, max: 10 },
  });
  return {
    knex,
    drop: async () => {
      await knex.destroy();
      if (!process.env.BENCH_KEEP_DB) {
        await admin.raw('drop database if exists ??', [name]);
      }
      await admin.destroy();
    },
  };
}

function services(
  knex: Knex,
  snapshots: DatabaseSnapshotStore,
  entities: Entity[],
) {
  const catalog = memoryCatalog(entities);
  const auth = {
    getOwnServiceCredentials: async () => user,
  } as any;
  const environments = EnvironmentRegistry.fromConfig(config, {
    catalog,
    auth,
    logger,
  });
  const scorecardStore = new ScorecardStore(knex);
  const scorecard = new ScorecardService({
    store: scorecardStore,
    environments,
    catalog,
    permissions,
    userInfo,
    logger,
    options: readScorecardOptions(config),
    latestRunStart: () => snapshots.latestCompletedRunStart(),
  });
  const builder = ParityReportBuilder.fromConfig(config, {
    providers: [],
    comparers: [comparer],
    logger,
  });
  const writer = new ScorecardWriter({
    store: scorecardStore,
    builder,
    logger,
  });
  return {
    catalog,
    auth,
    environments,
    scorecard,
    scorecardStore,
    writer,
    builder,
  };
}

// ----------------------------------------------------------------- timing

interface Result {
  item: string;
  runs: number;
  median: number;
  p95: number;
  target?: { ms: number; on: 'p95' | 'median' | 'once' };
  note?: string;
}
const results: Result[] = [];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

async function measure(
  item: string,
  runs: number,
  fn: (i: number) => Promise<unknown>,
  target?: Result['target'],
  warmup = 3,
): Promise<Result> {
  for (let i = 0; i < warmup; i++) {
    await fn(i);
  }
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await fn(i + warmup);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const result = {
    item,
    runs,
    median: percentile(times, 0.5),
    p95: percentile(times, 0.95),
    target,
  };
  results.push(result);
  console.log(
    `  ${item}: median ${fmt(result.median)}, p95 ${fmt(result.p95)}`,
  );
  return result;
}

function fmt(ms: number): string {
  return ms >= 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : ms >= 1000
    ? `${(ms / 1000).toFixed(2)} s`
    : `${ms.toFixed(1)} ms`;
}

// ------------------------------------------------------------------ phases

async function seed(knex: Knex) {
  const snapshots = await DatabaseSnapshotStore.create({
    database: { getClient: async () => knex } as any,
  });
  const entities = Array.from({ length: ENTITIES }, (_, i) => entityOf(i));
  const s = services(knex, snapshots, entities);
  const envs = await s.environments.list();
  const started = performance.now();
  const observedAt = new Date(NOW - DAY);
  for (let i = 0; i < ENTITIES; i += 500) {
    const batch = entities.slice(i, i + 500);
    await snapshots.applyObservations(
      batch.flatMap((entity, j) =>
        observationsOf(i + j).map(o => ({
          entityRef: stringifyEntityRef(entity),
          environment: o.environment,
          provider: 'bench',
          deployment: o.deployment,
        })),
      ),
      observedAt,
    );
    const refs = batch.map(e => stringifyEntityRef(e));
    await s.writer.updateEntities(
      batch,
      await snapshots.getSnapshotsForEntities(refs),
      envs,
    );
  }
  await snapshots.recordCompletedRun(new Date(NOW - 60 * 60 * 1000));

  // 90 days of history per environment and the worst view: the whole
  // catalog and every owner, slowly improving
  const rows = [];
  const perOwner = Math.round(ENTITIES / OWNERS);
  const scopes = [...ENVIRONMENTS.slice(0, -1), 'worst'];
  for (let d = 90; d >= 1; d--) {
    const day = new Date(NOW - d * DAY).toISOString().slice(0, 10);
    const share = 0.35 + (0.15 * (90 - d)) / 90;
    for (let o = -1; o < OWNERS * scopes.length; o++) {
      const tracked = o < 0 ? ENTITIES : perOwner;
      rows.push({
        day,
        scope: scopes[Math.max(0, o) % scopes.length],
        owner:
          o < 0 ? '' : `group:default/team-${Math.floor(o / scopes.length)}`,
        tracked,
        inParity: Math.round(tracked * share),
        medianScore: 60 + (30 * (90 - d)) / 90,
        medianDriftAgeDays: 20 - (10 * (90 - d)) / 90,
        behind: Math.round(tracked * 0.08),
        tagMismatch: Math.round(tracked * 0.1),
      });
    }
  }
  await s.scorecardStore.insertDaily(rows, new Date(NOW));
  await s.scorecard.recordDaily();
  await knex.raw('analyze');
  const counts = await Promise.all(
    [
      'env_parity_snapshots',
      'env_parity_scorecard_rows',
      'env_parity_scorecard_days',
    ].map(async t => {
      const [{ n }] = await knex(t).count({ n: '*' });
      return `${t}: ${n}`;
    }),
  );
  console.log(
    `Seeded in ${fmt(performance.now() - started)} (${counts.join(', ')})`,
  );
  const { verdicts, medianDriftAgeDays } = await s.scorecard.getSummary(
    {},
    user,
  );
  console.log(
    `Tracked verdicts: ${Object.entries(verdicts)
      .map(([v, n]) => `${v} ${n}`)
      .join(', ')}; median drift age ${medianDriftAgeDays} days`,
  );
  return { snapshots, entities, ...s };
}

async function readBenchmarks(knex: Knex) {
  const { snapshots, entities, scorecard, environments, builder } = await seed(
    knex,
  );
  const owner = (i: number) => `group:default/team-${(i * 37) % OWNERS}`;

  console.log('Scorecard queries:');
  const page = await measure(
    'scorecard first page (50 rows, by score, one owner)',
    200,
    i =>
      scorecard.getPage(
        { owner: [owner(i)], sort: 'score', order: 'asc', pageSize: 50 },
        user,
      ),
    { ms: 50, on: 'p95' },
  );
  page.note = `${
    (await scorecard.getPage({ owner: [owner(0)] }, user)).totalCount
  } rows per owner`;
  await measure(
    'scorecard first page (50 rows, by score, whole catalog)',
    100,
    () => scorecard.getPage({ sort: 'score', pageSize: 50 }, user),
  );
  await measure(
    'scorecard first page (50 rows, by score, one owner), development',
    100,
    i =>
      scorecard.getPage(
        {
          owner: [owner(i)],
          environment: 'development',
          sort: 'score',
          pageSize: 50,
        },
        user,
      ),
    { ms: 50, on: 'p95' },
  );
  await measure(
    'scorecard first page (50 rows, by score, one owner), worst environment',
    100,
    i =>
      scorecard.getPage(
        {
          owner: [owner(i)],
          environment: 'worst',
          sort: 'score',
          pageSize: 50,
        },
        user,
      ),
    { ms: 50, on: 'p95' },
  );
  await measure(
    'scorecard first page, filters + free text (verdict, lifecycle, q)',
    100,
    i =>
      scorecard.getPage(
        {
          verdict: ['behind', 'tag-mismatch', 'different'],
          lifecycle: ['production'],
          q: `svc-0${i % 10}`,
          sort: 'driftAge',
          order: 'desc',
        },
        user,
      ),
  );
  catalogDecision = {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'catalog',
    resourceType: 'catalog-entity',
    conditions: {
      anyOf: [
        {
          rule: 'IS_ENTITY_OWNER',
          resourceType: 'catalog-entity',
          params: {
            claims: [
              'group:default/team-1',
              'group:default/team-2',
              'group:default/team-3',
            ],
          },
        },
        {
          rule: 'HAS_SPEC',
          resourceType: 'catalog-entity',
          params: { key: 'lifecycle', value: 'experimental' },
        },
      ],
    },
  };
  await measure(
    'scorecard first page, conditional catalog permission (in SQL)',
    100,
    () => scorecard.getPage({ sort: 'score', pageSize: 50 }, user),
  );
  catalogDecision = { result: AuthorizeResult.ALLOW };
  await measure('summary tiles (whole catalog)', 100, () =>
    scorecard.getSummary({}, user),
  );
  await measure(
    'team roll-up (whole catalog)',
    100,
    () => scorecard.getTeams({}, user),
    { ms: 100, on: 'p95' },
  );
  await measure(
    'team roll-up (whole catalog), worst environment',
    100,
    () => scorecard.getTeams({ environment: 'worst' }, user),
    { ms: 100, on: 'p95' },
  );
  await measure(
    'trend, 90 days (whole catalog)',
    100,
    () => scorecard.getTrend({ days: 90 }, user),
    { ms: 100, on: 'p95' },
  );
  await measure(
    'trend, 90 days (one owner)',
    100,
    i => scorecard.getTrend({ owner: owner(i), days: 90 }, user),
    { ms: 100, on: 'p95' },
  );
  await measure(
    'trend, 90 days (one owner), worst environment',
    100,
    i =>
      scorecard.getTrend(
        { owner: owner(i), days: 90, environment: 'worst' },
        user,
      ),
    { ms: 100, on: 'p95' },
  );

  let bytes = 0;
  let rows = 0;
  const csv = await measure(
    `CSV export of all ${ENTITIES} rows`,
    10,
    async () => {
      bytes = 0;
      rows = 0;
      // what the route writes to the response, chunk by chunk
      const sink: string[] = [csvHeader()];
      for await (const chunk of scorecard.exportRows({ sort: 'score' }, user)) {
        const text = chunk.map(csvRow).join('');
        rows += chunk.length;
        bytes += Buffer.byteLength(text);
        sink.length = 0;
        sink.push(text);
      }
    },
    { ms: 2000, on: 'p95' },
    1,
  );
  csv.note = `${rows} rows, ${(bytes / 1e6).toFixed(1)} MB`;

  console.log('Parity report of one entity:');
  const collector = new DeploymentCollector({
    store: snapshots,
    providers: [],
    environments,
    catalog: memoryCatalog(entities),
    auth: { getOwnServiceCredentials: async () => user } as any,
    logger,
    options: readCollectorOptions(config),
  });
  const reports = new ParityReportService({
    store: snapshots,
    environments,
    collector,
    builder,
  });
  const stored = await measure(
    'report from stored snapshots',
    200,
    i => reports.getReport(entities[(i * 7919) % entities.length]),
    { ms: 20, on: 'p95' },
  );
  const providers = [
    slowProvider('argocd', 200),
    slowProvider('kubernetes', 200),
  ];
  const envs: EnvironmentDefinition[] = await environments.list();
  const fanout = await measure(
    'report by fanning out to 2 providers answering in 200 ms',
    10,
    async i => {
      const entity = entities[(i * 7919) % entities.length];
      const entityRef = stringifyEntityRef(entity);
      const at = new Date().toISOString();
      const observed = await Promise.all(
        providers.map(async p =>
          (
            await p.observe({ entity, environments: envs })
          ).map(
            (o): Snapshot => ({
              entityRef,
              environment: o.environment,
              provider: p.getProviderName(),
              deployment: o.deployment,
              observedAt: at,
              checkedAt: at,
            }),
          ),
        ),
      );
      return computeParityReport({
        entityRef,
        environments: envs,
        snapshots: observed.flat(),
      });
    },
    undefined,
    1,
  );
  fanout.note = `${(fanout.median / stored.median).toFixed(
    0,
  )}x the stored report (median)`;
}

async function collectionBenchmark(knex: Knex) {
  const snapshots = await DatabaseSnapshotStore.create({
    database: { getClient: async () => knex } as any,
  });
  const entities = Array.from({ length: ENTITIES }, (_, i) => entityOf(i));
  const s = services(knex, snapshots, entities);
  const options = readCollectorOptions(config);
  const collector = new DeploymentCollector({
    store: snapshots,
    providers: [slowProvider('remote', 50)],
    environments: s.environments,
    catalog: s.catalog,
    auth: s.auth,
    logger,
    options,
    scorecard: s.writer,
  });
  const writes: string[] = [];
  knex.on('query', (q: { sql: string }) => {
    if (/^\s*(insert|update|delete)/i.test(q.sql)) {
      writes.push(q.sql.replace(/\s+/g, ' ').slice(0, 60));
    }
  });
  console.log(
    `Full collection (batch ${options.batchSize}, concurrency ${options.concurrency}, provider answering in 50 ms):`,
  );
  for (const pass of ['first pass (empty database)', 'unchanged pass']) {
    writes.length = 0;
    const start = performance.now();
    const result = await collector.collectAll();
    const ms = performance.now() - start;
    const statements = new Map<string, number>();
    for (const w of writes) {
      const table = /(?:into|update|from) "?(\w+)"?/i.exec(w)?.[1] ?? w;
      statements.set(table, (statements.get(table) ?? 0) + 1);
    }
    const writeStatements =
      [...statements].map(([t, n]) => `${t} ${n}`).join(', ') || 'none';
    const note = `${result.written} snapshot + ${result.reportsWritten} scorecard rows written`;
    results.push({
      item: `full collection, ${pass}`,
      runs: 1,
      median: ms,
      p95: ms,
      target: { ms: 120_000, on: 'once' },
      note,
    });
    console.log(
      `  ${pass}: ${fmt(ms)}; ${
        result.entities
      } entities; ${note}; write statements: ${writeStatements}`,
    );
  }
}

function printTable() {
  const rows = results.map(r => {
    const value = r.target?.on === 'median' ? r.median : r.p95;
    const verdict = !r.target
      ? ''
      : value <= r.target.ms
      ? 'met'
      : `MISSED by ${fmt(value - r.target.ms)}`;
    return [
      r.item,
      String(r.runs),
      fmt(r.median),
      fmt(r.p95),
      r.target
        ? `${r.target.on === 'once' ? '' : `${r.target.on} `}<= ${fmt(
            r.target.ms,
          )}`
        : '',
      verdict,
      r.note ?? '',
    ];
  });
  const header = ['item', 'runs', 'median', 'p95', 'target', 'result', 'note'];
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map(r => r[i].length)),
  );
  const line = (cells: string[]) =>
    `| ${cells
      .map((c, i) =>
        i === 1 || i === 2 || i === 3
          ? c.padStart(widths[i])
          : c.padEnd(widths[i]),
      )
      .join(' | ')} |`;
  console.log();
  console.log(line(header));
  console.log(`|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`);
  rows.forEach(r => console.log(line(r)));
}

async function main() {
  const probe = knexFactory({ client: 'pg', connection: SERVER });
  const [{ version }] = (await probe.raw('select version()')).rows;
  await probe.destroy();
  console.log(
    `Env Parity scorecard benchmark: ${ENTITIES} entities x ${ENVIRONMENTS.length} environments, ${OWNERS} owners`,
  );
  console.log(
    `Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${
      os.cpus().length
    } cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB; Node ${
      process.version
    }; ${String(version).split(',')[0]}; load average ${os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(' ')}`,
  );
  const started = performance.now();

  const read = await freshDatabase('read');
  try {
    await readBenchmarks(read.knex);
  } finally {
    await read.drop();
  }
  if (!process.env.BENCH_SKIP_COLLECTION) {
    const collect = await freshDatabase('collect');
    try {
      await collectionBenchmark(collect.knex);
    } finally {
      await collect.drop();
    }
  }
  printTable();
  console.log(
    `\nTotal ${fmt(
      performance.now() - started,
    )}. Times are server time in this process (store and service calls, no HTTP).`,
  );
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
