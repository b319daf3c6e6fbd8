import { expect, Page } from '@playwright/test';

/**
 * The demo users (examples/org.yaml, auth.providers.demo.users in
 * app-config.yaml) and the title on their "Sign in as <title>" button.
 */
export const DEMO_USERS = {
  guest: 'Guest',
  alice: 'Alice',
  bob: 'Bob',
  dana: 'Dana',
} as const;

export type DemoUser = keyof typeof DEMO_USERS;

/**
 * Opens the app and signs in as a demo user, whichever sign-in page the app
 * shows: the demo user picker ("Sign in as Guest", "Sign in as Alice", ...)
 * or Backstage's guest sign-in page ("Enter" on the Guest card, guest only).
 * Ends on the catalog, the demo's landing page, signed in.
 */
export async function signIn(page: Page, user: DemoUser = 'guest') {
  await page.goto('/');

  const picker = page.getByRole('button', {
    name: `Sign in as ${DEMO_USERS[user]}`,
    exact: true,
  });
  const anyPickerButton = page.getByRole('button', { name: /^Sign in as / });
  const guestEnter = page.getByRole('button', { name: 'Enter', exact: true });
  // signed in: the app's sidebar (the <nav> itself has no box of its own)
  const signedIn = page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name: 'Settings' });

  await expect(
    anyPickerButton.or(guestEnter).or(signedIn).first(),
    'the app shows neither a sign-in page nor its sidebar',
  ).toBeVisible();

  if (await anyPickerButton.first().isVisible()) {
    await expect(
      picker,
      `the demo sign-in page offers no "Sign in as ${DEMO_USERS[user]}"`,
    ).toBeVisible();
    await picker.click();
  } else if (await guestEnter.isVisible()) {
    if (user !== 'guest') {
      throw new Error(
        `Cannot sign in as ${user}: this app's sign-in page only offers the guest (no demo user picker)`,
      );
    }
    await guestEnter.click();
  } else if (user !== 'guest') {
    throw new Error(
      `Cannot sign in as ${user}: the app signed in without a sign-in page`,
    );
  }

  await expect(signedIn).toBeVisible();
}
