import { expect, Page } from '@playwright/test';
import { openEntityTab, openFromCatalog } from './catalog';

/** The demo's environments (app-config.yaml), in promotion order. */
export const ENVIRONMENTS = [
  'Development',
  'Staging',
  'Pre-production',
  'Production',
] as const;

export const REFERENCE = 'Production';

/** catalog → the component → its Parity tab, loaded. */
export async function openParityTab(page: Page, component: string) {
  await openFromCatalog(page, component);
  await openEntityTab(page, 'Parity');
  await expect(page).toHaveURL(/\/parity$/);
  const tab = parityTab(page);
  await expect(tab.freshness).toBeVisible();
  return tab;
}

/** Locators of the Parity tab (plugins/env-parity EnvParityContent). */
export function parityTab(page: Page) {
  const matrix = page.getByRole('table', { name: 'Environments' });
  return {
    /** "observed 3 min ago" (or "computed …" without any observation). */
    freshness: page.getByText(/^(observed|computed) /),
    refreshButton: page.getByRole('button', { name: /^Refresh/ }),
    /** The summary sentence, e.g. "Production runs 1.4.2 (abc1234). …". */
    summary: page
      .getByRole('paragraph')
      .filter({ hasText: new RegExp(`^${REFERENCE} runs `) })
      // the first on the page; the Reproduce card's "Production runs with …" follows
      .first(),
    matrix,
    /** One row of the matrix, by its label: Status, Parity, Version, … */
    matrixRow: (label: string) =>
      matrix.getByRole('row').filter({
        has: page.getByRole('cell', { name: label, exact: true }),
      }),
    /** The cell of a matrix row in one environment's column. */
    matrixCell: (label: string, environment: string) =>
      matrix
        .getByRole('row')
        .filter({ has: page.getByRole('cell', { name: label, exact: true }) })
        .getByRole('cell')
        .nth(ENVIRONMENTS.indexOf(environment as never) + 1),
    /** One environment's section of the "Drift from Production" list. */
    drift: (environment: string) =>
      page.getByRole('region', {
        name: `${environment} compared with ${REFERENCE}`,
      }),
    /** A verdict chip (VerdictChip) inside some part of the page. */
    verdictChips: page.locator('[data-verdict]'),
  };
}

/**
 * Opens a section of the Parity tab (Drift, Compare, Reproduce, Access),
 * closed or open as the user left it: its heading's button says which
 * (`aria-expanded`). Returns the section's content region.
 */
export async function expandSection(page: Page, name: string) {
  const toggle = page.getByRole('button', { name, exact: true });
  await expect(toggle).toBeVisible();
  if ((await toggle.getAttribute('aria-expanded')) === 'false') {
    await toggle.click();
  }
  await expect(toggle).toHaveAttribute('aria-expanded', 'true');
  return page.locator(`[id="${await toggle.getAttribute('aria-controls')}"]`);
}
