import { screen } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
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
import {
  EntityGroupParityCard,
  envParityApiRef,
  envParityPlugin,
  EnvParityScorecardPage,
  envParityRootRouteRef,
} from '../../index';
import { FakeScorecardApi } from './__testUtils__/FakeScorecardApi';
import { envParityApiWith, groupEntity } from './__testUtils__/renderScorecard';

jest.setTimeout(120_000);

describe('scorecard (legacy frontend system)', () => {
  it('exposes the scorecard route as the plugin root', () => {
    expect(envParityPlugin.routes.root).toBe(envParityRootRouteRef);
  });

  it('renders EnvParityScorecardPage with its header', async () => {
    const api = new FakeScorecardApi();
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [envParityApiRef, envParityApiWith(api)],
          [permissionApiRef, mockApis.permission()],
        ]}
      >
        <Routes>
          <Route path="/env-parity" element={<EnvParityScorecardPage />} />
        </Routes>
      </TestApiProvider>,
      {
        mountedRoutes: {
          '/catalog/:namespace/:kind/:name': entityRouteRef,
        },
        routeEntries: ['/env-parity?owner=checkout-team'],
      },
    );

    expect(
      await screen.findByRole('heading', { name: 'Env Parity' }),
    ).toBeInTheDocument();
    expect(await screen.findByText('checkout')).toBeInTheDocument();
    expect(api.scorecardCalls[0]).toMatchObject({ owner: ['checkout-team'] });
  });

  it('renders EntityGroupParityCard for the group in context', async () => {
    const api = new FakeScorecardApi();
    await renderInTestApp(
      <TestApiProvider apis={[[envParityApiRef, envParityApiWith(api)]]}>
        <EntityProvider entity={groupEntity('checkout-team')}>
          <EntityGroupParityCard />
        </EntityProvider>
      </TestApiProvider>,
      {
        mountedRoutes: {
          '/env-parity': envParityRootRouteRef,
          '/catalog/:namespace/:kind/:name': entityRouteRef,
        },
      },
    );

    expect(await screen.findByText('Environment parity')).toBeInTheDocument();
    expect(screen.getByText('checkout')).toBeInTheDocument();
    expect(api.summaryCalls).toEqual([
      { owner: ['group:default/checkout-team'] },
    ]);
  });

  it('renders EntityGroupParityCard for the environment it is given', async () => {
    const api = new FakeScorecardApi();
    await renderInTestApp(
      <TestApiProvider apis={[[envParityApiRef, envParityApiWith(api)]]}>
        <EntityProvider entity={groupEntity('payments-team')}>
          <EntityGroupParityCard environment="development" />
        </EntityProvider>
      </TestApiProvider>,
      {
        mountedRoutes: {
          '/env-parity': envParityRootRouteRef,
          '/catalog/:namespace/:kind/:name': entityRouteRef,
        },
      },
    );

    expect(
      await screen.findByText(
        'Development against Production, for the services this group owns',
      ),
    ).toBeInTheDocument();
    expect(api.summaryCalls).toEqual([
      { owner: ['group:default/payments-team'], environment: 'development' },
    ]);
  });
});
