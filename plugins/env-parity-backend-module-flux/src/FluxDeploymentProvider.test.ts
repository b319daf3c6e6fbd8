import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { FakeKubernetes } from '@env-parity/fake-apis';
import { kubernetesClustersFromConfig } from '@env-parity/plugin-env-parity-backend-module-kubernetes';
import { createConfigFingerprinter } from '@env-parity/plugin-env-parity-node';
import { testEnvironments } from '@env-parity/plugin-env-parity-node/testUtils';
import {
  clusterConfig,
  component,
  CONFIG_REPO,
  deployShop,
  FLUX_ANNOTATIONS,
  PLANTED,
  PROD_SHA,
  shopValues,
  STAGING_SHA,
} from './__testUtils__/setup';
import { FluxDeploymentProvider } from './FluxDeploymentProvider';

const environments = testEnvironments('staging', 'production');

describe('FluxDeploymentProvider', () => {
  let staging: FakeKubernetes;
  let production: FakeKubernetes;

  beforeEach(async () => {
    staging = await FakeKubernetes.start({ name: 'staging-eu' });
    production = await FakeKubernetes.start({
      name: 'prod-eu',
      prefix: '/k8s/prod',
    });
  });

  afterEach(async () => {
    await Promise.all([staging.close(), production.close()]);
  });

  function setup() {
    const config = new ConfigReader(
      clusterConfig([
        { fake: staging, environment: 'staging' },
        { fake: production, environment: 'production' },
      ]),
    );
    const logger = mockServices.logger.mock();
    const { clusters } = kubernetesClustersFromConfig(config, { logger });
    return {
      logger,
      provider: new FluxDeploymentProvider({
        clusters: clusters!,
        fingerprinter: createConfigFingerprinter(),
        logger,
      }),
    };
  }

  it('reads the Kustomization and HelmRelease of each environment: revision of the own repository, chart, values as hashes only', async () => {
    deployShop(staging, {
      commit: STAGING_SHA,
      chartVersion: '1.5.0',
      values: shopValues(2, 'debug', PLANTED),
    });
    deployShop(production, {
      commit: PROD_SHA,
      chartVersion: '1.4.2',
      values: shopValues(6, 'info', 'production-password'),
    });
    const { provider, logger } = setup();
    const entity = component(FLUX_ANNOTATIONS);
    expect(provider.supports(entity)).toBe(true);

    const observations = await provider.observe({ entity, environments });
    expect(observations.map(o => o.environment)).toEqual([
      'staging',
      'production',
    ]);
    const [s, p] = observations;
    expect(s.error).toBeUndefined();
    expect(s.deployment).toMatchObject({
      revision: STAGING_SHA,
      deployedBy: 'Flux',
      resources: [
        {
          kind: 'HelmRelease',
          name: 'shop',
          namespace: 'shop',
          location: 'staging-eu',
          status: 'Ready',
          details: {
            revision: '1.5.0',
            chart: 'shop@1.5.0',
            appliedChartVersion: '1.5.0',
            source: 'HelmRepository flux-system/acme-charts',
          },
        },
        {
          kind: 'Kustomization',
          name: 'shop',
          namespace: 'flux-system',
          location: 'staging-eu',
          status: 'Ready',
          details: {
            revision: `main@sha1:${STAGING_SHA}`,
            source: 'GitRepository flux-system/shop',
            sourceUrl: 'https://github.com/acme/shop.git',
            path: './deploy',
          },
        },
      ],
    });
    expect(s.deployment!.findings).toBeUndefined();
    expect(p.deployment!.revision).toBe(PROD_SHA);

    const config = s.deployment!.config!;
    expect(Object.keys(config).sort()).toEqual([
      'helm.chart',
      'helm.values.database.host',
      'helm.values.database.password',
      'helm.values.ingress.hosts[0].host',
      'helm.values.log.level',
      'helm.values.replicaCount',
      'kustomize.path',
    ]);
    expect(config['helm.chart'].value).toBe('shop@1.5.0');
    expect(config['helm.values.database.password']).toEqual({
      hash: expect.any(String),
      secret: true,
    });
    expect(config['helm.values.log.level'].value).toBeUndefined();
    expect(config['helm.values.log.level'].hash).not.toBe(
      p.deployment!.config!['helm.values.log.level'].hash,
    );
    expect(config['helm.values.database.host'].hash).toBe(
      p.deployment!.config!['helm.values.database.host'].hash,
    );

    const text = JSON.stringify(observations);
    expect(text).not.toContain(PLANTED);
    expect(text).not.toContain('production-password');
    expect(text).not.toContain('debug');
    expect(JSON.stringify(logger.debug.mock.calls)).not.toContain(PLANTED);
  });

  it('takes no revision from a source that is not the service repository', async () => {
    deployShop(staging, {
      commit: STAGING_SHA,
      chartVersion: '1.5.0',
      values: {},
      repo: CONFIG_REPO,
    });
    const { provider } = setup();
    const [s] = await provider.observe({
      entity: component(FLUX_ANNOTATIONS),
      environments,
    });
    expect(s.deployment!.revision).toBeUndefined();
    const kustomization = s.deployment!.resources!.find(
      r => r.kind === 'Kustomization',
    )!;
    expect(kustomization.details).toMatchObject({
      revision: `main@sha1:${STAGING_SHA}`,
      sourceUrl: 'ssh://github.com/acme/fleet-config.git',
    });
  });

  it('shows failed, reconciling and suspended objects as findings, never quoting a value', async () => {
    deployShop(staging, {
      commit: STAGING_SHA,
      chartVersion: '1.5.0',
      values: shopValues(2, 'debug', PLANTED),
      helmReleaseReady: {
        status: 'False',
        reason: 'UpgradeFailed',
        message: `Helm upgrade failed: secret "db" with password=${PLANTED} is invalid`,
      },
      kustomizationReady: {
        status: 'Unknown',
        reason: 'Progressing',
        message: 'Reconciliation in progress',
      },
    });
    deployShop(production, {
      commit: PROD_SHA,
      chartVersion: '1.4.2',
      values: {},
      suspend: true,
    });
    const { provider } = setup();
    const [s, p] = await provider.observe({
      entity: component(FLUX_ANNOTATIONS),
      environments,
    });
    expect(s.deployment!.findings).toEqual([
      {
        type: 'flux-failed',
        severity: 'warning',
        message:
          'HelmRelease shop/shop on staging-eu is not ready: Helm upgrade failed: secret "db" with password=[hidden] is invalid',
        resource: { kind: 'HelmRelease', name: 'shop', location: 'staging-eu' },
      },
      {
        type: 'flux-reconciling',
        severity: 'info',
        message:
          'Kustomization flux-system/shop on staging-eu is reconciling: Reconciliation in progress',
        resource: {
          kind: 'Kustomization',
          name: 'shop',
          location: 'staging-eu',
        },
      },
    ]);
    expect(s.deployment!.resources!.map(r => r.status)).toEqual([
      'Failed',
      'Reconciling',
    ]);
    expect(p.deployment!.findings).toEqual([
      expect.objectContaining({
        type: 'flux-suspended',
        severity: 'warning',
        message:
          'Kustomization flux-system/shop on prod-eu is suspended: Flux does not apply changes to it',
      }),
    ]);
    expect(JSON.stringify([s, p])).not.toContain(PLANTED);
  });

  it('finds the objects by the Kubernetes annotations, and reports nothing where Flux is not installed', async () => {
    deployShop(staging, {
      commit: STAGING_SHA,
      chartVersion: '1.5.0',
      values: {},
      labels: { 'backstage.io/kubernetes-id': 'shop' },
    });
    const { provider } = setup();
    const entity = component({ 'backstage.io/kubernetes-id': 'shop' });
    expect(provider.supports(entity)).toBe(true);
    const observations = await provider.observe({ entity, environments });
    expect(observations.map(o => o.environment)).toEqual(['staging']);
    expect(observations[0].deployment!.resources).toHaveLength(2);
    expect(
      staging.requestsTo('/kustomizations')[0].query.get('labelSelector'),
    ).toBe('backstage.io/kubernetes-id=shop');
    // production has no Flux CRDs: 404 page not found, not an error
    expect(production.requestsTo('/helmreleases')).toHaveLength(1);
  });

  it('contains a failing cluster to its environment, with a reason', async () => {
    deployShop(staging, {
      commit: STAGING_SHA,
      chartVersion: '1.5.0',
      values: {},
    });
    deployShop(production, {
      commit: PROD_SHA,
      chartVersion: '1.4.2',
      values: {},
    });
    production.forbidden.add('helmreleases');
    const { provider } = setup();
    const [s, p] = await provider.observe({
      entity: component(FLUX_ANNOTATIONS),
      environments,
    });
    expect(s.deployment!.revision).toBe(STAGING_SHA);
    expect(p.deployment).toBeUndefined();
    expect(p.error).toBe(
      'cluster prod-eu: 403 Forbidden: not allowed to get helmreleases.helm.toolkit.fluxcd.io shop in namespace shop — grant the service account get on helmreleases.helm.toolkit.fluxcd.io',
    );
  });

  it('refuses an annotation that is not namespace/name before any request', async () => {
    const { provider } = setup();
    const observations = await provider.observe({
      entity: component({ 'env-parity/flux-helmrelease': 'shop/../../x' }),
      environments,
    });
    expect(observations).toEqual([
      {
        environment: 'staging',
        error: expect.stringMatching(
          /^Annotation env-parity\/flux-helmrelease has "shop\/..\/..\/x", which is not namespace\/name/,
        ),
      },
      { environment: 'production', error: expect.any(String) },
    ]);
    expect(staging.requests).toHaveLength(0);
    expect(production.requests).toHaveLength(0);
  });
});
