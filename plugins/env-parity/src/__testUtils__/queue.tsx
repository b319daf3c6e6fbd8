import { ReactElement } from 'react';
import { within } from '@testing-library/react';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { envParityApiRef } from '../api';
import { entityRoutes, FakeEnvParityApi } from './render';

/**
 * Renders a component of a queue (access requests, alignments) in a
 * new-frontend-system test app: the policy denies the `denied` permission
 * names, and the queue's page is mounted at `page` (path and route) if any.
 */
export function renderQueue(
  element: ReactElement,
  options: {
    api: FakeEnvParityApi;
    denied: string[];
    /** Who is signed in, when it matters. */
    user?: string;
    /** The page's path and its route ref. */
    page?: [string, unknown];
    mountPath?: string;
    initialRouteEntries?: string[];
  },
) {
  const { denied, page } = options;
  return renderInTestApp(element, {
    apis: [
      [envParityApiRef, options.api],
      ...(options.user
        ? [mockApis.identity({ userEntityRef: options.user })]
        : []),
      mockApis.permission({
        authorize: request =>
          denied.includes(request.permission.name)
            ? ('DENY' as any)
            : ('ALLOW' as any),
      }),
    ],
    mountedRoutes: {
      ...entityRoutes,
      ...(page ? { [page[0]]: page[1] as any } : {}),
    },
    mountPath: options.mountPath,
    initialRouteEntries: options.initialRouteEntries,
  });
}

/** The rows of a table that hold items (not its header or empty row). */
export function rowsOf(table: HTMLElement) {
  return within(table)
    .getAllByRole('row')
    .filter(r => within(r).queryAllByRole('cell').length > 1);
}
