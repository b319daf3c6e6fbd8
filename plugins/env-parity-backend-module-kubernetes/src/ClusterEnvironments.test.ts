import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { testCatalog } from './__testUtils__/catalog';
import { FakeKubernetes } from '@env-parity/fake-apis';
import {
  clusterResource,
  component,
  digest,
  environments,
  testConfig,
} from './__testUtils__/objects';
import { deployApi, IMAGE } from './__testUtils__/scenario';
import { ClusterEnvironments } from './ClusterEnvironments';
import { KubernetesDeploymentProvider } from './KubernetesDeploymentProvider';

const ENTITIES = [
  clusterResource('prod-eu', { 'env-parity/environment': 'production' }),
  clusterResource('staging-cluster', { 'env-parity/environment': 'qa' }),
  clusterResource('dev', {}),
  // not a cluster: ignored
  {
    ...clusterResource('db', { 'env-parity/environment': 'production' }),
    spec: { type: 'database', owner: 'group:default/platform' },
  },
  component({ 'env-parity/environment': 'production' }, 'not-a-cluster'),
];

function mapping(options: {
  config?: Record<string, string>;
  fail?: () => boolean;
  calls?: Array<{ request: unknown; credentials: unknown }>;
  now?: () => number;
}) {
  const logger = mockServices.logger.mock();
  const warnings: string[] = [];
  logger.warn.mockImplementation((message: string) => {
    warnings.push(message);
  });
  const environmentsOf = new ClusterEnvironments({
    config: new Map(Object.entries(options.config ?? {})),
    catalog: {
      service: testCatalog(ENTITIES, {
        failGetEntities: options.fail,
        calls: options.calls,
      }),
      auth: mockServices.auth({ pluginId: 'env-parity' }),
    },
    logger,
    now: options.now,
  });
  return { environmentsOf, warnings };
}

describe('ClusterEnvironments', () => {
  it('maps kubernetes-cluster Resources by their env-parity/environment annotation, with its own service credentials', async () => {
    const calls: Array<{ request: unknown; credentials: unknown }> = [];
    const { environmentsOf, warnings } = mapping({ calls });
    expect(await environmentsOf.get()).toEqual([
      {
        cluster: 'prod-eu',
        environment: 'production',
        source: 'catalog',
        entityRef: 'resource:default/prod-eu',
      },
      {
        cluster: 'staging-cluster',
        environment: 'qa',
        source: 'catalog',
        entityRef: 'resource:default/staging-cluster',
      },
    ]);
    expect(warnings).toEqual([]);
    expect(calls).toEqual([
      {
        request: {
          filter: { kind: 'Resource', 'spec.type': 'kubernetes-cluster' },
          fields: [
            'kind',
            'metadata.name',
            'metadata.namespace',
            'metadata.annotations.env-parity/environment',
          ],
        },
        credentials: mockCredentials.service('plugin:env-parity'),
      },
    ]);
  });

  it('lets the config win on conflict, warning once', async () => {
    let now = 0;
    const { environmentsOf, warnings } = mapping({
      config: { 'staging-cluster': 'staging', 'other-cluster': 'staging' },
      now: () => now,
    });
    const expected = [
      { cluster: 'staging-cluster', environment: 'staging', source: 'config' },
      { cluster: 'other-cluster', environment: 'staging', source: 'config' },
      {
        cluster: 'prod-eu',
        environment: 'production',
        source: 'catalog',
        entityRef: 'resource:default/prod-eu',
      },
    ];
    expect(await environmentsOf.get()).toEqual(expected);
    now += 10 * 60_000; // past the cache: read again
    expect(await environmentsOf.get()).toEqual(expected);
    expect(warnings).toEqual([
      'envParity.kubernetes.clusters maps cluster staging-cluster to environment "staging", the env-parity/environment annotation of resource:default/staging-cluster to "qa"; the config wins',
    ]);
  });

  it('caches the catalog mapping for a few minutes, reading once for concurrent callers', async () => {
    let now = 0;
    const calls: Array<{ request: unknown; credentials: unknown }> = [];
    const { environmentsOf } = mapping({ calls, now: () => now });
    await Promise.all([environmentsOf.get(), environmentsOf.get()]);
    expect(calls).toHaveLength(1);
    now += 4 * 60_000;
    await environmentsOf.get();
    expect(calls).toHaveLength(1);
    now += 2 * 60_000;
    await environmentsOf.get();
    expect(calls).toHaveLength(2);
  });

  it('falls back to the config mapping when the catalog fails, and tries again later', async () => {
    let now = 0;
    let failing = true;
    const calls: Array<{ request: unknown; credentials: unknown }> = [];
    const { environmentsOf, warnings } = mapping({
      config: { 'staging-cluster': 'staging' },
      fail: () => failing,
      calls,
      now: () => now,
    });
    const configOnly = [
      { cluster: 'staging-cluster', environment: 'staging', source: 'config' },
    ];
    expect(await environmentsOf.get()).toEqual(configOnly);
    expect(warnings).toEqual([
      'envParity.kubernetes: could not read the env-parity/environment annotations of kubernetes-cluster Resources from the catalog; using envParity.kubernetes.clusters alone for now: catalog unavailable (503 Service Unavailable)',
    ]);
    // not retried at once
    expect(await environmentsOf.get()).toEqual(configOnly);
    expect(calls).toHaveLength(1);
    failing = false;
    now += 31_000;
    expect((await environmentsOf.get()).map(c => c.cluster)).toEqual([
      'staging-cluster',
      'prod-eu',
    ]);
    expect(calls).toHaveLength(2);
  });
});

describe('KubernetesDeploymentProvider with the catalog mapping (proxy mode)', () => {
  it('warns once about a catalog-mapped cluster whose auth would let the Backstage token through', async () => {
    const config = new ConfigReader({
      kubernetes: {
        clusterLocatorMethods: [
          {
            type: 'config',
            clusters: [
              { name: 'prod-eu', url: 'https://a', authProvider: 'x509' },
              {
                name: 'staging-cluster',
                url: 'https://b',
                authProvider: 'serviceAccount',
              },
            ],
          },
        ],
      },
      envParity: {
        kubernetes: { mode: 'proxy', clustersFromCatalog: true, timeout: '1s' },
      },
    });
    const logger = mockServices.logger.mock();
    const { provider: p, notices } = KubernetesDeploymentProvider.fromConfig(
      config,
      {
        logger,
        auth: mockServices.auth({ pluginId: 'env-parity' }),
        // nothing listens there: every read fails, which does not matter here
        discovery: {
          getBaseUrl: async () => 'http://127.0.0.1:9/api/kubernetes',
          getExternalBaseUrl: async () => 'http://127.0.0.1:9/api/kubernetes',
        },
        catalog: testCatalog(ENTITIES),
      },
    );
    // nothing the config maps: nothing to warn about at startup
    expect(notices).toEqual([]);
    const request = {
      entity: component({ 'backstage.io/kubernetes-id': 'api' }),
      environments: environments('qa', 'production'),
    };
    await p!.observe(request);
    await p!.observe(request);
    expect(logger.warn.mock.calls.map(([message]) => message)).toEqual([
      expect.stringMatching(
        /^envParity\.kubernetes\.mode is proxy, but cluster "prod-eu" uses authProvider "x509" in kubernetes\.clusterLocatorMethods, .*Backstage service token reaches that cluster's API server/,
      ),
    ]);
  });
});

describe('KubernetesDeploymentProvider with the catalog mapping (direct mode)', () => {
  let production: FakeKubernetes;

  beforeEach(async () => {
    production = await FakeKubernetes.start({ name: 'prod-eu' });
  });

  afterEach(async () => {
    await production.close();
  });

  function provider(options: {
    fail?: boolean;
    clusters?: object;
    clustersFromCatalog?: boolean;
  }) {
    // prod-eu is defined in kubernetes.clusterLocatorMethods but not mapped by config
    const config = testConfig([{ fake: production, environment: 'x' }], {
      clusters: options.clusters ?? {},
      ...(options.clustersFromCatalog === undefined
        ? { clustersFromCatalog: true }
        : { clustersFromCatalog: options.clustersFromCatalog }),
    });
    const { provider: p } = KubernetesDeploymentProvider.fromConfig(config, {
      logger: mockServices.logger.mock(),
      auth: mockServices.auth({ pluginId: 'env-parity' }),
      discovery: mockServices.discovery(),
      catalog: testCatalog(
        [
          clusterResource('prod-eu', {
            'env-parity/environment': 'production',
          }),
          clusterResource('unknown-cluster', {
            'env-parity/environment': 'staging',
          }),
        ],
        { failGetEntities: () => options.fail === true },
      ),
      client: { tokenPath: '/nonexistent' },
    });
    return p!;
  }

  it('reads a cluster the annotation maps; an annotated cluster direct mode cannot read is an error for its environment', async () => {
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a'],
      logLevel: 'info',
      dbPassword: 'x',
    });
    const observations = await provider({}).observe({
      entity: component({ 'backstage.io/kubernetes-id': 'api' }),
      environments: environments('staging', 'production'),
    });
    expect(observations).toEqual([
      {
        environment: 'production',
        deployment: expect.objectContaining({
          artifact: `${IMAGE}:1.4.2@${digest('a')}`,
        }),
      },
      {
        environment: 'staging',
        error:
          "cluster unknown-cluster: the env-parity/environment annotation of resource:default/unknown-cluster maps it to environment staging, but kubernetes.clusterLocatorMethods has no usable cluster of that name (type config, authProvider serviceAccount): add it there, or set envParity.kubernetes.mode to proxy to read the Kubernetes backend's clusters",
      },
    ]);
  });

  it('maps nothing by annotation unless clustersFromCatalog is set (opt-in)', async () => {
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a'],
      logLevel: 'info',
      dbPassword: 'x',
    });
    const config = testConfig([{ fake: production, environment: 'x' }], {
      clusters: {},
    });
    const catalog = testCatalog([
      clusterResource('prod-eu', { 'env-parity/environment': 'production' }),
    ]);
    const { provider: p } = KubernetesDeploymentProvider.fromConfig(config, {
      logger: mockServices.logger.mock(),
      auth: mockServices.auth({ pluginId: 'env-parity' }),
      discovery: mockServices.discovery(),
      catalog,
      client: { tokenPath: '/nonexistent' },
    });
    const request = {
      entity: component({ 'backstage.io/kubernetes-id': 'api' }),
      environments: environments('staging', 'production'),
    };
    // anyone able to register a Resource must not map a cluster into production by default
    await expect(p!.observe(request)).resolves.toEqual([]);
    expect(production.requests).toEqual([]);
    await expect(
      provider({ clustersFromCatalog: false }).observe(request),
    ).resolves.toEqual([]);
  });

  it('keeps reading the clusters config maps when the catalog fails', async () => {
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a'],
      logLevel: 'info',
      dbPassword: 'x',
    });
    const observations = await provider({
      fail: true,
      clusters: { 'prod-eu': 'production' },
    }).observe({
      entity: component({ 'backstage.io/kubernetes-id': 'api' }),
      environments: environments('staging', 'production'),
    });
    expect(observations).toEqual([
      {
        environment: 'production',
        deployment: expect.objectContaining({
          artifact: `${IMAGE}:1.4.2@${digest('a')}`,
        }),
      },
    ]);
  });
});
