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
import { EntityCardBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { entityRoutes } from '../../__testUtils__/render';
import { paymentsEntity } from '../../__testUtils__/reports';
import plugin from '../../index';
import { entityGroupParityCard, envParityScorecardPage } from '../../alpha';
import { FakeScorecardApi } from './__testUtils__/FakeScorecardApi';
import { groupEntity } from './__testUtils__/renderScorecard';

jest.setTimeout(120_000);

const server = setupServer();
registerMswTestHooks(server);

describe('scorecard extensions (new frontend system)', () => {
  it('adds the scorecard page at /env-parity with a nav title and icon', () => {
    expect(plugin.getExtension('page:env-parity')).toBeDefined();
    const tester = createExtensionTester(envParityScorecardPage);
    expect(tester.get(coreExtensionData.routePath)).toBe('/env-parity');
    expect(tester.get(coreExtensionData.title)).toBe('Env Parity');
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
    expect(tester.get(coreExtensionData.routeRef)).toBeDefined();
  });

  it('adds the parity card to Group pages only', () => {
    expect(
      plugin.getExtension('entity-card:env-parity/group-parity'),
    ).toBeDefined();
    const tester = createExtensionTester(entityGroupParityCard);
    const filter = tester.get(EntityCardBlueprint.dataRefs.filterFunction)!;
    const group: Entity = groupEntity('payments-team');
    expect(filter(group)).toBe(true);
    expect(filter(paymentsEntity)).toBe(false);
  });

  /**
   * Serves the scorecard routes the card reads from the fake, as the backend
   * would for the query string, and renders the card through the plugin.
   */
  function renderGroupCardExtension(config?: { environment?: string }) {
    const fake = new FakeScorecardApi();
    const requests: string[] = [];
    const base = 'http://localhost:7007/api/env-parity/scorecard';
    const filterOf = (request: Request) => {
      const params = new URL(request.url).searchParams;
      requests.push(
        `${new URL(request.url).pathname}${new URL(request.url).search}`,
      );
      return {
        owner: params.getAll('owner'),
        environment: params.get('environment') ?? undefined,
      };
    };
    server.use(
      http.get(`${base}/environments`, async ({ request }) => {
        filterOf(request);
        return HttpResponse.json(await fake.getScorecardEnvironments());
      }),
      http.get(`${base}/summary`, async ({ request }) =>
        HttpResponse.json(await fake.getScorecardSummary(filterOf(request))),
      ),
      http.get(base, async ({ request }) =>
        HttpResponse.json(
          await fake.getScorecard({ ...filterOf(request), pageSize: 5 }),
        ),
      ),
    );

    const element = createExtensionTester(entityGroupParityCard, {
      config,
    }).reactElement();
    renderInTestApp(
      <EntityProvider entity={groupEntity('payments-team')}>
        {element}
      </EntityProvider>,
      {
        features: [plugin],
        mountedRoutes: entityRoutes,
        apis: [mockApis.identity(), mockApis.permission()],
      },
    );
    return { requests: () => requests.map(decodeURIComponent).sort() };
  }

  it('renders the group card from the backend through the plugin API', async () => {
    const { requests } = renderGroupCardExtension();

    expect(await screen.findByText('Payments')).toBeInTheDocument();
    expect(
      screen.getByText(
        'Staging against Production, for the services this group owns',
      ),
    ).toBeInTheDocument();
    expect(requests()).toEqual([
      '/api/env-parity/scorecard/environments',
      '/api/env-parity/scorecard/summary?owner=group:default/payments-team',
      '/api/env-parity/scorecard?owner=group:default/payments-team&sort=score&order=asc&page=1&pageSize=5',
    ]);
  });

  it('compares the environment of its config', async () => {
    const { requests } = renderGroupCardExtension({
      environment: 'development',
    });

    expect(await screen.findByText('ledger')).toBeInTheDocument();
    expect(
      screen.getByText(
        'Development against Production, for the services this group owns',
      ),
    ).toBeInTheDocument();
    expect(requests()).toEqual([
      '/api/env-parity/scorecard/environments',
      '/api/env-parity/scorecard/summary?owner=group:default/payments-team&environment=development',
      '/api/env-parity/scorecard?owner=group:default/payments-team&environment=development&sort=score&order=asc&page=1&pageSize=5',
    ]);
  });
});
