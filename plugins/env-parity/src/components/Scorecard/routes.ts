import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { createRouteRef, useRouteRef } from '@backstage/core-plugin-api';
import { ScorecardFilter } from '@env-parity/plugin-env-parity-common';
import { filterSearch } from './query';

/**
 * The scorecard page, `/env-parity` by default.
 *
 * Created for the legacy frontend system and converted in place, so that the
 * same object routes in both systems.
 *
 * @public
 */
export const rootRouteRef = createRouteRef({ id: 'env-parity' });

// Returns its argument, made usable by the new frontend system.
convertLegacyRouteRef(rootRouteRef);

/**
 * The link to the scorecard page showing the services that match a filter,
 * e.g. `/env-parity?owner=group%3Adefault%2Fteam-a`, or undefined when the
 * app has no scorecard page.
 */
export function useScorecardLink():
  | ((filter?: ScorecardFilter) => string)
  | undefined {
  let link: (() => string) | undefined;
  try {
    // useRouteRef runs all its hooks before it throws for an unmounted route
    // eslint-disable-next-line react-hooks/rules-of-hooks
    link = useRouteRef(rootRouteRef);
  } catch {
    // not mounted in this app: no link
    link = undefined;
  }
  if (!link) {
    return undefined;
  }
  const base = link();
  return (filter = {}) => {
    const search = filterSearch(filter).toString();
    return search ? `${base}?${search}` : base;
  };
}
