import { createDevApp } from '@backstage/frontend-dev-utils';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import {
  ApiBlueprint,
  createFrontendModule,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import plugin, { EnvParityApi, envParityApiRef } from '../src';
import { EnvParityContent } from '../src/components/EnvParityContent';
import { Content } from '@backstage/core-components';
import {
  degradedReport,
  driftReport,
  emptyReport,
  paymentsEntity,
  unannotatedEntity,
} from '../src/__testUtils__/reports';

// Serves the Parity tab on its own at /env-parity, backed by fixtures instead
// of the backend: add ?fixture=degraded or ?fixture=empty for the other
// states. Run the full app to see the tab on the entity page.
const fixture = () =>
  new URLSearchParams(window.location.search).get('fixture');

const fixtureApi: EnvParityApi = {
  async getReport() {
    switch (fixture()) {
      case 'degraded':
        return degradedReport();
      case 'empty':
        return emptyReport();
      default:
        return driftReport();
    }
  },
  async refresh() {
    await new Promise(resolve => setTimeout(resolve, 1000));
    return driftReport({ observedAgo: 0 });
  },
};

const devModule = createFrontendModule({
  pluginId: 'env-parity',
  extensions: [
    ApiBlueprint.make({
      params: defineParams =>
        defineParams({
          api: envParityApiRef,
          deps: {},
          factory: () => fixtureApi,
        }),
    }),
    PageBlueprint.make({
      name: 'dev',
      params: {
        path: '/env-parity',
        title: 'Env Parity',
        loader: async () => (
          <Content>
            <EntityProvider
              entity={
                fixture() === 'empty' ? unannotatedEntity : paymentsEntity
              }
            >
              <EnvParityContent />
            </EntityProvider>
          </Content>
        ),
      },
    }),
    // lets owner links resolve without the catalog plugin
    PageBlueprint.make({
      name: 'entity-stub',
      params: {
        path: '/catalog/:namespace/:kind/:name',
        routeRef: convertLegacyRouteRef(entityRouteRef),
        loader: async () => <div>Catalog entity page</div>,
      },
    }),
  ],
});

createDevApp({ features: [plugin, devModule] });
