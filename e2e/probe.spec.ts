/*
 * "Compare an endpoint" on the Parity tab: the same GET to every environment
 * of payments-api, side by side, with what differs from production called
 * out; and a path that tries to leave the service's URL is refused. The
 * demo environments (scripts/demo-environments.js) answer /api/config with
 * a configuration that differs between production-like environments and
 * the others.
 */
import { expect, Page, test } from '@playwright/test';
import { ENVIRONMENTS, openParityTab, REFERENCE } from './support/parity';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';

function probeCard(page: Page) {
  const form = page.getByRole('form', { name: 'Probe' });
  return {
    form,
    path: form.getByRole('textbox', { name: 'Path' }),
    run: form.getByRole('button', { name: 'Run', exact: true }),
    answer: (environment: string) =>
      page.getByRole('region', { name: `${environment} answer`, exact: true }),
  };
}

test.beforeEach(async ({ page }) => {
  await signIn(page, 'guest');
  await openParityTab(page, 'payments-api');
  // the "Compare an endpoint" card and its form
  await expect(
    page.getByText('Compare an endpoint', { exact: true }),
  ).toBeVisible();
  await expect(probeCard(page).form).toBeVisible();
});

test('an endpoint compared across environments, differences highlighted', async ({
  page,
}) => {
  const probe = probeCard(page);
  await probe.path.fill('/api/config');
  await probe.run.click();

  // one answer per environment, side by side, each with its status
  for (const environment of ENVIRONMENTS) {
    const answer = probe.answer(environment);
    await expect(answer).toBeVisible();
    await expect(answer.locator('[data-status]').first()).toHaveText(/^200\b/);
    await expect(
      answer.getByLabel(`${environment} body`, { exact: true }),
    ).toContainText(`"environment"`);
  }

  // production is the reference; the others are compared with it
  const production = probe.answer(REFERENCE);
  await expect(
    production.getByText('reference', { exact: true }),
  ).toBeVisible();

  // staging runs another configuration: listed, and highlighted in its body
  const staging = probe.answer('Staging');
  await expect(staging.getByText(`Differs from ${REFERENCE}`)).toBeVisible();
  const differences = staging.getByRole('list', {
    name: `Differences from ${REFERENCE}`,
  });
  await expect(differences).toContainText('logLevel');
  await expect(differences).toContainText('requestsPerMinute');
  await expect(
    staging
      .getByLabel('Staging body', { exact: true })
      .locator('[data-differs]')
      .filter({ hasText: 'logLevel' }),
  ).toBeVisible();

  await saveScreenshot(page, 'probe-compare');
});

test('a path that leaves the service is refused', async ({ page }) => {
  const probe = probeCard(page);
  await probe.path.fill('/../secret');
  await probe.run.click();

  const refusal = page
    .getByRole('alert')
    .filter({ hasText: /^Probe failed: / });
  await expect(refusal).toBeVisible();
  await expect(refusal).toContainText('Path "/../secret" contains ".."');
  await expect(refusal).toContainText('could leave the base URL');
  // nothing was asked of any environment
  await expect(probe.answer(REFERENCE)).toHaveCount(0);

  await saveScreenshot(page, 'probe-refused');
});
