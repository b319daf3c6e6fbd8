/* eslint-disable no-console */
/*
 * The GitHub module's upstream cost: `node bench/run.js github`.
 *
 * Seeds the fake GitHub (real HTTP on loopback, ETag/If-None-Match with
 * free 304s, rate-limit accounting) with N repositories, each with
 * successful deployments in development, staging and production (one in
 * ten with a newer failed production deployment, one in ten with a
 * production hotfix that staging and development lack). Wires the module's
 * deployment provider and revision comparer as the module does (one shared
 * GithubClient, one cache) and runs a collection of all N services with
 * concurrency 10, as the collector does: observe every environment, then
 * compare each environment's revision with the reference environment's
 * (production), as the report builder does. Then it runs the same
 * collection again with nothing changed (the figure the target is about),
 * and once more after a new staging deployment in one service in ten (for
 * scale). It prints per pass the GitHub requests, how many were answered 304 and how many counted against the
 * rate limit (as the fake counts them: `x-ratelimit-remaining`).
 *
 * The report builder is also given the comparisons stored with the
 * previous scorecard (`known`), so it may ask the comparer less often than
 * here; this benchmark asks the comparer every time (the upper bound).
 *
 *   BENCH_SERVICES     services (repositories), default 1000
 *   BENCH_CONCURRENCY  services collected at once, default 10
 */
import { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import {
  FakeGithub,
  GITHUB_HTML_HOST,
  GITHUB_TOKEN,
} from '@env-parity/fake-apis';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { memoryCache } from '../plugins/env-parity-backend-module-github/src/__testUtils__/memoryCache';
import {
  component,
  environments,
  repoAnnotations,
} from '../plugins/env-parity-backend-module-github/src/__testUtils__/setup';
import { GithubClient } from '../plugins/env-parity-backend-module-github/src/GithubClient';
import { GithubDeploymentProvider } from '../plugins/env-parity-backend-module-github/src/GithubDeploymentProvider';
import { GithubRevisionComparer } from '../plugins/env-parity-backend-module-github/src/GithubRevisionComparer';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 1_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const ENVIRONMENTS = ['development', 'staging', 'production'];
/** GitHub's budget for a token (a GitHub App's grows with the org, to 15,000). */
const GITHUB_HOURLY_LIMIT = 5_000;

const logger: LoggerService = {
  info() {},
  warn(message: string) {
    console.error(`warn: ${message}`);
  },
  error() {},
  debug() {},
  child() {
    return logger;
  },
};

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

const serviceNames = (services: number) =>
  Array.from(
    { length: services },
    (_, i) => `svc-${String(i).padStart(5, '0')}`,
  );

/** Seeds one repository per service; see the header for the mix. */
function seed(fake: FakeGithub, names: string[]) {
  return names.map((name, i) => {
    const repo = fake.addRepo('acme', name);
    const commits = Array.from({ length: 10 }, (_, c) =>
      repo.commit(`Change ${c} (#${100 + c})`, { tag: `v1.${c}.0` }),
    );
    let production = commits[2];
    let productionRef = 'v1.2.0';
    if (i % 10 === 3) {
      // a hotfix production runs and the other environments lack
      production = repo.commit('Hotfix (#99)', {
        branch: 'hotfix',
        parents: [commits[2]],
        tag: 'v1.2.1',
      });
      productionRef = 'v1.2.1';
    }
    const day = (d: number, h = 10) =>
      new Date(Date.UTC(2026, 10, d, h)).toISOString();
    const success = (d: number) => [
      { state: 'in_progress', createdAt: day(d, 10) },
      { state: 'success', createdAt: day(d, 11) },
    ];
    repo.deploy({
      environment: 'production',
      sha: commits[1],
      ref: 'v1.1.0',
      createdAt: day(10),
      statuses: success(10),
    });
    repo.deploy({
      environment: 'production',
      sha: production,
      ref: productionRef,
      createdAt: day(12),
      statuses: success(12),
    });
    if (i % 10 === 7) {
      // a newer production deployment that failed: one more status to read
      repo.deploy({
        environment: 'production',
        sha: commits[5],
        ref: 'v1.5.0',
        createdAt: day(14),
        statuses: [
          { state: 'in_progress', createdAt: day(14, 10) },
          { state: 'failure', createdAt: day(14, 11) },
        ],
      });
    }
    repo.deploy({
      environment: 'staging',
      sha: commits[6],
      ref: 'v1.6.0',
      createdAt: day(15),
      statuses: success(15),
    });
    repo.deploy({
      environment: 'development',
      sha: commits[9],
      ref: 'main',
      createdAt: day(16),
      statuses: success(16),
    });
    return { repo, commits };
  });
}

/** What a request asked, for the breakdown. */
function kindOf(path: string): string {
  if (/\/deployments\/\d+\/statuses/.test(path)) return 'statuses';
  if (/\/deployments\?/.test(path)) return 'deployments';
  if (/\/compare\//.test(path)) return 'compare';
  return 'other';
}

interface Tally {
  total: number;
  notModified: number;
  byKind: Record<string, { total: number; notModified: number }>;
  byStatus: Record<number, number>;
}

const emptyTally = (): Tally => ({
  total: 0,
  notModified: 0,
  byKind: {},
  byStatus: {},
});

interface PassResult {
  name: string;
  seconds: number;
  tally: Tally;
  counted: number;
  errors: number;
}

async function main() {
  // a budget no pass reaches, so that every answer is a real one; the
  // passes' counted requests are compared with GitHub's below
  const fake = FakeGithub.create({
    recordRequests: false,
    rateLimit: 100_000_000,
  });
  let tally = emptyTally();
  // the fake's own handler, behind a server that notes each answer's status
  const server = createServer((req, res) => {
    const kind = kindOf(req.url ?? '');
    res.on('finish', () => {
      tally.total += 1;
      const k = (tally.byKind[kind] ??= { total: 0, notModified: 0 });
      k.total += 1;
      tally.byStatus[res.statusCode] =
        (tally.byStatus[res.statusCode] ?? 0) + 1;
      if (res.statusCode === 304) {
        tally.notModified += 1;
        k.notModified += 1;
      }
    });
    if (!fake.handle(req, res)) {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const names = serviceNames(SERVICES);
  const repos = seed(fake, names);

  // as module.ts wires them: one client and one cache for both
  const config = new ConfigReader({
    integrations: {
      github: [
        {
          host: GITHUB_HTML_HOST,
          apiBaseUrl: `http://127.0.0.1:${port}/api/v3`,
          token: GITHUB_TOKEN,
        },
      ],
    },
    envParity: { github: { timeout: '2m' } },
  });
  const cache = memoryCache();
  const client = GithubClient.fromConfig(config, { logger, cache });
  const provider = GithubDeploymentProvider.fromConfig(config, {
    logger,
    cache,
    client,
  });
  const comparer = GithubRevisionComparer.fromConfig(config, {
    logger,
    cache,
    client,
  });

  const entities = names.map(name =>
    component(repoAnnotations(`acme/${name}`), name),
  );
  const envs = environments(...ENVIRONMENTS);
  const reference = ENVIRONMENTS[ENVIRONMENTS.length - 1];

  const pass = async (name: string): Promise<PassResult> => {
    tally = emptyTally();
    const remainingBefore = fake.rateLimit.remaining;
    let errors = 0;
    const started = performance.now();
    await mapLimit(entities, CONCURRENCY, async entity => {
      const observations = await provider.observe({
        entity,
        environments: envs,
      });
      if (
        observations.length !== ENVIRONMENTS.length ||
        observations.some(o => o.error || !o.deployment?.revision)
      ) {
        errors += 1;
        if (errors <= 3) console.error(JSON.stringify(observations));
        return;
      }
      const revision = (env: string) =>
        observations.find(o => o.environment === env)!.deployment!.revision!;
      const base = revision(reference);
      await Promise.all(
        ENVIRONMENTS.filter(e => e !== reference).map(async env => {
          const head = revision(env);
          if (head === base) return;
          const answer = await comparer.compare({ entity, base, head });
          if (!answer) errors += 1;
        }),
      );
    });
    const seconds = (performance.now() - started) / 1000;
    return {
      name,
      seconds,
      tally,
      counted: remainingBefore - fake.rateLimit.remaining,
      errors,
    };
  };

  console.log(
    `GitHub module: ${SERVICES.toLocaleString(
      'en',
    )} services, each a repository with deployments in ${ENVIRONMENTS.join(
      ', ',
    )}; concurrency ${CONCURRENCY}; comparisons against ${reference}`,
  );
  const results = [
    await pass('first collection (cold cache)'),
    await pass('second collection (nothing changed)'),
  ];
  // for scale: one service in ten gets a new staging deployment
  repos.forEach(({ repo, commits }, i) => {
    if (i % 10 === 0) {
      repo.deploy({
        environment: 'staging',
        sha: commits[8],
        ref: 'v1.8.0',
        createdAt: '2026-11-20T10:00:00Z',
        statuses: [{ state: 'success' }],
      });
    }
  });
  results.push(
    await pass('third collection (a new staging deployment in 1 of 10)'),
  );
  for (const r of results) {
    const { total, notModified } = r.tally;
    const share = total ? (100 * r.counted) / total : 0;
    console.log(`\n${r.name}`);
    console.log(`  time                  ${r.seconds.toFixed(2)} s`);
    console.log(
      `  GitHub requests       ${total.toLocaleString('en')} (${(
        total / SERVICES
      ).toFixed(2)} per service)`,
    );
    console.log(`  answered 304          ${notModified.toLocaleString('en')}`);
    console.log(
      `  counted (rate limit)  ${r.counted.toLocaleString(
        'en',
      )} = ${share.toFixed(1)} % of requests (${(
        (100 * r.counted) /
        GITHUB_HOURLY_LIMIT
      ).toFixed(0)} % of a token's ${GITHUB_HOURLY_LIMIT.toLocaleString(
        'en',
      )}/h)`,
    );
    console.log(
      `  by endpoint           ${Object.entries(r.tally.byKind)
        .map(
          ([kind, k]) =>
            `${kind} ${k.total.toLocaleString('en')} (${k.notModified} 304)`,
        )
        .join(', ')}`,
    );
    console.log(
      `  by status             ${Object.entries(r.tally.byStatus)
        .map(([status, n]) => `${status}: ${n}`)
        .join(', ')}`,
    );
    if (r.errors) {
      console.log(`  ERRORS                ${r.errors}`);
    }
  }
  const unchanged = results[1];
  const share = unchanged.tally.total
    ? (100 * unchanged.counted) / unchanged.tally.total
    : 0;
  console.log(
    `\nTarget: ≤ 5 % of the unchanged collection's requests counted: ${
      share <= 5 ? 'met' : 'MISSED'
    } (${share.toFixed(1)} %)`,
  );
  server.closeAllConnections();
  server.close();
  if (results.some(r => r.errors)) {
    process.exitCode = 1;
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
