/* eslint-disable no-console */
/*
 * The Kubernetes provider benchmark: `node bench/run.js kubernetes`.
 *
 * Starts two fake Kubernetes API servers on loopback (the module's test
 * fake: real HTTP, label selectors, limit/continue paging) in a process of
 * their own, seeds each with N services (a Deployment with 2 pods, a
 * ConfigMap and a Secret each), creates the provider in direct mode and
 * observes all N entities with concurrency 10, as the collector does: once
 * with the per-cluster inventory (the default), once with per-entity label
 * selector queries (`inventory.enabled: false`, for a smaller N). Each run
 * is a separate process, so that its peak RSS is its own: the provider's,
 * as a backend would hold it, without the fakes.
 *
 *   BENCH_SERVICES             services per cluster with the inventory (default 10000)
 *   BENCH_PER_ENTITY_SERVICES  services per cluster for per-entity queries (default 1000)
 *   BENCH_CONCURRENCY          observations at once (default 10)
 *   BENCH_HEAP_SNAPSHOT        a path: a heap snapshot of what the provider
 *                              holds after an inventory run (the last run's)
 *
 * Node flags given in NODE_OPTIONS (e.g. --max-semi-space-size=16) reach
 * the measured process too; its V8 heap limit and young generation size
 * are printed with its figures.
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { ChildProcess, fork, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import {
  getHeapSpaceStatistics,
  getHeapStatistics,
  setFlagsFromString,
  writeHeapSnapshot,
} from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FakeKubernetes } from '@env-parity/fake-apis';
import {
  component,
  environments,
} from '../plugins/env-parity-backend-module-kubernetes/src/__testUtils__/objects';
import { deployService } from '../plugins/env-parity-backend-module-kubernetes/src/__testUtils__/scenario';
import { KubernetesDeploymentProvider } from '../plugins/env-parity-backend-module-kubernetes/src/KubernetesDeploymentProvider';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 10_000);
const PER_ENTITY_SERVICES = Number(
  process.env.BENCH_PER_ENTITY_SERVICES ?? 1_000,
);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);

const logger: LoggerService = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return logger;
  },
};

interface RunResult {
  mode: string;
  services: number;
  seconds: number;
  requests: Record<string, number>;
  /** Per cluster: list requests and GETs of ConfigMaps and Secrets. */
  split: Record<string, { lists: number; gets: number }>;
  lists: Record<string, number>;
  requestsPerEntity: number;
  errors: number;
  rssBeforeMb: number;
  peakRssMb: number;
  heapHeldMb?: number;
  /** How V8 sized this process's heap: its limit, and the young generation at the end. */
  v8: { heapLimitMb: number; youngGenerationMb: number };
  secondPass?: { seconds: number; requests: number };
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

async function mapLimit<T>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<void>,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        await fn(items[next++]);
      }
    }),
  );
}

function gc() {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

const serviceNames = (services: number) =>
  Array.from(
    { length: services },
    (_, i) => `svc-${String(i).padStart(5, '0')}`,
  );

/** What the fakes' process tells the run about one fake. */
interface FakeInfo {
  name: string;
  url: string;
  token: string;
}

/** A request to the fakes' process, and its answer. */
type FakesRequest = { type: 'stats' } | { type: 'clear' };
interface FakesStats {
  requests: Record<string, number>;
  split: RunResult['split'];
  lists: Record<string, number>;
}

const isGet = (path: string) =>
  /\/namespaces\/[^/]+\/(configmaps|secrets)\//.test(path);

/** The fakes' process: seeds two fake clusters and serves them until killed. */
async function serveFakes(services: number) {
  const staging = await FakeKubernetes.start({ name: 'staging-cluster' });
  const production = await FakeKubernetes.start({ name: 'prod-eu' });
  const names = serviceNames(services);
  for (const [fake, tag, build] of [
    [staging, '2.0.0', 'b'],
    [production, '1.0.0', 'a'],
  ] as const) {
    names.forEach((name, i) =>
      deployService(fake, {
        name,
        namespace: `team-${i % 50}`,
        tag,
        pods: [build, build],
      }),
    );
  }
  process.on('message', (message: FakesRequest) => {
    if (message.type === 'clear') {
      staging.clearRequests();
      production.clearRequests();
      process.send!({ cleared: true });
      return;
    }
    const stats: FakesStats = { requests: {}, split: {}, lists: {} };
    for (const fake of [staging, production]) {
      const gets = fake.requests.filter(r => isGet(r.path)).length;
      stats.requests[fake.name] = fake.requests.length;
      stats.split[fake.name] = { lists: fake.requests.length - gets, gets };
    }
    for (const r of production.requests) {
      if (!isGet(r.path)) {
        const key = r.path.replace(/\/namespaces\/[^/]+/, '/namespaces/*');
        stats.lists[key] = (stats.lists[key] ?? 0) + 1;
      }
    }
    process.send!(stats);
  });
  const info: FakeInfo[] = [staging, production].map(f => ({
    name: f.name,
    url: f.url,
    token: f.token,
  }));
  process.send!({ fakes: info });
}

/** Starts the fakes' process and waits until it serves. */
async function startFakes(services: number) {
  const child: ChildProcess = fork(process.argv[1], [], {
    env: {
      ...process.env,
      BENCH_KUBERNETES_RUN: '',
      BENCH_KUBERNETES_FAKES: String(services),
    },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    execArgv: ['--enable-source-maps'],
  });
  const [ready] = (await once(child, 'message')) as [{ fakes: FakeInfo[] }];
  const ask = async <T>(request: FakesRequest): Promise<T> => {
    child.send(request);
    const [answer] = await once(child, 'message');
    return answer as T;
  };
  return {
    fakes: ready.fakes,
    stats: () => ask<FakesStats>({ type: 'stats' }),
    clear: () => ask<unknown>({ type: 'clear' }),
    close: () => {
      child.kill();
    },
  };
}

/** One run, in this process (the fakes in another): observe everything, measure. */
async function run(inventory: boolean, services: number): Promise<RunResult> {
  const fakes = await startFakes(services);
  const [staging, production] = fakes.fakes;
  const names = serviceNames(services);
  const { provider } = KubernetesDeploymentProvider.fromConfig(
    new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: fakes.fakes.map(fake => ({
              name: fake.name,
              url: fake.url,
              authProvider: 'serviceAccount',
              serviceAccountToken: fake.token,
            })),
          },
        ],
      },
      envParity: {
        kubernetes: {
          clusters: {
            [staging.name]: 'staging',
            [production.name]: 'production',
          },
          timeout: '30s',
          inventory: { enabled: inventory },
        },
      },
    }),
    { logger, client: { tokenPath: '/nonexistent' } },
  );
  const entities = names.map(name =>
    component({ 'backstage.io/kubernetes-id': name }, name),
  );
  const envs = environments('staging', 'production');

  gc();
  const rssBefore = process.memoryUsage().rss;
  const heapBefore = process.memoryUsage().heapUsed;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  let errors = 0;
  const pass = async () => {
    const started = performance.now();
    await mapLimit(entities, CONCURRENCY, async entity => {
      const observations = await provider!.observe({
        entity,
        environments: envs,
      });
      if (
        observations.length !== 2 ||
        observations.some(o => o.error || !o.deployment?.artifact)
      ) {
        errors++;
        if (errors <= 3) console.error(JSON.stringify(observations));
      }
    });
    return (performance.now() - started) / 1000;
  };
  const seconds = await pass();
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(sampler);

  const { requests, split, lists } = await fakes.stats();
  const total = Object.values(requests).reduce((a, b) => a + b, 0);
  const result: RunResult = {
    mode: inventory ? 'inventory' : 'per-entity',
    services,
    seconds,
    requests,
    split,
    lists,
    requestsPerEntity: total / services,
    errors,
    rssBeforeMb: mb(rssBefore),
    peakRssMb: mb(peak),
    v8: {
      heapLimitMb: mb(getHeapStatistics().heap_size_limit),
      youngGenerationMb: mb(
        getHeapSpaceStatistics().find(s => s.space_name === 'new_space')
          ?.space_size ?? 0,
      ),
    },
  };
  if (inventory) {
    // what the provider holds between observations: inventories and
    // fingerprints
    await fakes.clear();
    gc();
    result.heapHeldMb = mb(process.memoryUsage().heapUsed - heapBefore);
    if (process.env.BENCH_HEAP_SNAPSHOT) {
      // what the caches hold, for a look in DevTools' Memory tab
      writeHeapSnapshot(process.env.BENCH_HEAP_SNAPSHOT);
    }
    // a second collection within inventory.maxAge asks the clusters nothing
    const again = await pass();
    const second = await fakes.stats();
    result.secondPass = {
      seconds: again,
      requests: Object.values(second.requests).reduce((a, b) => a + b, 0),
    };
  }
  fakes.close();
  return result;
}

function child(inventory: boolean, services: number): RunResult {
  const out = spawnSync(
    process.execPath,
    ['--enable-source-maps', process.argv[1]],
    {
      env: {
        ...process.env,
        BENCH_KUBERNETES_RUN: JSON.stringify({ inventory, services }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const line = out.stdout
    .toString('utf8')
    .trim()
    .split('\n')
    .find(l => l.startsWith('{'));
  if (out.status !== 0 || !line) {
    throw new Error(`benchmark run failed (exit ${out.status})`);
  }
  return JSON.parse(line);
}

function print(r: RunResult) {
  const clusters = Object.entries(r.requests)
    .map(
      ([name, n]) =>
        `${name} ${n.toLocaleString('en')} (${r.split[
          name
        ].lists.toLocaleString('en')} lists + ${r.split[
          name
        ].gets.toLocaleString('en')} ConfigMap/Secret GETs)`,
    )
    .join(', ');
  console.log(
    `\n${r.mode}, ${r.services.toLocaleString(
      'en',
    )} services x 2 clusters, concurrency ${CONCURRENCY}`,
  );
  console.log(`  total time            ${r.seconds.toFixed(2)} s`);
  console.log(`  requests per cluster  ${clusters}`);
  console.log(
    `  requests per entity   ${r.requestsPerEntity.toFixed(2)} (both clusters)`,
  );
  console.log(
    `  prod-eu lists         ${Object.entries(r.lists)
      .map(([path, n]) => `${path} ${n}`)
      .join(', ')}`,
  );
  console.log(
    `  RSS                   ${r.rssBeforeMb} MB before, peak ${r.peakRssMb} MB (the provider's process; the fakes run in another)`,
  );
  console.log(
    `  V8 heap               limit ${r.v8.heapLimitMb} MB, young generation ${r.v8.youngGenerationMb} MB (sized by Node from the machine's memory or NODE_OPTIONS)`,
  );
  if (r.heapHeldMb !== undefined) {
    console.log(`  heap held by caches   ~${r.heapHeldMb} MB after GC`);
  }
  if (r.secondPass) {
    console.log(
      `  second pass (cached)  ${r.secondPass.seconds.toFixed(2)} s, ${
        r.secondPass.requests
      } requests`,
    );
  }
  if (r.errors) {
    console.log(`  ERRORS                ${r.errors} entities`);
  }
}

async function main() {
  const fakes = process.env.BENCH_KUBERNETES_FAKES;
  if (fakes) {
    await serveFakes(Number(fakes));
    return;
  }
  const single = process.env.BENCH_KUBERNETES_RUN;
  if (single) {
    const { inventory, services } = JSON.parse(single);
    console.log(JSON.stringify(await run(inventory, services)));
    return;
  }
  console.log(
    `Kubernetes provider: ${SERVICES.toLocaleString(
      'en',
    )} services (per-entity: ${PER_ENTITY_SERVICES.toLocaleString(
      'en',
    )}), each a Deployment with 2 pods, a ConfigMap and a Secret, on 2 fake clusters`,
  );
  const results = [
    child(true, SERVICES),
    ...(PER_ENTITY_SERVICES > 0
      ? [child(true, PER_ENTITY_SERVICES), child(false, PER_ENTITY_SERVICES)]
      : []),
  ];
  results.forEach(print);
  if (results.some(r => r.errors)) {
    process.exitCode = 1;
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
