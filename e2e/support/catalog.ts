import { expect, Page } from '@playwright/test';

/**
 * From the catalog (the demo's landing page), opens a component the way a
 * user does: all components, search by name, click its row's link. The
 * catalog may still be ingesting right after the backend started, so the
 * table is reloaded until the entity is listed.
 */
export async function openFromCatalog(page: Page, name: string) {
  // the catalog is the demo's landing page, where signIn() ends
  if (new URL(page.url()).pathname !== '/') {
    await page.goto('/');
  }

  const link = page.getByRole('table').getByRole('link', { name, exact: true });
  const all = page.getByRole('menuitem', { name: /^All\b/ });
  const search = page.getByRole('textbox', { name: 'Search' });
  await expect(async () => {
    // "All" rather than the default "Owned": the demo user owns only some.
    // Short timeouts, retried: a click can get lost while the page renders.
    await expect(all).toHaveText(/\d/, { timeout: 5_000 }); // counts loaded
    await all.click({ timeout: 5_000 });
    await search.fill(name, { timeout: 5_000 });
    try {
      await expect(link).toBeVisible({ timeout: 5_000 });
    } catch (error) {
      // not ingested yet, perhaps: the table only asks again on a reload
      await page.reload();
      throw error;
    }
  }, `${name} is not in the catalog`).toPass({ timeout: 60_000 });

  await link.click();
  await expect(
    page.getByRole('heading', { name, exact: true, level: 2 }),
  ).toBeVisible();
}

/** Opens a tab of the entity page, e.g. "Parity". */
export async function openEntityTab(page: Page, tab: string) {
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: tab, exact: true })
    .click();
}
