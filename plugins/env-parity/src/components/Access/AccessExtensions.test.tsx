/* eslint-disable jest/expect-expect -- pageExtensionChecks asserts */
import { EnvParityAccessPage, envParityAccessRouteRef } from '../../index';
import { envParityAccessPage } from '../../alpha';
import { pageExtensionChecks } from '../../__testUtils__/pageExtensions';
import { accessApi } from './__testUtils__';

jest.setTimeout(30_000);

describe('access page extensions', () => {
  const checks = pageExtensionChecks({
    name: 'access',
    extension: envParityAccessPage,
    routeRef: envParityAccessRouteRef,
    title: 'Access requests',
    Legacy: EnvParityAccessPage,
    api: () => {
      const api = accessApi();
      api.access.canReview = true;
      return api;
    },
    firstText: 'Nothing is waiting for you',
  });

  it(
    'adds the access page with its nav item to the new frontend system',
    checks.extension,
  );
  it('renders the access page in the new frontend system', checks.newSystem);
  it(
    'provides EnvParityAccessPage to the legacy frontend system',
    checks.legacy,
  );
});
