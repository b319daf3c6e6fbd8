import { screen } from '@testing-library/react';
import { Entity } from '@backstage/catalog-model';
import { discoveryApiRef, fetchApiRef } from '@backstage/core-plugin-api';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { permissionApiRef } from '@backstage/plugin-permission-react';
import { FakeEnvParityApi } from './__testUtils__/render';
import {
  driftReport,
  paymentsEntity,
  unannotatedEntity,
} from './__testUtils__/reports';
import {
  EntityEnvParityContent,
  envParityApiRef,
  EnvParityClient,
  envParityPlugin,
  isEnvParityAvailable,
} from './index';

describe('env-parity plugin (legacy frontend system)', () => {
  it('registers a client for the API', () => {
    expect(envParityPlugin.getId()).toBe('env-parity');
    const factories = [...envParityPlugin.getApis()];
    const factory = factories.find(f => f.api.id === envParityApiRef.id)!;
    expect(factory).toBeDefined();
    expect(
      Object.values(factory.deps)
        .map(d => d.id)
        .sort(),
    ).toEqual([discoveryApiRef.id, fetchApiRef.id].sort());
    const client = factory.factory({
      discoveryApi: mockApis.discovery(),
      fetchApi: { fetch: jest.fn() },
    });
    expect(client).toBeInstanceOf(EnvParityClient);
  });

  it('renders EntityEnvParityContent for the entity in context', async () => {
    const report = driftReport();
    const api = new FakeEnvParityApi(async () => report);
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [envParityApiRef, api],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <EntityProvider entity={paymentsEntity}>
          <EntityEnvParityContent />
        </EntityProvider>
      </TestApiProvider>,
      { mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef } },
    );

    expect(await screen.findByText(report.summary)).toBeInTheDocument();
    expect(api.getReportCalls).toEqual(['component:default/payments']);
  });

  it('is available for entities with env-parity or provider annotations', () => {
    expect(isEnvParityAvailable(paymentsEntity)).toBe(true);
    expect(isEnvParityAvailable(unannotatedEntity)).toBe(false);
    const withSlug: Entity = {
      ...unannotatedEntity,
      metadata: {
        name: 'ledger',
        annotations: { 'github.com/project-slug': 'acme/ledger' },
      },
    };
    expect(isEnvParityAvailable(withSlug)).toBe(true);
  });
});
