import { expect, test } from '@playwright/test';
import { openEntityTab, openFromCatalog } from './support/catalog';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';

test('a user without the env-parity permissions sees a clear message', async ({
  page,
}) => {
  await signIn(page, 'dana');
  await openFromCatalog(page, 'checkout-web');
  await openEntityTab(page, 'Parity');
  await expect(
    page.getByText("You don't have permission to view parity for this entity"),
  ).toBeVisible();
  await saveScreenshot(page, 'permission-denied');
});
