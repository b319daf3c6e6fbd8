import { createPermission } from '@backstage/plugin-permission-common';
import {
  envParityAccessAdminPermission,
  envParityAccessCreatePermission,
  envParityAccessReviewPermission,
} from './access';
import {
  envParityReplicaAdminPermission,
  envParityReplicaCreatePermission,
} from './replica';

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
 * Ask to align an environment of an entity with production (deploy
 * production's artifact there, after approval). A resource permission on
 * the catalog entity, so conditional rules such as "owner of the entity"
 * apply; the entity must also be visible to the caller.
 *
 * @public
 */
export const envParityAlignCreatePermission = createPermission({
  name: 'env-parity.align.create',
  attributes: { action: 'create' },
  // RESOURCE_TYPE_CATALOG_ENTITY of @backstage/plugin-catalog-common
  resourceType: 'catalog-entity',
});

/**
 * Approve or deny alignments. Being allowed is not enough: the reviewer must
 * also be one of the alignment's approvers, and never its requester.
 *
 * @public
 */
export const envParityAlignReviewPermission = createPermission({
  name: 'env-parity.align.review',
  attributes: { action: 'update' },
});

/**
 * See every alignment and cancel anyone's pending alignment.
 *
 * @public
 */
export const envParityAlignAdminPermission = createPermission({
  name: 'env-parity.align.admin',
  attributes: { action: 'update' },
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
  envParityAlignCreatePermission,
  envParityAlignReviewPermission,
  envParityAlignAdminPermission,
  envParityReplicaCreatePermission,
  envParityReplicaAdminPermission,
];
