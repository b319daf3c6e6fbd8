/*
 * A service delivered by Flux: shipping-service names its Kustomization and
 * HelmRelease (env-parity/flux-kustomization, env-parity/flux-helmrelease),
 * which the demo clusters carry (scripts/demo-environments.js; the Flux
 * module reads them through the Kubernetes backend's proxy, as the
 * Kubernetes module does). Staging's Helm values differ from production's:
 * the Parity tab names the settings, never their values, and shows Flux's
 * readiness.
 */
import { expect, test } from '@playwright/test';
import { expandSection, openParityTab } from './support/parity';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';

test.beforeEach(async ({ page }) => {
  await signIn(page, 'guest');
});

test("a Flux service's Parity tab shows the HelmRelease values drift by key, never a value, and Flux readiness", async ({
  page,
}) => {
  const tab = await openParityTab(page, 'shipping-service');

  // Flux's readiness: staging's HelmRelease is still upgrading
  await expect(
    tab
      .matrixCell('Status', 'Staging')
      .getByRole('group', { name: 'Findings in Staging' }),
  ).toContainText(
    'HelmRelease shipping/shipping-service on demo-staging is reconciling: Running upgrade action for release shipping/shipping-service',
  );
  await expect(
    tab
      .matrixCell('Status', 'Production')
      .getByRole('group', { name: 'Findings in Production' }),
  ).toHaveCount(0);

  // the configuration drift: the HelmRelease's chart and values by setting
  // (replicaCount is expected to differ: envParity.config.ignore)
  await expandSection(page, 'Drift');
  const staging = tab.drift('Staging');
  const drift = staging.getByRole('table', { name: 'Drift of Staging' });
  const rows = drift
    .getByRole('row')
    .filter({ hasNot: page.getByRole('columnheader') });
  const helmValue = (key: string) =>
    rows.filter({ hasText: `helm.values.${key}` });
  for (const key of ['featureFlags.newRates', 'log.level']) {
    await expect(helmValue(key)).toContainText('value hidden');
  }
  await expect(helmValue('replicaCount')).toHaveCount(0);
  await expect(rows.filter({ hasText: 'helm.chart' })).toContainText(
    /shipping-service@2\.3\.1\s*shipping-service@2\.4\.0/,
  );
  const password = drift.getByRole('row').filter({ hasText: 'password' });
  await expect(password.getByText('value hidden (secret)')).not.toHaveCount(0);

  // never a value of the Helm values, on the whole page
  const body = page.locator('body');
  for (const value of [
    'demo-staging-db-pw',
    'demo-production-db-pw',
    'db.shipping.internal',
    'debug',
  ]) {
    await expect(body).not.toContainText(value);
  }

  await saveScreenshot(page, 'flux-parity-tab');
});
