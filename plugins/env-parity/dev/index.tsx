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
  runningReport,
  unannotatedEntity,
} from '../src/__testUtils__/reports';
import { probeResult } from '../src/__testUtils__/probes';
import {
  FakeScorecardApi,
  trendPoints,
} from '../src/components/Scorecard/__testUtils__/FakeScorecardApi';
import { FakeAccessApi } from '../src/components/Access/__testUtils__/FakeAccessApi';
import { FakeAlignmentApi } from '../src/components/Align/__testUtils__/FakeAlignmentApi';
import { FakeReplicaApi } from '../src/components/Replica/__testUtils__/FakeReplicaApi';

// Serves the Parity tab on its own at /env-parity-dev, backed by fixtures instead
// of the backend: add ?fixture=degraded, ?fixture=empty or ?fixture=running
// (Kubernetes and Argo CD resources, a rollout on mixed digests) for the
// other states. Run the full app to see the tab on the entity page.
const fixture = () =>
  new URLSearchParams(window.location.search).get('fixture');

// access requests in memory, as the signed-in dev user
const access = new FakeAccessApi();

// alignments in memory: staging alignable, approved by sre
const align = new FakeAlignmentApi();

// the scorecard of eight services, in memory
const scorecard = new FakeScorecardApi();
scorecard.trendPoints = trendPoints(
  Array.from({ length: 60 }, (_, i) => 0.4 + (i / 60) * 0.3),
);

// production replicas in memory, enabled; none launched yet
const replica = new FakeReplicaApi();
replica.settings.enabled = true;

const fixtureApi: EnvParityApi = {
  getReplicaSettings: () => replica.getReplicaSettings(),
  listReplicas: entityRef => replica.listReplicas(entityRef),
  launchReplica: body => replica.launchReplica(body),
  getReplica: id => replica.getReplica(id),
  extendReplica: (id, lifetimeMinutes) =>
    replica.extendReplica(id, lifetimeMinutes),
  deleteReplica: id => replica.deleteReplica(id),
  getScorecardEnvironments: () => scorecard.getScorecardEnvironments(),
  getScorecard: query => scorecard.getScorecard(query),
  getScorecardSummary: filter => scorecard.getScorecardSummary(filter),
  getScorecardTeams: filter => scorecard.getScorecardTeams(filter),
  getScorecardTrend: options => scorecard.getScorecardTrend(options),
  exportScorecardCsv: query => scorecard.exportScorecardCsv(query),
  getAccessSettings: () => access.getAccessSettings(),
  createAccessRequest: body => access.createAccessRequest(body),
  listAccessRequests: filter => access.listAccessRequests(filter),
  getAccessRequest: id => access.getAccessRequest(id),
  decideAccessRequest: (id, action, comment) =>
    access.decideAccessRequest(id, action, comment),
  previewAlignment: (entityRef, environment) =>
    align.previewAlignment(entityRef, environment),
  createAlignment: body => align.createAlignment(body),
  listAlignments: filter => align.listAlignments(filter),
  getAlignment: id => align.getAlignment(id),
  decideAlignment: (id, action, comment) =>
    align.decideAlignment(id, action, comment),
  async getReport() {
    switch (fixture()) {
      case 'degraded':
        return degradedReport();
      case 'empty':
        return emptyReport();
      case 'running':
        return runningReport();
      default:
        return driftReport();
    }
  },
  async refresh() {
    await new Promise(resolve => setTimeout(resolve, 1000));
    return driftReport({ observedAgo: 0 });
  },
  async probe(_entityRef, request) {
    await new Promise(resolve => setTimeout(resolve, 500));
    return probeResult({ method: request.method, path: request.path });
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
        path: '/env-parity-dev',
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
