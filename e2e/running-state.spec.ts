/*
 * What actually runs: the Kubernetes and Argo CD modules read the demo's
 * fake clusters and Argo CD instances (scripts/demo-environments.js, the
 * `kubernetes` and `argocd` blocks of app-config.yaml), for staging and
 * production:
 *
 *   payments-api    the same digest in both clusters, but staging's running
 *                   configuration drifts (ConfigMap FEATURE_FLAGS, and the
 *                   Secret's DATABASE_URL edited by hand); Argo CD shows
 *                   staging OutOfSync; replicas differ as expected (ignored)
 *   search-indexer  staging runs a rebuilt 3.2.0 (same tag, another digest)
 *                   and its rollout is stuck on two digests
 *
 * Every fake secret value contains "demo-only": it must appear nowhere,
 * neither on the page nor in the report the backend sends.
 */
import { expect, Page, Response, test } from '@playwright/test';
import { openParityTab, parityTab } from './support/parity';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';

// examples/entities.yaml: the digests the clusters' pods run
const PAYMENTS_DIGEST =
  'sha256:e3549bf4f60ceff162ea3b0c71afaef52d33c670604f0384b8afe011dd01e364';
const SEARCH_STAGING_DIGEST = // the rebuilt 3.2.0
  'sha256:06190dd3597607ad8ef939135d27e8e46d1eac135e52422ae31b8c0e5e846dcd';
const SEARCH_PRODUCTION_DIGEST = // the original 3.2.0
  'sha256:07cefd601f22dd895f1dfd5a90ead7ef4cb0a2b3a8f497ec3542b79856525151';

/** The short form the Parity tab shows: `sha256:` and 12 hex digits. */
const short = (digest: string) => digest.slice(0, 'sha256:'.length + 12);

/** In every fake secret value (Secrets, Helm's database.password). */
const SECRET_MARKERS = [
  'demo-only',
  // base64 of "demo-only", as a Secret's data holds it
  'ZGVtby1vbmx5',
  // the part of staging's hand-edited DATABASE_URL that differs
  'sslmode=disable',
];

const reportPath = (name: string) =>
  `/api/env-parity/entities/component/default/${name}`;

/** Records every report response the page receives for a component. */
function recordReports(page: Page, name: string) {
  const responses: Response[] = [];
  page.on('response', response => {
    const path = new URL(response.url()).pathname;
    if (path === reportPath(name) || path === `${reportPath(name)}/refresh`) {
      responses.push(response);
    }
  });
  return responses;
}

/**
 * The Parity tab of a component once its report holds what runs: the
 * clusters are read by the collector soon after start (every 30 s in the
 * e2e server); until they have been, Refresh collects them on the spot.
 */
async function openWithRunningState(page: Page, name: string) {
  const tab = await openParityTab(page, name);
  const running = tab.matrixRow('Running');
  await expect(async () => {
    if (!(await running.isVisible())) {
      if (await tab.refreshButton.isEnabled()) {
        await tab.refreshButton.click();
      }
      await expect(running).toBeVisible({ timeout: 10_000 });
    }
  }, `the Parity tab of ${name} shows no "Running" row`).toPass({
    timeout: 90_000,
  });
  return tab;
}

/** Neither the page nor any report it loaded, nor a fresh one, holds a secret. */
async function expectNoSecretValues(
  page: Page,
  name: string,
  responses: Response[],
) {
  const html = await page.content();
  const text = await page.locator('body').innerText();
  for (const marker of SECRET_MARKERS) {
    expect(text, `the page text shows "${marker}"`).not.toContain(marker);
    expect(html, `the page's HTML holds "${marker}"`).not.toContain(marker);
  }

  expect(responses.length, 'the page loaded no report').toBeGreaterThan(0);
  for (const response of responses) {
    const body = await response.text();
    for (const marker of SECRET_MARKERS) {
      expect(body, `${response.url()} sends "${marker}"`).not.toContain(marker);
    }
  }

  // the report API itself, with the page's credentials
  const headers = await responses[0].request().allHeaders();
  const direct = await page.request.get(reportPath(name), {
    headers: headers.authorization
      ? { authorization: headers.authorization }
      : {},
  });
  expect(direct.status()).toBe(200);
  const body = await direct.text();
  for (const marker of SECRET_MARKERS) {
    expect(body, `the report API sends "${marker}"`).not.toContain(marker);
  }
  return JSON.parse(body) as Report;
}

/** The parts of a report (ParityReport) this journey reads. */
type Report = {
  environments: Array<{
    name: string;
    deployment?: {
      artifact?: string;
      config?: Record<string, { hash: string; value?: string; secret?: true }>;
      resources?: Array<{
        kind: string;
        images?: Array<{ digests?: string[] }>;
      }>;
    };
  }>;
};

test.beforeEach(async ({ page }) => {
  await signIn(page, 'guest');
});

test('what runs in each cluster, and the configuration that drifts', async ({
  page,
}) => {
  const responses = recordReports(page, 'payments-api');
  const tab = await openWithRunningState(page, 'payments-api');

  // the digest the pods run, in both clusters: the same build
  for (const environment of ['Staging', 'Production']) {
    await expect(tab.matrixCell('Running', environment)).toContainText(
      short(PAYMENTS_DIGEST),
    );
  }
  // Argo CD: staging's Secret was edited by hand
  await expect(tab.matrixCell('Running', 'Staging')).toContainText('OutOfSync');
  // one line per environment; the details on demand
  const running = tab.matrixCell('Running', 'Staging');
  await expect(
    running.getByRole('list', { name: 'Running in Staging' }),
  ).toHaveCount(0);
  await running
    .getByRole('button', { name: 'Show details of what runs in Staging' })
    .click();
  const details = running.getByRole('list', { name: 'Running in Staging' });
  await expect(details.getByRole('listitem')).not.toHaveCount(0);
  await expect(details).toContainText(short(PAYMENTS_DIGEST));
  await expect(details).toContainText('OutOfSync');

  // same build, configuration differs
  await expect(
    tab.matrixCell('Parity', 'Staging').locator('[data-verdict]'),
  ).toHaveAttribute('data-verdict', 'config-drift');

  // the keys that differ, by name; the secret's without its value
  const drift = tab
    .drift('Staging')
    .getByRole('table', { name: 'Drift of Staging' });
  await expect(drift).toContainText(
    'configmap/payments-api-config.FEATURE_FLAGS',
  );
  await expect(drift).toContainText('secret/payments-api-secrets.DATABASE_URL');
  // ConfigMap values are safe to show (envParity.kubernetes.showConfigMapValues)
  await expect(drift).toContainText('instant-refunds=off');
  await expect(drift).toContainText('instant-refunds=on');
  // expected to differ: listed as ignored, not as drift
  await expect(drift).not.toContainText('deployment/payments-api.replicas');
  await expect(tab.drift('Staging')).toContainText(
    'deployment/payments-api.replicas',
  );

  const report = await expectNoSecretValues(page, 'payments-api', responses);
  // secret fingerprints stay in the backend
  for (const env of report.environments) {
    for (const [key, fingerprint] of Object.entries(
      env.deployment?.config ?? {},
    )) {
      if (fingerprint.secret) {
        expect(fingerprint.hash, `${env.name} ${key}`).toBe('');
        expect(fingerprint.value, `${env.name} ${key}`).toBeUndefined();
      }
    }
  }
  const staging = report.environments.find(e => e.name === 'staging');
  expect(staging?.deployment?.config).toHaveProperty([
    'secret/payments-api-secrets.DATABASE_URL',
  ]);

  await saveScreenshot(page, 'running-config-drift');
});

test('a rebuilt tag whose rollout is stuck on two digests', async ({
  page,
}) => {
  const responses = recordReports(page, 'search-indexer');
  const tab = await openWithRunningState(page, 'search-indexer');

  // production runs the original 3.2.0, staging both builds
  await expect(tab.matrixCell('Running', 'Production')).toContainText(
    short(SEARCH_PRODUCTION_DIGEST),
  );
  const staging = tab.matrixCell('Running', 'Staging');
  await expect(staging).toContainText(short(SEARCH_STAGING_DIGEST));
  await expect(staging).toContainText(short(SEARCH_PRODUCTION_DIGEST));
  await expect(staging).toContainText('ProgressDeadlineExceeded');

  // the mixed digests, as a warning in staging's status
  const findings = parityTab(page)
    .matrixCell('Status', 'Staging')
    .getByRole('group', { name: 'Findings in Staging' });
  await expect(findings).toContainText(/2 different digests/);
  await expect(findings).toContainText(short(SEARCH_STAGING_DIGEST));

  // the digest most pods run decides: same tag, different build
  await expect(
    tab.matrixCell('Parity', 'Staging').locator('[data-verdict]'),
  ).toHaveAttribute('data-verdict', 'tag-mismatch');

  const report = await expectNoSecretValues(page, 'search-indexer', responses);
  const deployment = report.environments.find(
    e => e.name === 'staging',
  )?.deployment;
  expect(deployment?.artifact).toContain(SEARCH_STAGING_DIGEST);
  expect(
    deployment?.resources
      ?.find(r => r.kind === 'Deployment')
      ?.images?.flatMap(i => i.digests ?? []),
  ).toEqual(
    expect.arrayContaining([SEARCH_STAGING_DIGEST, SEARCH_PRODUCTION_DIGEST]),
  );

  await saveScreenshot(page, 'running-mixed-digests');
});
