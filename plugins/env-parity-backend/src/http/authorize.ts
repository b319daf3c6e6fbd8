import {
  BackstageCredentials,
  BackstagePrincipalTypes,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import { permissionDeniedMessage } from '@env-parity/plugin-env-parity-common';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import { Request } from 'express';

/**
 * Throws a `NotAllowedError` (403) unless the permission policy allows
 * `permission` for `credentials`, worded by `permissionDeniedMessage`:
 * `action` says what the caller tried, e.g. `probe environments`, and the
 * permission's name follows so an administrator knows what to grant.
 */
export async function requirePermission(options: {
  permissions: PermissionsService;
  credentials: BackstageCredentials;
  permission: BasicPermission;
  action?: string;
}): Promise<void> {
  const { permissions, credentials, permission } = options;
  const [decision] = await permissions.authorize([{ permission }], {
    credentials,
  });
  if (decision.result !== AuthorizeResult.ALLOW) {
    throw new NotAllowedError(
      permissionDeniedMessage(
        options.action ??
          `${permission.attributes.action ?? 'use'} environment parity`,
        permission.name,
      ),
    );
  }
}

/**
 * The caller's credentials (401 without valid ones, or of a principal type
 * not in `allow`), once the permission policy allows `permission` (403
 * otherwise).
 */
export async function authorizeRequest<
  TAllowed extends keyof BackstagePrincipalTypes = 'user' | 'service',
>(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  request: Request;
  permission: BasicPermission;
  allow?: TAllowed[];
  action?: string;
}): Promise<BackstageCredentials<BackstagePrincipalTypes[TAllowed]>> {
  const { httpAuth, request, allow } = options;
  const credentials = await httpAuth.credentials<TAllowed>(
    request,
    allow ? { allow } : undefined,
  );
  await requirePermission({ ...options, credentials });
  return credentials;
}

/** A caller with the permission policy's answer to each of the feature's permissions. */
export interface PermittedCaller<TName extends string> {
  credentials: BackstageCredentials;
  /** Absent for service principals. */
  userRef?: string;
  can: Record<TName, boolean>;
}

/**
 * Asks the permission policy about each of `checks` at once for
 * `credentials`; with `needs`, throws a `NotAllowedError` (403) unless at
 * least one of them is allowed, worded by `permissionDeniedMessage` with
 * `action` (what the caller tried, e.g. `see access requests`).
 */
export async function permittedCaller<TName extends string>(options: {
  permissions: PermissionsService;
  credentials: BackstageCredentials;
  checks: Record<TName, BasicPermission>;
  needs?: TName[];
  action?: string;
}): Promise<PermittedCaller<TName>> {
  const { credentials, checks, needs } = options;
  const names = Object.keys(checks) as TName[];
  const decisions = await options.permissions.authorize(
    names.map(n => ({ permission: checks[n] })),
    { credentials },
  );
  const can = Object.fromEntries(
    names.map((n, i) => [n, decisions[i].result === AuthorizeResult.ALLOW]),
  ) as Record<TName, boolean>;
  if (needs && !needs.some(n => can[n])) {
    throw new NotAllowedError(
      permissionDeniedMessage(
        options.action ?? 'use environment parity',
        needs.map(n => checks[n].name),
      ),
    );
  }
  const principal = credentials.principal as { userEntityRef?: string };
  return { credentials, userRef: principal.userEntityRef, can };
}

/** The caller's user ref; a `NotAllowedError` for a service principal. */
export function requireUser(caller: { userRef?: string }): string {
  if (!caller.userRef) {
    throw new NotAllowedError('This needs a signed-in user');
  }
  return caller.userRef;
}
