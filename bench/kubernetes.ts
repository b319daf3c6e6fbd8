/* eslint-disable no-console */
/*
 * The Kubernetes provider benchmark: `node bench/run.js kubernetes`.
 *
 * Starts two fake Kubernetes API servers on loopback (the module's test
 * fake: real HTTP, label selectors, limit/continue paging), seeds each with
 * N services (a Deployment with 2 pods, a ConfigMap and a Secret each),
 * creates the provider in direct mode and observes all N entities with
 * concurrency 10, as the collector does: once with the per-cluster
 * inventory (the default), once with per-entity label selector queries
 * (`inventory.enabled: false`, for a smaller N). Each run is a separate
 * process, so that its peak RSS is its own.
 *
 *   BENCH_SERVICES             services per cluster with the inventory (default 10000)
 *   BENCH_PER_ENTITY_SERVICES  services per cluster for per-entity queries (default 1000)
 *   BENCH_CONCURRENCY          observations at once (default 10)
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { FakeKubernetes } from '../plugins/env-parity-backend-module-kubernetes/src/__testUtils__/fakeKubernetes';
import {
  clusterConfig,
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

/** One run, in this process: seed, observe everything, measure. */
async function run(inventory: boolean, services: number): Promise<RunResult> {
  const staging = await FakeKubernetes.start({ name: 'staging-cluster' });
  const production = await FakeKubernetes.start({ name: 'prod-eu' });
  const names = Array.from(
    { length: services },
    (_, i) => `svc-${String(i).padStart(5, '0')}`,
  );
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
  const { provider } = KubernetesDeploymentProvider.fromConfig(
    new ConfigReader(
      clusterConfig(
        [
          { fake: staging, environment: 'staging' },
          { fake: production, environment: 'production' },
        ],
        { timeout: '30s', inventory: { enabled: inventory } },
      ),
    ),
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

  const requests = {
    [staging.name]: staging.requests.length,
    [production.name]: production.requests.length,
  };
  const split: RunResult['split'] = {};
  for (const fake of [staging, production]) {
    const gets = fake.requests.filter(r =>
      /\/namespaces\/[^/]+\/(configmaps|secrets)\//.test(r.path),
    ).length;
    split[fake.name] = { lists: fake.requests.length - gets, gets };
  }
  const lists: Record<string, number> = {};
  for (const r of production.requests) {
    if (!/\/namespaces\/[^/]+\/(configmaps|secrets)\//.test(r.path)) {
      const key = r.path.replace(/\/namespaces\/[^/]+/, '/namespaces/*');
      lists[key] = (lists[key] ?? 0) + 1;
    }
  }
  const result: RunResult = {
    mode: inventory ? 'inventory' : 'per-entity',
    services,
    seconds,
    requests,
    split,
    lists,
    requestsPerEntity:
      (staging.requests.length + production.requests.length) / services,
    errors,
    rssBeforeMb: mb(rssBefore),
    peakRssMb: mb(peak),
  };
  if (inventory) {
    // what the provider holds between observations: inventories and
    // fingerprints (the fakes' request logs dropped first)
    staging.clearRequests();
    production.clearRequests();
    gc();
    result.heapHeldMb = mb(process.memoryUsage().heapUsed - heapBefore);
    // a second collection within inventory.maxAge asks the clusters nothing
    const again = await pass();
    result.secondPass = {
      seconds: again,
      requests: staging.requests.length + production.requests.length,
    };
  }
  await Promise.all([staging.close(), production.close()]);
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
    `  RSS                   ${r.rssBeforeMb} MB before (fakes seeded), peak ${r.peakRssMb} MB (fakes and provider in one process)`,
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
