/* eslint-disable no-console */
/*
 * The report-over-HTTP benchmark: `yarn bench:report` (see bench/run.js).
 *
 * Starts one real backend in this process (catalog, auth with the guest
 * provider, permissions with an allow-all policy, Env Parity), with
 * BENCH_ENTITIES components whose versions come from annotations, collects
 * every one once so the reports are stored, then asks, with the same guest
 * token over loopback HTTP:
 *
 *   catalog  GET /api/catalog/entities/by-name/component/default/<name>
 *   report   GET /api/env-parity/entities/component/default/<name>
 *
 * unloaded (one request at a time) and under load (BENCH_REQUESTS requests,
 * BENCH_CONCURRENCY at a time), alternating the two so that both see the
 * same machine, and prints both and the ratio report/catalog.
 *
 *   BENCH_ENTITIES       components in the catalog (default 200)
 *   BENCH_REQUESTS       requests per loaded run (default 3000)
 *   BENCH_UNLOADED       requests per unloaded run (default 300)
 *   BENCH_CONCURRENCY    requests in flight in a loaded run (default 32)
 *   BENCH_POSTGRES_URL   run every plugin's database on this PostgreSQL
 *                        server (fresh databases named bench_report_<n>_*)
 *                        instead of SQLite in memory
 */
import { createBackend } from '@backstage/backend-defaults';
import {
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import {
  AuthorizeResult,
  isPermission,
} from '@backstage/plugin-permission-common';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import {
  catalogProcessingExtensionPoint,
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import knexFactory from 'knex';
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 200);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 3000);
const UNLOADED = Number(process.env.BENCH_UNLOADED ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const POSTGRES = process.env.BENCH_POSTGRES_URL;

/** A component no user may see, by the policy's catalog rule. */
const HIDDEN = 'svc-hidden';

const names = Array.from(
  { length: ENTITIES },
  (_, i) => `svc-${String(i).padStart(5, '0')}`,
);

function component(name: string, i: number): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'backstage.io/managed-by-location': 'bench:report',
        'backstage.io/managed-by-origin-location': 'bench:report',
        'env-parity/development.version': `1.${i % 7}.0`,
        'env-parity/staging.version': `1.${i % 5}.0`,
        'env-parity/production.version': '1.0.0',
      },
    },
    spec: { type: 'service', lifecycle: 'production', owner: 'team-a' },
  };
}

class BenchEntityProvider implements EntityProvider {
  getProviderName() {
    return 'bench-report';
  }
  async connect(connection: EntityProviderConnection) {
    await connection.applyMutation({
      type: 'full',
      entities: [
        ...names.map((name, i) => ({
          entity: component(name, i),
          locationKey: 'bench-report',
        })),
        {
          entity: {
            ...component(HIDDEN, 0),
            metadata: {
              ...component(HIDDEN, 0).metadata,
              labels: { 'bench-hidden': 'true' },
            },
          },
          locationKey: 'bench-report',
        },
      ],
    });
  }
}

const benchCatalog = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'bench-report-entities',
  register(reg) {
    reg.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addEntityProvider(new BenchEntityProvider());
      },
    });
  },
});

const allowAllPolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'bench-report-policy',
  register(reg) {
    reg.registerInit({
      deps: { policy: policyExtensionPoint },
      async init({ policy }) {
        policy.setPolicy({
          async handle(request) {
            // a catalog permission rule, as real policies have: entities
            // labelled bench-hidden are hidden from every user
            if (isPermission(request.permission, catalogEntityReadPermission)) {
              return createCatalogConditionalDecision(request.permission, {
                not: catalogConditions.hasLabel({ label: 'bench-hidden' }),
              });
            }
            return { result: AuthorizeResult.ALLOW };
          },
        });
      },
    });
  },
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function get(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, res => {
      const chunks: Buffer[] = [];
      res.on('data', c => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

interface Run {
  /** CPU time of this process (server and client) per request. */
  cpuMsPerRequest: number;
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p95: number;
}

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** Requests `url(0..count-1)`, `concurrency` at a time; times of each. */
async function timed(
  count: number,
  concurrency: number,
  url: (i: number) => string,
  headers: Record<string, string>,
): Promise<{ times: number[]; seconds: number }> {
  const times: number[] = [];
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        const res = await get(url(i), headers);
        times.push(performance.now() - t0);
        if (res.status !== 200) {
          throw new Error(`${url(i)} answered ${res.status}: ${res.body}`);
        }
      }
    }),
  );
  return { times, seconds: (performance.now() - start) / 1000 };
}

function summary(times: number[], seconds: number, cpuMs: number): Run {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    cpuMsPerRequest: Math.round((cpuMs / times.length) * 100) / 100,
    requests: times.length,
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(times.length / seconds),
    p50: Math.round(percentile(sorted, 0.5) * 10) / 10,
    p95: Math.round(percentile(sorted, 0.95) * 10) / 10,
  };
}

/**
 * Both routes measured in alternating blocks, so that whatever else the
 * machine does at the time weighs on both alike.
 */
async function compare(
  routes: Record<'catalog' | 'report', (i: number) => string>,
  headers: Record<string, string>,
  options: { requests: number; concurrency: number; blocks: number },
): Promise<Record<'catalog' | 'report', Run>> {
  const all = {
    catalog: { times: [] as number[], seconds: 0, cpuMs: 0 },
    report: { times: [] as number[], seconds: 0, cpuMs: 0 },
  };
  const perBlock = Math.ceil(options.requests / options.blocks);
  for (let block = 0; block < options.blocks; block++) {
    for (const name of ['catalog', 'report'] as const) {
      const offset = block * perBlock;
      const cpu = process.cpuUsage();
      const { times, seconds } = await timed(
        perBlock,
        options.concurrency,
        i => routes[name](offset + i),
        headers,
      );
      const used = process.cpuUsage(cpu);
      all[name].times.push(...times);
      all[name].seconds += seconds;
      all[name].cpuMs += (used.user + used.system) / 1000;
    }
  }
  return {
    catalog: summary(all.catalog.times, all.catalog.seconds, all.catalog.cpuMs),
    report: summary(all.report.times, all.report.seconds, all.report.cpuMs),
  };
}

async function main() {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const prefix = `bench_report_${Date.now()}_`;
  const database = POSTGRES
    ? { client: 'pg', connection: POSTGRES, prefix }
    : { client: 'better-sqlite3', connection: ':memory:' };
  const config = {
    app: { baseUrl: 'http://127.0.0.1:3000' },
    backend: {
      baseUrl,
      listen: { host: '127.0.0.1', port },
      database,
    },
    auth: {
      providers: {
        guest: {
          userEntityRef: 'user:default/guest',
          dangerouslyAllowOutsideDevelopment: true,
        },
      },
    },
    permission: { enabled: true },
    catalog: { processingInterval: { minutes: 60 } },
    envParity: {
      environmentsFromCatalog: false,
      schedule: {
        frequency: { hours: 24 },
        timeout: { minutes: 10 },
        initialDelay: { hours: 24 },
      },
    },
  };

  const backend = createBackend();
  backend.add(
    createServiceFactory({
      service: coreServices.rootConfig,
      deps: {},
      factory: () => new ConfigReader(config),
    }),
  );
  backend.add(
    createServiceFactory({
      service: coreServices.rootLogger,
      deps: {},
      factory: () => {
        const quiet = {
          error: (message: string, meta?: unknown) =>
            console.error(message, meta ?? ''),
          warn: () => {},
          info: () => {},
          debug: () => {},
          child: () => quiet,
        };
        return quiet;
      },
    }),
  );
  backend.add(import('@backstage/plugin-auth-backend'));
  backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
  backend.add(import('@backstage/plugin-catalog-backend'));
  backend.add(benchCatalog);
  backend.add(import('@backstage/plugin-permission-backend'));
  backend.add(allowAllPolicy);
  backend.add(import('@env-parity/plugin-env-parity-backend'));
  await backend.start();

  const refresh = await fetch(`${baseUrl}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  const token = (
    (await refresh.json()) as { backstageIdentity: { token: string } }
  ).backstageIdentity.token;
  const headers = { authorization: `Bearer ${token}` };

  const catalogUrl = (i: number) =>
    `${baseUrl}/api/catalog/entities/by-name/component/default/${
      names[i % names.length]
    }`;
  const reportUrl = (i: number) =>
    `${baseUrl}/api/env-parity/entities/component/default/${
      names[i % names.length]
    }`;

  // every entity in the catalog, and every report stored once
  const started = performance.now();
  for (;;) {
    const res = await get(catalogUrl(names.length - 1), headers);
    if (res.status === 200) {
      break;
    }
    if (performance.now() - started > 300_000) {
      throw new Error('The catalog did not show the entities within 5 min');
    }
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  await timed(names.length, 4, reportUrl, headers);
  await timed(names.length, 4, catalogUrl, headers);

  // the hidden component exists (the catalog's own credentials see it) but
  // neither route may show it to the user
  const hidden = {
    catalog: (
      await get(
        `${baseUrl}/api/catalog/entities/by-name/component/default/${HIDDEN}`,
        headers,
      )
    ).status,
    report: (
      await get(
        `${baseUrl}/api/env-parity/entities/component/default/${HIDDEN}`,
        headers,
      )
    ).status,
  };
  if (hidden.catalog !== 404 || hidden.report !== 404) {
    throw new Error(
      `The hidden component must answer 404 on both routes: ${JSON.stringify(
        hidden,
      )}`,
    );
  }

  const routes = { catalog: catalogUrl, report: reportUrl };
  const unloaded = await compare(routes, headers, {
    requests: UNLOADED,
    concurrency: 1,
    blocks: UNLOADED,
  });
  if (process.env.BENCH_PROFILE) {
    // where the report's time goes: a CPU profile of report requests only
    const session = new Session();
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
    await timed(
      REQUESTS / 3,
      Number(process.env.BENCH_PROFILE_CONCURRENCY ?? CONCURRENCY),
      reportUrl,
      headers,
    );
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(process.env.BENCH_PROFILE, JSON.stringify(profile));
    session.disconnect();
  }
  const loaded = await compare(routes, headers, {
    requests: REQUESTS,
    concurrency: CONCURRENCY,
    blocks: 6,
  });
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  console.log(
    JSON.stringify(
      {
        database: POSTGRES ? 'postgresql' : 'sqlite (in memory)',
        entities: ENTITIES,
        hiddenComponentAnswers: hidden,
        cpus: os.cpus().length,
        loadAverage: os.loadavg().map(l => Math.round(l * 10) / 10),
        node: process.version,
        catalog: { unloaded: unloaded.catalog, loaded: loaded.catalog },
        report: { unloaded: unloaded.report, loaded: loaded.report },
        ratio: {
          throughput: ratio(loaded.report.perSecond, loaded.catalog.perSecond),
          unloadedP95: ratio(unloaded.report.p95, unloaded.catalog.p95),
          cpuPerRequest: ratio(
            loaded.report.cpuMsPerRequest,
            loaded.catalog.cpuMsPerRequest,
          ),
        },
        targets: {
          throughputRatio: '>= 0.8',
          reportUnloadedP95Ms: '<= 12',
        },
      },
      null,
      2,
    ),
  );
  agent.destroy();
  await Promise.race([
    backend.stop(),
    new Promise(resolve => setTimeout(resolve, 10_000)),
  ]);
  if (POSTGRES) {
    // the databases this run created, one per plugin
    const admin = knexFactory({ client: 'pg', connection: POSTGRES });
    const { rows } = await admin.raw(
      'SELECT datname FROM pg_database WHERE datname LIKE ?',
      [`${prefix}%`],
    );
    for (const { datname } of rows as Array<{ datname: string }>) {
      await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [datname]);
    }
    await admin.destroy();
  }
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
