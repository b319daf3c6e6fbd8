import { expect, Page } from '@playwright/test';
import { REFERENCE } from './parity';

/** Locators of the Parity tab's Align section (plugins/env-parity AlignSection). */
export function alignSection(page: Page) {
  return {
    /** One environment's part of the section, by its title, e.g. "Staging". */
    environment: (title: string) =>
      page.getByRole('region', { name: `${title} alignment`, exact: true }),
    /** The dialog that asks to align an environment with production. */
    dialog: (title: string) =>
      page.getByRole('dialog', { name: `Align ${title} with ${REFERENCE}` }),
    /** The service's alignments. */
    history: page.getByRole('table', { name: 'Alignments of this service' }),
  };
}

/** "Align with production" in an environment's part of the Align section. */
export function alignButton(page: Page, title: string) {
  return alignSection(page)
    .environment(title)
    .getByRole('button', {
      name: `Align with ${REFERENCE.toLowerCase()}`,
      exact: true,
    });
}

/**
 * The demo environments server (scripts/demo-environments.js) of this run:
 * E2E_ENVIRONMENTS_PORT, as scripts/e2e-server.js starts it.
 */
export function demoEnvironmentsUrl(path: string) {
  const port = Number(process.env.E2E_ENVIRONMENTS_PORT || 7012);
  return `http://127.0.0.1:${port}${path}`;
}

/**
 * Reloads the page until `check` passes: what the tab shows changes with
 * the collections (every 30 s in the suite) and the alignment sweep, which
 * only a reload asks for again.
 */
export async function reloadUntil(
  page: Page,
  check: () => Promise<void>,
  options: { timeout: number; message: string },
) {
  await expect(async () => {
    try {
      await check();
    } catch (error) {
      await page.reload();
      throw error;
    }
  }, options.message).toPass({
    timeout: options.timeout,
    intervals: [5_000, 10_000],
  });
}
