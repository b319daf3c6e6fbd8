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
import {
  FakeScorecardApi,
  scorecardRows,
} from './__testUtils__/FakeScorecardApi';
import { groupEntity } from './__testUtils__/renderScorecard';

jest.setTimeout(30_000);

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

  it('renders the group card from the backend through the plugin API', async () => {
    const fake = new FakeScorecardApi(scorecardRows());
    const requests: string[] = [];
    server.use(
      http.get(
        'http://localhost:7007/api/env-parity/scorecard/summary',
        async ({ request }) => {
          requests.push(new URL(request.url).search);
          return HttpResponse.json(
            await fake.getScorecardSummary({
              owner: ['group:default/payments-team'],
            }),
          );
        },
      ),
      http.get(
        'http://localhost:7007/api/env-parity/scorecard',
        async ({ request }) => {
          requests.push(new URL(request.url).search);
          return HttpResponse.json(
            await fake.getScorecard({
              owner: ['group:default/payments-team'],
              pageSize: 5,
            }),
          );
        },
      ),
    );

    const element = createExtensionTester(entityGroupParityCard).reactElement();
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

    expect(await screen.findByText('Payments')).toBeInTheDocument();
    expect(requests.map(decodeURIComponent).sort()).toEqual([
      '?owner=group:default/payments-team',
      '?owner=group:default/payments-team&sort=score&order=asc&page=1&pageSize=5',
    ]);
  });
});
