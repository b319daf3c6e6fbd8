/*
 * "Reproduce production" on the Parity tab: the commands that pull the image
 * production runs and check out its revision, exactly (by digest and commit),
 * as examples/entities.yaml declares them for payments-api.
 */
import { expect, test } from '@playwright/test';
import { openParityTab } from './support/parity';
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

  await saveScreenshot(page, 'reproduce-production');
});
