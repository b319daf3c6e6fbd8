import { Entity } from '@backstage/catalog-model';
import { JsonObject } from '@backstage/config';
import {
  FakeKubernetes,
  fluxGitRepository,
  fluxHelmRelease,
  fluxKustomization,
  FluxReady,
} from '@env-parity/fake-apis';
import { testComponent } from '@env-parity/plugin-env-parity-node/testUtils';

/** The service's own repository and a GitOps configuration repository. */
export const OWN_REPO = 'https://github.com/acme/shop.git';
export const CONFIG_REPO = 'ssh://git@github.com/acme/fleet-config.git';

/** A secret planted in HelmRelease values: it must appear nowhere. */
export const PLANTED = 'pl4nted-flux-db-passw0rd-7q2x';

export const STAGING_SHA = '5f0c3a1b2d4e6f708192a3b4c5d6e7f809a1b2c3';
export const PROD_SHA = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807';

/**
 * App config for clusters mapped to environments, as the Kubernetes module
 * reads it (direct mode, `kubernetes.clusterLocatorMethods`).
 */
export function clusterConfig(
  clusters: Array<{ fake: FakeKubernetes; environment: string }>,
  extra: JsonObject = {},
): JsonObject {
  return {
    kubernetes: {
      clusterLocatorMethods: [
        {
          type: 'config',
          clusters: clusters.map(({ fake }) => ({
            name: fake.name,
            url: fake.url,
            authProvider: 'serviceAccount',
            serviceAccountToken: fake.token,
          })),
        },
      ],
    },
    envParity: {
      kubernetes: {
        clusters: Object.fromEntries(
          clusters.map(({ fake, environment }) => [fake.name, environment]),
        ),
        // generous: a loaded machine must not turn a success into a timeout
        timeout: '2m',
      },
      ...extra,
    },
  };
}

/** The shop service with the given annotations. */
export function component(annotations: Record<string, string>): Entity {
  return testComponent('shop', {
    'github.com/project-slug': 'acme/shop',
    ...annotations,
  });
}

/** The annotations naming the shop's Flux objects. */
export const FLUX_ANNOTATIONS = {
  'env-parity/flux-kustomization': 'flux-system/shop',
  'env-parity/flux-helmrelease': 'shop/shop',
};

/**
 * The shop as Flux runs it in one cluster: a Kustomization of the
 * service's own repository at `commit`, and a HelmRelease of its chart
 * with the given values.
 */
export function deployShop(
  fake: FakeKubernetes,
  options: {
    commit: string;
    chartVersion: string;
    values: Record<string, unknown>;
    repo?: string;
    labels?: Record<string, string>;
    kustomizationReady?: FluxReady;
    helmReleaseReady?: FluxReady;
    suspend?: boolean;
  },
) {
  fake.add(
    fluxGitRepository({
      namespace: 'flux-system',
      name: 'shop',
      url: options.repo ?? OWN_REPO,
      commit: options.commit,
    }),
    fluxKustomization({
      namespace: 'flux-system',
      name: 'shop',
      labels: options.labels,
      source: { name: 'shop' },
      path: './deploy',
      revision: `main@sha1:${options.commit}`,
      ready: options.kustomizationReady,
      suspend: options.suspend,
    }),
    fluxHelmRelease({
      namespace: 'shop',
      name: 'shop',
      labels: options.labels,
      chart: 'shop',
      version: options.chartVersion,
      source: { name: 'acme-charts', namespace: 'flux-system' },
      values: options.values,
      ready: options.helmReleaseReady,
    }),
  );
}

/** Helm values of the shop: replicas, log level and a database password. */
export function shopValues(
  replicas: number,
  logLevel: string,
  password: string,
): Record<string, unknown> {
  return {
    replicaCount: replicas,
    log: { level: logLevel },
    database: { host: 'db.internal', password },
    ingress: { hosts: [{ host: 'shop.example.com' }] },
  };
}
