import { ConfigReader } from '@backstage/config';
import { ReplicaLaunchSpec } from '@env-parity/plugin-env-parity-node';
import { component, digest } from '../__testUtils__/objects';
import { IMAGE, SIDECAR_IMAGE } from '../__testUtils__/scenario';
import {
  capturingLogger,
  driverFor,
  PLANTED,
  PLANTED_BASE64,
  SandboxWorld,
  STAGING_PASSWORD,
  startWorld,
} from './__testUtils__/sandbox';
import { KubernetesReplicaDriver } from './KubernetesReplicaDriver';

const ID = '1a2b3c4d-0000-4000-8000-000000000001';
const NS = 'envp-api-1a2b3c4d';
const signal = new AbortController().signal;

function spec(overrides: Partial<ReplicaLaunchSpec> = {}): ReplicaLaunchSpec {
  return {
    replicaId: ID,
    entity: component({ 'backstage.io/kubernetes-id': 'api' }),
    entityRef: 'component:default/api',
    requester: 'user:default/guest',
    namespace: NS,
    expiresAt: '2030-01-01T15:30:00.000Z',
    ...overrides,
  };
}

describe('KubernetesReplicaDriver', () => {
  let world: SandboxWorld;

  beforeEach(async () => {
    world = await startWorld();
  });

  afterEach(async () => {
    await world.close();
  });

  const written = (kind: string) =>
    world.sandbox.sandbox!.written().filter(o => o.kind === kind);

  it('creates the namespace, pinned workloads, configuration, quota, limits, egress policy and service', async () => {
    const { driver, logger } = driverFor(
      world.config({
        kubectlContext: 'sandbox-ctx',
        quota: { 'requests.cpu': '1', pods: 5 },
        limitRange: { default: { memory: '256Mi' } },
        allowEgress: ['10.20.0.0/16'],
        override: { REGION: 'sandbox-region' },
      }),
    );
    const result = await driver.launch(spec(), { signal });

    // every image pinned to the digest most of production's pods run
    const [deployment] = written('Deployment');
    expect(deployment.metadata.namespace).toBe(NS);
    expect(deployment.spec.replicas).toBe(1);
    const images = deployment.spec.template.spec.containers.map(
      (c: any) => c.image,
    );
    expect(images).toEqual([
      `envoyproxy/envoy@${digest('e')}`,
      `${IMAGE}@${digest('a')}`,
    ]);
    // production's placement and service account are not copied
    expect(deployment.spec.template.spec.nodeSelector).toBeUndefined();
    expect(deployment.spec.template.spec.serviceAccountName).toBeUndefined();
    expect(deployment.spec.template.spec.automountServiceAccountToken).toBe(
      false,
    );
    expect(result.workloads).toEqual([
      {
        kind: 'Deployment',
        name: 'api',
        containers: [
          {
            name: 'envoy',
            image: `envoyproxy/envoy@${digest('e')}`,
            digest: digest('e'),
          },
          {
            name: 'api',
            image: `${IMAGE}@${digest('a')}`,
            digest: digest('a'),
          },
        ],
      },
    ]);
    expect(SIDECAR_IMAGE.startsWith('envoyproxy/envoy')).toBe(true);

    // the namespace, labelled and annotated; every object labelled
    const [namespace] = written('Namespace');
    expect(namespace.metadata).toMatchObject({
      name: NS,
      labels: {
        'app.kubernetes.io/managed-by': 'env-parity',
        'env-parity.io/replica-id': ID,
      },
      annotations: {
        'env-parity.io/expires-at': '2030-01-01T15:30:00.000Z',
        'env-parity.io/entity-ref': 'component:default/api',
      },
    });
    for (const object of world.sandbox.sandbox!.written()) {
      expect(object.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'env-parity',
        'env-parity.io/replica-id': ID,
      });
    }

    // quota, limits and egress from config
    expect(written('ResourceQuota')[0].spec).toEqual({
      hard: { 'requests.cpu': '1', pods: '5' },
    });
    expect(written('LimitRange')[0].spec.limits).toEqual([
      {
        type: 'Container',
        default: { memory: '256Mi' },
        defaultRequest: { cpu: '100m', memory: '128Mi' },
      },
    ]);
    const [policy] = written('NetworkPolicy');
    expect(policy.spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        { to: [{ podSelector: {} }] },
        { to: [{ ipBlock: { cidr: '10.20.0.0/16' } }] },
      ],
    });

    // production's ConfigMap with the override; Secret keys empty
    expect(result.configPolicy).toBe('production-non-secret');
    expect(result.config).toEqual([
      {
        object: 'api-config',
        kind: 'ConfigMap',
        key: 'LOG_LEVEL',
        source: 'production',
      },
      {
        object: 'api-config',
        kind: 'ConfigMap',
        key: 'REGION',
        source: 'override',
      },
      {
        object: 'api-secrets',
        kind: 'Secret',
        key: 'API_KEY',
        source: 'empty',
      },
      {
        object: 'api-secrets',
        kind: 'Secret',
        key: 'DB_PASSWORD',
        source: 'empty',
      },
    ]);
    expect(written('ConfigMap')[0].data).toEqual({
      LOG_LEVEL: 'warn',
      REGION: 'sandbox-region',
    });
    expect(written('Secret')[0].data).toEqual({ API_KEY: '', DB_PASSWORD: '' });

    // a Service per workload, and how to reach it
    expect(written('Service')[0].spec).toEqual({
      type: 'ClusterIP',
      selector: { app: 'api' },
      ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }],
    });
    expect(result.endpoints).toEqual([
      {
        service: 'api',
        port: 8080,
        command: `kubectl --context sandbox-ctx -n ${NS} port-forward svc/api 8080:8080`,
      },
    ]);
    // no access mapping configured: no RoleBinding
    expect(written('RoleBinding')).toEqual([]);
    expect(result.roleBinding).toBeUndefined();

    // production is only read
    expect(
      [...world.production.requests, ...world.staging.requests].every(
        r => r.method === 'GET',
      ),
    ).toBe(true);

    // the planted secret is nowhere
    const everything = JSON.stringify([
      world.sandbox.sandbox!.mutations,
      result,
      logger.text(),
    ]);
    expect(everything).not.toContain(PLANTED);
    expect(everything).not.toContain(PLANTED_BASE64);
  });

  it('is ready only once every pod is ready with the pinned digests, and reports it as the provider does', async () => {
    const fake = world.sandbox.sandbox!;
    fake.readyAfterMs = 24 * 3600_000;
    const { driver, logger } = driverFor(world.config());
    await driver.launch(spec(), { signal });
    const replica = { namespace: NS, entity: spec().entity, replicaId: ID };

    const creating = await driver.observe(replica, { signal });
    expect(creating.state).toBe('creating');
    expect(creating.reason).toContain('not ready');

    fake.readyAfterMs = 0;
    const ready = await driver.observe(replica, { signal });
    expect(ready.state).toBe('ready');
    expect(ready.deployment?.artifact).toBe(`${IMAGE}@${digest('a')}`);
    expect(ready.deployment?.version).toBe('1.4.2');
    expect(ready.deployment?.resources?.[0]).toMatchObject({
      kind: 'Deployment',
      name: 'api',
      namespace: NS,
      location: 'sandbox',
    });
    // the keys created empty are not compared
    expect(
      ready.deployment?.config?.['secret/api-secrets.DB_PASSWORD'],
    ).toEqual({ hash: '', secret: true, unknown: true });
    expect(
      ready.deployment?.config?.['deployment/api/api.env.DB_PASSWORD'],
    ).toEqual({ hash: '', secret: true, unknown: true });
    expect(
      ready.deployment?.config?.['configmap/api-config.LOG_LEVEL'],
    ).toBeDefined();
    // the sidecar runs production's digest, pinned: reported by the image
    // production's spec names, as the provider reports production's
    const pinned = written('Deployment')[0].spec.template.spec.containers.find(
      (c: { name: string }) => c.name === 'envoy',
    );
    expect(pinned.image).toMatch(/^envoyproxy\/envoy@sha256:/);
    expect(creating.deployment?.config?.['deployment/api/envoy.image']).toEqual(
      expect.objectContaining({ value: pinned.image }),
    );
    expect(ready.deployment?.config?.['deployment/api/envoy.image']).toEqual(
      expect.objectContaining({ value: SIDECAR_IMAGE }),
    );
    expect(JSON.stringify([ready, logger.text()])).not.toContain(PLANTED);
  });

  it("copies a pre-production environment's ConfigMaps and Secrets with configFrom", async () => {
    const { driver, logger } = driverFor(world.config());
    const result = await driver.launch(
      spec({
        entity: component({
          'backstage.io/kubernetes-id': 'api',
          'env-parity/replica-config-from': 'staging',
        }),
      }),
      { signal },
    );
    expect(result.configPolicy).toBe('configFrom:staging');
    expect(
      result.config.map(k => `${k.kind} ${k.object}.${k.key} ${k.source}`),
    ).toEqual([
      'ConfigMap api-config.LOG_LEVEL staging',
      'ConfigMap api-config.REGION staging',
      'Secret api-secrets.API_KEY staging',
      'Secret api-secrets.DB_PASSWORD staging',
    ]);
    expect(written('ConfigMap')[0].data.LOG_LEVEL).toBe('debug');
    expect(written('Secret')[0].data.DB_PASSWORD).toBe(
      Buffer.from(STAGING_PASSWORD).toString('base64'),
    );
    // production's images all the same
    expect(
      written('Deployment')[0].spec.template.spec.containers[1].image,
    ).toBe(`${IMAGE}@${digest('a')}`);
    const everything = JSON.stringify([
      world.sandbox.sandbox!.mutations,
      result,
      logger.text(),
    ]);
    expect(everything).not.toContain(PLANTED);
    expect(everything).not.toContain(PLANTED_BASE64);
    // the staging value is in the sandbox's Secret only, never in a log line or the result
    expect(JSON.stringify([result, logger.text()])).not.toContain(
      STAGING_PASSWORD,
    );
  });

  it('refuses configFrom the reference environment', async () => {
    const { driver } = driverFor(world.config());
    await expect(
      driver.launch(
        spec({
          entity: component({
            'backstage.io/kubernetes-id': 'api',
            'env-parity/replica-config-from': 'production',
          }),
        }),
        { signal },
      ),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(world.sandbox.sandbox!.mutations).toEqual([]);
  });

  it('refuses a sandbox mapped to the reference environment, or not configured', () => {
    const mapped = world.config() as any;
    mapped.envParity.kubernetes.clusters.sandbox = 'production';
    expect(() =>
      KubernetesReplicaDriver.fromConfig(new ConfigReader(mapped), {
        logger: capturingLogger(),
      }),
    ).toThrow(
      'envParity.replicas.cluster is "sandbox", which envParity.kubernetes.clusters maps to the reference environment production',
    );
    expect(() =>
      KubernetesReplicaDriver.fromConfig(
        new ConfigReader(world.config({ cluster: 'nowhere' })),
        { logger: capturingLogger() },
      ),
    ).toThrow(/has no cluster of that name/);
    const noReplicas = world.config() as any;
    delete noReplicas.envParity.replicas;
    expect(
      KubernetesReplicaDriver.fromConfig(new ConfigReader(noReplicas), {
        logger: capturingLogger(),
      }),
    ).toBeUndefined();
  });

  it('replaces one image with another build of the same repository, and refuses another repository', async () => {
    const { driver } = driverFor(world.config());
    await expect(
      driver.launch(
        spec({
          override: { workload: 'api', image: 'ghcr.io/evil/api:1.0.0' },
        }),
        { signal },
      ),
    ).rejects.toThrow(/not of production's repository ghcr.io\/acme\/api/);
    await expect(
      driver.launch(spec({ override: { workload: 'nope', image: '1.5.0' } }), {
        signal,
      }),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(world.sandbox.sandbox!.mutations).toEqual([]);

    const result = await driver.launch(
      spec({ override: { workload: 'api', image: '1.5.0' } }),
      { signal },
    );
    expect(result.workloads[0].containers[1]).toEqual({
      name: 'api',
      image: `${IMAGE}:1.5.0`,
      overridden: true,
    });
    const [deployment] = written('Deployment');
    expect(deployment.spec.template.spec.containers[1].image).toBe(
      `${IMAGE}:1.5.0`,
    );
    expect(deployment.metadata.labels?.['app.kubernetes.io/version']).toBe(
      '1.5.0',
    );
    // the sidecar is still production's
    expect(deployment.spec.template.spec.containers[0].image).toBe(
      `envoyproxy/envoy@${digest('e')}`,
    );
    const observed = await driver.observe(
      { namespace: NS, entity: spec().entity, replicaId: ID },
      { signal },
    );
    expect(observed.state).toBe('ready');
  });

  it('fails when an image cannot be pulled', async () => {
    const { driver } = driverFor(world.config());
    await driver.launch(
      spec({ override: { workload: 'api', image: 'does-not-exist' } }),
      { signal },
    );
    const observed = await driver.observe(
      { namespace: NS, entity: spec().entity, replicaId: ID },
      { signal },
    );
    expect(observed).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('ErrImagePull'),
    });
  });

  it('reports a quota refusal', async () => {
    world.sandbox.sandbox!.quotaRefusal = 'create';
    const { driver } = driverFor(world.config());
    await expect(driver.launch(spec(), { signal })).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('exceeded quota'),
    });

    world.sandbox.sandbox!.quotaRefusal = 'pods';
    const other = spec({
      replicaId: `${ID.slice(0, -1)}2`,
      namespace: `${NS}-2`,
    });
    await driver.launch(other, { signal });
    const observed = await driver.observe(
      {
        namespace: other.namespace,
        entity: other.entity,
        replicaId: other.replicaId,
      },
      { signal },
    );
    expect(observed).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining('exceeded quota'),
    });
  });

  it('binds the view ClusterRole for the requester where access maps users to subjects', async () => {
    const { driver } = driverFor(
      world.config(
        {},
        {
          envParity: {
            access: {
              kubernetes: {
                url: 'https://k8s.example.com',
                token: 'unused',
                subjectTemplate: '{{ user.name }}@example.com',
              },
            },
          },
        },
      ),
    );
    const result = await driver.launch(spec(), { signal });
    expect(result.roleBinding).toBe('env-parity-replica-viewer');
    const [binding] = written('RoleBinding');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'view',
    });
    expect(binding.subjects).toEqual([
      {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'User',
        name: 'guest@example.com',
      },
    ]);
  });

  it('lists, extends and removes replica namespaces; a retried launch is no error', async () => {
    const { driver } = driverFor(world.config());
    await driver.launch(spec(), { signal });
    await driver.launch(spec(), { signal });
    // someone else's namespace is left alone
    world.sandbox.add({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'team-x',
        labels: { 'app.kubernetes.io/managed-by': 'helm' },
      },
    });
    expect(await driver.listNamespaces({ signal })).toEqual([
      { namespace: NS, replicaId: ID, expiresAt: '2030-01-01T15:30:00.000Z' },
    ]);

    await driver.setExpiry(NS, '2030-01-01T17:00:00.000Z', { signal });
    expect(await driver.listNamespaces({ signal })).toEqual([
      { namespace: NS, replicaId: ID, expiresAt: '2030-01-01T17:00:00.000Z' },
    ]);

    await expect(
      driver.launch(
        spec({ replicaId: 'ffffffff-0000-4000-8000-000000000009' }),
        {
          signal,
        },
      ),
    ).rejects.toMatchObject({ name: 'ConflictError' });

    await driver.remove(NS, { signal });
    await driver.remove(NS, { signal });
    expect(await driver.listNamespaces({ signal })).toEqual([]);
    expect(world.sandbox.stored('deployments')).toEqual([]);
    expect(world.sandbox.stored('pods')).toEqual([]);
    await expect(driver.remove('team-x', { signal })).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    expect(world.sandbox.find('namespaces', undefined, 'team-x')).toBeDefined();
  });
});
