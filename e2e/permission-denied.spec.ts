/*
 * A user without the env-parity permissions (the demo's contractor dana)
 * is told no in one wording everywhere, naming the permission:
 * "You are not allowed to <action>: this needs the permission <name>."
 */
import { expect, test } from '@playwright/test';
import { openEntityTab, openFromCatalog } from './support/catalog';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';

test.beforeEach(async ({ page }) => {
  await signIn(page, 'dana');
});

test('a user without the env-parity permissions sees a clear message', async ({
  page,
}) => {
  await openFromCatalog(page, 'checkout-web');
  await openEntityTab(page, 'Parity');
  await expect(
    page.getByText(
      'You are not allowed to read environment parity: this needs the permission env-parity.report.read.',
      { exact: true },
    ),
  ).toBeVisible();
  await saveScreenshot(page, 'permission-denied');
});

test('the scorecard and the access requests say no in the same words', async ({
  page,
}) => {
  await page.goto('/env-parity');
  await expect(
    page.getByText(
      'You are not allowed to read the environment parity scorecard: this needs the permission env-parity.scorecard.read.',
      { exact: true },
    ),
  ).toBeVisible();

  await page.goto('/env-parity/access');
  await expect(
    page.getByText(
      'You are not allowed to see access requests: this needs one of the permissions env-parity.access.create, env-parity.access.review or env-parity.access.admin.',
      { exact: true },
    ),
  ).toBeVisible();
  // no "may not": it reads as "maybe"
  await expect(page.getByText(/may not/)).toHaveCount(0);
});
