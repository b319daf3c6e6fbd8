/*
 * Aligning an environment with production, with two people in two
 * browsers: Bob (checkout-team) asks, from checkout-web's Parity tab, to
 * align its staging (1.5.0, diverged) with production (1.4.2): the dialog
 * shows production's version, revision, artifact and digest, the deployer
 * (github: a GitHub deployment on the demo's fake GitHub) and the approvers
 * (sre); a reason is required. Alice (SRE) approves on the "Alignments"
 * page. The fake GitHub rolls the deployment out at once; the next
 * collection (every 30 s in the suite) observes staging running
 * production's artifact, the alignment ends `aligned`, and the tab shows
 * staging in sync.
 *
 * envParity.align in app-config.yaml; the demo's state lives in memory
 * (scripts/demo-environments.js): an aligned staging stays aligned until the
 * server restarts, so the journey first puts it back where it can (POST
 * /demo/reset), and puts it back again at the end for the journeys that
 * read checkout-web's staging as seeded (parity-tab.spec.ts).
 */
import { expect, Page, test } from '@playwright/test';
import {
  alignButton,
  alignSection,
  demoEnvironmentsUrl,
  reloadUntil,
} from './support/align';
import { expectNoSeriousA11yViolations } from './support/axe';
import { expandSection, openParityTab } from './support/parity';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';

const SERVICE = 'checkout-web';
const STAGING = 'Staging';

// collections every 30 s, the sweep every minute: minutes, not seconds
test.setTimeout(8 * 60_000);

/**
 * Puts checkout-web's staging back to its seeded deployment, where the demo
 * can (POST /demo/reset); false where it cannot.
 */
async function resetStaging(page: Page): Promise<boolean> {
  const response = await page.request.post(demoEnvironmentsUrl('/demo/reset'), {
    data: { service: SERVICE, environment: 'staging' },
    failOnStatusCode: false,
  });
  if (!response.ok()) {
    test.info().annotations.push({
      type: 'demo',
      description: `POST /demo/reset answered ${response.status()}: checkout-web's staging stays as this run left it`,
    });
  }
  return response.ok();
}

/**
 * Waits until staging of checkout-web can be aligned: an alignment left
 * open by an earlier run is cancelled (Bob asked for it), and a staging
 * aligned by an earlier run is put back (when the demo can).
 */
async function untilAlignable(page: Page) {
  const staging = alignSection(page).environment(STAGING);
  const button = alignButton(page, STAGING);
  await expandSection(page, 'Align');
  await expect(button.or(staging).first()).toBeVisible({ timeout: 30_000 });
  if (await button.isVisible()) {
    return;
  }
  const pending = staging.locator('[data-status="pending-approval"]');
  if (await pending.isVisible()) {
    await staging
      .getByRole('link', { name: 'View alignment and timeline' })
      .click();
    await page.getByRole('button', { name: 'Cancel', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel alignment' });
    await dialog.getByRole('button', { name: 'Cancel alignment' }).click();
    await expect(dialog).toBeHidden();
    await page.goBack();
  } else if (await staging.getByText(/^In sync with /).isVisible()) {
    await resetStaging(page);
  }
  await reloadUntil(
    page,
    async () => {
      await expandSection(page, 'Align');
      await expect(button).toBeVisible({ timeout: 5_000 });
    },
    {
      timeout: 3 * 60_000,
      message: `${SERVICE}'s staging never offered "Align with production"`,
    },
  );
}

test("Bob asks to align checkout-web's staging, Alice approves, staging runs production's artifact", async ({
  page: bobPage,
  browser,
}) => {
  // a reason of this run only, to find this alignment among others
  const reason = `Staging must run what production runs before the 1.5 release (e2e ${Date.now()})`;

  // --- Bob asks, from the Parity tab ---------------------------------------
  await signIn(bobPage, 'bob');
  const tab = await openParityTab(bobPage, SERVICE);
  await untilAlignable(bobPage);
  const align = alignSection(bobPage);
  const staging = align.environment(STAGING);
  await expect(staging).toContainText(
    'with the github deployer, once sre approves',
  );

  await alignButton(bobPage, STAGING).click();
  const dialog = align.dialog(STAGING);
  await expect(dialog).toBeVisible();
  // exactly what will be deployed: production's build
  await expect(dialog.getByLabel('Version', { exact: true })).toHaveText(
    '1.4.2',
  );
  await expect(dialog.getByLabel('Revision', { exact: true })).toHaveText(
    /^[0-9a-f]{40}$/,
  );
  await expect(dialog.getByLabel('Artifact', { exact: true })).toContainText(
    'checkout-web',
  );
  await expect(dialog.getByLabel('Digest', { exact: true })).toHaveText(
    /^sha256:[0-9a-f]{64}$/,
  );
  await expect(dialog.getByLabel('Deployer', { exact: true })).toHaveText(
    'github',
  );
  await expect(dialog.getByLabel('Approval', { exact: true })).toHaveText(
    'one approval from sre; nobody approves their own request',
  );
  await expect(dialog).toContainText('Creates a GitHub deployment');
  await expect(dialog).toContainText('What alignment will not fix');
  await expectNoSeriousA11yViolations(bobPage, {
    include: '[role="dialog"]',
    label: 'align dialog',
  });

  // a reason is required
  const ask = dialog.getByRole('button', { name: 'Ask to align' });
  await ask.click();
  await expect(
    dialog.getByText('Say why Staging should run what Production runs'),
  ).toBeVisible();
  await dialog.getByRole('textbox', { name: 'Reason' }).fill(reason);
  await saveScreenshot(bobPage, 'align-dialog');
  await ask.click();
  await expect(dialog).toBeHidden();
  await expect(
    bobPage.getByText(
      `Asked to align ${STAGING} of ${SERVICE} with Production. Members of sre have been notified.`,
    ),
  ).toBeVisible();
  await expect(staging.locator('[data-status]').first()).toHaveText(
    'pending approval',
  );
  await expect(staging).toContainText('waiting for one approval from sre');
  // the matrix shows it on staging too, with the section closed
  const underWay = tab.matrixCell('Parity', STAGING);
  await expect(underWay).toContainText('Aligning with production:');
  await expect(underWay.locator('[data-status]')).toHaveText(
    'pending approval',
  );
  await saveScreenshot(bobPage, 'align-requested');

  // --- Alice, SRE, approves on "Alignments" --------------------------------
  const aliceContext = await browser.newContext();
  try {
    const alicePage = await aliceContext.newPage();
    await signIn(alicePage, 'alice');
    await alicePage
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Alignments' })
      .click();
    const tabs = alicePage.getByRole('tablist', { name: 'Alignments' });
    await tabs.getByRole('tab', { name: /^Waiting for my approval/ }).click();
    const waiting = alicePage.getByRole('tabpanel', {
      name: 'Waiting for my approval',
    });
    const row = waiting.getByRole('row').filter({ hasText: reason });
    await expect(row).toBeVisible();
    await expect(row).toContainText(SERVICE);
    await expect(row.locator('[data-status]')).toHaveText('pending approval');
    await expectNoSeriousA11yViolations(alicePage, {
      label: 'alignments page',
    });
    await saveScreenshot(alicePage, 'align-review');
    await row.getByRole('button', { name: /^Approve/ }).click();

    const approve = alicePage.getByRole('dialog', {
      name: 'Approve alignment',
    });
    await expect(approve.getByLabel('Reason', { exact: true })).toHaveText(
      reason,
    );
    await expect(approve.getByLabel('Requester', { exact: true })).toHaveText(
      'bob',
    );
    await approve
      .getByRole('textbox', { name: 'Comment (optional)' })
      .fill('Approved: staging runs 1.4.2 like production until 1.5 ships.');
    await expectNoSeriousA11yViolations(alicePage, {
      include: '[role="dialog"]',
      label: 'approve alignment dialog',
    });
    await approve.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect(approve).toBeHidden();
    await expect(
      alicePage.getByText(
        new RegExp(
          `^Aligning staging of ${SERVICE} with production is now (dispatched|verifying|aligned)\\.$`,
        ),
      ),
    ).toBeVisible();
    await saveScreenshot(alicePage, 'align-approved');
  } finally {
    await aliceContext.close();
  }

  // --- Bob sees it verified, and staging in sync ---------------------------
  await reloadUntil(
    bobPage,
    async () => {
      await expandSection(bobPage, 'Align');
      await expect(
        staging.locator('[data-status="aligned"]').first(),
      ).toBeVisible({ timeout: 5_000 });
    },
    {
      timeout: 5 * 60_000,
      message: 'the alignment never became aligned on the Parity tab',
    },
  );
  await expect(staging).toContainText(
    "staging was observed running production's artifact",
  );
  await reloadUntil(
    bobPage,
    async () => {
      await expect(
        tab.matrixCell('Parity', STAGING).locator('[data-verdict]'),
      ).toHaveText('in sync', { timeout: 5_000 });
    },
    { timeout: 2 * 60_000, message: 'staging never showed in sync' },
  );
  await expect(tab.matrixCell('Version', STAGING)).toHaveText('1.4.2');
  await expandSection(bobPage, 'Align');
  await expect(staging).toContainText('In sync with Production.');
  await saveScreenshot(bobPage, 'align-aligned');

  // --- the timeline, on the alignment's page -------------------------------
  await staging
    .getByRole('link', { name: 'View alignment and timeline' })
    .click();
  const timeline = bobPage.getByRole('list', { name: 'Timeline' });
  await expect(timeline.getByRole('listitem').first()).toHaveAttribute(
    'data-event',
    'requested',
  );
  await expect(timeline.getByRole('listitem').last()).toHaveAttribute(
    'data-event',
    'aligned',
  );
  await expect(timeline).toContainText('approved');
  await expectNoSeriousA11yViolations(bobPage, { label: 'alignment page' });
  await saveScreenshot(bobPage, 'align-timeline');
});

test.afterAll(async ({ browser }) => {
  // later journeys (parity-tab.spec.ts) read checkout-web's staging as seeded
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    if (!(await resetStaging(page))) {
      return;
    }
    await signIn(page, 'guest');
    const tab = await openParityTab(page, SERVICE);
    await reloadUntil(
      page,
      async () => {
        await expect(tab.matrixCell('Version', STAGING)).toHaveText('1.5.0', {
          timeout: 5_000,
        });
      },
      { timeout: 2 * 60_000, message: "staging's 1.5.0 never came back" },
    );
  } finally {
    await context.close();
  }
});
