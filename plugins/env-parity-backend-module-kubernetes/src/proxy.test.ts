import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
// The real Kubernetes backend, whose proxy the module calls (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import kubernetesBackend from '@backstage/plugin-kubernetes-backend';
import { JsonObject } from '@backstage/types';
// The real backend plugin, to test the module inside it (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import envParityPlugin from '@env-parity/plugin-env-parity-backend';
import { ParityReport } from '@env-parity/plugin-env-parity-common';
import request from 'supertest';
import { testCatalogFactory } from './__testUtils__/catalog';
import { FakeKubernetes } from '@env-parity/fake-apis';
import { clusterResource, component, digest } from './__testUtils__/objects';
import { recordingRootLogger } from '@env-parity/plugin-env-parity-node/testUtils';
import { deployApi, IMAGE } from './__testUtils__/scenario';
import envParityModuleKubernetes from './index';

const PLANTED = 'planted-s3cret-7b1e';
const PLANTED_BASE64 = Buffer.from(PLANTED, 'utf8').toString('base64');
const REPORT = '/api/env-parity/entities/component/default/api';

const ENVIRONMENTS = [
  { name: 'staging', title: 'Staging' },
  { name: 'production', title: 'Production', reference: true },
];

/** Generous: a loaded machine must not turn an observation into a timeout. */
const COLLECTOR = { providerTimeout: { minutes: 5 } };

/** The token the module gets for calling the Kubernetes backend (mock auth). */
const BACKSTAGE_TOKEN = mockCredentials.service.token({
  onBehalfOf: mockCredentials.service('plugin:env-parity'),
  targetPluginId: 'kubernetes',
});

/**
 * The real Kubernetes backend (its config cluster locator knows the fakes
 * and their tokens), the env-parity backend and this module in proxy mode:
 * staging-cluster mapped by config, prod-eu by its catalog Resource's
 * annotation. The module itself knows no cluster URL or token.
 */
async function startBackend(options: {
  staging: FakeKubernetes;
  production: FakeKubernetes;
  clusters?: Record<string, string>;
  withKubernetesBackend?: boolean;
  logs?: ReturnType<typeof recordingRootLogger>;
}) {
  const { staging, production } = options;
  const data: JsonObject = {
    kubernetes: {
      serviceLocatorMethod: { type: 'multiTenant' },
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: [staging, production].map(fake => ({
            name: fake.name,
            url: fake.url,
            authProvider: 'serviceAccount',
            serviceAccountToken: fake.token,
          })),
        },
      ],
    },
    envParity: {
      environments: ENVIRONMENTS,
      collector: COLLECTOR,
      kubernetes: {
        mode: 'proxy',
        clusters: options.clusters ?? { 'staging-cluster': 'staging' },
        clustersFromCatalog: true,
        timeout: '2m',
      },
    },
  };
  const { server } = await startTestBackend({
    features: [
      ...(options.withKubernetesBackend === false ? [] : [kubernetesBackend]),
      envParityPlugin,
      envParityModuleKubernetes,
      testCatalogFactory([
        component({ 'backstage.io/kubernetes-id': 'api' }),
        clusterResource('prod-eu', {
          'env-parity/environment': 'production',
        }),
        // a cluster without the annotation maps nothing
        clusterResource('dev-cluster', {}),
      ]),
      ...(options.logs ? [options.logs.factory] : []),
      mockServices.rootConfig.factory({ data }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
    ],
  });
  return server;
}

/**
 * `Date.now`, which the module's caches read (they take it when created),
 * made to stand still between `pause()` and `resume()`.
 */
function pausableClock() {
  const realNow = Date.now;
  let pausedAt: number | undefined;
  jest.spyOn(Date, 'now').mockImplementation(() => pausedAt ?? realNow());
  return {
    pause() {
      pausedAt = realNow();
    },
    resume() {
      pausedAt = undefined;
    },
  };
}

describe('envParityModuleKubernetes in proxy mode, with the Kubernetes backend', () => {
  let staging: FakeKubernetes;
  let production: FakeKubernetes;

  beforeEach(async () => {
    staging = await FakeKubernetes.start({
      name: 'staging-cluster',
      prefix: '/k8s/staging',
      token: 'staging-cluster-token-31c5',
    });
    production = await FakeKubernetes.start({
      name: 'prod-eu',
      token: 'prod-eu-token-08d2',
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await Promise.all([staging.close(), production.close()]);
  });

  it('reads both environments through the Kubernetes backend, never showing a secret', async () => {
    deployApi(staging, {
      tag: '1.5.0',
      pods: ['b', 'b', 'c'],
      logLevel: 'debug',
      dbPassword: PLANTED,
      version: '1.5.0',
    });
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a', 'a'],
      logLevel: 'info',
      dbPassword: 'production-db-password',
      version: '1.4.2',
    });
    const logs = recordingRootLogger();
    const server = await startBackend({ staging, production, logs });

    const res = await request(server).get(REPORT);
    expect(res.status).toBe(200);
    const report: ParityReport = res.body;
    const [stg, prod] = report.environments;
    // the errors, if any, say why
    expect([stg, prod].map(e => [e.status, e.error])).toEqual([
      ['ok', undefined],
      ['ok', undefined],
    ]);
    expect(stg.deployment).toMatchObject({
      provider: 'kubernetes',
      version: '1.5.0',
      artifact: `${IMAGE}:1.5.0@${digest('b')}`,
    });
    expect(prod.deployment).toMatchObject({
      provider: 'kubernetes',
      version: '1.4.2',
      artifact: `${IMAGE}:1.4.2@${digest('a')}`,
    });
    const running = (env: typeof stg) =>
      env.deployment!.resources!.map(r => [
        r.location,
        r.images!.find(i => i.container === 'api')!.digests,
      ]);
    expect(running(stg)).toEqual([
      ['staging-cluster', [digest('b'), digest('c')]],
    ]);
    expect(running(prod)).toEqual([['prod-eu', [digest('a')]]]);

    const [comparison] = report.comparisons;
    expect(comparison.environment).toBe('staging');
    expect(
      comparison.drift
        .filter(d => d.type === 'config')
        .map(d => [d.field, d.change])
        .sort(),
    ).toEqual([
      ['configmap/api-config.LOG_LEVEL', 'changed'],
      ['deployment/api.replicas', 'changed'],
      ['deployment/api/api.env.DB_PASSWORD', 'changed'],
      ['deployment/api/api.env.LOG_LEVEL', 'changed'],
      ['secret/api-secrets.DB_PASSWORD', 'changed'],
    ]);

    // every request reached the clusters through the Kubernetes backend: it
    // named the cluster, and carried the cluster token of the Kubernetes
    // backend's config, never a Backstage token
    for (const fake of [staging, production]) {
      // the inventory: pods listed once, cluster-wide, through the proxy
      expect(fake.requestsTo('/pods')).toHaveLength(1);
      expect(fake.requestsTo('/pods')[0].query.get('labelSelector')).toBeNull();
      expect(fake.requestsTo('/secrets/api-secrets')).toHaveLength(1);
      for (const r of fake.requests) {
        expect(r.authorization).toBe(`Bearer ${fake.token}`);
        expect(r.headers['backstage-kubernetes-cluster']).toBe(fake.name);
        expect(JSON.stringify(r.headers)).not.toContain(BACKSTAGE_TOKEN);
        expect(JSON.stringify(r.headers)).not.toContain('mock-');
      }
    }

    for (const [where, text] of [
      ['report response', res.text],
      ['logs', logs.text()],
    ]) {
      for (const needle of [PLANTED, PLANTED_BASE64]) {
        expect({ where, found: text.includes(needle) }).toEqual({
          where,
          found: false,
        });
      }
    }
  });

  it('contains an unknown cluster to its environment, saying what to check', async () => {
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a'],
      logLevel: 'info',
      dbPassword: 'x',
    });
    const server = await startBackend({
      staging,
      production,
      clusters: { 'staging-typo': 'staging' },
    });
    const report: ParityReport = (await request(server).get(REPORT)).body;
    const [stg, prod] = report.environments;
    expect(stg.status).toBe('error');
    expect(stg.error).toBe(
      'kubernetes: cluster staging-typo: the Kubernetes backend has no cluster named staging-typo: check kubernetes.clusterLocatorMethods',
    );
    expect(prod).toMatchObject({
      status: 'ok',
      deployment: { artifact: `${IMAGE}:1.4.2@${digest('a')}` },
    });
    expect(staging.requests).toHaveLength(0);
  });

  it("passes the API server's own errors through", async () => {
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a'],
      logLevel: 'info',
      dbPassword: 'x',
    });
    staging.forbidden.add('pods');
    // the clock the module's caches read stands still from the failure to
    // the refresh: "within the retry delay" whatever the machine's speed
    const clock = pausableClock();
    const server = await startBackend({ staging, production });
    clock.pause();
    const report: ParityReport = (await request(server).get(REPORT)).body;
    const [stg, prod] = report.environments;
    expect(stg.status).toBe('error');
    expect(stg.error).toBe(
      'kubernetes: cluster staging-cluster: 403 Forbidden: not allowed to list pods cluster-wide — grant the service account list on pods',
    );
    expect(prod.status).toBe('ok');

    // a refresh within 10 seconds gets the same failure of the inventory
    // listing, without asking the cluster again
    staging.forbidden.clear();
    const podLists = staging.requestsTo('/pods').length;
    const retried: ParityReport = (
      await request(server).post(`${REPORT}/refresh`)
    ).body;
    expect(retried.environments[0].error).toBe(stg.error);
    expect(staging.requestsTo('/pods')).toHaveLength(podLists);
    clock.resume();

    // the API server refusing the Kubernetes backend's cluster token (a
    // new backend: a new inventory)
    const restarted = await startBackend({ staging, production });
    staging.token = 'rotated-token';
    const refreshed: ParityReport = (
      await request(restarted).post(`${REPORT}/refresh`)
    ).body;
    expect(refreshed.environments[0].error).toBe(
      'kubernetes: cluster staging-cluster: 401 Unauthorized — the API server refused the credentials the Kubernetes backend sent: check the auth of cluster staging-cluster in kubernetes.clusterLocatorMethods',
    );
    expect(refreshed.environments[1].status).toBe('ok');
  });

  it('asks whether the Kubernetes backend is installed when it does not answer', async () => {
    const server = await startBackend({
      staging,
      production,
      withKubernetesBackend: false,
    });
    const report: ParityReport = (await request(server).get(REPORT)).body;
    for (const env of report.environments) {
      expect(env.status).toBe('error');
      expect(env.error).toMatch(
        /^kubernetes: cluster (staging-cluster|prod-eu): 404 Not Found from http:\/\/.+\/api\/kubernetes\/proxy, not from a cluster: is @backstage\/plugin-kubernetes-backend installed \(with kubernetes config\), and does discovery find it\?$/,
      );
    }
    expect(staging.requests).toHaveLength(0);
    expect(production.requests).toHaveLength(0);
  });
});
