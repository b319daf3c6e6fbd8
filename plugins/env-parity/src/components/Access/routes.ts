import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  createRouteRef,
  createSubRouteRef,
  useRouteRef,
} from '@backstage/core-plugin-api';

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
 * The link to an access request's page, or undefined when the app has no
 * access requests page.
 */
export function useAccessRequestLink(): ((id: string) => string) | undefined {
  let link: ((params: { id: string }) => string) | undefined;
  try {
    // useRouteRef calls all of its own hooks before it throws for a route
    // that is not mounted, so catching keeps the order of hooks stable
    // eslint-disable-next-line react-hooks/rules-of-hooks
    link = useRouteRef(accessRequestRouteRef);
  } catch {
    // not mounted in this app: no link
    link = undefined;
  }
  return link && (id => link!({ id }));
}
