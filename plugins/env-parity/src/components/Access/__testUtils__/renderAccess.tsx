import { ReactElement } from 'react';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import { envParityApiRef } from '../../../api';
import { entityRoutes, FakeEnvParityApi } from '../../../__testUtils__/render';
import { driftReport } from '../../../__testUtils__/reports';
import { accessRouteRef } from '../routes';

/** The env-parity API with an in-memory access backend. */
export function accessApi() {
  return new FakeEnvParityApi(async () => driftReport());
}

/**
 * Renders an access component in a new-frontend-system test app with the
 * access page mounted at `/env-parity/access`.
 */
export function renderAccess(
  element: ReactElement,
  options: {
    api: FakeEnvParityApi;
    /** Permission names the policy denies. */
    denied?: string[];
    mountPath?: string;
    initialRouteEntries?: string[];
    /** Whether the app has an access page (default true). */
    withPage?: boolean;
  },
) {
  return renderInTestApp(element, {
    apis: [
      [envParityApiRef, options.api],
      mockApis.permission({
        authorize: request =>
          (options.denied ?? []).includes(request.permission.name)
            ? ('DENY' as any)
            : ('ALLOW' as any),
      }),
    ],
    mountedRoutes: {
      ...entityRoutes,
      ...(options.withPage === false
        ? {}
        : { '/env-parity/access': accessRouteRef as any }),
    },
    mountPath: options.mountPath,
    initialRouteEntries: options.initialRouteEntries,
  });
}
