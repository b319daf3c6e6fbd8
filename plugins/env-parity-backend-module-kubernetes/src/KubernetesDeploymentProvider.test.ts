import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  compareDeployments,
  diffConfig,
} from '@env-parity/plugin-env-parity-common';
import { FakeKubernetes } from '@env-parity/fake-apis';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clusterConfig,
  component,
  configMap,
  digest,
  environments,
  pod,
  secret,
  testConfig,
  workload,
} from './__testUtils__/objects';
import {
  deployApi,
  deployService,
  IMAGE,
  SIDECAR_IMAGE,
} from './__testUtils__/scenario';
import { KubernetesCaches } from './caches';
import { configSourceName } from './fingerprints';
import { runningDigest } from './inventory';
import { KubernetesDeploymentProvider } from './KubernetesDeploymentProvider';

const ENVS = environments('staging', 'production');
const KUBE_ID = { 'backstage.io/kubernetes-id': 'api' };

// every behaviour holds with the per-cluster inventory (the default) and
// with per-entity label selector queries
describe.each([
  ['with the inventory', true],
  ['with per-entity queries', false],
])('KubernetesDeploymentProvider %s', (_mode, inventoryEnabled) => {
  const INVENTORY = { inventory: { enabled: inventoryEnabled } };
  let staging: FakeKubernetes;
  let production: FakeKubernetes;

  beforeEach(async () => {
    staging = await FakeKubernetes.start({
      name: 'staging-cluster',
      prefix: '/k8s/staging',
    });
    production = await FakeKubernetes.start({ name: 'prod-eu' });
  });

  afterEach(async () => {
    await Promise.all([staging.close(), production.close()]);
  });

  function provider(envParity = {}, caches?: KubernetesCaches) {
    const { provider: p, notices } = KubernetesDeploymentProvider.fromConfig(
      testConfig(
        [
          { fake: staging, environment: 'staging' },
          { fake: production, environment: 'production' },
        ],
        { ...INVENTORY, ...envParity },
      ),
      {
        logger: mockServices.logger.mock(),
        client: { tokenPath: '/nonexistent' },
        caches,
      },
    );
    expect(notices).toEqual([]);
    return p!;
  }

  it('supports entities with a kubernetes id or label selector', () => {
    const p = provider();
    expect(p.getProviderName()).toBe('kubernetes');
    expect(p.precedence).toBe(100);
    expect(p.supports(component(KUBE_ID))).toBe(true);
    expect(
      p.supports(
        component({ 'backstage.io/kubernetes-label-selector': 'app=api' }),
      ),
    ).toBe(true);
    expect(p.supports(component({}))).toBe(false);
  });

  it('reports the running digests, resources and configuration of each environment', async () => {
    deployApi(staging, {
      tag: '1.5.0',
      pods: ['b', 'b'],
      logLevel: 'debug',
      dbPassword: 'staging-password',
      version: '1.5.0',
    });
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a', 'a', 'a'],
      logLevel: 'info',
      dbPassword: 'production-password',
      version: '1.4.2',
      memory: '512Mi',
    });
    const observations = await provider().observe({
      entity: component(KUBE_ID),
      environments: ENVS,
    });
    expect(observations.map(o => [o.environment, o.error])).toEqual([
      ['staging', undefined],
      ['production', undefined],
    ]);
    const [stg, prod] = observations.map(o => o.deployment!);
    // the container named like the entity is primary, not the first one
    expect(stg.artifact).toBe(`${IMAGE}:1.5.0@${digest('b')}`);
    expect(prod.artifact).toBe(`${IMAGE}:1.4.2@${digest('a')}`);
    expect(stg.version).toBe('1.5.0');
    expect(prod.resources).toEqual([
      {
        kind: 'Deployment',
        name: 'api',
        namespace: 'shop',
        location: 'prod-eu',
        replicas: { desired: 3, ready: 3 },
        status: 'Available',
        images: [
          { container: 'envoy', image: SIDECAR_IMAGE, digests: [digest('e')] },
          {
            container: 'api',
            image: `${IMAGE}:1.4.2`,
            digests: [digest('a')],
          },
        ],
      },
    ]);
    expect(prod.findings).toBeUndefined();

    expect(Object.keys(prod.config!)).toEqual([
      'configmap/api-config.LOG_LEVEL',
      'configmap/api-config.REGION',
      'deployment/api.replicas',
      'deployment/api/api.env.DB_PASSWORD',
      'deployment/api/api.env.FEATURE_FLAG',
      'deployment/api/api.env.LOG_LEVEL',
      'deployment/api/api.env.POD_NAMESPACE',
      'deployment/api/api.resources.limits.memory',
      'deployment/api/api.resources.requests.cpu',
      'deployment/api/api.resources.requests.memory',
      'deployment/api/envoy.image',
      'deployment/api/envoy.resources.limits.memory',
      'secret/api-secrets.API_KEY',
      'secret/api-secrets.DB_PASSWORD',
    ]);
    const c = prod.config!;
    expect(c['deployment/api.replicas']).toMatchObject({ value: '3' });
    expect(c['deployment/api/api.resources.limits.memory']).toMatchObject({
      value: '512Mi',
    });
    expect(c['deployment/api/envoy.image'].value).toBe(SIDECAR_IMAGE);
    expect(c['deployment/api/api.env.POD_NAMESPACE'].value).toBe(
      'fieldRef metadata.namespace',
    );
    // literal and ConfigMap values: hashed, not shown by default
    expect(c['deployment/api/api.env.FEATURE_FLAG'].value).toBeUndefined();
    expect(c['configmap/api-config.LOG_LEVEL']).toEqual({
      hash: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(c['deployment/api/api.env.LOG_LEVEL'].hash).toBe(
      c['configmap/api-config.LOG_LEVEL'].hash,
    );
    // secrets: a hash marked secret, nothing else
    expect(c['secret/api-secrets.DB_PASSWORD']).toEqual({
      hash: expect.stringMatching(/^[0-9a-f]{32}$/),
      secret: true,
    });
    expect(c['deployment/api/api.env.DB_PASSWORD']).toEqual(
      c['secret/api-secrets.DB_PASSWORD'],
    );

    // what differs between the environments, and what does not
    const s = stg.config!;
    const differs = Object.keys(c).filter(k => s[k]?.hash !== c[k].hash);
    expect(differs).toEqual([
      'configmap/api-config.LOG_LEVEL',
      'deployment/api.replicas',
      'deployment/api/api.env.DB_PASSWORD',
      'deployment/api/api.env.LOG_LEVEL',
      'deployment/api/api.resources.limits.memory',
      'deployment/api/api.resources.requests.memory',
      'secret/api-secrets.DB_PASSWORD',
    ]);

    const json = JSON.stringify(observations);
    for (const planted of [
      'staging-password',
      'production-password',
      'same-everywhere',
      Buffer.from('production-password').toString('base64'),
    ]) {
      expect(json).not.toContain(planted);
    }
    // the optional, missing ConfigMap was asked for and is no finding
    expect(production.requestsTo('/configmaps/api-extra')).toHaveLength(1);
  });

  it('shows ConfigMap values with showConfigMapValues', async () => {
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a'],
      logLevel: 'info',
      dbPassword: 'pw',
    });
    const [obs] = await provider({ showConfigMapValues: true }).observe({
      entity: component(KUBE_ID),
      environments: environments('production'),
    });
    expect(
      obs.deployment!.config!['configmap/api-config.LOG_LEVEL'].value,
    ).toBe('info');
    expect(
      obs.deployment!.config!['deployment/api/api.env.LOG_LEVEL'].value,
    ).toBe('info');
    expect(
      obs.deployment!.config!['secret/api-secrets.DB_PASSWORD'].value,
    ).toBeUndefined();
  });

  it('reports pods of one workload running different digests as a finding', async () => {
    deployApi(staging, {
      tag: '1.5.0',
      pods: ['b', 'c', 'b'],
      logLevel: 'debug',
      dbPassword: 'x',
    });
    const [obs] = await provider().observe({
      entity: component(KUBE_ID),
      environments: ENVS,
    });
    expect(obs.deployment!.artifact).toBe(`${IMAGE}:1.5.0@${digest('b')}`);
    expect(obs.deployment!.resources![0].images![1].digests).toEqual([
      digest('b'),
      digest('c'),
    ]);
    expect(obs.deployment!.findings).toEqual([
      {
        type: 'mixed-digests',
        severity: 'warning',
        message:
          'Deployment api on staging-cluster: pods of container api run 2 different digests (sha256:bbbbbbbbbbbb on 2 pods, sha256:cccccccccccc on 1): a rollout in progress or stuck.',
        // the workload it is about
        resource: {
          kind: 'Deployment',
          name: 'api',
          location: 'staging-cluster',
        },
      },
    ]);
  });

  it('contains the failure of one cluster to its environment', async () => {
    deployApi(staging, {
      tag: '1.5.0',
      pods: ['b'],
      logLevel: 'debug',
      dbPassword: 'x',
    });
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a'],
      logLevel: 'info',
      dbPassword: 'y',
    });
    const p = provider();
    staging.token = 'rotated';
    const observations = await p.observe({
      entity: component(KUBE_ID),
      environments: ENVS,
    });
    expect(observations).toEqual([
      {
        environment: 'staging',
        error:
          'cluster staging-cluster: 401 Unauthorized — check kubernetes.clusterLocatorMethods serviceAccountToken',
      },
      { environment: 'production', deployment: expect.any(Object) },
    ]);
    expect(observations[1].deployment!.artifact).toBe(
      `${IMAGE}:1.4.2@${digest('a')}`,
    );
  });

  it('reads the in-cluster token file again for each observation (a rotated token is used), next to a cluster whose config token client is reused', async () => {
    for (const fake of [staging, production]) {
      deployApi(fake, {
        tag: '1.4.2',
        pods: ['a'],
        logLevel: 'info',
        dbPassword: 'y',
      });
    }
    const dir = mkdtempSync(join(tmpdir(), 'env-parity-token-'));
    const tokenPath = join(dir, 'token');
    writeFileSync(tokenPath, staging.token);
    const config = clusterConfig(
      [
        { fake: staging, environment: 'staging' },
        { fake: production, environment: 'production' },
      ],
      // no cache between the observations: each one asks both clusters
      { inventory: { enabled: inventoryEnabled, maxAge: { seconds: 0 } } },
    ) as any;
    // staging: no token in the config, the in-cluster token file instead
    delete config.kubernetes.clusterLocatorMethods[0].clusters[0]
      .serviceAccountToken;
    const { provider: p } = KubernetesDeploymentProvider.fromConfig(
      new ConfigReader(config),
      { logger: mockServices.logger.mock(), client: { tokenPath } },
    );
    const observe = () =>
      p!.observe({ entity: component(KUBE_ID), environments: ENVS });
    try {
      expect((await observe()).map(o => o.error)).toEqual([
        undefined,
        undefined,
      ]);
      // the token is rotated: the file is read again
      staging.token = 'rotated-in-cluster-token';
      writeFileSync(tokenPath, staging.token);
      const before = staging.requests.length;
      expect((await observe()).map(o => o.error)).toEqual([
        undefined,
        undefined,
      ]);
      expect(staging.requests.length).toBeGreaterThan(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('contains timeouts and server errors to their environment', async () => {
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a'],
      logLevel: 'info',
      dbPassword: 'y',
    });
    staging.answerAlways('/apis/apps/v1/statefulsets', 'hang');
    production.answerNext('/api/v1/namespaces/shop/configmaps/api-config', {
      status: 502,
      text: 'Bad Gateway',
    });
    // the hanging cluster times out; the other one's requests, each well
    // within 3 seconds even on a loaded machine, are not affected
    const observations = await provider({ timeout: '3s' }).observe({
      entity: component(KUBE_ID),
      environments: ENVS,
    });
    expect(observations).toEqual([
      {
        environment: 'staging',
        error:
          'cluster staging-cluster: timed out after 3000 ms listing statefulsets.apps cluster-wide (envParity.kubernetes.timeout)',
      },
      {
        environment: 'production',
        error:
          'cluster prod-eu: 502 Bad Gateway from the API server (could not get configmaps api-config in namespace shop)',
      },
    ]);
  });

  it('degrades to unknown secret keys when secrets are forbidden', async () => {
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a'],
      logLevel: 'info',
      dbPassword: 'y',
    });
    production.forbidden.add('secrets');
    const [obs] = await provider().observe({
      entity: component(KUBE_ID),
      environments: environments('production'),
    });
    expect(obs.error).toBeUndefined();
    const config = obs.deployment!.config!;
    // the key an env var names is known to exist, its value is not; the
    // Secret's other keys (API_KEY) cannot be known
    expect(
      Object.entries(config).filter(([k]) => k.startsWith('secret/')),
    ).toEqual([
      [
        'secret/api-secrets.DB_PASSWORD',
        { hash: '', secret: true, unknown: true },
      ],
    ]);
    expect(config['deployment/api/api.env.DB_PASSWORD']).toEqual({
      hash: '',
      secret: true,
      unknown: true,
    });
    expect(obs.deployment!.findings).toEqual([
      {
        type: 'secrets-unreadable',
        severity: 'info',
        message:
          'Secrets in namespace shop on prod-eu could not be read (403 Forbidden): secret keys unknown. Grant the service account get on secrets to compare them.',
      },
    ]);
  });

  it('does not take Secrets it may not read for drift against an environment that can read the same Secrets', async () => {
    for (const fake of [staging, production]) {
      deployService(fake, {
        name: 'api',
        tag: '1.4.2',
        pods: ['a'],
        secretValue: 'the-same-password',
      });
    }
    // staging's service account may not get secrets
    staging.forbidden.add('secrets');
    const observations = await provider().observe({
      entity: component(KUBE_ID),
      environments: ENVS,
    });
    expect(observations.map(o => [o.environment, o.error])).toEqual([
      ['staging', undefined],
      ['production', undefined],
    ]);
    const [stg, prod] = observations.map(o => o.deployment!);
    // every key taken from the unreadable Secret: known, value unknown
    const unknown = { hash: '', secret: true, unknown: true };
    expect(stg.config!['deployment/api/api.env.DB_PASSWORD']).toEqual(unknown);
    expect(stg.config!['secret/api-secrets.DB_PASSWORD']).toEqual(unknown);
    expect(prod.config!['secret/api-secrets.DB_PASSWORD']).toEqual({
      hash: expect.stringMatching(/^[0-9a-f]{32}$/),
      secret: true,
    });
    // so nothing differs
    expect(diffConfig(prod.config!, stg.config!)).toEqual([]);
    expect(compareDeployments(stg, prod)).toEqual({
      verdict: 'in-sync',
      drift: [],
      ignoredConfig: [],
    });
    // and the gap is told, once
    expect(stg.findings).toEqual([
      {
        type: 'secrets-unreadable',
        severity: 'info',
        message:
          'Secrets in namespace shop on staging-cluster could not be read (403 Forbidden): secret keys unknown. Grant the service account get on secrets to compare them.',
      },
    ]);
    expect(prod.findings).toBeUndefined();

    // what does differ still shows
    production.add(configMap('api-config', { LOG_LEVEL: 'warn' }));
    const [, prod2] = (
      await provider().observe({
        entity: component(KUBE_ID),
        environments: ENVS,
      })
    ).map(o => o.deployment!);
    expect(compareDeployments(stg, prod2).drift.map(d => d.field)).toEqual([
      'configmap/api-config.LOG_LEVEL',
      'deployment/api/api.env.LOG_LEVEL',
    ]);
  });

  it('compares ConfigMaps and Secrets Kustomize generated under their names without the hash suffix', async () => {
    const deploy = (
      fake: FakeKubernetes,
      names: { config: string; secrets: string },
      logLevel: string,
    ) =>
      fake.add(
        workload({
          name: 'api',
          replicas: 1,
          containers: [
            {
              name: 'api',
              image: `${IMAGE}:1.4.2`,
              env: [
                {
                  name: 'DB_PASSWORD',
                  valueFrom: {
                    secretKeyRef: { name: names.secrets, key: 'DB_PASSWORD' },
                  },
                },
                {
                  name: 'MISSING',
                  valueFrom: {
                    configMapKeyRef: {
                      name: names.config,
                      key: 'NOT_THERE',
                      optional: true,
                    },
                  },
                },
              ],
              envFrom: [{ configMapRef: { name: names.config } }],
            },
          ],
          volumes: [{ name: 's', secret: { secretName: names.secrets } }],
        }),
        pod({
          name: 'api-1',
          labels: KUBE_ID,
          containers: [
            {
              name: 'api',
              image: `${IMAGE}:1.4.2`,
              imageID: `${IMAGE}@${digest('a')}`,
            },
          ],
        }),
        configMap(names.config, { LOG_LEVEL: logLevel, REGION: 'eu' }),
        secret(names.secrets, { DB_PASSWORD: 'pw', API_KEY: 'k' }),
      );
    deploy(
      staging,
      { config: 'api-config-7f9h2k8g5m', secrets: 'api-secrets-g4d5t6m8k2' },
      'debug',
    );
    deploy(
      production,
      { config: 'api-config-b6k2dh9tmc', secrets: 'api-secrets-5h7k9m2b4c' },
      'info',
    );
    const [stg, prod] = (
      await provider().observe({
        entity: component(KUBE_ID),
        environments: ENVS,
      })
    ).map(o => o.deployment!);
    expect(Object.keys(prod.config!)).toEqual([
      'configmap/api-config.LOG_LEVEL',
      'configmap/api-config.REGION',
      'deployment/api.replicas',
      'deployment/api/api.env.DB_PASSWORD',
      'deployment/api/api.env.MISSING',
      'secret/api-secrets.API_KEY',
      'secret/api-secrets.DB_PASSWORD',
    ]);
    // only the changed key drifts, not two whole objects removed and added
    expect(
      diffConfig(prod.config!, stg.config!).map(d => [d.field, d.change]),
    ).toEqual([['configmap/api-config.LOG_LEVEL', 'changed']]);
    // the clusters were asked for the real names
    expect(
      staging.requestsTo('/configmaps/api-config-7f9h2k8g5m'),
    ).toHaveLength(1);
    expect(
      production.requestsTo('/secrets/api-secrets-5h7k9m2b4c'),
    ).toHaveLength(1);
  });

  it('skips rollouts when the CRD is missing and reads them when installed', async () => {
    const rollout = workload({
      kind: 'Rollout',
      name: 'api-canary',
      replicas: 1,
      containers: [{ name: 'web', image: `${IMAGE}:2.0.0` }],
    });
    rollout.status = { phase: 'Paused', readyReplicas: 1 };
    production.add(
      rollout,
      pod({
        name: 'api-canary-1',
        labels: { 'backstage.io/kubernetes-id': 'api', app: 'api-canary' },
        containers: [
          {
            name: 'web',
            image: `${IMAGE}:2.0.0`,
            imageID: `${IMAGE}@${digest('f')}`,
          },
        ],
      }),
    );
    let now = 0;
    const p = provider(
      {},
      new KubernetesCaches({
        maxAgeMs: 120_000,
        maxStaleMs: 120_000,
        now: () => now,
      }),
    );
    const request = {
      entity: component(KUBE_ID),
      environments: environments('production'),
    };
    // no CRD: nothing but the rollout answers 404, and nothing is found
    expect(await p.observe(request)).toEqual([]);
    expect(production.requestsTo('/rollouts')).toHaveLength(1);
    expect(await p.observe(request)).toEqual([]);
    // the inventory remembers the 404 until it is listed again; per-entity
    // queries ask every time
    expect(production.requestsTo('/rollouts')).toHaveLength(
      inventoryEnabled ? 1 : 2,
    );

    production.rolloutsInstalled = true;
    // the inventory sees the CRD only when listed again, after maxAge
    now += 119_999;
    const early = await p.observe(request);
    expect(early.map(o => Boolean(o.deployment))).toEqual(
      inventoryEnabled ? [] : [true],
    );
    now += 1;
    const [obs] = await p.observe(request);
    expect(obs.deployment!.resources).toEqual([
      expect.objectContaining({
        kind: 'Rollout',
        name: 'api-canary',
        status: 'Paused',
        replicas: { desired: 1, ready: 1 },
      }),
    ]);
    // no container named like the entity: the first container is primary
    expect(obs.deployment!.artifact).toBe(`${IMAGE}:2.0.0@${digest('f')}`);
    expect(
      obs.deployment!.config!['rollout/api-canary.replicas'],
    ).toBeDefined();
  });

  it('uses the label selector and namespace annotations, URL-encoded', async () => {
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a'],
      logLevel: 'info',
      dbPassword: 'y',
    });
    const [obs] = await provider().observe({
      entity: component({
        'backstage.io/kubernetes-label-selector': 'app in (api, web),!legacy',
        'backstage.io/kubernetes-namespace': 'shop',
      }),
      environments: environments('production'),
    });
    expect(obs.deployment!.artifact).toBe(`${IMAGE}:1.4.2@${digest('a')}`);
    const [req] = production.requestsTo('/pods');
    // the inventory lists cluster-wide without a selector and matches in
    // memory; per-entity queries carry both
    expect([req.path, req.query.get('labelSelector')]).toEqual(
      inventoryEnabled
        ? ['/api/v1/pods', null]
        : ['/api/v1/namespaces/shop/pods', 'app in (api,web),!legacy'],
    );

    // the selector and the namespace leave out what they do not match
    for (const annotations of [
      { 'backstage.io/kubernetes-label-selector': 'app in (web),!legacy' },
      { 'backstage.io/kubernetes-label-selector': 'app=api,legacy' },
      { ...KUBE_ID, 'backstage.io/kubernetes-namespace': 'other' },
    ] as Array<Record<string, string>>) {
      await expect(
        provider().observe({
          entity: component(annotations),
          environments: environments('production'),
        }),
      ).resolves.toEqual([]);
    }
  });

  it('answers a malformed annotation with an error per environment, without requests', async () => {
    const p = provider();
    await expect(
      p.observe({
        entity: component({
          'backstage.io/kubernetes-label-selector': 'app=api&x=1',
        }),
        environments: ENVS,
      }),
    ).resolves.toEqual([
      {
        environment: 'staging',
        error:
          'annotation backstage.io/kubernetes-label-selector is malformed: "app=api&x=1" in the label selector is not a valid requirement',
      },
      expect.objectContaining({ environment: 'production' }),
    ]);
    await expect(
      p.observe({
        entity: component({
          ...KUBE_ID,
          'backstage.io/kubernetes-namespace': '../kube-system',
        }),
        environments: ENVS,
      }),
    ).resolves.toEqual([
      {
        environment: 'staging',
        error:
          'annotation backstage.io/kubernetes-namespace "../kube-system" is not a valid namespace name',
      },
      expect.objectContaining({ environment: 'production' }),
    ]);
    expect(staging.requests).toEqual([]);
    expect(production.requests).toEqual([]);
  });

  it('keeps a key the clusters of one environment disagree on as one combined fingerprint, and says so', async () => {
    const second = await FakeKubernetes.start({ name: 'prod-us' });
    try {
      const api = (fake: FakeKubernetes, logLevel: string) =>
        deployApi(fake, {
          tag: '1.4.2',
          pods: ['a', 'a'],
          logLevel,
          dbPassword: 'y',
        });
      api(staging, 'info');
      api(production, 'info');
      api(second, 'debug');
      const observe = async (order: FakeKubernetes[]) => {
        const { provider: p } = KubernetesDeploymentProvider.fromConfig(
          testConfig(
            [
              { fake: staging, environment: 'staging' },
              ...order.map(fake => ({ fake, environment: 'production' })),
            ],
            { ...INVENTORY, showConfigMapValues: true },
          ),
          { logger: mockServices.logger.mock() },
        );
        return (
          await p!.observe({ entity: component(KUBE_ID), environments: ENVS })
        ).map(o => o.deployment!);
      };
      const [stg, prod] = await observe([production, second]);
      const combined = prod.config!['configmap/api-config.LOG_LEVEL'];
      // neither cluster's value, nor any value or cluster name
      expect(combined).toEqual({
        hash: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      expect(combined.hash).not.toBe(
        stg.config!['configmap/api-config.LOG_LEVEL'].hash,
      );
      // what the clusters agree on is kept as it is, value and all
      expect(prod.config!['configmap/api-config.REGION']).toEqual(
        stg.config!['configmap/api-config.REGION'],
      );
      expect(prod.config!['configmap/api-config.REGION'].value).toBe(
        'eu-west-1',
      );
      // the disagreement is visible against staging, whatever cluster is last
      expect(
        diffConfig(prod.config!, stg.config!).map(d => [
          d.field,
          d.change,
          d.reference,
          d.environment,
        ]),
      ).toEqual([
        ['configmap/api-config.LOG_LEVEL', 'changed', undefined, 'info'],
        ['deployment/api/api.env.LOG_LEVEL', 'changed', undefined, 'info'],
      ]);
      expect(prod.findings).toEqual([
        {
          type: 'clusters-differ',
          severity: 'info',
          message:
            "2 configuration keys differ between the clusters of environment production (prod-eu, prod-us): configmap/api-config.LOG_LEVEL, deployment/api/api.env.LOG_LEVEL. Each is compared as one combined fingerprint of the clusters' values.",
        },
      ]);
      expect(stg.findings).toBeUndefined();
      // the same fingerprint in whatever order the clusters come
      const [, reversed] = await observe([second, production]);
      expect(reversed.config).toEqual(prod.config);
    } finally {
      await second.close();
    }
  });

  it('combines clusters mapped to one environment', async () => {
    const second = await FakeKubernetes.start({ name: 'prod-us' });
    try {
      deployApi(production, {
        tag: '1.4.2',
        pods: ['a'],
        logLevel: 'info',
        dbPassword: 'y',
      });
      deployApi(second, {
        tag: '1.4.2',
        pods: ['a', 'd', 'd', 'd'],
        logLevel: 'info',
        dbPassword: 'y',
      });
      const { provider: p } = KubernetesDeploymentProvider.fromConfig(
        testConfig(
          [
            { fake: production, environment: 'production' },
            { fake: second, environment: 'production' },
          ],
          INVENTORY,
        ),
        { logger: mockServices.logger.mock() },
      );
      const [obs] = await p!.observe({
        entity: component(KUBE_ID),
        environments: environments('production'),
      });
      // most pods across both clusters run d
      expect(obs.deployment!.artifact).toBe(`${IMAGE}:1.4.2@${digest('d')}`);
      expect(obs.deployment!.resources!.map(r => r.location)).toEqual([
        'prod-eu',
        'prod-us',
      ]);
      expect(obs.deployment!.findings).toHaveLength(2);
      expect(obs.deployment!.findings![0].message).toContain(
        'Deployment api on prod-us: pods of container api run 2 different digests (sha256:dddddddddddd on 3 pods, sha256:aaaaaaaaaaaa on 1)',
      );
      expect(obs.deployment!.findings![0].resource).toEqual({
        kind: 'Deployment',
        name: 'api',
        location: 'prod-us',
      });
      // their replicas differ (1 and 4): said so, not one of them silently
      expect(obs.deployment!.findings![1]).toMatchObject({
        type: 'clusters-differ',
        severity: 'info',
      });
    } finally {
      await second.close();
    }
  });
});

describe('configSourceName', () => {
  it.each([
    ['api-config-7f9h2k8g5m', 'api-config'],
    ['api-secrets-g4d5t6m8k2', 'api-secrets'],
    ['a-b-2456789bcd', 'a-b'],
    // not a Kustomize hash: other characters, other lengths, nothing before it
    ['api-config-production', 'api-config-production'],
    ['api-config-7f9h2k8g5', 'api-config-7f9h2k8g5'],
    ['api-config-7f9h2k8g5mm', 'api-config-7f9h2k8g5mm'],
    ['api-config-7F9H2K8G5M', 'api-config-7F9H2K8G5M'],
    ['api-config-aaaaaaaaaa', 'api-config-aaaaaaaaaa'],
    ['-7f9h2k8g5m', '-7f9h2k8g5m'],
    ['api-config', 'api-config'],
  ])('%s → %s', (name, expected) => {
    expect(configSourceName(name)).toBe(expected);
  });
});

describe('runningDigest', () => {
  it.each([
    [`docker-pullable://ghcr.io/acme/api@${digest('a')}`, digest('a')],
    [`docker.io/library/nginx@${digest('b')}`, digest('b')],
    [`ghcr.io/acme/api:1.0@${digest('c')}`, digest('c')],
    [digest('d'), undefined],
    ['', undefined],
    [undefined, undefined],
    ['docker://sha256:1234', undefined],
  ])('%s → %s', (imageID, expected) => {
    expect(runningDigest(imageID)).toBe(expected);
  });
});
