/*
 * A service on GitLab: ledger-service has no env-parity annotations, only
 * gitlab.com/project-slug, and lives on the demo's fake GitLab
 * (scripts/demo-environments.js, integrations.gitlab host gitlab.demo.test):
 * its Parity tab comes from GitLab deployments and the GitLab compare API.
 */
import { expect, test } from '@playwright/test';
import { expandSection, openParityTab } from './support/parity';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';

const WEB = 'https://gitlab.demo.test/acme/payments/ledger-service';

test.beforeEach(async ({ page }) => {
  await signIn(page, 'guest');
});

test("a GitLab service's Parity tab shows staging ahead, with the commits and links", async ({
  page,
}) => {
  const tab = await openParityTab(page, 'ledger-service');

  // production's newest successful deployment: v3.1.0 (a newer failed
  // rollback to v3.0.9 is skipped)
  await expect(tab.summary).toContainText('Production runs v3.1.0');
  await expect(tab.matrixCell('Version', 'Production')).toHaveText('v3.1.0');
  await expect(
    tab.matrixCell('Parity', 'Pre-production').locator('[data-verdict]'),
  ).toHaveText('in sync');
  await expect(
    tab.matrixCell('Parity', 'Staging').locator('[data-verdict]'),
  ).toHaveText('ahead');

  // the deployment's links (each opens in a new window, which its name says): the environment, the pipeline, GitLab's
  // environment page and the commit
  const links = tab.matrixCell('Links', 'Staging');
  await expect(links.getByRole('link', { name: /^Open\s*,/ })).toHaveAttribute(
    'href',
    'https://ledger.staging.acme.example',
  );
  await expect(
    links.getByRole('link', { name: /^GitLab pipeline\s*,/ }),
  ).toHaveAttribute('href', new RegExp(`^${WEB}/-/pipelines/\\d+$`));
  await expect(
    links.getByRole('link', { name: /^GitLab environment\s*,/ }),
  ).toHaveAttribute('href', new RegExp(`^${WEB}/-/environments/\\d+$`));
  await expect(
    links.getByRole('link', { name: /^Commit\s*,/ }),
  ).toHaveAttribute('href', new RegExp(`^${WEB}/-/commit/[0-9a-f]{40}$`));

  // development is deploying a newer commit: shown, not counted
  await expect(
    tab
      .matrixCell('Status', 'Development')
      .getByRole('group', { name: 'Findings in Development' }),
  ).toContainText(/^Deploying [0-9a-f]{7} \(main\) by aandersson since /);

  // staging's commits production lacks, each linked to GitLab
  await expandSection(page, 'Drift');
  const staging = tab.drift('Staging');
  await expect(staging).toContainText(
    '3 commits ahead of Production, 0 commits behind',
  );
  const ahead = staging.getByRole('list', {
    name: 'Here, not yet in Production',
  });
  await expect(ahead.getByRole('listitem')).toHaveText([
    /Add a trial balance endpoint\s*Jun Nakamura$/,
    /Merge branch 'feature\/multi-currency' into 'main'\s*Léa Martin · !42\b/,
    /Speed up balance queries with a covering index\s*Bob Brown$/,
  ]);
  // the merge request the commit came from, linked as GitLab writes it (!42)
  await expect(ahead.getByRole('link', { name: /^!42\b/ })).toHaveAttribute(
    'href',
    `${WEB}/-/merge_requests/42`,
  );
  const commitLinks = ahead.getByRole('link', { name: /^[0-9a-f]{7}\b/ });
  await expect(commitLinks).toHaveCount(3);
  for (const link of await commitLinks.all()) {
    await expect(link).toHaveAttribute(
      'href',
      new RegExp(`^${WEB}/-/commit/[0-9a-f]{40}$`),
    );
  }
  await expect(
    staging.getByRole('link', { name: 'Full comparison' }),
  ).toHaveAttribute(
    'href',
    new RegExp(`^${WEB}/-/compare/[0-9a-f]{40}\\.\\.\\.[0-9a-f]{40}$`),
  );

  await saveScreenshot(page, 'gitlab-parity-tab');
});
