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
