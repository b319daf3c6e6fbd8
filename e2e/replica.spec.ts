/*
 * Production on demand: Guest launches a private, expiring replica of
 * payments-api from the Reproduce production card. The backend creates, in
 * the demo's fake sandbox cluster (scripts/demo-environments.js, writable,
 * pods ready a few seconds after creation), a namespace with production's
 * workloads pinned to the digests production's pods run, a quota, a
 * default-deny egress policy and configuration by policy (Secret keys
 * created empty). The sweep (every 2 s in the suite) observes the pods ready
 * on production's digests: the replica is `ready`, shows how to reach it and
 * what configuration came from where, and appears on the matrix as one more
 * environment whose verdict, from the one report path, is in sync with
 * production. Guest deletes it and the column goes away.
 */
import { expect, Locator, Page, test } from '@playwright/test';
import { expandSection, openParityTab, parityTab } from './support/parity';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';

const SERVICE = 'payments-api';

test.setTimeout(4 * 60_000);

function panel(page: Page): Locator {
  return page.getByRole('region', { name: 'Production replicas' });
}

/** Replicas a failed earlier run left active are deleted first. */
async function deleteLeftovers(page: Page) {
  const active = panel(page).locator(
    'li[data-status="creating"], li[data-status="ready"], li[data-status="failed"]',
  );
  while ((await active.count()) > 0) {
    const item = active.first();
    await item.getByRole('button', { name: /^Delete / }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete the replica?' });
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect(dialog).toBeHidden();
  }
}

test('Guest launches a replica of production, sees it ready and in sync, and deletes it', async ({
  page,
}) => {
  await signIn(page, 'guest');
  const tab = await openParityTab(page, SERVICE);
  await expandSection(page, 'Reproduce');
  await expect(panel(page)).toBeVisible();
  await deleteLeftovers(page);
  const columnsBefore = await tab.matrix.getByRole('columnheader').count();

  // launch: a reason is required, the lifetime defaults to four hours
  await panel(page)
    .getByRole('button', { name: 'Launch a production replica' })
    .click();
  const dialog = page.getByRole('dialog', {
    name: 'Launch a production replica',
  });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('combobox', { name: 'Lifetime' })).toHaveText(
    /4 hours/,
  );
  await dialog
    .getByRole('textbox', { name: /Reason/ })
    .fill('INC-4711: does the refund rounding bug happen on production code?');
  await dialog.getByRole('button', { name: 'Launch replica' }).click();
  await expect(dialog).toBeHidden();

  // creating, then ready once every pod runs production's digests
  const item = panel(page).locator('li[data-replica]').first();
  await expect(item).toHaveAttribute('data-status', /creating|ready/);
  await expect(item).toHaveAttribute('data-status', 'ready', {
    timeout: 90_000,
  });
  const namespace = (await item.getAttribute('aria-label'))!.replace(
    'Replica in ',
    '',
  );
  expect(namespace).toMatch(/^envp-payments-api-[0-9a-f]{8}$/);
  await expect(item.getByText('ready', { exact: true })).toBeVisible();
  await expect(
    item.getByText(new RegExp(`port-forward svc/\\S+ \\d+:\\d+`)).first(),
  ).toContainText(`-n ${namespace}`);

  // what was copied from where, by key name: no Secret value of production
  const config = item.getByRole('table');
  await expect(config).toContainText('DATABASE_URL');
  await expect(config).toContainText(/to provide/i);

  // one more environment on the matrix, in sync with production
  const chip = page.locator('[data-replica-environment]').first();
  await expect(chip).toBeVisible({ timeout: 30_000 });
  await expect(chip).toContainText(/Replica · guest's · expires/);
  const column = await chip.getAttribute('data-replica-environment');
  expect(column).toMatch(/^replica-[0-9a-f]{8}$/);
  await expect(tab.matrix.getByRole('columnheader')).toHaveCount(
    columnsBefore + 1,
  );
  const parityRow = tab.matrixRow('Parity');
  await expect(parityRow.getByRole('cell').last()).toContainText(/in sync/i, {
    timeout: 30_000,
  });
  await saveScreenshot(page, 'replica');

  // deleted early: the namespace goes, and so does the column
  await item.getByRole('button', { name: `Delete ${namespace}` }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete the replica?' });
  await expect(confirm).toContainText(namespace);
  await confirm.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(confirm).toBeHidden();
  await expect(
    panel(page).locator(`li[aria-label="Replica in ${namespace}"]`),
  ).toHaveAttribute('data-status', 'deleted');
  await expect(page.locator('[data-replica-environment]')).toHaveCount(0, {
    timeout: 30_000,
  });
  await expect(tab.matrix.getByRole('columnheader')).toHaveCount(columnsBefore);
});
