import {
  BackstageCredentials,
  BackstagePrincipalTypes,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import { Request } from 'express';

/**
 * Throws a `NotAllowedError` (403) unless the permission policy allows
 * `permission` for `credentials`. `message` says what the caller tried, e.g.
 * "You are not allowed to probe environments"; the permission's name is
 * appended so an administrator knows what to grant.
 */
export async function requirePermission(options: {
  permissions: PermissionsService;
  credentials: BackstageCredentials;
  permission: BasicPermission;
  message?: string;
}): Promise<void> {
  const { permissions, credentials, permission } = options;
  const [decision] = await permissions.authorize([{ permission }], {
    credentials,
  });
  if (decision.result !== AuthorizeResult.ALLOW) {
    const message =
      options.message ??
      `You are not allowed to ${
        permission.attributes.action ?? 'use'
      } environment parity`;
    throw new NotAllowedError(`${message} (${permission.name})`);
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
  message?: string;
}): Promise<BackstageCredentials<BackstagePrincipalTypes[TAllowed]>> {
  const { httpAuth, request, allow } = options;
  const credentials = await httpAuth.credentials<TAllowed>(
    request,
    allow ? { allow } : undefined,
  );
  await requirePermission({ ...options, credentials });
  return credentials;
}
