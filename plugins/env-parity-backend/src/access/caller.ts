import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  envParityAccessAdminPermission,
  envParityAccessCreatePermission,
  envParityAccessReviewPermission,
} from '@env-parity/plugin-env-parity-common';
import { permittedCaller, PermittedCaller } from '../http';

/** The access permissions, by what they let a caller do. */
export const ACCESS_PERMISSIONS = {
  create: envParityAccessCreatePermission,
  review: envParityAccessReviewPermission,
  admin: envParityAccessAdminPermission,
};

export type AccessNeed = keyof typeof ACCESS_PERMISSIONS;

/** Who is calling, with the permission decisions the router already made. */
export type AccessCaller = PermittedCaller<AccessNeed>;

/**
 * The caller with credentials `credentials`, allowed if the permission
 * policy allows any of `needs` (a `NotAllowedError` saying `action`, e.g.
 * `request access`, otherwise). The router's check of every route, and of
 * callers without an HTTP request (actions).
 */
export function accessCallerFor(options: {
  permissions: PermissionsService;
  credentials: BackstageCredentials;
  needs: AccessNeed[];
  action: string;
}): Promise<AccessCaller> {
  return permittedCaller({ ...options, checks: ACCESS_PERMISSIONS });
}
