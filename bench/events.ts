/* eslint-disable no-console */
/*
 * The updates-in-seconds benchmark: `yarn bench:events` (see bench/run.js).
 *
 * A fake GitHub (packages/fake-apis, real HTTP on loopback, each answer
 * delayed BENCH_GITHUB_LATENCY_MS as a distant API's would be) holds the
 * repository acme/payments; backends in this process, installed as an
 * adopter installs them (the events backend with its GitHub module and Env
 * Parity's GitHub webhook module, Env Parity with its GitHub module reading
 * that fake), collect the service payments from it. Each deployment is
 * POSTed to the fake GitHub (a new commit, `POST /repos/acme/payments/
 * deployments`, rolled out at once), then:
 *
 *   deployment to answer, events   GitHub's `deployment` webhook for it,
 *                                  signed (X-Hub-Signature-256), POSTed to
 *                                  /api/events/http/github; timed from that
 *                                  POST until the report API (read every
 *                                  10 ms) returns the new revision.
 *                                  BENCH_DEPLOYMENTS times, past the merge
 *                                  window of the previous one.
 *   burst                          BENCH_BURST deliveries for one
 *                                  repository, 50 at a time: how many
 *                                  collections of its service ran.
 *   deployment to answer,          a second backend with the webhook path
 *   scheduled collection only      off (envParity.events.enabled: false)
 *                                  and Backstage's own scheduler running
 *                                  the collection every
 *                                  BENCH_SCHEDULE_SECONDS (the documented
 *                                  e2e/demo-suite schedule; the default
 *                                  of 5 minutes would make one sample take
 *                                  minutes): timed from the deployment's
 *                                  POST to the fake GitHub until the report
 *                                  API (read every 50 ms) returns it.
 *                                  BENCH_SCHEDULED_DEPLOYMENTS deployments,
 *                                  posted at phases spread evenly over the
 *                                  period after a collection began (as
 *                                  deployments land at any moment); one not
 *                                  seen within 3 periods counts as a miss;
 *                                  no sample starts after
 *                                  BENCH_SCHEDULED_BUDGET_SECONDS.
 *
 *   BENCH_DEPLOYMENTS            deployments timed with events (default 50)
 *   BENCH_BURST                  deliveries in the burst (default 1000)
 *   BENCH_GITHUB_LATENCY_MS      added to each fake GitHub answer (default 100)
 *   BENCH_SCHEDULE_SECONDS       scheduled collection period (default 30)
 *   BENCH_SCHEDULED_DEPLOYMENTS  deployments timed scheduled-only (default 8)
 *   BENCH_SCHEDULED_BUDGET_SECONDS  (default 330)
 */
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { FakeGithub, FakeRepo, GITHUB_TOKEN } from '@env-parity/fake-apis';
import envParityModuleGithub from '@env-parity/plugin-env-parity-backend-module-github';
import {
  component,
  repoAnnotations,
} from '../plugins/env-parity-backend-module-github/src/__testUtils__/setup';
import { startEventsBackend } from '../plugins/env-parity-backend/src/events/__testUtils__/eventsBackend';

const DEPLOYMENTS = Number(process.env.BENCH_DEPLOYMENTS ?? 50);
const BURST = Number(process.env.BENCH_BURST ?? 1000);
const LATENCY_MS = Number(process.env.BENCH_GITHUB_LATENCY_MS ?? 100);
const SCHEDULE_S = Number(process.env.BENCH_SCHEDULE_SECONDS ?? 30);
const SCHEDULED = Number(process.env.BENCH_SCHEDULED_DEPLOYMENTS ?? 8);
const SCHEDULED_BUDGET_S = Number(
  process.env.BENCH_SCHEDULED_BUDGET_SECONDS ?? 330,
);
const SLUG = 'acme/payments';
const REF = 'component:default/payments';
/** Services besides payments in the scheduled backend's catalog. */
const OTHERS = 20;

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

function summary(times: number[], unit: 'ms' | 's') {
  const sorted = [...times].sort((a, b) => a - b);
  const f = (ms: number) =>
    unit === 'ms' ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(1)} s`;
  return `p50 ${f(percentile(sorted, 0.5))}, p95 ${f(
    percentile(sorted, 0.95),
  )}, max ${f(sorted[sorted.length - 1])}`;
}

/** The fake GitHub behind a server of the bench's own, answers delayed. */
async function startGithub() {
  const fake = FakeGithub.create({
    recordRequests: false,
    rateLimit: 100_000_000,
  });
  const server = createServer((req, res) => {
    setTimeout(() => {
      if (!fake.handle(req, res)) {
        res.writeHead(404).end();
      }
    }, LATENCY_MS);
  });
  await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const apiBaseUrl = `http://127.0.0.1:${port}/api/v3`;
  const seeded = new Date(Date.now() - 86_400_000).toISOString();
  const addRepo = (slug: string) => {
    const [owner, name] = slug.split('/');
    const repo = fake.addRepo(owner, name);
    const sha = repo.commit('Initial release');
    for (const environment of ['staging', 'production']) {
      repo.deploy({
        environment,
        sha,
        ref: 'main',
        createdAt: seeded,
        statuses: [{ state: 'success' }],
      });
    }
    return repo;
  };
  /** A new build deployed to production through GitHub's API. */
  const deploy = async (repo: FakeRepo, i: number) => {
    const sha = repo.commit(`Release ${i}`);
    const res = await fetch(
      `${apiBaseUrl}/repos/${repo.fullName}/deployments`,
      {
        method: 'POST',
        headers: {
          authorization: `token ${GITHUB_TOKEN}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          ref: sha,
          environment: 'production',
          auto_merge: false,
          required_contexts: [],
        }),
      },
    );
    if (res.status !== 201) {
      throw new Error(`the fake GitHub answered ${res.status}`);
    }
    return (await res.json()) as { id: number; sha: string; ref: string };
  };
  return {
    apiBaseUrl,
    addRepo,
    deploy,
    close: () => new Promise(r => server.close(r)),
  };
}

/** A backend reading the fake GitHub; `scheduled`: events off, real schedule. */
function startBackend(
  github: { apiBaseUrl: string },
  entities: ReturnType<typeof component>[],
  scheduled: boolean,
) {
  return startEventsBackend({
    entities,
    // the test provider only counts collections; GitHub reports revisions
    revisions: new Map(),
    features: [envParityModuleGithub],
    rootConfig: {
      integrations: {
        github: [
          {
            host: 'ghe.example.test',
            apiBaseUrl: github.apiBaseUrl,
            token: GITHUB_TOKEN,
          },
        ],
      },
    },
    config: {
      github: { timeout: '2m' },
      ...(scheduled
        ? {
            events: { enabled: false },
            schedule: {
              frequency: { seconds: SCHEDULE_S },
              timeout: { seconds: Math.max(5, SCHEDULE_S - 5) },
              initialDelay: { seconds: 1 },
            },
          }
        : {}),
    },
    realScheduler: scheduled,
  });
}

async function eventsPhase(github: Awaited<ReturnType<typeof startGithub>>) {
  const repo = github.addRepo(SLUG);
  const t = await startBackend(
    github,
    [
      component(repoAnnotations(SLUG), 'payments'),
      ...Array.from({ length: 200 }, (_, i) =>
        component(repoAnnotations(`acme/other-${i}`), `other-${i}`),
      ),
    ],
    false,
  );
  await t.reportedRevision(REF);

  const times: number[] = [];
  for (let i = 1; i <= DEPLOYMENTS; i++) {
    // past the merge window of the previous one, as deployments are
    await sleep(1100);
    const deployment = await github.deploy(repo, i);
    const start = performance.now();
    const res = await t.github('deployment', {
      action: 'created',
      deployment: { ...deployment, environment: 'production' },
      repository: { full_name: SLUG, name: 'payments' },
    });
    if (res.status !== 202) {
      throw new Error(`webhook answered ${res.status}`);
    }
    const deadline = start + 60_000;
    while ((await t.reportedRevision(REF)) !== deployment.sha) {
      if (performance.now() > deadline) {
        throw new Error(`deployment ${i} not in the report after 60 s`);
      }
      await sleep(10);
    }
    times.push(performance.now() - start);
  }
  await sleep(1100);
  const before = t.collections(REF);
  const burstStart = performance.now();
  let sent = 0;
  const worker = async () => {
    while (sent < BURST) {
      sent += 1;
      const res = await t.github('deployment', {
        action: 'created',
        repository: { full_name: SLUG, name: 'payments' },
      });
      if (res.status !== 202) {
        throw new Error(`webhook answered ${res.status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  const deliveredMs = performance.now() - burstStart;
  // let the merged collection run
  await sleep(2000 + LATENCY_MS * 10);
  const burst = `Burst: ${BURST} deliveries for one repository in ${(
    deliveredMs / 1000
  ).toFixed(1)} s → ${t.collections(REF) - before} collections of its service`;
  await t.backend.stop();
  return { times, burst };
}

async function scheduledPhase(github: Awaited<ReturnType<typeof startGithub>>) {
  const payments = github.addRepo('acme/payments-scheduled');
  const others = Array.from({ length: OTHERS }, (_, i) => `acme/svc-${i}`);
  others.forEach(slug => github.addRepo(slug));
  const t = await startBackend(
    github,
    [
      component(repoAnnotations(payments.fullName), 'payments'),
      ...others.map((slug, i) => component(repoAnnotations(slug), `svc-${i}`)),
    ],
    true,
  );
  const periodMs = SCHEDULE_S * 1000;
  const began = performance.now();
  // the first scheduled pass (initial delay 1 s)
  while (t.collections(REF) === 0) {
    if (performance.now() - began > 3 * periodMs) {
      throw new Error('the scheduled collection never ran');
    }
    await sleep(50);
  }
  // when the newest collection of payments began (its provider was asked)
  let collected = t.collections(REF);
  let lastCollectionAt = performance.now();
  const watcher = setInterval(() => {
    if (t.collections(REF) !== collected) {
      collected = t.collections(REF);
      lastCollectionAt = performance.now();
    }
  }, 5);
  const times: number[] = [];
  let misses = 0;
  for (let k = 0; k < SCHEDULED; k++) {
    if (performance.now() - began > SCHEDULED_BUDGET_S * 1000) {
      console.error(
        `scheduled phase out of its ${SCHEDULED_BUDGET_S} s budget after ${k} deployments`,
      );
      break;
    }
    // at a phase of the period after the newest collection began, spread
    // evenly over the samples (latest first: the previous sample was seen
    // a moment after a collection); when that moment has passed, after
    // the next collection
    const phase = ((SCHEDULED - k - 0.5) / SCHEDULED) * periodMs;
    if (lastCollectionAt + phase < performance.now()) {
      const last = collected;
      const waitStart = performance.now();
      while (collected === last) {
        if (performance.now() - waitStart > 3 * periodMs) {
          throw new Error('the scheduled collection stopped');
        }
        await sleep(20);
      }
    }
    await sleep(Math.max(0, lastCollectionAt + phase - performance.now()));
    const deployment = await github.deploy(payments, 1000 + k);
    const start = performance.now();
    let seen = false;
    while (performance.now() - start < 3 * periodMs) {
      if ((await t.reportedRevision(REF)) === deployment.sha) {
        seen = true;
        break;
      }
      await sleep(50);
    }
    if (seen) {
      times.push(performance.now() - start);
    } else {
      misses += 1;
    }
  }
  clearInterval(watcher);
  await t.backend.stop();
  return { times, misses };
}

async function main() {
  const runStart = performance.now();
  const github = await startGithub();
  console.error(
    `events: ${DEPLOYMENTS} deployments, then a burst of ${BURST}…`,
  );
  const events = await eventsPhase(github);
  console.error(
    `scheduled only: ${SCHEDULED} deployments, collection every ${SCHEDULE_S} s…`,
  );
  const scheduled = await scheduledPhase(github);

  console.log(
    `Deployment to answer (fake GitHub answering after ${LATENCY_MS} ms):`,
  );
  console.log(
    `  with events, ${DEPLOYMENTS} deployments (webhook POSTed → report API returns the new revision): ${summary(
      events.times,
      'ms',
    )}`,
  );
  console.log(
    `  scheduled collection only, every ${SCHEDULE_S} s, events off, ${
      scheduled.times.length + scheduled.misses
    } deployments (deployment POSTed to GitHub → report API returns it): ${
      scheduled.times.length ? summary(scheduled.times, 's') : 'no sample'
    }${
      scheduled.misses
        ? `; ${scheduled.misses} not seen within ${3 * SCHEDULE_S} s (misses)`
        : '; no misses'
    }`,
  );
  console.log(events.burst);
  console.log(
    `(whole run ${((performance.now() - runStart) / 1000).toFixed(0)} s)`,
  );
  await github.close();
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
