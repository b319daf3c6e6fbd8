/* eslint-disable no-console */
/*
 * The updates-in-seconds benchmark: `yarn bench:events` (see bench/run.js).
 *
 * Starts one backend in this process as an adopter installs it (the events
 * backend with its GitHub module, Env Parity; the test catalog and a
 * deployment provider answering after BENCH_UPSTREAM_MS, as an upstream API
 * would), over loopback HTTP:
 *
 *   deployment to answer  a GitHub `deployment` webhook, signed like GitHub
 *                         (X-Hub-Signature-256), POSTed to
 *                         /api/events/http/github; then the report API read
 *                         every 10 ms until it returns the new revision;
 *                         BENCH_DEPLOYMENTS times, p50/p95/max printed, and
 *                         beside it what the scheduled collection alone gives
 *                         (uniform wait over its 5-minute period plus one
 *                         collection: p95 = 0.95 × 5 min + the collection)
 *   burst                 BENCH_BURST deliveries for one repository, 50 at a
 *                         time: how many collections of its service ran
 *
 *   BENCH_DEPLOYMENTS  deployments timed (default 50)
 *   BENCH_BURST        webhook deliveries in the burst (default 1000)
 *   BENCH_UPSTREAM_MS  time one collection takes (default 200)
 */
import { performance } from 'node:perf_hooks';
import {
  deploymentPayload,
  service,
  startEventsBackend,
} from '../plugins/env-parity-backend/src/events/__testUtils__/eventsBackend';

const DEPLOYMENTS = Number(process.env.BENCH_DEPLOYMENTS ?? 50);
const BURST = Number(process.env.BENCH_BURST ?? 1000);
const UPSTREAM_MS = Number(process.env.BENCH_UPSTREAM_MS ?? 200);
const SCHEDULE_MS = 5 * 60_000;
const REF = 'component:default/payments';

function percentile(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
}

async function main() {
  const revisions = new Map([[REF, '0'.repeat(40)]]);
  const t = await startEventsBackend({
    entities: [
      service('payments', 'acme/payments'),
      ...Array.from({ length: 200 }, (_, i) =>
        service(`other-${i}`, `acme/other-${i}`),
      ),
    ],
    revisions,
    observeDelayMs: UPSTREAM_MS,
  });
  await t.reportedRevision(REF);

  const times: number[] = [];
  for (let i = 1; i <= DEPLOYMENTS; i++) {
    const sha = i.toString(16).padStart(40, '0');
    revisions.set(REF, sha);
    // past the merge window of the previous one, as deployments are
    await new Promise(r => setTimeout(r, 1100));
    const start = performance.now();
    const res = await t.github(
      'deployment',
      deploymentPayload('acme/payments', sha),
    );
    if (res.status !== 202) {
      throw new Error(`webhook answered ${res.status}`);
    }
    while ((await t.reportedRevision(REF)) !== sha) {
      await new Promise(r => setTimeout(r, 10));
    }
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const collectionMs = UPSTREAM_MS;
  console.log(
    `Deployment to answer (webhook delivered → report API returns the new revision), ${DEPLOYMENTS} deployments, upstream ${UPSTREAM_MS} ms:`,
  );
  console.log(
    `  with events:          p50 ${percentile(times, 0.5).toFixed(
      0,
    )} ms, p95 ${percentile(times, 0.95).toFixed(0)} ms, max ${times[
      times.length - 1
    ].toFixed(0)} ms`,
  );
  console.log(
    `  scheduled only (5 min): p50 ${(
      (0.5 * SCHEDULE_MS + collectionMs) /
      1000
    ).toFixed(0)} s, p95 ${((0.95 * SCHEDULE_MS + collectionMs) / 1000).toFixed(
      0,
    )} s (uniform wait over the period plus one collection)`,
  );

  await new Promise(r => setTimeout(r, 1100));
  const before = t.collections(REF);
  const burstStart = performance.now();
  let sent = 0;
  const worker = async () => {
    while (sent < BURST) {
      sent += 1;
      const res = await t.github(
        'deployment',
        deploymentPayload('acme/payments'),
      );
      if (res.status !== 202) {
        throw new Error(`webhook answered ${res.status}`);
      }
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  const deliveredMs = performance.now() - burstStart;
  // let the merged collection run
  await new Promise(r => setTimeout(r, 2000 + UPSTREAM_MS * 2));
  console.log(
    `Burst: ${BURST} deliveries for one repository in ${(
      deliveredMs / 1000
    ).toFixed(1)} s → ${
      t.collections(REF) - before
    } collections of its service`,
  );
  await t.backend.stop();
  process.exit(0);
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
