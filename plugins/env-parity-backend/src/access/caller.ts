import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';

/** Who is calling, with the permission decisions the router already made. */
export interface AccessCaller {
  credentials: BackstageCredentials;
  /** Absent for service principals. */
  userRef?: string;
  can: { create: boolean; review: boolean; admin: boolean };
}

/** The caller's user ref; a `NotAllowedError` for a service principal. */
export function requireUser(caller: AccessCaller): string {
  if (!caller.userRef) {
    throw new NotAllowedError('This needs a signed-in user');
  }
  return caller.userRef;
}
