import AxeBuilder from '@axe-core/playwright';
import { expect, Locator, Page, test } from '@playwright/test';

/**
 * What is never the plugin's: Backstage's sidebar (the app's navigation,
 * `<nav aria-label="sidebar nav">`), and the sidebar's pinned-state overlay.
 */
export const OUTSIDE_THE_PLUGIN = ['nav[aria-label="sidebar nav"]'];

/** The impacts that fail a check; minor and moderate ones are only listed. */
const FAILING_IMPACTS = ['serious', 'critical'];

/**
 * Rules axe leaves off by default that the plugin is held to:
 * `label-content-name-mismatch` (a button whose accessible name does not
 * contain its visible text, WCAG 2.5.3) is "experimental" in axe 4.x.
 */
const EXTRA_RULES = ['label-content-name-mismatch'];

export type A11yCheckOptions = {
  /**
   * The plugin's markup to check: CSS selectors, e.g. `'[role="dialog"]'`
   * for an open dialog, or locators (e.g. one card among the catalog's). By
   * default the whole page but {@link OUTSIDE_THE_PLUGIN}.
   */
  include?: Target | Target[];
  /** More selectors to leave out, on top of {@link OUTSIDE_THE_PLUGIN}. */
  exclude?: string | string[];
  /** Names the check in the failure message, e.g. "scorecard (dark)". */
  label?: string;
  /**
   * `expect.soft`: the test goes on (checking other pages or dialogs) and
   * fails at its end, listing every check that failed.
   */
  soft?: boolean;
};

type Target = string | Locator;

type AxeResults = Awaited<ReturnType<AxeBuilder['analyze']>>;
type AxeViolation = AxeResults['violations'][number];

/**
 * Runs axe-core (WCAG 2.x A/AA and best practices, plus
 * `label-content-name-mismatch`) on the page as it is now, limited to the
 * plugin's markup, and fails on every serious or critical violation with one
 * line per element: impact, rule, element (CSS target), what to fix. Minor
 * and moderate violations are attached to the report as an annotation,
 * without failing. Wait for the content under test to show before calling
 * it: axe checks only what is rendered.
 *
 * ```ts
 * await expectNoSeriousA11yViolations(page); // the page but the sidebar
 * await expectNoSeriousA11yViolations(page, { include: '[role="dialog"]' });
 * ```
 */
export async function expectNoSeriousA11yViolations(
  page: Page,
  options: A11yCheckOptions = {},
) {
  const results = await analyze(page, options);
  const failing = results.violations.filter(v =>
    FAILING_IMPACTS.includes(v.impact ?? ''),
  );
  const other = results.violations.filter(
    v => !FAILING_IMPACTS.includes(v.impact ?? ''),
  );
  if (other.length > 0) {
    test.info().annotations.push({
      type: 'a11y (minor/moderate)',
      description: `${options.label ?? page.url()}\n${formatViolations(other)}`,
    });
  }
  (options.soft ? expect.soft : expect)(
    failing.length === 0 ? '' : formatViolations(failing),
    `axe-core: serious or critical accessibility violations on ${
      options.label ?? page.url()
    }`,
  ).toBe('');
}

/** The raw axe results of the same check, for journeys that need them. */
export async function analyze(page: Page, options: A11yCheckOptions = {}) {
  await page.evaluate(() =>
    document
      .querySelectorAll('[data-a11y-check]')
      .forEach(e => e.removeAttribute('data-a11y-check')),
  );
  let builder = new AxeBuilder({ page }).options({
    rules: Object.fromEntries(
      EXTRA_RULES.map(rule => [rule, { enabled: true }]),
    ),
  });
  for (const [index, target] of toArray(options.include).entries()) {
    builder = builder.include(await toSelector(target, index));
  }
  for (const selector of [...OUTSIDE_THE_PLUGIN, ...toArray(options.exclude)]) {
    builder = builder.exclude(selector);
  }
  return builder.analyze();
}

/**
 * One line per violating element:
 * `[serious] color-contrast — Elements must meet minimum color contrast
 * ratio thresholds (3) at .MuiTypography-caption: Fix any of the
 * following: Element has insufficient color contrast of 3.2 …`.
 */
export function formatViolations(violations: AxeViolation[]) {
  return violations
    .flatMap(violation =>
      violation.nodes.map(
        node =>
          `[${violation.impact}] ${violation.id} — ${violation.help}\n` +
          `    at ${node.target.join(' ')}\n` +
          `    ${(node.failureSummary ?? '')
            .split('\n')
            .map(line => line.trim())
            .filter(Boolean)
            .join(' ')}\n` +
          `    html: ${node.html.slice(0, 200)}`,
      ),
    )
    .join('\n');
}

/** A locator's elements, marked for the check (axe takes CSS selectors). */
async function toSelector(target: Target, index: number) {
  if (typeof target === 'string') {
    return target;
  }
  await expect(target.first()).toBeVisible();
  await target.evaluateAll(
    (elements, value) =>
      elements.forEach(e => e.setAttribute('data-a11y-check', value)),
    String(index),
  );
  return `[data-a11y-check="${index}"]`;
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}
