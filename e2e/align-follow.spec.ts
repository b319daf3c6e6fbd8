/*
 * Following production (envParity.align.follow in app-config.yaml): a new
 * production build of order-history, whose staging follows production, is
 * posted to the demo (POST /demo/builds: a new commit, a GitHub deployment
 * to production and a new digest on the fake GitHub). The next collection
 * (every 30 s in the suite) observes production's new artifact and asks to
 * align staging by itself, as env-parity-follow, with the reason
 * "Production changed to <version> (<digest>)". Staging's approval rule
 * applies: Alice (SRE) approves on the "Alignments" page; the github
 * deployer creates a GitHub deployment of production's commit, which the
 * fake rolls out at once; the next collection verifies it, and the tab
 * shows staging running the new build, in sync.
 *
 * The scorecard counts order-history as following production in staging.
 *
 * The demo's state lives in memory: the journey puts order-history's
 * production and staging back as seeded at the end (POST /demo/reset).
 */
import { expect, Page, test } from '@playwright/test';
import {
  alignSection,
  demoEnvironmentsUrl,
  reloadUntil,
} from './support/align';
import { expandSection, openParityTab } from './support/parity';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';

const SERVICE = 'order-history';
const STAGING = 'Staging';

// collections every 30 s, the sweep every minute: minutes, not seconds
test.setTimeout(8 * 60_000);

async function reset(page: Page, environment: string) {
  const response = await page.request.post(demoEnvironmentsUrl('/demo/reset'), {
    data: { service: SERVICE, environment },
    failOnStatusCode: false,
  });
  return response.ok();
}

test('a new production build of order-history, and its staging follows by itself once Alice approves', async ({
  page,
}) => {
  // a version of this run only (the demo refuses one that exists)
  const version = `2.4.${Date.now() % 100_000}`;

  await signIn(page, 'alice');

  // the scorecard counts the services whose staging follows production
  await page.goto('/env-parity?environment=staging');
  const following = page.getByRole('group', {
    name: 'Following production',
    exact: true,
  });
  // (a backend just started shows the scorecard after its first collection)
  await reloadUntil(
    page,
    async () => {
      await expect(following.getByRole('paragraph').first()).toHaveText('1', {
        timeout: 5_000,
      });
    },
    {
      timeout: 2 * 60_000,
      message: 'the scorecard never counted one service following production',
    },
  );
  await expect(following).toContainText(
    'Their staging is aligned with production whenever production changes',
  );

  const tab = await openParityTab(page, SERVICE);
  await expect(tab.matrixCell('Version', STAGING)).not.toHaveText(version);

  // --- production gets a new build ----------------------------------------
  const posted = await page.request.post(demoEnvironmentsUrl('/demo/builds'), {
    data: { service: SERVICE, environment: 'production', version },
  });
  expect(posted.status()).toBe(201);
  const build = await posted.json();
  const digest = /@(sha256:[0-9a-f]{64})$/.exec(build.artifact)?.[1];
  expect(digest).toBeDefined();
  const reason = `Production changed to ${version} (${digest})`;

  // --- the next collection asks to align staging, by itself ---------------
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Alignments' })
    .click();
  const tabs = page.getByRole('tablist', { name: 'Alignments' });
  const waiting = page.getByRole('tabpanel', {
    name: 'Waiting for my approval',
  });
  const row = waiting.getByRole('row').filter({ hasText: reason });
  await reloadUntil(
    page,
    async () => {
      await tabs.getByRole('tab', { name: /^Waiting for my approval/ }).click();
      await expect(row).toBeVisible({ timeout: 5_000 });
    },
    {
      timeout: 3 * 60_000,
      message: `no alignment "${reason}" waited for Alice's approval`,
    },
  );
  await expect(row).toContainText(SERVICE);
  await expect(row).toContainText('env-parity-follow');
  await expect(row.locator('[data-status]')).toHaveText('pending approval');
  await saveScreenshot(page, 'align-follow-requested');

  // --- Alice approves: nothing was deployed before -------------------------
  await row.getByRole('button', { name: /^Approve/ }).click();
  const approve = page.getByRole('dialog', { name: 'Approve alignment' });
  await expect(approve.getByLabel('Reason', { exact: true })).toHaveText(
    reason,
  );
  await expect(approve.getByLabel('Requester', { exact: true })).toHaveText(
    'env-parity-follow',
  );
  await approve.getByRole('button', { name: 'Approve', exact: true }).click();
  await expect(approve).toBeHidden();

  // --- staging runs production's new build, verified by observation -------
  await openParityTab(page, SERVICE);
  const staging = alignSection(page).environment(STAGING);
  await reloadUntil(
    page,
    async () => {
      await expandSection(page, 'Align');
      await expect(
        staging.locator('[data-status="aligned"]').first(),
      ).toBeVisible({ timeout: 5_000 });
    },
    {
      timeout: 5 * 60_000,
      message: 'the alignment following production never became aligned',
    },
  );
  await reloadUntil(
    page,
    async () => {
      await expect(tab.matrixCell('Version', STAGING)).toHaveText(version, {
        timeout: 5_000,
      });
      await expect(
        tab.matrixCell('Parity', STAGING).locator('[data-verdict]'),
      ).toHaveText('in sync', { timeout: 5_000 });
    },
    { timeout: 2 * 60_000, message: `staging never showed ${version} in sync` },
  );
  await saveScreenshot(page, 'align-follow-aligned');

  // the timeline: asked by the follower, approved by Alice, aligned
  await expandSection(page, 'Align');
  await staging
    .getByRole('link', { name: 'View alignment and timeline' })
    .click();
  const timeline = page.getByRole('list', { name: 'Timeline' });
  await expect(timeline.getByRole('listitem').first()).toHaveAttribute(
    'data-event',
    'requested',
  );
  await expect(timeline.getByRole('listitem').first()).toContainText(
    'env-parity-follow',
  );
  await expect(timeline.getByRole('listitem').last()).toHaveAttribute(
    'data-event',
    'aligned',
  );
});

test.afterAll(async ({ browser }) => {
  // order-history as seeded, for the next run and other journeys
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await reset(page, 'production');
    await reset(page, 'staging');
  } finally {
    await context.close();
  }
});
