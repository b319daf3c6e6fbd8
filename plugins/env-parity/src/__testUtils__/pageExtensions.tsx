import { ComponentType } from 'react';
import { Route, Routes } from 'react-router-dom';
import { screen } from '@testing-library/react';
import {
  coreExtensionData,
  ExtensionDefinition,
} from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  renderInTestApp as renderInNewApp,
} from '@backstage/frontend-test-utils';
import { renderInTestApp, TestApiProvider } from '@backstage/test-utils';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import plugin, { envParityApiRef } from '../index';
import { entityRoutes, FakeEnvParityApi } from './render';

/**
 * The checks of a page of the plugin in both frontend systems: the page
 * extension with its nav item (`extension`), the page rendered in the new
 * frontend system (`newSystem`), and its legacy component with its header
 * (`legacy`).
 */
export function pageExtensionChecks(page: {
  /** `alignments` (in `page:env-parity/alignments`) or `access` */
  name: 'alignments' | 'access';
  extension: ExtensionDefinition;
  routeRef: unknown;
  /** The page's title, its nav item's and its legacy header's. */
  title: string;
  Legacy: ComponentType;
  /** The fake API, as a reviewer. */
  api: () => FakeEnvParityApi;
  /** What the page shows first to the reviewer. */
  firstText: string;
}) {
  const path = `/env-parity/${page.name}`;

  const extension = () => {
    expect(plugin.getExtension(`page:env-parity/${page.name}`)).toBeDefined();
    const tester = createExtensionTester(page.extension);
    expect(tester.get(coreExtensionData.routePath)).toBe(path);
    expect(tester.get(coreExtensionData.routeRef)).toBe(page.routeRef);
    // a page with a title and an icon is a nav item
    expect(tester.get(coreExtensionData.title)).toBe(page.title);
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
  };

  const newSystem = async () => {
    await renderInNewApp(createExtensionTester(page.extension).reactElement(), {
      apis: [[envParityApiRef, page.api()], mockApis.permission()],
      mountedRoutes: entityRoutes,
    });
    expect(
      await screen.findByText(page.firstText, undefined, { timeout: 10_000 }),
    ).toBeInTheDocument();
  };

  const legacy = async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [envParityApiRef, page.api()],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <Routes>
          <Route path={`${path}/*`} element={<page.Legacy />} />
        </Routes>
      </TestApiProvider>,
      {
        routeEntries: [path],
        mountedRoutes: {
          '/catalog/:namespace/:kind/:name': entityRouteRef,
        },
      },
    );
    expect(
      await screen.findByRole('heading', { name: page.title }),
    ).toBeInTheDocument();
    expect(
      await screen.findByText(page.firstText, undefined, { timeout: 10_000 }),
    ).toBeInTheDocument();
  };

  return { extension, newSystem, legacy };
}
