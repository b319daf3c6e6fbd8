import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';
import { useItemLink } from '../shared/routes';

/**
 * The alignments page, `/env-parity/alignments` by default.
 *
 * Created for the legacy frontend system and converted in place, so that the
 * same object routes in both systems.
 *
 * @public
 */
export const alignmentsRouteRef = createRouteRef({
  id: 'env-parity-alignments',
});

/**
 * One alignment on the alignments page, `/env-parity/alignments/:id`.
 *
 * @public
 */
export const alignmentRouteRef = createSubRouteRef({
  id: 'env-parity-alignment',
  parent: alignmentsRouteRef,
  path: '/:id',
});

// Both calls return their argument, made usable by the new frontend system.
convertLegacyRouteRef(alignmentsRouteRef);
convertLegacyRouteRef(alignmentRouteRef);

/**
 * The link to an alignment's page, or undefined when the app has no such page.
 */
export function useAlignmentLink(): ((id: string) => string) | undefined {
  return useItemLink(alignmentRouteRef);
}
