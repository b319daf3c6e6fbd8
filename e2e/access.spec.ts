/*
 * Temporary read-only access, with two people in two browsers: the guest
 * (payments-team) asks for read-only access to payments-api in production
 * from its Parity tab; Alice (SRE, the owners of production) approves it
 * from the "Access requests" page, seeing the reason; the guest sees the
 * grant, its countdown and the command to use it
 * (envParity.access.instructions.production in app-config.yaml); Bob
 * (checkout-team, neither approver nor access admin) cannot see the request,
 * let alone revoke it; Alice (SRE, the demo's access admins) revokes it;
 * the request's page keeps the timeline.
 */
import { expect, test } from '@playwright/test';
import { accessCard, clearCurrentRequests } from './support/access';
import { openParityTab } from './support/parity';
import { saveScreenshot } from './support/screenshots';
import { signIn } from './support/signIn';

const SERVICE = 'payments-api';

test('a guest asks for read-only access, an SRE approves, Bob cannot see it, the SRE revokes', async ({
  page: guestPage,
  browser,
}) => {
  // a reason of this run only, to find this request among others
  const reason = `Checking whether refunds also fail in production (e2e ${Date.now()})`;

  // --- the guest asks, from the Parity tab ---------------------------------
  await signIn(guestPage, 'guest');
  await openParityTab(guestPage, SERVICE);
  const guest = accessCard(guestPage);
  await clearCurrentRequests(guestPage);

  await guest.requestButton.click();
  const form = guestPage.getByRole('form', {
    name: 'Request read-only access',
  });
  await expect(form).toBeVisible();
  // the defaults: production (the reference), and a duration
  const environment = form.getByRole('combobox', { name: 'Environment' });
  await expect(environment).toHaveValue('production');
  const duration = form.getByRole('combobox', { name: 'Duration' });
  await expect(duration).toHaveValue('60');
  await form.getByRole('textbox', { name: 'Reason' }).fill(reason);
  await form.getByRole('button', { name: 'Request access' }).click();
  await expect(form).toBeHidden();

  await expect(
    guestPage.getByText(
      `Requested read-only access to ${SERVICE} in Production. Members of sre have been notified.`,
    ),
  ).toBeVisible();
  const request = guest.current('Production');
  await expect(request.locator('[data-status]')).toHaveText('pending');
  await expect(request).toContainText('waiting for sre to approve');
  await expect(request.getByRole('timer')).toHaveText(
    /^awaiting approval, times out in /,
  );
  // the request's own page, for the timeline at the end
  const requestPage = await request
    .getByRole('link', { name: 'View request and timeline' })
    .getAttribute('href');
  expect(requestPage).toMatch(/\/access\/[^/]+$/);

  // --- Alice, SRE, approves from "Access requests" -------------------------
  const aliceContext = await browser.newContext();
  try {
    const alicePage = await aliceContext.newPage();
    await signIn(alicePage, 'alice');
    await alicePage
      .getByRole('navigation', { name: 'sidebar nav' })
      .getByRole('link', { name: 'Access requests' })
      .click();
    const tabs = alicePage.getByRole('tablist', { name: 'Access requests' });
    await tabs.getByRole('tab', { name: /^Waiting for my review/ }).click();
    const review = alicePage.getByRole('tabpanel', {
      name: 'Waiting for my review',
    });
    const row = review.getByRole('row').filter({ hasText: reason });
    await expect(row).toBeVisible();
    await expect(row).toContainText(SERVICE);
    await expect(row.locator('[data-status]')).toHaveText('pending');
    await row.getByRole('button', { name: 'Approve', exact: true }).click();

    const dialog = alicePage.getByRole('dialog', { name: 'Approve access' });
    await expect(dialog).toContainText(
      `guest gets 1 hour of read-only access to ${SERVICE} in production`,
    );
    // what Alice decides on, whole
    await expect(dialog.getByLabel('Reason', { exact: true })).toHaveText(
      reason,
    );
    await dialog
      .getByRole('textbox', { name: 'Comment (optional)' })
      .fill('Approved for the refunds incident; look, do not touch.');
    await dialog.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect(dialog).toBeHidden();
    await expect(
      alicePage.getByText(
        new RegExp(
          `^guest's read-only access to ${SERVICE} in production is now (approved|active)\\.$`,
        ),
      ),
    ).toBeVisible();

    // granted (the record-only provisioner grants at once, or nearly)
    await tabs.getByRole('tab', { name: /^Active grants/ }).click();
    const active = alicePage
      .getByRole('tabpanel', { name: 'Active grants' })
      .getByRole('row')
      .filter({ hasText: SERVICE });
    await expect(async () => {
      await alicePage.reload();
      await expect(
        active.locator('[data-status="active"]').first(),
      ).toBeVisible({
        timeout: 5_000,
      });
    }).toPass({ timeout: 60_000 });
    await expect(active.first().getByRole('timer')).toHaveText(
      /^access ends in /,
    );
    await saveScreenshot(alicePage, 'access-approved');
  } finally {
    await aliceContext.close();
  }

  // --- the guest sees the grant, its countdown and how to use it -----------
  await guestPage.reload();
  await expect(request.locator('[data-status]')).toHaveText('active');
  const countdown = request.getByRole('timer');
  await expect(countdown).toHaveText(/^expires in \S/);
  const instructions = request.getByRole('region', {
    name: 'How to use this access',
  });
  await expect(instructions).toContainText(
    `kubectl --context prod-readonly -n default get pods -l app=${SERVICE}`,
  );
  // the command alone (it runs as copied), the end in the user's locale
  await expect(instructions).toContainText(/Read-only until \S/);
  await expect(instructions).not.toContainText(/\d{2}:\d{2}:\d{2}\.\d{3}Z/);
  await expect(
    instructions.getByRole('button', { name: 'Copy the command' }),
  ).toBeVisible();
  await saveScreenshot(guestPage, 'access-granted');

  // --- Bob owns nothing involved: he may not see it, nor revoke it ---------
  const bobContext = await browser.newContext();
  try {
    const bobPage = await bobContext.newPage();
    await signIn(bobPage, 'bob');
    await bobPage.goto(requestPage!);
    await expect(bobPage.getByText('No such access request')).toBeVisible();
    await expect(
      bobPage.getByRole('region', { name: 'How to use this access' }),
    ).toHaveCount(0);
    await expect(
      bobPage.getByRole('button', { name: 'Revoke', exact: true }),
    ).toHaveCount(0);
  } finally {
    await bobContext.close();
  }

  // --- Alice, an access admin, revokes it ----------------------------------
  const aliceAgain = await browser.newContext();
  try {
    const alicePage = await aliceAgain.newPage();
    await signIn(alicePage, 'alice');
    await alicePage.goto(requestPage!);
    await alicePage
      .getByRole('button', { name: 'Revoke', exact: true })
      .click();
    const revoke = alicePage.getByRole('dialog', { name: 'Revoke access' });
    await expect(revoke).toContainText(reason);
    await revoke
      .getByRole('textbox', { name: 'Comment (optional)' })
      .fill('Incident closed.');
    await revoke.getByRole('button', { name: 'Revoke', exact: true }).click();
    await expect(revoke).toBeHidden();
    await expect(
      alicePage.getByText(
        `guest's read-only access to ${SERVICE} in production is now revoked.`,
      ),
    ).toBeVisible();
  } finally {
    await aliceAgain.close();
  }

  await guestPage.reload();
  await expect(request).toHaveCount(0);
  await expect(guest.requestButton).toBeVisible();

  // --- the request's page: the whole story, in order -----------------------
  await guestPage.goto(requestPage!);
  await expect(guestPage.locator('[data-status]').first()).toHaveText(
    'revoked',
  );
  const timeline = guestPage.getByRole('list', { name: 'Timeline' });
  await expect(timeline).toBeVisible();
  const events = await timeline
    .locator('[data-event]')
    .evaluateAll(items => items.map(i => i.getAttribute('data-event')));
  expect(
    events.filter(e =>
      ['requested', 'approved', 'granted', 'revoked'].includes(e!),
    ),
  ).toEqual(['requested', 'approved', 'granted', 'revoked']);
  await expect(timeline).toContainText(
    'Approved for the refunds incident; look, do not touch.',
  );
  await expect(timeline).toContainText('Incident closed.');
  await saveScreenshot(guestPage, 'access-timeline');
});
