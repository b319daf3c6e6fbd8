import { Route, Routes } from 'react-router-dom';
import { screen } from '@testing-library/react';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderInTestApp as renderInNewApp,
} from '@backstage/frontend-test-utils';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import plugin, {
  EnvParityAccessPage,
  envParityAccessRouteRef,
  envParityApiRef,
} from '../../index';
import { envParityAccessPage } from '../../alpha';
import { entityRoutes } from '../../__testUtils__/render';
import { accessApi } from './__testUtils__';

jest.setTimeout(30_000);

describe('access page extensions', () => {
  it('adds the access page with its nav item to the new frontend system', () => {
    expect(plugin.getExtension('page:env-parity/access')).toBeDefined();
    const tester = createExtensionTester(envParityAccessPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/env-parity/access');
    expect(tester.get(coreExtensionData.routeRef)).toBe(
      envParityAccessRouteRef,
    );
    // a page with a title and an icon is a nav item
    expect(tester.get(coreExtensionData.title)).toBe('Access requests');
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
  });

  it('renders the access page in the new frontend system', async () => {
    const api = accessApi();
    api.access.canReview = true;
    await renderInNewApp(
      createExtensionTester(envParityAccessPage).reactElement(),
      {
        apis: [[envParityApiRef, api], mockApis.permission()],
        mountedRoutes: entityRoutes,
      },
    );
    expect(
      await screen.findByText('Nothing is waiting for you', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
  });

  it('provides EnvParityAccessPage to the legacy frontend system', async () => {
    const api = accessApi();
    api.access.canReview = true;
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [envParityApiRef, api],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <Routes>
          <Route
            path="/env-parity/access/*"
            element={<EnvParityAccessPage />}
          />
        </Routes>
      </TestApiProvider>,
      {
        routeEntries: ['/env-parity/access'],
        mountedRoutes: {
          '/catalog/:namespace/:kind/:name': entityRouteRef,
        },
      },
    );
    expect(
      await screen.findByRole('heading', { name: 'Access requests' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('Nothing is waiting for you', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
  });
});
