import { ReactElement } from 'react';
import { renderQueue } from '../../../__testUtils__/queue';
import { FakeEnvParityApi } from '../../../__testUtils__/render';
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
  return renderQueue(element, {
    api: options.api,
    denied: options.denied ?? [],
    page:
      options.withPage === false
        ? undefined
        : ['/env-parity/access', accessRouteRef],
    mountPath: options.mountPath,
    initialRouteEntries: options.initialRouteEntries,
  });
}
