import { createPermission } from '@backstage/plugin-permission-common';

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
 * Every permission of the plugin, for registration.
 *
 * @public
 */
export const envParityPermissions = [
  envParityReportReadPermission,
  envParityReportRefreshPermission,
];
