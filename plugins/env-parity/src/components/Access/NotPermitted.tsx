import {
  envParityAccessAdminPermission,
  envParityAccessCreatePermission,
  envParityAccessReviewPermission,
} from '@env-parity/plugin-env-parity-common';

export { NotPermitted } from '../shared/NotPermitted';

/** Any of these lets a user see access requests. */
export const ACCESS_PERMISSION_NAMES = [
  envParityAccessCreatePermission.name,
  envParityAccessReviewPermission.name,
  envParityAccessAdminPermission.name,
];
