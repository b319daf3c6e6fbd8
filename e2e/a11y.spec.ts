/*
 * Accessibility: axe-core (e2e/support/axe.ts) on every page and dialog the
 * plugin renders, in Backstage's light and dark themes, failing on any
 * serious or critical violation in the plugin's markup (the app's sidebar is
 * not the plugin's). The pages: the Parity tab of checkout-web (diverged,
 * an environment in error), payments-api (configuration drift, the
 * "Reproduce production" card, "Compare an endpoint" with results, the
 * request-access dialog) and user-profile (the empty state); the scorecard
 * in each view (the default environment, staging, worst); the access
 * requests page (each queue) and its decision dialog; the alignments page
 * (each queue) and the align dialog (Bob on checkout-web's staging, opened
 * and cancelled, never submitted); the group card on a group page.
 * Screenshots of the tab and the scorecard in both themes.
 */
import { expect, Locator, Page, test } from '@playwright/test';
import { accessCard, clearCurrentRequests } from './support/access';
import { alignButton, alignSection } from './support/align';
import { expectNoSeriousA11yViolations } from './support/axe';
import { openEntityTab, openFromCatalog } from './support/catalog';
import { expandSection, openParityTab } from './support/parity';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';
import { THEMES, useTheme } from './support/theme';

/** Lets a test run every check, failing at its end with all of them. */
function soft(page: Page, label: string, include?: string | Locator) {
  return expectNoSeriousA11yViolations(page, { label, include, soft: true });
}

test('the demo switches to the dark theme in Settings, and back', async ({
  page,
}) => {
  await signIn(page, 'guest');
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Settings' })
    .click();
  const dark = page.getByRole('button', { name: /\bdark\b/i });
  const light = page.getByRole('button', { name: /\blight\b/i });
  await dark.click();
  await expect
    .poll(() => page.evaluate(() => window.localStorage.getItem('theme')))
    .toBe('dark');
  // the page itself turns dark: Backstage's dark background
  await expect(page.locator('body')).toHaveCSS(
    'background-color',
    'rgb(51, 51, 51)',
  );
  await light.click();
  await expect
    .poll(() => page.evaluate(() => window.localStorage.getItem('theme')))
    .toBe('light');
});

for (const theme of THEMES) {
  test.describe(`${theme} theme`, () => {
    test.beforeEach(async ({ page }) => {
      await useTheme(page, theme);
    });

    test(`the Parity tab of checkout-web (${theme})`, async ({ page }) => {
      await signIn(page, 'guest');
      await openParityTab(page, 'checkout-web');
      await expect(
        page.getByRole('region', { name: 'Staging compared with Production' }),
      ).toBeVisible();
      await soft(page, `checkout-web Parity tab (${theme})`);
      await saveScreenshot(page, `a11y-parity-tab-${theme}`);
    });

    test(`the Parity tab of payments-api: reproduce, probe results, request access (${theme})`, async ({
      page,
    }) => {
      await signIn(page, 'guest');
      await openParityTab(page, 'payments-api');
      await expandSection(page, 'Reproduce');
      await expect(
        page.getByText('Reproduce production', { exact: true }),
      ).toBeVisible();
      await soft(page, `payments-api Parity tab (${theme})`);

      // "Compare an endpoint", with its results
      await expandSection(page, 'Compare');
      const probe = page.getByRole('form', { name: 'Probe' });
      await probe.getByRole('textbox', { name: 'Path' }).fill('/api/config');
      await probe.getByRole('button', { name: 'Run', exact: true }).click();
      await expect(
        page.getByRole('region', { name: 'Staging answer', exact: true }),
      ).toBeVisible();
      await soft(page, `payments-api probe results (${theme})`);

      // the request-access dialog
      await clearCurrentRequests(page);
      const card = accessCard(page);
      await card.requestButton.click();
      await expect(card.form).toBeVisible();
      await soft(page, `request-access dialog (${theme})`, '[role="dialog"]');
      await page.keyboard.press('Escape');
      await expect(card.form).toBeHidden();
    });

    test(`the Parity tab's empty state, user-profile (${theme})`, async ({
      page,
    }) => {
      await signIn(page, 'guest');
      await openFromCatalog(page, 'user-profile');
      await openEntityTab(page, 'Parity');
      await expect(page.getByText(/annotation/i).first()).toBeVisible();
      await soft(page, `user-profile empty state (${theme})`);
    });

    test(`the scorecard, each view (${theme})`, async ({ page }) => {
      test.setTimeout(180_000);
      await signIn(page, 'guest');
      await page
        .getByRole('navigation', { name: 'sidebar nav' })
        .getByRole('link', { name: 'Env Parity' })
        .click();
      const services = page.getByRole('table', {
        name: 'Services',
        exact: true,
      });
      await expect(services.getByRole('row').nth(1)).toBeVisible();
      await soft(page, `scorecard (${theme})`);
      await saveScreenshot(page, `a11y-scorecard-${theme}`);

      for (const view of ['staging', 'worst']) {
        await page.goto(`/env-parity?environment=${view}`);
        await expect(services.getByRole('row').nth(1)).toBeVisible();
        await soft(page, `scorecard, environment=${view} (${theme})`);
      }
    });

    test(`the access requests page and the decision dialog (${theme})`, async ({
      page,
      browser,
    }) => {
      test.setTimeout(300_000);
      // a pending request for Alice to decide on: the guest asks
      await signIn(page, 'guest');
      await openParityTab(page, 'checkout-web');
      await clearCurrentRequests(page);
      const card = accessCard(page);
      await card.requestButton.click();
      const reason = `a11y ${theme} ${Date.now()}`;
      await card.form.getByRole('textbox', { name: 'Reason' }).fill(reason);
      await card.form.getByRole('button', { name: 'Request access' }).click();
      await expect(card.form).toBeHidden();
      await expect(card.current('Production')).toBeVisible();
      await soft(page, `Parity tab with a pending request (${theme})`);

      const alice = await browser.newContext();
      try {
        const alicePage = await alice.newPage();
        await useTheme(alicePage, theme);
        await signIn(alicePage, 'alice');
        await alicePage.goto('/env-parity/access');
        const tabs = alicePage.getByRole('tablist', {
          name: 'Access requests',
        });
        await expect(tabs).toBeVisible();
        const tabNames = await tabs.getByRole('tab').allInnerTexts();
        for (const [index, name] of tabNames.entries()) {
          await tabs.getByRole('tab').nth(index).click();
          await expect(alicePage.getByRole('tabpanel')).toBeVisible();
          await soft(
            alicePage,
            `access page, ${name.replace(/\s+/g, ' ')} (${theme})`,
          );
        }

        await tabs.getByRole('tab', { name: /^Waiting for my review/ }).click();
        const row = alicePage
          .getByRole('tabpanel', { name: 'Waiting for my review' })
          .getByRole('row')
          .filter({ hasText: reason });
        await row.getByRole('button', { name: 'Approve', exact: true }).click();
        const dialog = alicePage.getByRole('dialog', {
          name: 'Approve access',
        });
        await expect(dialog).toBeVisible();
        await soft(alicePage, `decision dialog (${theme})`, '[role="dialog"]');
        await alicePage.keyboard.press('Escape');
        await expect(dialog).toBeHidden();
      } finally {
        await alice.close();
      }

      // leave nothing behind
      await page.reload();
      await clearCurrentRequests(page);
    });

    test(`the alignments page, each queue (${theme})`, async ({ page }) => {
      await signIn(page, 'alice');
      await page
        .getByRole('navigation', { name: 'sidebar nav' })
        .getByRole('link', { name: 'Alignments' })
        .click();
      const tabs = page.getByRole('tablist', { name: 'Alignments' });
      await expect(tabs).toBeVisible();
      const tabNames = await tabs.getByRole('tab').allInnerTexts();
      expect(tabNames.length).toBeGreaterThan(0);
      for (const [index, name] of tabNames.entries()) {
        await tabs.getByRole('tab').nth(index).click();
        await expect(page.getByRole('tabpanel')).toBeVisible();
        await soft(
          page,
          `alignments page, ${name.replace(/\s+/g, ' ')} (${theme})`,
        );
      }
    });

    test(`the align dialog, opened and cancelled (${theme})`, async ({
      page,
    }) => {
      // Bob may ask to align checkout-web's staging (e2e/align.spec.ts)
      await signIn(page, 'bob');
      await openParityTab(page, 'checkout-web');
      await expandSection(page, 'Align');
      const button = alignButton(page, 'Staging');
      await expect(
        button,
        'checkout-web\'s staging offers no "Align with production" (an alignment left open by another run?)',
      ).toBeVisible({ timeout: 60_000 });
      await soft(
        page,
        `Align section (${theme})`,
        alignSection(page).environment('Staging'),
      );
      await button.click();
      const dialog = alignSection(page).dialog('Staging');
      await expect(dialog).toBeVisible();
      await expect(dialog.getByLabel('Version', { exact: true })).toBeVisible();
      await soft(page, `align dialog (${theme})`, '[role="dialog"]');
      // cancelled: nothing is asked
      await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
      await expect(dialog).toBeHidden();
      await expect(button).toBeVisible();
    });

    test(`the group card on a group page (${theme})`, async ({ page }) => {
      await signIn(page, 'guest');
      await page.goto('/catalog/default/group/payments-team');
      const card = page
        .locator('.MuiCard-root')
        .filter({ hasText: 'Environment parity' });
      await expect(card).toBeVisible();
      await expect(
        card.getByRole('list', { name: 'Lowest scores' }),
      ).toBeVisible();
      // the card alone: the rest of the group page is the catalog's
      await soft(page, `group card (${theme})`, card);
    });
  });
}
