/*
 * Updates in seconds: a deployment reaches an open Parity tab without a
 * click. Guest opens inventory-service's Parity tab (its repository,
 * acme/inventory-service, lives on the demo's fake GitHub). A new
 * production build is posted to the demo (POST /demo/builds: a new commit,
 * a successful GitHub deployment of it and a new digest its production
 * /version answers), and GitHub's `deployment_status` webhook for that
 * deployment is delivered to the backend (POST /api/events/http/github,
 * signed X-Hub-Signature-256 with the demo's webhook secret, as GitHub
 * signs it). Env Parity collects inventory-service at once, stores its
 * report and signals env-parity:report:component:default/inventory-service;
 * the open tab reads the report again and shows the new production version
 * with "Updated just now", in the same page: no click, no reload.
 *
 * (The suite's scheduled collection, every 30 s, stays the safety net: it
 * would bring the build too, and signal it the same way.)
 *
 * The demo's state lives in memory: the journey puts inventory-service's
 * production back as seeded at the end (POST /demo/reset).
 */
import {
  APIRequestContext,
  expect,
  Page,
  test,
  WebSocket,
} from '@playwright/test';
import { createHmac } from 'node:crypto';
import { demoEnvironmentsUrl } from './support/align';
import { openParityTab } from './support/parity';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';

const SERVICE = 'inventory-service';
const REPOSITORY = `acme/${SERVICE}`;
const PRODUCTION = 'Production';
/** What production runs as seeded (examples/entities.yaml). */
const SEEDED_VERSION = '2.7.3';

/** events.modules.github.webhookSecret in app-config.yaml (demo only). */
const WEBHOOK_SECRET = 'demo-github-webhook-secret';
/** The demo's fake GitHub API and its token (integrations.github). */
const GITHUB_API = demoEnvironmentsUrl('/github/api/v3');
const GITHUB_TOKEN = 'demo-token';

// the backend collects a just-started demo first; generous, never slept
test.setTimeout(4 * 60_000);

async function reset(request: APIRequestContext) {
  const response = await request.post(demoEnvironmentsUrl('/demo/reset'), {
    data: { service: SERVICE, environment: 'production' },
    failOnStatusCode: false,
  });
  return response.ok();
}

/** The newest deployment to an environment, as the fake GitHub lists it. */
async function latestDeployment(
  request: APIRequestContext,
  environment: string,
) {
  const response = await request.get(
    `${GITHUB_API}/repos/${REPOSITORY}/deployments?environment=${environment}&per_page=1`,
    { headers: { authorization: `token ${GITHUB_TOKEN}` } },
  );
  expect(response.status()).toBe(200);
  const [deployment] = await response.json();
  return deployment;
}

/**
 * The signals sockets (/api/signals) on which the page subscribed to a
 * channel. A signal sent while the page has none open is not delivered (the
 * signals client reconnects after a few seconds), so the journey delivers
 * its webhook only once one of them is open.
 */
function signalSubscriptions(page: Page, channel: string) {
  const sockets: WebSocket[] = [];
  page.on('websocket', ws => {
    if (!new URL(ws.url()).pathname.endsWith('/api/signals')) {
      return;
    }
    ws.on('framesent', frame => {
      try {
        const sent = JSON.parse(String(frame.payload));
        if (sent.action === 'subscribe' && sent.channel === channel) {
          sockets.push(ws);
        }
      } catch {
        // not JSON: not a subscription
      }
    });
  });
  return { open: () => sockets.some(ws => !ws.isClosed()) };
}

/** Delivers a GitHub webhook to the backend, signed as GitHub signs it. */
async function deliverGithubWebhook(
  request: APIRequestContext,
  event: string,
  payload: unknown,
) {
  const body = JSON.stringify(payload);
  const signature = createHmac('sha256', WEBHOOK_SECRET)
    .update(body)
    .digest('hex');
  return request.post('/api/events/http/github', {
    data: body,
    headers: {
      'content-type': 'application/json',
      'x-github-event': event,
      'x-github-delivery': `e2e-live-${Date.now()}`,
      'x-hub-signature-256': `sha256=${signature}`,
    },
    failOnStatusCode: false,
  });
}

test('a deployment posted to GitHub reaches the open Parity tab without a click', async ({
  page,
}) => {
  // a version of this run only (the demo refuses one that exists)
  const version = `2.10.${Date.now() % 100_000}`;

  const subscriptions = signalSubscriptions(
    page,
    `env-parity:report:component:default/${SERVICE}`,
  );
  await signIn(page, 'guest');
  const tab = await openParityTab(page, SERVICE);
  // the open tab listens to its service's report signals
  await expect
    .poll(subscriptions.open, {
      message: 'the Parity tab never subscribed to its report signals',
      timeout: 30_000,
    })
    .toBe(true);
  await expect(tab.matrixCell('Version', PRODUCTION)).toHaveText(
    SEEDED_VERSION,
  );
  // the same document to the end: a reload or a navigation would drop it
  await page.evaluate(() => {
    (window as any).envParityLiveJourney = true;
  });

  // --- a signature GitHub did not make is refused --------------------------
  const forged = await page.request.post('/api/events/http/github', {
    data: JSON.stringify({ repository: { full_name: REPOSITORY } }),
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'deployment_status',
      'x-hub-signature-256': `sha256=${'0'.repeat(64)}`,
    },
    failOnStatusCode: false,
  });
  expect(forged.ok()).toBe(false);

  // --- production deploys a new build on GitHub ----------------------------
  const posted = await page.request.post(demoEnvironmentsUrl('/demo/builds'), {
    data: { service: SERVICE, environment: 'production', version },
  });
  expect(posted.status()).toBe(201);
  const build = await posted.json();
  const deployment = await latestDeployment(page.request, 'production');
  expect(deployment.sha).toBe(build.revision);

  // --- GitHub tells Backstage: deployment_status success ------------------
  const delivered = await deliverGithubWebhook(
    page.request,
    'deployment_status',
    {
      action: 'created',
      deployment_status: {
        id: deployment.id * 10 + 1,
        state: 'success',
        environment: 'production',
        created_at: new Date().toISOString(),
      },
      deployment: {
        id: deployment.id,
        sha: deployment.sha,
        ref: deployment.ref,
        environment: deployment.environment,
        payload: deployment.payload,
        created_at: deployment.created_at,
      },
      repository: {
        name: SERVICE,
        full_name: REPOSITORY,
        owner: { login: 'acme' },
      },
      sender: { login: 'github-actions[bot]' },
    },
  );
  expect(
    delivered.status(),
    `the events backend refused the webhook: ${await delivered.text()}`,
  ).toBeLessThan(300);
  const deliveredAt = Date.now();

  // --- the open tab shows it by itself --------------------------------------
  await expect(tab.matrixCell('Version', PRODUCTION)).toHaveText(version, {
    timeout: 90_000,
  });
  await expect(tab.summary).toContainText(`Production runs ${version}`);
  await expect(
    page.getByRole('status').filter({ hasText: 'Updated just now' }),
  ).toBeVisible();
  test.info().annotations.push({
    type: 'webhook to tab',
    description: `${Date.now() - deliveredAt} ms`,
  });
  expect(
    await page.evaluate(() => (window as any).envParityLiveJourney),
    'the page was reloaded or navigated away',
  ).toBe(true);
  await expect(page).toHaveURL(/\/inventory-service\/parity$/);

  await saveScreenshot(page, 'live-updated', { viewportOnly: true });
});

test.afterAll(async ({ browser }) => {
  // inventory-service's production as seeded, for the next run and others
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await reset(page.request);
  } finally {
    await context.close();
  }
});
