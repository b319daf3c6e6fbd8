/*
 * The Parity tab from the keyboard alone (Tab, Shift+Tab, Enter, Space; no
 * mouse): refresh, request read-only access, compare an endpoint, copy a
 * command; at each step the focus shows and lands where the user expects
 * it. The guest (payments-team) on payments-api. Signing in, and clearing
 * what an earlier run left, are not part of the journey.
 */
import { expect, test } from '@playwright/test';
import { accessCard, clearCurrentRequests } from './support/access';
import { expandSection, openParityTab, parityTab } from './support/parity';
import {
  describeFocus,
  expectFocusVisible,
  expectFocusWithin,
  isFocused,
  tabTo,
} from './support/keyboard';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';

const SERVICE = 'payments-api';

/** Checks after which the journey goes on, failing the test at its end. */
const softExpect = expect.configure({ soft: true });

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('refresh, request access, compare an endpoint and copy a command with the keyboard alone', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signIn(page, 'guest');
  await openParityTab(page, SERVICE);
  await clearCurrentRequests(page);
  // start from the top of the page, as after opening it
  await page.reload();
  const tab = parityTab(page);
  await expect(tab.freshness).toBeVisible();
  await page.locator('body').focus();

  // --- refresh --------------------------------------------------------------
  await tabTo(page, tab.refreshButton);
  await expectFocusVisible(tab.refreshButton);
  const refreshed = page.waitForResponse(
    r => r.url().endsWith('/refresh') && r.request().method() === 'POST',
  );
  await page.keyboard.press('Enter');
  expect((await refreshed).ok()).toBe(true);
  await expect(tab.refreshButton).toHaveText('Refresh');
  // the focus stays on the button (not lost to the page while it was busy);
  // soft: the journey goes on from wherever the focus is
  await softExpect
    .poll(() => isFocused(tab.refreshButton), {
      message: 'the focus stays on Refresh',
    })
    .toBe(true);

  // --- request read-only access ---------------------------------------------
  const card = accessCard(page);
  await tabTo(page, card.requestButton);
  await expectFocusVisible(card.requestButton);
  await page.keyboard.press('Enter');
  await expect(card.form).toBeVisible();
  const dialog = page.getByRole('dialog');
  // the focus moves into the dialog, and stays there
  await expectFocusWithin(page, dialog);
  const reason = card.form.getByRole('textbox', { name: 'Reason' });
  await tabTo(page, reason, { max: 20 });
  await expectFocusVisible(reason);
  await page.keyboard.type('Checking the refunds incident (keyboard e2e)');
  // Shift+Tab back to the environment, then forward to the submit button
  const environment = card.form.getByRole('combobox', {
    name: 'Environment',
  });
  await tabTo(page, environment, { backwards: true, max: 20 });
  await expectFocusWithin(page, dialog);
  const submit = card.form.getByRole('button', { name: 'Request access' });
  await tabTo(page, submit, { max: 20 });
  await expectFocusVisible(submit);
  await page.keyboard.press('Enter');
  await expect(card.form).toBeHidden();
  const request = card.current('Production');
  await expect(request).toBeVisible();
  await expect(request.locator('[data-status]')).toHaveText('pending');
  // the focus lands on what the request became, not on the page's body
  await softExpect
    .poll(() => describeFocus(page), {
      message: 'the focus lands on the new request after the dialog closes',
    })
    .not.toBe('nothing (the page body)');

  // --- compare an endpoint ----------------------------------------------------
  const compare = page.getByRole('button', { name: 'Compare', exact: true });
  await tabTo(page, compare);
  await expectFocusVisible(compare);
  if ((await compare.getAttribute('aria-expanded')) === 'false') {
    await page.keyboard.press('Enter');
  }
  await expect(compare).toHaveAttribute('aria-expanded', 'true');
  const probe = page.getByRole('form', { name: 'Probe' });
  const path = probe.getByRole('textbox', { name: 'Path' });
  await tabTo(page, path, { max: 20 });
  await expectFocusVisible(path);
  await page.keyboard.type('/api/config');
  const run = probe.getByRole('button', { name: 'Run', exact: true });
  await tabTo(page, run, { max: 10 });
  await expectFocusVisible(run);
  await page.keyboard.press('Space');
  const staging = page.getByRole('region', {
    name: 'Staging answer',
    exact: true,
  });
  await expect(staging).toBeVisible();
  await expect(
    staging.getByText('Differs from Production', { exact: false }),
  ).toBeVisible();

  // --- copy a command ---------------------------------------------------------
  const reproduce = page.getByRole('button', {
    name: 'Reproduce',
    exact: true,
  });
  await tabTo(page, reproduce);
  await expectFocusVisible(reproduce);
  if ((await reproduce.getAttribute('aria-expanded')) === 'false') {
    await page.keyboard.press('Space');
  }
  await expect(reproduce).toHaveAttribute('aria-expanded', 'true');
  const copy = page.getByRole('button', {
    name: "Copy: Pull Production's image",
  });
  await tabTo(page, copy, { max: 40 });
  await expectFocusVisible(copy);
  await page.keyboard.press('Enter');
  await expect
    .poll(() => page.evaluate(() => navigator.clipboard.readText()))
    .toMatch(/^docker pull ghcr\.io\/acme\/payments-api(:[\w.-]+)?@sha256:/);
  // copying keeps the focus where it was
  expect(await isFocused(copy)).toBe(true);
  await saveScreenshot(page, 'keyboard-journey');

  // --- leave nothing behind (not part of the journey) ------------------------
  await clearCurrentRequests(page);
});
