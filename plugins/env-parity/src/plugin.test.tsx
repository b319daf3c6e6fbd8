import { screen } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { Entity } from '@backstage/catalog-model';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  mockApis,
  registerMswTestHooks,
  renderInTestApp,
} from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { entityRoutes } from './__testUtils__/render';
import { driftReport, paymentsEntity } from './__testUtils__/reports';
import plugin from './index';
import alphaPlugin from './alpha';
import {
  entityEnvParityContent,
  envParityApi,
  envParityFrontendPlugin,
} from './plugin';

const server = setupServer();
registerMswTestHooks(server);

const apiEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'API',
  metadata: { name: 'payments-api' },
  spec: { type: 'openapi' },
};

describe('env-parity plugin (new frontend system)', () => {
  it('is the default export of both entry points', () => {
    expect(plugin).toBe(envParityFrontendPlugin);
    expect(alphaPlugin).toBe(envParityFrontendPlugin);
    expect(plugin.id).toBe('env-parity');
  });

  it('provides the API and the Parity entity tab', () => {
    expect(plugin.getExtension('api:env-parity')).toBeDefined();
    expect(
      plugin.getExtension('entity-content:env-parity/parity'),
    ).toBeDefined();
    expect(envParityApi).toBeDefined();
  });

  it('adds a Parity tab at /parity on every Component', () => {
    const tester = createExtensionTester(entityEnvParityContent);
    expect(tester.get(coreExtensionData.routePath)).toBe('/parity');
    expect(tester.get(EntityContentBlueprint.dataRefs.title)).toBe('Parity');
    const filter = tester.get(EntityContentBlueprint.dataRefs.filterFunction)!;
    expect(filter(paymentsEntity)).toBe(true);
    expect(filter({ ...paymentsEntity, metadata: { name: 'bare' } })).toBe(
      true,
    );
    expect(filter(apiEntity)).toBe(false);
  });

  it('renders the tab from the backend through the plugin API', async () => {
    const report = driftReport();
    const requests: string[] = [];
    server.use(
      http.get(
        'http://localhost:7007/api/env-parity/entities/:kind/:namespace/:name',
        ({ request }) => {
          requests.push(new URL(request.url).pathname);
          return HttpResponse.json(report);
        },
      ),
    );

    const element = createExtensionTester(
      entityEnvParityContent,
    ).reactElement();
    renderInTestApp(
      <EntityProvider entity={paymentsEntity}>{element}</EntityProvider>,
      {
        features: [plugin],
        mountedRoutes: entityRoutes,
        apis: [mockApis.identity(), mockApis.permission()],
      },
    );

    expect(await screen.findByText(report.summary)).toBeInTheDocument();
    expect(requests).toEqual([
      '/api/env-parity/entities/component/default/payments',
    ]);
  });
});
