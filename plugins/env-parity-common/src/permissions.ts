import { createPermission } from '@backstage/plugin-permission-common';
import {
  envParityAccessAdminPermission,
  envParityAccessCreatePermission,
  envParityAccessReviewPermission,
} from './access';

/**
 * Read the parity report of an entity.
 *
 * @public
 */
export const envParityReportReadPermission = createPermission({
  name: 'env-parity.report.read',
  attributes: { action: 'read' },
});

/**
 * Ask for an immediate re-collection of an entity's deployments.
 *
 * @public
 */
export const envParityReportRefreshPermission = createPermission({
  name: 'env-parity.report.refresh',
  attributes: { action: 'update' },
});

/**
 * Read the catalog-wide drift scorecard: its table, summary, team roll-up,
 * trend and CSV export. Which services appear is decided, in addition, by
 * the catalog's read permission for each entity.
 *
 * @public
 */
export const envParityScorecardReadPermission = createPermission({
  name: 'env-parity.scorecard.read',
  attributes: { action: 'read' },
});

/**
 * Run an endpoint comparison (probe): send the same GET or HEAD request to
 * each environment's URL of an entity, through the backend's
 * outbound-request guard. The entity must also be visible to the caller.
 *
 * @public
 */
export const envParityProbeRunPermission = createPermission({
  name: 'env-parity.probe.run',
  attributes: {},
});

/**
 * Every permission of the plugin, for registration.
 *
 * @public
 */
export const envParityPermissions = [
  envParityReportReadPermission,
  envParityReportRefreshPermission,
  envParityAccessCreatePermission,
  envParityAccessReviewPermission,
  envParityAccessAdminPermission,
  envParityScorecardReadPermission,
  envParityProbeRunPermission,
];
