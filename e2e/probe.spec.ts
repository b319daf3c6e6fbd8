/*
 * "Compare an endpoint" on the Parity tab: the same GET to every environment
 * of payments-api, side by side, production (the reference) first, with what
 * differs from production called out; fields expected to differ (the
 * build time of /version, named by the entity's env-parity/probe-ignore
 * annotation) listed as ignored; and a path that tries to leave the
 * service's URL is refused. The demo environments
 * (scripts/demo-environments.js) answer /api/config with a configuration
 * that differs between production-like environments and the others, and
 * /version with the same build everywhere, built at different times.
 */
import { expect, Page, test } from '@playwright/test';
import {
  ENVIRONMENTS,
  expandSection,
  openParityTab,
  REFERENCE,
} from './support/parity';
import { expectNoSeriousA11yViolations } from './support/axe';
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
  // the tab's "Compare" section starts closed
  await expandSection(page, 'Compare');
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

test('at 1,280 px production comes first and every answer is on screen; the build time is ignored as expected', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const probe = probeCard(page);
  await probe.path.fill('/version');
  await probe.run.click();

  const answers = page.getByRole('region', { name: / answer$/ });
  await expect(answers).toHaveCount(ENVIRONMENTS.length);
  // the reference first, though the environments come in promotion order
  await expect(answers.first()).toHaveAccessibleName(`${REFERENCE} answer`);
  // none starts or ends off-screen: they wrap instead of scrolling sideways
  // (boxes measured without scrolling in between, so comparable)
  const boxes = await Promise.all(
    ENVIRONMENTS.map(async e => (await probe.answer(e).boundingBox())!),
  );
  const reference = boxes[ENVIRONMENTS.indexOf(REFERENCE)];
  for (const box of boxes) {
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(1280);
    // the reference on the first row, at its start
    expect(box.y).toBeGreaterThanOrEqual(reference.y);
    expect(box.x).toBeGreaterThanOrEqual(reference.x);
  }
  expect(
    await page.evaluate(
      () => document.documentElement.scrollWidth <= window.innerWidth,
    ),
  ).toBe(true);

  // the same build everywhere: the build time alone differs, and is
  // expected to (env-parity/probe-ignore: $.build.time)
  for (const environment of ENVIRONMENTS.filter(e => e !== REFERENCE)) {
    const answer = probe.answer(environment);
    await expect(
      answer.getByText(`Same as ${REFERENCE}`, { exact: true }),
    ).toBeVisible();
    await expect(
      answer.getByText('1 difference ignored (expected to differ):'),
    ).toBeVisible();
    await expect(
      answer.getByRole('list', {
        name: `Ignored differences from ${REFERENCE}`,
      }),
    ).toContainText('$.build.time');
    await expect(
      answer
        .getByLabel(`${environment} body`, { exact: true })
        .locator('[data-differs]'),
    ).toHaveCount(0);
  }
  await expect(
    probe.answer(REFERENCE).getByTestId('probe-ignored'),
  ).toHaveCount(0);

  // the section, answers shown, passes axe: labelled inputs, no nested
  // controls, scrollable bodies reachable by keyboard
  await expectNoSeriousA11yViolations(page, {
    include: '[data-env-parity-section="probe"]',
    label: 'Compare an endpoint',
  });

  await saveScreenshot(page, 'probe-ignored');
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
