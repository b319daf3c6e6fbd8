import { Entity } from '@backstage/catalog-model';
import {
  computeParityReport,
  ConfigFingerprint,
  DeploymentFinding,
  EnvironmentDefinition,
  ParityReport,
  RunningResource,
  Snapshot,
} from '@env-parity/plugin-env-parity-common';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const ENTITY_REF = 'component:default/payments';

export const PROD_REVISION = '4f1c2a9e8b7d6c5a4f3e2d1c0b9a8f7e6d5c4b3a';
export const STAGING_REVISION = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d';
export const PROD_DIGEST = `sha256:${'a1'.repeat(32)}`;
export const STAGING_DIGEST = `sha256:${'b2'.repeat(32)}`;
export const PROD_ARTIFACT = `ghcr.io/acme/payments:1.4.2@${PROD_DIGEST}`;
export const STAGING_ARTIFACT = `ghcr.io/acme/payments:1.5.0@${STAGING_DIGEST}`;

export const paymentsEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments',
    namespace: 'default',
    annotations: {
      'backstage.io/source-location':
        'url:https://github.com/acme/payments/tree/main/',
      'env-parity/production.version': '1.4.2',
      'env-parity/staging.version': '1.5.0',
    },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
};

export const unannotatedEntity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'ledger', namespace: 'default' },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
};

const environments: EnvironmentDefinition[] = [
  {
    name: 'staging',
    title: 'Staging',
    reference: false,
    owner: 'group:default/team-payments',
    source: 'config',
  },
  {
    name: 'production',
    title: 'Production',
    reference: true,
    owner: 'group:default/sre',
    source: 'config',
  },
];

/**
 * A report as the backend sends it: drift is computed with the hashes, then
 * every configuration hash is blanked (secret or not); values, `secret` and
 * `unknown` stay.
 */
function asSent(report: ParityReport): ParityReport {
  return {
    ...report,
    environments: report.environments.map(env =>
      env.deployment?.config
        ? {
            ...env,
            deployment: {
              ...env.deployment,
              config: Object.fromEntries(
                Object.entries(env.deployment.config).map(([key, f]) => [
                  key,
                  { ...f, hash: '' },
                ]),
              ),
            },
          }
        : env,
    ),
  };
}

function iso(now: number, ago: number): string {
  return new Date(now - ago).toISOString();
}

function productionSnapshot(now: number, observedAgo: number): Snapshot {
  return {
    entityRef: ENTITY_REF,
    environment: 'production',
    provider: 'annotations',
    deployment: {
      version: '1.4.2',
      revision: PROD_REVISION,
      artifact: PROD_ARTIFACT,
      deployedAt: iso(now, 2 * DAY),
      deployedBy: 'deploy-bot',
      url: 'https://payments.example.com',
      config: {
        LOG_LEVEL: { hash: 'h-info', value: 'info' },
        DB_PASSWORD: { hash: 'h-secret-1', secret: true },
      },
    },
    observedAt: iso(now, observedAgo),
    checkedAt: iso(now, observedAgo),
  };
}

function stagingDeployment(now: number) {
  return {
    version: '1.5.0',
    revision: STAGING_REVISION,
    artifact: STAGING_ARTIFACT,
    deployedAt: iso(now, 5 * HOUR),
    deployedBy: 'jane.doe',
    url: 'https://payments.staging.example.com',
    config: {
      LOG_LEVEL: { hash: 'h-debug', value: 'debug' },
      DB_PASSWORD: { hash: 'h-secret-2', secret: true },
      FEATURE_NEW_CHECKOUT: { hash: 'h-on', value: 'on' },
    },
  };
}

/**
 * Staging is three commits ahead of production, with configuration drift.
 * Everything was observed `observedAgo` ms before `now`.
 */
export function driftReport(
  options: { now?: number; observedAgo?: number } = {},
): ParityReport {
  const now = options.now ?? Date.now();
  const observedAgo = options.observedAgo ?? 3 * HOUR;
  return asSent(
    computeParityReport({
      entityRef: ENTITY_REF,
      environments,
      now: new Date(now),
      staleAfterMs: DAY,
      snapshots: [
        productionSnapshot(now, observedAgo),
        {
          entityRef: ENTITY_REF,
          environment: 'staging',
          provider: 'annotations',
          deployment: stagingDeployment(now),
          observedAt: iso(now, observedAgo),
          checkedAt: iso(now, observedAgo),
        },
      ],
      revisionComparisons: {
        staging: {
          status: 'ahead',
          aheadBy: 3,
          behindBy: 0,
          commits: [
            {
              sha: 'c0ffee1234567890c0ffee1234567890c0ffee12',
              message: 'Add the new checkout flow\n\nLong description',
              author: 'jane.doe',
              pullRequest: 812,
            },
            {
              sha: 'decafbad1234567890decafbad1234567890abcd',
              message: 'Log at debug level in staging',
              author: 'sam.lee',
            },
          ],
        },
      },
    }),
  );
}

/**
 * Staging's provider failed after a good observation (stale), and QA could
 * not be read at all (error).
 */
export function degradedReport(options: { now?: number } = {}): ParityReport {
  const now = options.now ?? Date.now();
  return asSent(
    computeParityReport({
      entityRef: ENTITY_REF,
      environments: [
        { name: 'qa', title: 'QA', reference: false, source: 'config' },
        ...environments,
      ],
      now: new Date(now),
      staleAfterMs: DAY,
      snapshots: [
        productionSnapshot(now, 10 * MINUTE),
        {
          entityRef: ENTITY_REF,
          environment: 'staging',
          provider: 'argocd',
          deployment: {
            version: '1.4.2',
            revision: PROD_REVISION,
            artifact: PROD_ARTIFACT,
          },
          error: 'connection refused by argocd.internal:443',
          observedAt: iso(now, 2 * HOUR),
          checkedAt: iso(now, 10 * MINUTE),
        },
        {
          entityRef: ENTITY_REF,
          environment: 'qa',
          provider: 'kubernetes',
          error: 'cluster qa-eu is unreachable',
          checkedAt: iso(now, 10 * MINUTE),
        },
      ],
    }),
  );
}

/** No environment has any data: the entity has no annotations yet. */
export function emptyReport(options: { now?: number } = {}): ParityReport {
  const now = options.now ?? Date.now();
  return computeParityReport({
    entityRef: 'component:default/ledger',
    environments,
    now: new Date(now),
    snapshots: [],
  });
}

export const STAGING_OLD_DIGEST = `sha256:${'c3'.repeat(32)}`;
export const ENVOY_DIGEST = `sha256:${'d4'.repeat(32)}`;
export const MIXED_DIGESTS_MESSAGE =
  'Pods of Deployment payments run 2 different digests: a rollout in progress or stuck.';

/** Configuration keys as the Kubernetes, Helm and Kustomize providers name them. */
export const CONFIG_KEYS = {
  logLevel: 'deployment/payments/app.env.LOG_LEVEL',
  region: 'deployment/payments/app.env.REGION',
  feature: 'configmap/payments-config.FEATURE_X',
  password: 'secret/payments-secrets.DB_PASSWORD',
  token: 'secret/payments-secrets.API_TOKEN',
  replicas: 'helm.values.replicaCount',
  image: 'kustomize.images.ghcr.io/acme/payments',
} as const;

function extraResources(count: number): RunningResource[] {
  return Array.from({ length: count }, (_, i) => ({
    kind: 'StatefulSet',
    name: `payments-job-${i + 1}`,
    namespace: 'payments',
    location: 'staging-eu',
    replicas: { desired: 1, ready: 1 },
    images: [
      {
        container: 'job',
        image: 'ghcr.io/acme/payments:1.5.0',
        digests: [STAGING_DIGEST],
      },
    ],
  }));
}

/**
 * Staging and production as the Kubernetes and Argo CD providers see them:
 * staging is mid-rollout (pods on two digests, 2 of 3 ready), its
 * configuration drifts (a secret among it), one Secret key could not be read
 * in staging (`unknown`, never compared), and two keys differ as expected
 * (`ignoreConfig`). Its mixed-digests finding names no resource, as in
 * reports from before findings could. `extraStagingResources` adds workloads
 * to staging.
 */
export function runningReport(
  options: { now?: number; extraStagingResources?: number } = {},
): ParityReport {
  const now = options.now ?? Date.now();
  const observed = iso(now, 5 * MINUTE);
  const k = CONFIG_KEYS;
  return asSent(
    computeParityReport({
      entityRef: ENTITY_REF,
      environments,
      now: new Date(now),
      staleAfterMs: DAY,
      ignoreConfig: ['*.env.REGION', 'helm.values.replicaCount'],
      snapshots: [
        {
          entityRef: ENTITY_REF,
          environment: 'production',
          provider: 'kubernetes',
          deployment: {
            version: '1.4.2',
            revision: PROD_REVISION,
            artifact: PROD_ARTIFACT,
            config: {
              [k.logLevel]: { hash: 'h-info', value: 'info' },
              [k.region]: { hash: 'h-eu-west', value: 'eu-west-1' },
              [k.feature]: { hash: 'h-off', value: 'off' },
              [k.password]: { hash: 'h-secret-1', secret: true },
              [k.token]: { hash: 'h-token', secret: true },
              [k.replicas]: { hash: 'h-6', value: '6' },
              [k.image]: { hash: 'h-img-1', value: '1.4.2' },
            },
            resources: [
              {
                kind: 'Deployment',
                name: 'payments',
                namespace: 'payments',
                location: 'prod-eu',
                replicas: { desired: 6, ready: 6 },
                status: 'Available',
                images: [
                  {
                    container: 'app',
                    image: 'ghcr.io/acme/payments:1.4.2',
                    digests: [PROD_DIGEST],
                  },
                ],
              },
            ],
          },
          observedAt: observed,
          checkedAt: observed,
        },
        {
          entityRef: ENTITY_REF,
          environment: 'production',
          provider: 'argocd',
          deployment: {
            resources: [
              {
                kind: 'Application',
                name: 'payments-production',
                location: 'argocd-main',
                status: 'Synced / Healthy',
                images: [{ image: 'ghcr.io/acme/payments:1.4.2' }],
                details: {
                  revision: PROD_REVISION,
                  destination: 'prod-eu/payments',
                },
              },
            ],
          },
          observedAt: observed,
          checkedAt: observed,
        },
        {
          entityRef: ENTITY_REF,
          environment: 'staging',
          provider: 'kubernetes',
          deployment: {
            version: '1.5.0',
            revision: STAGING_REVISION,
            artifact: STAGING_ARTIFACT,
            config: {
              [k.logLevel]: { hash: 'h-debug', value: 'debug' },
              [k.region]: { hash: 'h-eu-central', value: 'eu-central-1' },
              [k.feature]: { hash: 'h-on', value: 'on' },
              [k.password]: { hash: 'h-secret-2', secret: true },
              // a Secret the provider may not read in staging: never compared
              [k.token]: { hash: '', secret: true, unknown: true },
              [k.replicas]: { hash: 'h-2', value: '2' },
              [k.image]: { hash: 'h-img-2', value: '1.5.0' },
            },
            resources: [
              {
                kind: 'Deployment',
                name: 'payments',
                namespace: 'payments',
                location: 'staging-eu',
                replicas: { desired: 3, ready: 2 },
                status: 'Progressing',
                images: [
                  {
                    container: 'app',
                    image: 'ghcr.io/acme/payments:1.5.0',
                    digests: [STAGING_DIGEST, STAGING_OLD_DIGEST],
                  },
                  {
                    container: 'envoy',
                    image: 'docker.io/envoyproxy/envoy:v1.30.1',
                    digests: [ENVOY_DIGEST],
                  },
                ],
              },
              ...extraResources(options.extraStagingResources ?? 0),
            ],
            findings: [
              {
                type: 'mixed-digests',
                severity: 'warning',
                message: MIXED_DIGESTS_MESSAGE,
              },
              {
                type: 'progressing',
                severity: 'info',
                message: 'Deployment payments is progressing.',
              },
            ],
          },
          observedAt: observed,
          checkedAt: observed,
        },
      ],
    }),
  );
}

export const US_DIGEST = `sha256:${'e5'.repeat(32)}`;
export const US_OLD_DIGEST = `sha256:${'f6'.repeat(32)}`;

/** The message the Kubernetes provider gives a mixed-digests finding. */
export function mixedDigestsMessage(cluster: string): string {
  return `Deployment payments on ${cluster}: pods of container app run 2 different digests: a rollout in progress or stuck.`;
}

/**
 * Staging runs Deployment payments in two clusters, each mid-rollout on two
 * digests of its own, with a mixed-digests finding per cluster; the findings
 * name their resource unless `unnamedFindings` (reports from before findings
 * could).
 */
export function twoClusterReport(
  options: { now?: number; unnamedFindings?: boolean } = {},
): ParityReport {
  const now = options.now ?? Date.now();
  const observed = iso(now, 5 * MINUTE);
  const workload = (cluster: string, digests: string[]): RunningResource => ({
    kind: 'Deployment',
    name: 'payments',
    namespace: 'payments',
    location: cluster,
    replicas: { desired: 3, ready: 3 },
    status: digests.length > 1 ? 'Progressing' : 'Available',
    images: [
      { container: 'app', image: 'ghcr.io/acme/payments:1.5.0', digests },
    ],
  });
  const finding = (cluster: string): DeploymentFinding => ({
    type: 'mixed-digests',
    severity: 'warning',
    message: mixedDigestsMessage(cluster),
    ...(options.unnamedFindings
      ? {}
      : {
          resource: { kind: 'Deployment', name: 'payments', location: cluster },
        }),
  });
  return asSent(
    computeParityReport({
      entityRef: ENTITY_REF,
      environments,
      now: new Date(now),
      staleAfterMs: DAY,
      snapshots: [
        {
          entityRef: ENTITY_REF,
          environment: 'production',
          provider: 'kubernetes',
          deployment: {
            version: '1.4.2',
            revision: PROD_REVISION,
            artifact: PROD_ARTIFACT,
            resources: [workload('prod-eu', [PROD_DIGEST])],
          },
          observedAt: observed,
          checkedAt: observed,
        },
        {
          entityRef: ENTITY_REF,
          environment: 'staging',
          provider: 'kubernetes',
          deployment: {
            version: '1.5.0',
            revision: STAGING_REVISION,
            artifact: STAGING_ARTIFACT,
            resources: [
              workload('staging-eu', [STAGING_DIGEST, STAGING_OLD_DIGEST]),
              workload('staging-us', [US_DIGEST, US_OLD_DIGEST]),
            ],
            findings: [finding('staging-eu'), finding('staging-us')],
          },
          observedAt: observed,
          checkedAt: observed,
        },
      ],
    }),
  );
}

/** Configuration keys of a multi-source Argo CD Application. */
export const MULTI_SOURCE_KEYS = {
  image: 'source[0].kustomize.images.ghcr.io/acme/payments',
  replicas: 'source[1].helm.values.replicaCount',
  password: 'source[1].helm.values.db.password',
  parameter: 'source[1].helm.parameters.logLevel',
} as const;

/** Staging and production as Argo CD sees a multi-source Application. */
export function multiSourceReport(
  options: { now?: number } = {},
): ParityReport {
  const now = options.now ?? Date.now();
  const observed = iso(now, 5 * MINUTE);
  const k = MULTI_SOURCE_KEYS;
  const snapshot = (
    environment: string,
    config: Record<string, ConfigFingerprint>,
  ): Snapshot => ({
    entityRef: ENTITY_REF,
    environment,
    provider: 'argocd',
    deployment: { version: '1.4.2', revision: PROD_REVISION, config },
    observedAt: observed,
    checkedAt: observed,
  });
  return asSent(
    computeParityReport({
      entityRef: ENTITY_REF,
      environments,
      now: new Date(now),
      staleAfterMs: DAY,
      snapshots: [
        snapshot('production', {
          [k.image]: { hash: 'h-img-1', value: '1.4.2' },
          [k.replicas]: { hash: 'h-6', value: '6' },
          [k.password]: { hash: 'h-secret-1', secret: true },
        }),
        snapshot('staging', {
          [k.image]: { hash: 'h-img-2', value: '1.5.0' },
          [k.replicas]: { hash: 'h-2', value: '2' },
          [k.password]: { hash: 'h-secret-2', secret: true },
          [k.parameter]: { hash: 'h-debug', value: 'debug' },
        }),
      ],
    }),
  );
}
