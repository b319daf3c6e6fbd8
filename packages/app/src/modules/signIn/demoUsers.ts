/*
 * DEMO ONLY: the users of the demo sign-in page. Each is a User in
 * examples/org.yaml and must be listed under auth.providers.demo.users in
 * app-config.yaml, which the backend enforces (packages/backend/src/demoAuth.ts).
 */

/** One user to sign in as. */
export interface DemoUser {
  /** The catalog user name, `user:default/<name>`. */
  name: string;
  /** What the card is titled. */
  title: string;
  /** Who this is in the demo story. */
  role: string;
  /** What to try as this user. */
  description: string;
}

export const DEMO_USERS: DemoUser[] = [
  {
    name: 'guest',
    title: 'Guest',
    role: 'Developer, payments-team',
    description:
      'Owns payments-api, pricing-engine and legacy-billing. Does not own production.',
  },
  {
    name: 'alice',
    title: 'Alice',
    role: 'SRE, owns production',
    description:
      'Member of sre, the owner of pre-production and production: grants access to them.',
  },
  {
    name: 'bob',
    title: 'Bob',
    role: 'Developer, checkout-team',
    description:
      'Owns checkout-web and inventory-service. Does not own production.',
  },
  {
    name: 'dana',
    title: 'Dana',
    role: 'Contractor, no Env Parity access',
    description:
      'The demo permission policy denies her every env-parity permission: see what a user without them sees.',
  },
];

/** Where the chosen user is kept, so a reload keeps them signed in. */
const STORAGE_KEY = 'env-parity-demo:user';

export function rememberedDemoUser(): string | undefined {
  try {
    const name = window.sessionStorage.getItem(STORAGE_KEY) ?? undefined;
    return DEMO_USERS.some(u => u.name === name) ? name : undefined;
  } catch {
    return undefined;
  }
}

export function rememberDemoUser(name: string) {
  try {
    window.sessionStorage.setItem(STORAGE_KEY, name);
  } catch {
    // storage unavailable: the choice lasts until the next reload
  }
}

export function forgetDemoUser() {
  try {
    window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // nothing to forget
  }
}
