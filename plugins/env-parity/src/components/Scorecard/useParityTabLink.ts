import { useCallback } from 'react';
import { useRouteRef } from '@backstage/core-plugin-api';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { ScorecardRow } from '@env-parity/plugin-env-parity-common';

/** Where the Parity tab is mounted on the entity page. */
export const PARITY_TAB_PATH = '/parity';

/**
 * The link to a service's Parity tab, e.g.
 * `/catalog/default/component/payments/parity`; undefined when the app has no
 * catalog entity page.
 */
export function useParityTabLink(): (row: ScorecardRow) => string | undefined {
  let entityRoute:
    | ((params: { kind: string; namespace: string; name: string }) => string)
    | undefined;
  try {
    // useRouteRef runs all its hooks before it throws for an unmounted route
    // eslint-disable-next-line react-hooks/rules-of-hooks
    entityRoute = useRouteRef(entityRouteRef);
  } catch {
    // no catalog entity page in this app
    entityRoute = undefined;
  }
  return useCallback(
    (row: ScorecardRow) =>
      entityRoute
        ? `${entityRoute({
            kind: encodeURIComponent(row.kind),
            namespace: encodeURIComponent(row.namespace),
            name: encodeURIComponent(row.name),
          })}${PARITY_TAB_PATH}`
        : undefined,
    [entityRoute],
  );
}
