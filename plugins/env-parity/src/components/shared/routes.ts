import { SubRouteRef, useRouteRef } from '@backstage/core-plugin-api';

/**
 * The link to one item's page (`…/:id`), or undefined when the app does not
 * mount that page.
 */
export function useItemLink(
  routeRef: SubRouteRef<{ id: string }>,
): ((id: string) => string) | undefined {
  let link: ((params: { id: string }) => string) | undefined;
  try {
    // useRouteRef calls all of its own hooks before it throws for a route
    // that is not mounted, so catching keeps the order of hooks stable
    // eslint-disable-next-line react-hooks/rules-of-hooks
    link = useRouteRef(routeRef);
  } catch {
    // not mounted in this app: no link
    link = undefined;
  }
  return link && (id => link!({ id }));
}
