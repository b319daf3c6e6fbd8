/*
 * The Env Parity scorecard (sidebar "Env Parity"): every tracked service's
 * parity with production in one table, with summary tiles, filters, sorting,
 * a team roll-up that links to the filtered table, and a CSV export.
 */
import { expect, Locator, Page, test } from '@playwright/test';
import fs from 'node:fs/promises';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';

function scorecard(page: Page) {
  const services = page.getByRole('table', { name: 'Services', exact: true });
  return {
    tile: (title: string) =>
      page.getByRole('group', { name: title, exact: true }),
    filters: page.getByRole('search', { name: 'Filter services' }),
    services,
    rows: services.locator('tbody tr'),
    rollup: page.getByRole('table', { name: 'Team roll-up', exact: true }),
  };
}

/** The texts of one column of a table's body, by its header's title. */
async function columnTexts(table: Locator, title: string) {
  const headers = (await table.locator('thead th').allInnerTexts()).map(t =>
    t.trim(),
  );
  const index = headers.findIndex(h => h.startsWith(title));
  expect(
    index,
    `no column "${title}" in ${headers.join(', ')}`,
  ).toBeGreaterThan(-1);
  return (
    await table
      .locator('tbody tr')
      .locator(`> :nth-child(${index + 1})`)
      .allInnerTexts()
  ).map(t => t.trim());
}

test.beforeEach(async ({ page }) => {
  await signIn(page, 'guest');
  await page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Env Parity' })
    .click();
  await expect(page).toHaveURL(/\/env-parity(\?|$)/);
});

test('tiles, filters, sorting, the team roll-up and the export', async ({
  page,
}) => {
  const card = scorecard(page);

  // the tiles show numbers
  await expect(card.tile('Services tracked')).toContainText(/\d/);
  await expect(card.tile('In parity')).toContainText(/\d/);
  await expect(card.services).toBeVisible();
  await expect(card.rows.first()).toBeVisible();
  const all = await card.rows.count();
  expect(all).toBeGreaterThan(1);

  // filter by verdict: only services in sync remain
  const verdict = card.filters.getByRole('textbox', { name: 'Verdict' });
  await verdict.click();
  await page.getByRole('option', { name: 'in sync', exact: true }).click();
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(/verdict=/);
  await expect(card.services).toHaveAttribute('aria-busy', 'false');
  await expect(async () => {
    const count = await card.rows.count();
    expect(count).toBeGreaterThan(0);
    expect(count).toBeLessThan(all);
  }).toPass();
  for (const row of await card.rows.all()) {
    await expect(row.locator('[data-verdict]').first()).toHaveAttribute(
      'data-verdict',
      'in-sync',
    );
  }
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(page).not.toHaveURL(/verdict=/);
  await expect(card.rows).toHaveCount(all);

  // sort by score, both ways (the table's default order is by score too)
  const scoreHeader = card.services.getByRole('columnheader', {
    name: 'Score',
  });
  const scoresAreSorted = async () => {
    await expect(card.services).toHaveAttribute('aria-busy', 'false');
    await expect(async () => {
      const direction = await scoreHeader.getAttribute('aria-sort');
      expect(direction).toMatch(/^(ascending|descending)$/);
      const scores = (await columnTexts(card.services, 'Score'))
        .map(t => Number.parseFloat(t))
        .filter(n => !Number.isNaN(n));
      expect(scores.length).toBeGreaterThan(1);
      expect(scores).toEqual(
        [...scores].sort((a, b) => (direction === 'ascending' ? a - b : b - a)),
      );
    }).toPass();
    return scoreHeader.getAttribute('aria-sort');
  };
  await scoreHeader.getByRole('button').click();
  const first = await scoresAreSorted();
  await scoreHeader.getByRole('button').click();
  await expect(scoreHeader).not.toHaveAttribute('aria-sort', first!);
  await scoresAreSorted();

  // the trend: the demo's made-up history gives it many days
  const trend = page.getByRole('table', { name: 'Trend per day' });
  await expect(async () => {
    expect(await trend.locator('tbody tr').count()).toBeGreaterThan(30);
  }).toPass();

  await saveScreenshot(page, 'scorecard');

  // paging, server side: three rows a page
  await page.goto('/env-parity?pageSize=3');
  await expect(card.services).toHaveAttribute('aria-busy', 'false');
  await expect(card.rows).toHaveCount(3);
  const firstPage = await card.rows.allInnerTexts();
  await expect(page.getByText(`1-3 of ${all}`)).toBeVisible();
  await page.getByRole('button', { name: 'Next page' }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByText(`4-6 of ${all}`)).toBeVisible();
  await expect(card.services).toHaveAttribute('aria-busy', 'false');
  expect(await card.rows.allInnerTexts()).not.toEqual(firstPage);
  await page.goBack();
  await expect(page.getByText(`1-3 of ${all}`)).toBeVisible();

  // a team of the roll-up leads to the table filtered by that team
  const team = card.rollup.locator('a[title^="Show the services of "]').first();
  await team.click();
  await expect(page).toHaveURL(/owner=/);
  await expect(card.services).toHaveAttribute('aria-busy', 'false');
  await expect(async () => {
    const owners = await columnTexts(card.services, 'Owner');
    expect(owners.length).toBeGreaterThan(0);
    expect(owners.length).toBeLessThan(all);
    // every row is the team's
    expect(new Set(owners).size).toBe(1);
  }).toPass();

  // the export: a CSV of the table, with its header row
  const downloading = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export CSV' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('env-parity-scorecard.csv');
  const csv = await fs.readFile((await download.path())!, 'utf8');
  const [header, ...lines] = csv
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/);
  expect(header.split(',')).toEqual([
    'entity_ref',
    'title',
    'owner',
    'system',
    'kind',
    'lifecycle',
    'reference_environment',
    'reference_version',
    'compared_environment',
    'compared_version',
    'verdict',
    'score',
    'commits_ahead',
    'commits_behind',
    'drift_since',
    'drift_age_days',
    'last_observed_at',
    'observation_failed',
    'unknown_reason',
  ]);
  expect(lines[0]).toMatch(/^"?component:/);
  expect(lines.length).toBeGreaterThan(0);
});

/** The row of a service in the services table, by its link. */
function serviceRow(page: Page, name: string) {
  return scorecard(page).rows.filter({
    has: page.getByRole('link', { name, exact: true }),
  });
}

/**
 * The demo's collector writes the scorecard after each pass (every 30 s in
 * the e2e config): reload until a service shows the expected verdict.
 */
async function expectVerdict(page: Page, name: string, verdict: string) {
  await expect(async () => {
    const chip = serviceRow(page, name).locator('[data-verdict]').first();
    try {
      await expect(chip).toHaveAttribute('data-verdict', verdict, {
        timeout: 5_000,
      });
    } catch (error) {
      await page.reload();
      throw error;
    }
  }, `${name} is not ${verdict} on the scorecard`).toPass({ timeout: 90_000 });
}

test("staging against production: payments-api's configuration drift and search-indexer's rebuilt tag", async ({
  page,
}) => {
  const card = scorecard(page);
  const environment = page.getByRole('combobox', { name: 'Environment' });
  await expect(environment).toBeVisible();

  await environment.selectOption({ label: 'Staging' });
  await expect(page).toHaveURL(/environment=staging/);
  await expect(
    page.getByRole('heading', { name: 'Staging vs Production' }),
  ).toBeVisible();
  await expect(
    card.services.getByRole('columnheader', { name: 'Staging version' }),
  ).toBeVisible();

  await expectVerdict(page, 'payments-api', 'config-drift');
  await expectVerdict(page, 'search-indexer', 'tag-mismatch');
  // the tile counts staging's rebuilt tag
  await expect(
    card.tile('Tag mismatch').getByRole('paragraph').first(),
  ).toHaveText(/^[1-9]\d*$/);

  // the view is in the URL: a reload shows staging again
  await page.reload();
  await expect(environment).toHaveValue('staging');
  await expect(
    page.getByRole('heading', { name: 'Staging vs Production' }),
  ).toBeVisible();
  await expectVerdict(page, 'payments-api', 'config-drift');

  await saveScreenshot(page, 'scorecard-staging');

  // a service opens its Parity tab
  await serviceRow(page, 'payments-api')
    .getByRole('link', { name: 'payments-api', exact: true })
    .click();
  await expect(page).toHaveURL(
    /\/catalog\/default\/component\/payments-api\/parity$/,
  );
  await expect(
    page.getByRole('heading', { name: 'payments-api', exact: true, level: 2 }),
  ).toBeVisible();
});

test("the worst environment view names each service's worst environment", async ({
  page,
}) => {
  const card = scorecard(page);
  const environment = page.getByRole('combobox', { name: 'Environment' });
  await environment.selectOption({ label: 'Worst environment' });
  await expect(page).toHaveURL(/environment=worst/);
  await expect(
    page.getByRole('heading', { name: 'Worst environment vs Production' }),
  ).toBeVisible();

  // payments-api is in sync everywhere but in staging
  await expectVerdict(page, 'payments-api', 'config-drift');
  await expect(card.services).toHaveAttribute('aria-busy', 'false');
  const services = await columnTexts(card.services, 'Service');
  const worst = await columnTexts(card.services, 'Worst environment');
  const index = services.findIndex(s => s.startsWith('payments-api'));
  expect(index, `payments-api in ${services.join(', ')}`).toBeGreaterThan(-1);
  expect(worst[index]).toBe('Staging');
  // every row names one of the demo's non-reference environments
  for (const name of worst) {
    expect(['Development', 'Staging', 'Pre-production']).toContain(name);
  }

  await saveScreenshot(page, 'scorecard-worst');
});

test('unknown is not bad parity: no score, the reason, apart from every ranking', async ({
  page,
}) => {
  const card = scorecard(page);
  // the default view (pre-production), by score, worst first
  await expectVerdict(page, 'notifications-worker', 'unknown');
  await expect(card.services).toHaveAttribute('aria-busy', 'false');

  // deployed neither to pre-production nor to production: no score, why,
  // and still observed when the rest of it was (as its Parity tab says)
  await expect(serviceRow(page, 'notifications-worker')).toContainText(
    'not deployed to Pre-production or Production',
  );
  const services = await columnTexts(card.services, 'Service');
  const scores = await columnTexts(card.services, 'Score');
  const observed = await columnTexts(card.services, 'Last observed');
  const verdicts = await card.rows
    .locator('[data-verdict]')
    .evaluateAll(chips =>
      chips.map(chip => chip.getAttribute('data-verdict') ?? ''),
    );
  const worker = services.findIndex(s => s.startsWith('notifications-worker'));
  expect(scores[worker]).toBe('—');
  expect(observed[worker]).not.toBe('never');
  // worst first, the unknown after every known score (not as the worst)
  const firstUnknown = verdicts.indexOf('unknown');
  expect(firstUnknown, verdicts.join(', ')).toBeGreaterThan(0);
  expect(verdicts.slice(firstUnknown).every(v => v === 'unknown')).toBe(true);
  expect(scores.slice(firstUnknown).every(s => s === '—')).toBe(true);

  // the tiles count them apart
  await expect(card.tile('Unknown').getByRole('paragraph').first()).toHaveText(
    /^[1-9]\d*$/,
  );

  // the roll-up: Platform (only notifications-worker, unknown) has no
  // average and comes after every team with a known verdict
  const teams = await columnTexts(card.rollup, 'Owner');
  const averages = await columnTexts(card.rollup, 'Average score');
  const platform = teams.indexOf('Platform');
  expect(platform, `Platform in ${teams.join(', ')}`).toBeGreaterThan(0);
  expect(averages[platform]).toBe('no known verdict');
  expect(
    averages.slice(0, platform).every(a => /^\d+$/.test(a)),
    averages.join(', '),
  ).toBe(true);

  // in staging: never deployed to production; pricing-engine's staging
  // cannot be read
  const environment = page.getByRole('combobox', { name: 'Environment' });
  await environment.selectOption({ label: 'Staging' });
  await expect(page).toHaveURL(/environment=staging/);
  await expectVerdict(page, 'notifications-worker', 'unknown');
  await expect(serviceRow(page, 'notifications-worker')).toContainText(
    'not deployed to Production',
  );
  await expectVerdict(page, 'pricing-engine', 'unknown');
  await expect(serviceRow(page, 'pricing-engine')).toContainText(
    'no provider could read Staging',
  );
});

test('fits 1,024 px: Verdict and Score on screen, a keyboard-scrollable table below', async ({
  page,
}) => {
  const card = scorecard(page);
  await page.setViewportSize({ width: 1024, height: 800 });
  // the default view, and the worst environment view with its extra column
  for (const view of ['/env-parity', '/env-parity?environment=worst']) {
    await page.goto(view);
    await expect(card.services).toHaveAttribute('aria-busy', 'false');
    await expect(card.rows.first()).toBeVisible();
    for (const name of ['Verdict', 'Score', 'Last observed']) {
      const header = card.services.getByRole('columnheader', { name });
      const box = (await header.boundingBox())!;
      expect(box, `${name} in ${view}`).not.toBeNull();
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(
        box.x + box.width,
        `${name} ends within 1,024 px in ${view}`,
      ).toBeLessThanOrEqual(1024);
    }
    // no sideways scroll of the page itself
    expect(
      await page.evaluate(
        () => document.documentElement.scrollWidth <= window.innerWidth,
      ),
    ).toBe(true);
  }
  await saveScreenshot(page, 'scorecard-1024');

  // narrower: the table scrolls inside a region the keyboard can reach
  await page.setViewportSize({ width: 700, height: 800 });
  const region = page.getByRole('region', { name: 'Services, scrollable' });
  await expect(region).toHaveAttribute('tabindex', '0');
  await expect
    .poll(() => region.evaluate(e => e.scrollWidth > e.clientWidth))
    .toBe(true);
  await region.focus();
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await expect
    .poll(() => region.evaluate(e => e.scrollLeft))
    .toBeGreaterThan(0);
});
