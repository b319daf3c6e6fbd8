import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { createRouteRef, createSubRouteRef } from '@backstage/core-plugin-api';
import { useItemLink } from '../shared/routes';

/**
 * The access requests page, `/env-parity/access` by default.
 *
 * Created for the legacy frontend system and converted in place, so that the
 * same object routes in both systems.
 *
 * @public
 */
export const accessRouteRef = createRouteRef({ id: 'env-parity-access' });

/**
 * One access request on the access requests page, `/env-parity/access/:id`.
 *
 * @public
 */
export const accessRequestRouteRef = createSubRouteRef({
  id: 'env-parity-access-request',
  parent: accessRouteRef,
  path: '/:id',
});

// Both calls return their argument, made usable by the new frontend system.
convertLegacyRouteRef(accessRouteRef);
convertLegacyRouteRef(accessRequestRouteRef);

/**
 * The link to an access request's page, or undefined when the app has no such page.
 */
export function useAccessRequestLink(): ((id: string) => string) | undefined {
  return useItemLink(accessRequestRouteRef);
}
