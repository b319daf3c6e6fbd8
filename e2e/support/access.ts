import { expect, Page } from '@playwright/test';

/** The "Read-only access" card of the Parity tab (AccessRequestCard). */
export function accessCard(page: Page) {
  return {
    requestButton: page.getByRole('button', {
      name: 'Request read-only access',
      exact: true,
    }),
    /** The request dialog's form (RequestAccessDialog). */
    form: page.getByRole('form', { name: 'Request read-only access' }),
    /** The current request or grant for an environment, by its title. */
    current: (environment: string) =>
      page.getByRole('region', {
        name: `${environment} access request`,
        exact: true,
      }),
    anyCurrent: page.getByRole('region', { name: / access request$/ }),
  };
}

/**
 * The backend's database lives as long as the server: withdraw or revoke
 * whatever request the signed-in user left on this Parity tab's service in
 * an earlier run, until "Request read-only access" shows.
 */
export async function clearCurrentRequests(page: Page) {
  const card = accessCard(page);
  await expect(card.requestButton.or(card.anyCurrent).first()).toBeVisible();
  while ((await card.anyCurrent.count()) > 0) {
    const region = card.anyCurrent.first();
    const action = region.getByRole('button', { name: /^(Withdraw|Revoke)$/ });
    const name = (await action.first().innerText()).trim();
    await action.first().click();
    const dialog = page.getByRole('dialog');
    await dialog
      .getByRole('button', { name: new RegExp(`^${name}$`, 'i') })
      .click();
    await expect(dialog).toBeHidden();
    await page.reload();
    await expect(card.requestButton.or(card.anyCurrent).first()).toBeVisible();
  }
  await expect(card.requestButton).toBeVisible();
}
