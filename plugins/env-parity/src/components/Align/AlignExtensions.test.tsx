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
  EnvParityAlignmentsPage,
  envParityAlignmentsRouteRef,
  envParityApiRef,
} from '../../index';
import { envParityAlignmentsPage } from '../../alpha';
import { entityRoutes } from '../../__testUtils__/render';
import { alignApi } from './__testUtils__';

jest.setTimeout(30_000);

describe('alignments page extensions', () => {
  it('adds the alignments page with its nav item to the new frontend system', () => {
    expect(plugin.getExtension('page:env-parity/alignments')).toBeDefined();
    const tester = createExtensionTester(envParityAlignmentsPage);
    expect(tester.get(coreExtensionData.routePath)).toBe(
      '/env-parity/alignments',
    );
    expect(tester.get(coreExtensionData.routeRef)).toBe(
      envParityAlignmentsRouteRef,
    );
    // a page with a title and an icon is a nav item
    expect(tester.get(coreExtensionData.title)).toBe('Alignments');
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
  });

  it('renders the alignments page in the new frontend system', async () => {
    const api = alignApi();
    api.align.canReview = true;
    await renderInNewApp(
      createExtensionTester(envParityAlignmentsPage).reactElement(),
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

  it('provides EnvParityAlignmentsPage to the legacy frontend system', async () => {
    const api = alignApi();
    api.align.canReview = true;
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [envParityApiRef, api],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <Routes>
          <Route
            path="/env-parity/alignments/*"
            element={<EnvParityAlignmentsPage />}
          />
        </Routes>
      </TestApiProvider>,
      {
        routeEntries: ['/env-parity/alignments'],
        mountedRoutes: {
          '/catalog/:namespace/:kind/:name': entityRouteRef,
        },
      },
    );
    expect(
      await screen.findByRole('heading', { name: 'Alignments' }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('Nothing is waiting for you', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
  });
});
