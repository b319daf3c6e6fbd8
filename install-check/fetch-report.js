#!/usr/bin/env node
/*
 * Waits for the install check's backend, then asks it for a parity report the
 * way the README's HTTP API section describes: 401 without a token, the report
 * with a service token once the catalog has read the entity. Waits on
 * conditions with generous deadlines, never on a fixed sleep.
 *
 * Usage: node install-check/fetch-report.js <api base> <entity url> <token> <backend log>
 */
const fs = require('node:fs');

const [base, entityUrl, token, log] = process.argv.slice(2);
const STARTUP_DEADLINE_MS = 6 * 60_000;
const REPORT_DEADLINE_MS = 3 * 60_000;

function fail(message) {
  console.error(`install check: ${message}`);
  try {
    const lines = fs.readFileSync(log, 'utf8').split('\n');
    console.error(`--- last lines of ${log}\n${lines.slice(-60).join('\n')}`);
  } catch {
    // no log yet
  }
  process.exit(1);
}

async function get(url, headers = {}) {
  try {
    const res = await fetch(url, {
      headers,
      signal: AbortSignal.timeout(30_000),
    });
    return { status: res.status, body: await res.text() };
  } catch (e) {
    return { status: 0, body: String(e) };
  }
}

async function until(what, deadlineMs, probe) {
  const end = Date.now() + deadlineMs;
  let last;
  while (Date.now() < end) {
    last = await probe();
    if (last.done) return last;
    await new Promise(r => setTimeout(r, 1000));
  }
  return fail(
    `${what} within ${deadlineMs / 1000}s; last answer: ${JSON.stringify(
      last,
    )}`,
  );
}

(async () => {
  await until(
    'the backend did not answer /health',
    STARTUP_DEADLINE_MS,
    async () => {
      const res = await get(`${base}/health`);
      return { done: res.status === 200, ...res };
    },
  );
  console.log(`backend up: ${base}/health`);

  const anonymous = await get(entityUrl);
  if (anonymous.status !== 401)
    fail(`without a token the report answered ${anonymous.status}, not 401`);
  console.log('no token: 401');

  const auth = { Authorization: `Bearer ${token}` };
  const { body } = await until(
    'no report with the annotated versions',
    REPORT_DEADLINE_MS,
    async () => {
      const res = await get(entityUrl, auth);
      if (res.status !== 200) return { done: false, ...res };
      const report = JSON.parse(res.body);
      const env = name => report.environments?.find(e => e.name === name);
      const done =
        env('production')?.deployment?.version === '1.4.2' &&
        env('staging')?.deployment?.version === '1.4.1';
      return { done, ...res };
    },
  );
  const report = JSON.parse(body);
  const staging = report.comparisons.find(c => c.environment === 'staging');
  if (!staging || staging.against !== 'production')
    fail(`no staging comparison against production: ${body}`);
  console.log(
    `report for ${report.entityRef}: staging vs production ${staging.verdict} (${staging.score}), ${staging.summary}`,
  );

  const environments = await get(`${base}/environments`, auth);
  if (environments.status !== 200)
    fail(`/environments answered ${environments.status}`);
})().catch(e => fail(e.stack));
