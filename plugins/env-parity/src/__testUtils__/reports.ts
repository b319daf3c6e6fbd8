import { Entity } from '@backstage/catalog-model';
import {
  computeParityReport,
  EnvironmentDefinition,
  ParityReport,
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
  return computeParityReport({
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
  });
}

/**
 * Staging's provider failed after a good observation (stale), and QA could
 * not be read at all (error).
 */
export function degradedReport(options: { now?: number } = {}): ParityReport {
  const now = options.now ?? Date.now();
  return computeParityReport({
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
  });
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
