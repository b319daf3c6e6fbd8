/*
 * The Parity tab, as a user sees it: catalog → a service → Parity. The demo
 * services are described at the top of examples/entities.yaml.
 */
import { expect, Page, test } from '@playwright/test';
import {
  ENVIRONMENTS,
  expandSection,
  openParityTab,
  parityTab,
} from './support/parity';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';

test.beforeEach(async ({ page }) => {
  await signIn(page, 'guest');
});

test('summary, matrix, verdicts and drift of a service', async ({ page }) => {
  const tab = await openParityTab(page, 'checkout-web');

  // the summary sentence, and the closest environment
  await expect(tab.summary).toContainText('Production runs 1.4.2');
  await expect(tab.summary).toContainText(
    'Closest to production: pre-production, in sync.',
  );

  // the matrix: the four environments, in promotion order, production the
  // reference
  await expect(tab.matrix.getByRole('columnheader')).toHaveText([
    '',
    ...ENVIRONMENTS.slice(0, -1),
    /^Production\s*reference$/,
  ]);
  await expect(tab.matrixCell('Version', 'Staging')).toHaveText('1.5.0');
  await expect(tab.matrixCell('Version', 'Production')).toHaveText('1.4.2');

  // verdicts: pre-production runs production's build, staging does not
  await expect(
    tab.matrixCell('Parity', 'Pre-production').locator('[data-verdict]'),
  ).toHaveText('in sync');
  // diverged with the demo's fake GitHub (commits compared), a different
  // build without it
  await expect(
    tab.matrixCell('Parity', 'Staging').locator('[data-verdict]'),
  ).toHaveText(/^(diverged|a different build)$/);

  // the drift list: staging's version change from production's
  const staging = tab.drift('Staging');
  await expect(staging).toBeVisible();
  await expect(
    staging
      .getByRole('table', { name: 'Drift of Staging' })
      .getByRole('row')
      .filter({ hasText: /^Version/ }),
  ).toHaveText(/^Version\s*version\s*changed\s*1\.4\.2\s*1\.5\.0$/);
  await expect(
    tab.drift('Pre-production').locator('[data-verdict]'),
  ).toHaveText('in sync');

  await saveScreenshot(page, 'parity-tab');
  // the first screen of it, for the top of the README
  await saveScreenshot(page, 'parity-tab-overview', { viewportOnly: true });
});

test('refresh observes the environments again', async ({ page }) => {
  const tab = await openParityTab(page, 'payments-api');
  await expect(tab.freshness).toHaveText(/^observed /);
  await expect(tab.refreshButton).toBeEnabled();

  // the exact observation time, in the freshness text's tooltip
  const observedAt = async () => {
    await tab.freshness.hover();
    const tooltip = page.getByRole('tooltip');
    await expect(tooltip).toBeVisible();
    const text = (await tooltip.innerText()).trim();
    await page.mouse.move(0, 0);
    await expect(tooltip).toBeHidden();
    return text;
  };
  const before = await observedAt();

  // the tooltip shows seconds: make sure the next observation is in another
  await page.waitForTimeout(1_100);

  // hold the refresh request for a moment, so its progress state can be seen
  let release!: () => void;
  const held = new Promise<void>(resolve => (release = resolve));
  await page.route('**/api/env-parity/entities/**/refresh', async route => {
    await held;
    await route.continue();
  });
  const response = page.waitForResponse(
    r => r.url().endsWith('/refresh') && r.request().method() === 'POST',
  );

  await tab.refreshButton.click();
  await expect(tab.refreshButton).toBeDisabled();
  await expect(tab.refreshButton).toHaveText(/Refreshing/);
  await expect(
    page.getByRole('progressbar', { name: 'Refreshing' }),
  ).toBeVisible();

  release();
  expect((await response).status()).toBe(200);
  await expect(tab.refreshButton).toBeEnabled();
  await expect(tab.refreshButton).toHaveText('Refresh');
  await expect(
    page.getByRole('progressbar', { name: 'Refreshing' }),
  ).toBeHidden();
  await expect(tab.freshness).toHaveText('observed just now');
  await expect.poll(observedAt).not.toBe(before);
  await expect(page.getByText(/^Refresh failed/)).toBeHidden();

  await saveScreenshot(page, 'parity-refresh');
});

test('a rebuilt tag is called out', async ({ page }) => {
  const tab = await openParityTab(page, 'search-indexer');

  await expect(
    tab.matrixCell('Parity', 'Staging').locator('[data-verdict]'),
  ).toHaveText('same tag, different build');
  await expect(tab.summary).toContainText(
    'Staging runs 3.2.0 too, but a different artifact',
  );
  await expect(tab.drift('Staging')).toContainText('same tag, different build');

  // staging runs production's tag rebuilt; development a beta of the next
  // version: staging is the closer, and the answer says why
  await expect(tab.summary).toContainText(
    'Closest to production: staging, same version 3.2.0 as production, another build.',
  );
  await expect(
    page.getByText(/^Closest to Production:/).locator('..'),
  ).toContainText('Staging');

  await saveScreenshot(page, 'parity-tag-mismatch');
});

test('the commits production has and staging lacks come first', async ({
  page,
}) => {
  const tab = await openParityTab(page, 'checkout-web');
  const staging = tab.drift('Staging');

  // the demo's fake GitHub: staging's 1.5.0 is 4 commits ahead of 1.4.2 and
  // lacks production's 2 hotfix commits made on release/1.4
  await expect(staging).toContainText(
    '4 commits ahead of Production, 2 commits behind',
  );
  await expect(staging.getByRole('heading', { level: 4 })).toHaveText([
    'In Production, missing here (2)',
    'Here, not yet in Production (4)',
  ]);
  await expect(
    staging
      .getByRole('list', { name: 'In Production, missing here' })
      .getByRole('listitem'),
  ).toHaveCount(2);
  await expect(
    staging
      .getByRole('list', { name: 'Here, not yet in Production' })
      .getByRole('listitem'),
  ).toHaveCount(4);
  await expect(
    staging.getByRole('link', { name: 'Full comparison' }),
  ).toHaveAttribute('href', /\/acme\/checkout-web\/compare\/.+\.\.\..+/);

  await saveScreenshot(page, 'parity-commits-missing');
});

test('configuration drift counts and names settings, not keys', async ({
  page,
}) => {
  const tab = await openParityTab(page, 'payments-api');
  const staging = tab.drift('Staging');

  // instant refunds (a ConfigMap key, the env var read from it, a Helm
  // value) and DATABASE_URL (the Secret's key and the env var)
  await expect(tab.summary).toContainText(
    'Staging runs the same build, but 2 settings differ: instant refunds, DATABASE_URL.',
  );
  const drift = staging.getByRole('table', { name: 'Drift of Staging' });
  const rows = drift
    .getByRole('row')
    .filter({ hasNot: page.getByRole('columnheader') });
  await expect(rows).toHaveCount(2);

  const refunds = rows.filter({ hasText: 'instant refunds' });
  await expect(
    refunds
      .getByRole('list', { name: 'Keys of instant refunds' })
      .getByRole('listitem'),
  ).toHaveCount(3);
  await expect(refunds).toContainText('instant-refunds=off');
  await expect(refunds).not.toContainText('value hidden');

  // one of its keys is a Secret's: no value for any of them
  const database = rows.filter({ hasText: 'DATABASE_URL' });
  await expect(database.getByText('value hidden (secret)')).toHaveCount(2);
  await expect(database).not.toContainText('postgres://');

  await saveScreenshot(page, 'parity-settings');
});

test("an environment's error is shown in its column", async ({ page }) => {
  const tab = await openParityTab(page, 'pricing-engine');

  // staging's annotations are malformed: the error names the annotation
  const staging = tab.matrixCell('Status', 'Staging');
  await expect(staging).toContainText('env-parity/staging.artifact');
  await expect(staging).toContainText('is not a valid digest');
  await expect(tab.summary).toContainText('Staging could not be read.');
  await expect(
    tab.matrixCell('Parity', 'Staging').locator('[data-verdict]'),
  ).toHaveText('unknown');
  // the other environments are unaffected
  await expect(
    tab.matrixCell('Parity', 'Pre-production').locator('[data-verdict]'),
  ).toHaveText('in sync');

  await saveScreenshot(page, 'parity-environment-error');
});

test('partial data is a warning naming the provider that failed', async ({
  page,
}) => {
  // checkout-web's development: its annotations answer, its version endpoint
  // answers 503 (scripts/demo-environments.js)
  const tab = await openParityTab(page, 'checkout-web');

  const status = tab.matrixCell('Status', 'Development');
  await expect(status).toContainText('Partial data');
  await expect(status.getByText('OK', { exact: true })).toHaveCount(0);
  await expect(status).toContainText(/showing what .*annotations.* reported/);
  const failures = status.getByRole('list', {
    name: 'Failed providers in Development',
  });
  await expect(failures.getByRole('listitem')).toHaveText([
    /^http failed: .*answered 503 Service Unavailable.*; (last answered .+|no successful answer on record)$/,
  ]);

  // the answer in words says so too
  await expect(tab.summary).toContainText(
    /Development runs 1\.5\.1-rc\.2 [^.]*\(partial data: http failed\)\./,
  );

  // the data that did come is still shown and compared
  await expect(tab.matrixCell('Version', 'Development')).toHaveText(
    '1.5.1-rc.2',
  );
  await expect(
    tab.matrixCell('Parity', 'Development').locator('[data-verdict]'),
  ).toBeVisible();
  // the other environments answered in full
  await expect(tab.matrixCell('Status', 'Production')).toContainText('OK');
  await expect(
    tab.matrixCell('Status', 'Production').getByRole('list'),
  ).toHaveCount(0);

  await saveScreenshot(page, 'parity-partial-data');
});

test('a service without annotations shows how to add them', async ({
  page,
}) => {
  await openParityTab(page, 'user-profile');

  await expect(
    page.getByText('No deployment data for this component yet'),
  ).toBeVisible();
  // the snippet to copy names every environment's annotations
  const snippet = page.getByRole('code').filter({ hasText: 'metadata:' });
  await expect(snippet).toContainText('env-parity/production.version');
  await expect(snippet).toContainText('env-parity/development.revision');
  await expect(page.getByRole('button', { name: 'Copy text' })).toBeVisible();
  // nothing to compare: no matrix, no drift list
  await expect(parityTab(page).matrix).toBeHidden();

  await saveScreenshot(page, 'parity-empty-state');
});

/** How tall the page is: the Parity tab and the entity page around it. */
const pageHeight = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollHeight);

test('summary and matrix first, the rest in sections a link away', async ({
  page,
}) => {
  const tab = await openParityTab(page, 'payments-api');
  const nav = page.getByRole('navigation', { name: 'Parity sections' });
  // Align is listed while the alignment previews load, and stays where one of
  // them answers (a refusal is explained there); the others always are
  await expect(
    nav.getByRole('link').filter({ hasNotText: /^Align$/ }),
  ).toHaveText(['Drift', 'Compare', 'Reproduce', 'Access']);
  await expect(tab.matrix).toBeVisible();
  // drift and access open, compare and reproduce a click away
  const defaults = [
    ['Drift', true],
    ['Compare', false],
    ['Reproduce', false],
    ['Access', true],
  ] as const;
  // the choice is remembered per user on the backend (user settings), and
  // earlier journeys open sections as Guest: back to the defaults first (the
  // defaults themselves are covered by Sections.test.tsx)
  for (const [name, open] of defaults) {
    const button = page.getByRole('button', { name, exact: true });
    if ((await button.getAttribute('aria-expanded')) !== String(open)) {
      await button.click();
    }
  }
  for (const [name, open] of defaults) {
    await expect(
      page.getByRole('button', { name, exact: true }),
    ).toHaveAttribute('aria-expanded', String(open));
  }
  await expect(tab.drift('Staging')).toBeVisible();
  await expect(page.getByText('Compare an endpoint')).toBeHidden();
  await expect(
    page.getByRole('button', { name: 'Request read-only access' }),
  ).toBeVisible();

  // 3,852 px before the sections (e2e/screenshots/parity-refresh.png),
  // 2,559 px after, Drift and Access open
  const height = await pageHeight(page);
  test.info().annotations.push({ type: 'height', description: `${height}` });
  expect(height).toBeLessThan(2_700);

  // closing is remembered, for this user, on the next visit
  await page.getByRole('button', { name: 'Drift', exact: true }).click();
  await expect(tab.drift('Staging')).toBeHidden();
  await page.reload();
  await expect(tab.matrix).toBeVisible();
  await expect(
    page.getByRole('button', { name: 'Drift', exact: true }),
  ).toHaveAttribute('aria-expanded', 'false');
  await expect(tab.drift('Staging')).toBeHidden();
  await expandSection(page, 'Drift');
  await expect(tab.drift('Staging')).toBeVisible();

  // a link in the navigation opens its section, and is a deep link
  await nav.getByRole('link', { name: 'Reproduce' }).click();
  await expect(page).toHaveURL(/\/parity#reproduce$/);
  await expect(page.getByText('Reproduce production')).toBeInViewport();
});

test('a deep link opens its section and scrolls to it', async ({ page }) => {
  await openParityTab(page, 'payments-api');
  const url = page.url();
  await page.goto(`${url}#compare`);

  const compare = page.getByRole('button', { name: 'Compare', exact: true });
  await expect(compare).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByText('Compare an endpoint')).toBeInViewport();
  await expect(page.getByRole('form', { name: 'Probe' })).toBeVisible();
  // scrolled: the summary is above the window
  await expect(
    page.getByRole('navigation', { name: 'Parity sections' }),
  ).not.toBeInViewport();

  await saveScreenshot(page, 'parity-deep-link', { viewportOnly: true });
});

test('at 768 px one card per environment, nothing crushed', async ({
  page,
}) => {
  // the catalog's filters need a wide window: open the tab, then narrow it
  await openParityTab(page, 'pricing-engine');
  await page.setViewportSize({ width: 768, height: 1000 });

  // no table: a card per environment, in promotion order
  const cards = page.getByRole('list', { name: 'Environments' });
  await expect(cards.getByRole('heading', { level: 3 })).toHaveText([
    ...ENVIRONMENTS.slice(0, -1),
    'Production',
  ]);
  await expect(page.getByRole('table', { name: 'Environments' })).toHaveCount(
    0,
  );
  // staging's error message spans its card, not one letter a line
  const staging = cards.getByRole('listitem').filter({
    has: page.getByRole('heading', { name: 'Staging', exact: true }),
  });
  const error = staging.getByText(/is not a valid digest/).first();
  await expect(error).toBeVisible();
  expect((await error.boundingBox())!.width).toBeGreaterThanOrEqual(200);

  // a secret's value hidden on one line; the drift table scrolls instead
  await page.setViewportSize({ width: 1400, height: 1000 });
  const payments = await openParityTab(page, 'payments-api');
  await page.setViewportSize({ width: 768, height: 1000 });
  const hidden = payments
    .drift('Staging')
    .getByText('value hidden (secret)')
    .first();
  await expect(hidden).toBeVisible();
  expect(
    await hidden.evaluate(el => el.getClientRects().length),
    '"value hidden (secret)" wraps',
  ).toBe(1);
  const region = page.getByRole('region', {
    name: 'Drift of Staging, scrolls sideways',
  });
  await expect(region).toHaveAttribute('tabindex', '0');
  await region.focus();
  await page.keyboard.press('End');

  await saveScreenshot(page, 'parity-narrow');
});

test('at 1,024 px verdict chips wrap rather than being cut', async ({
  page,
}) => {
  const tab = await openParityTab(page, 'payments-api');
  await page.setViewportSize({ width: 1024, height: 900 });
  await expect(tab.matrix).toBeVisible();
  // "same build, configuration differs" once the clusters have been read
  await expect(
    tab.matrixCell('Parity', 'Staging').locator('[data-verdict]'),
  ).toBeVisible();

  const clipped = await page.locator('[data-verdict]').evaluateAll(chips =>
    chips
      .map(chip => chip.querySelector('.MuiChip-label') as HTMLElement)
      .filter(label => label.scrollWidth > label.clientWidth)
      .map(label => label.textContent),
  );
  expect(clipped).toEqual([]);
  // the table scrolls in a region the keyboard reaches
  await expect(
    page.getByRole('region', { name: 'Environments table, scrolls sideways' }),
  ).toHaveAttribute('tabindex', '0');
});
