/*
 * "Reproduce production" on the Parity tab: the commands that pull the image
 * production runs and check out its revision, exactly (by digest and commit),
 * as examples/entities.yaml declares them for payments-api; the settings it
 * runs with (its container's env in the demo's production cluster,
 * scripts/demo-environments.js) as a .env template without secret values,
 * and the docker run that uses it.
 */
import { expect, test } from '@playwright/test';
import { expandSection, openParityTab } from './support/parity';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';

// examples/entities.yaml, payments-api's env-parity/production.* annotations
const PRODUCTION_DIGEST =
  'sha256:e3549bf4f60ceff162ea3b0c71afaef52d33c670604f0384b8afe011dd01e364';
const PRODUCTION_REVISION = 'ef4e9bda211ed9da057ddc0c296392a3947514b1';

test('the commands that reproduce production, by digest and revision', async ({
  page,
}) => {
  await signIn(page, 'guest');
  await openParityTab(page, 'payments-api');
  // a section closed at first
  await expandSection(page, 'Reproduce');

  // the InfoCard titled "Reproduce production" (its title is no heading)
  const card = page.locator('.MuiCard-root').filter({
    has: page.getByText('Reproduce production', { exact: true }),
  });
  await expect(card).toBeVisible();
  await expect(
    card.getByRole('heading', { name: 'Run the exact artifact' }),
  ).toBeVisible();

  // the image by its digest, never a tag that could be rebuilt
  const pull = card.getByLabel("Pull Production's image", { exact: true });
  await expect(pull).toHaveText(
    new RegExp(
      `^docker pull ghcr\\.io/acme/payments-api(:[\\w.-]+)?@${PRODUCTION_DIGEST}$`,
    ),
  );
  await expect(
    card.getByRole('button', { name: "Copy: Pull Production's image" }),
  ).toBeVisible();

  // the source at the exact commit production was built from
  const worktree = card.getByLabel("Add a worktree at Production's revision", {
    exact: true,
  });
  await expect(worktree).toHaveText(
    new RegExp(`^git worktree add \\S+ ${PRODUCTION_REVISION}$`),
  );

  // the application's own settings, not the deployment's plumbing
  const keys = card.getByLabel('Production configuration keys', {
    exact: true,
  });
  await expect(keys).toContainText('DATABASE_URL');
  await expect(keys).toContainText('CURRENCY_DEFAULT');
  await expect(keys).not.toContainText('replicas');
  await expect(keys).not.toContainText('resources');
  await expect(keys).not.toContainText('helm');
  const envFile = card.getByLabel("Production's .env template", {
    exact: true,
  });
  await expect(envFile).toContainText(/^DATABASE_URL=$/m);
  await expect(envFile).toContainText(/^ACQUIRER_API_KEY=$/m);
  await expect(envFile).not.toContainText('demo-only');
  await expect(
    card.getByLabel("Run Production's image with its settings", {
      exact: true,
    }),
  ).toHaveText(
    new RegExp(
      `^docker run --rm -it --env-file \\.env ghcr\\.io/acme/payments-api(:[\\w.-]+)?@${PRODUCTION_DIGEST}$`,
    ),
  );
  await expect(card.getByLabel('Production deployment settings')).toContainText(
    /^Not listed: \d+ deployment settings?/,
  );

  await saveScreenshot(page, 'reproduce-production');
});
