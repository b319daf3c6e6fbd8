import { ParityReport } from '@env-parity/plugin-env-parity-common';

export const PAYMENTS = 'component:default/payments-api';
export const PRODUCTION_DIGEST =
  'sha256:1111111111111111111111111111111111111111111111111111111111111111';
export const WORKER_DIGEST =
  'sha256:2222222222222222222222222222222222222222222222222222222222222222';
export const STAGING_DIGEST =
  'sha256:3333333333333333333333333333333333333333333333333333333333333333';
/** A configuration value the actions must never output. */
export const PLANTED_VALUE =
  'postgres://payments:hunter2@db.prod:5432/payments';

/** Production's workloads, as resolve outputs them (the report adds replicas). */
export const PRODUCTION_WORKLOADS = [
  {
    kind: 'Deployment',
    name: 'payments-api',
    namespace: 'payments',
    location: 'prod-eu',
    images: [
      {
        container: 'api',
        image: 'ghcr.io/acme/payments-api:1.4.2',
        digests: [PRODUCTION_DIGEST],
      },
    ],
  },
  {
    kind: 'StatefulSet',
    name: 'payments-worker',
    namespace: 'payments',
    location: 'prod-eu',
    images: [
      {
        container: 'worker',
        image: 'ghcr.io/acme/payments-worker:1.4.2',
        digests: [WORKER_DIGEST],
      },
    ],
  },
];

/** The parity report of payments-api: production (reference) and staging. */
export function paymentsReport(): ParityReport {
  return {
    entityRef: PAYMENTS,
    reference: 'production',
    environments: [
      {
        name: 'production',
        title: 'Production',
        reference: true,
        status: 'ok',
        deployment: {
          provider: 'kubernetes',
          providers: ['kubernetes', 'github'],
          version: '1.4.2',
          revision: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
          artifact: `ghcr.io/acme/payments-api@${PRODUCTION_DIGEST}`,
          deployedAt: '2026-11-20T10:02:00Z',
          url: 'https://payments.acme.example',
          config: {
            LOG_LEVEL: { hash: 'h1', value: 'info' },
            DATABASE_URL: { hash: 'h2', value: PLANTED_VALUE },
            API_TOKEN: { hash: 'h3', secret: true },
          },
          links: [
            {
              title: 'Commit a1b2c3d',
              url: 'https://github.com/acme/payments-api/commit/a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
            },
          ],
          resources: [
            { ...PRODUCTION_WORKLOADS[0], replicas: { desired: 3, ready: 3 } },
            PRODUCTION_WORKLOADS[1],
          ],
        },
      },
      {
        name: 'staging',
        title: 'Staging',
        reference: false,
        status: 'stale',
        deployment: {
          provider: 'kubernetes',
          providers: ['kubernetes'],
          version: '1.5.0',
          artifact: `ghcr.io/acme/payments-api@${STAGING_DIGEST}`,
          resources: [
            {
              kind: 'Deployment',
              name: 'payments-api',
              images: [
                {
                  container: 'api',
                  image: 'ghcr.io/acme/payments-api:1.5.0',
                  digests: [STAGING_DIGEST],
                },
              ],
            },
          ],
        },
      },
      {
        name: 'qa',
        title: 'QA',
        reference: false,
        status: 'error',
        error: 'kubernetes: cluster qa-eu unreachable',
      },
    ],
    comparisons: [
      {
        environment: 'staging',
        against: 'production',
        verdict: 'ahead',
        score: 60,
        drift: [],
        summary: 'Staging is 3 commits ahead of production.',
      },
    ],
    summary: 'Staging is ahead of production.',
    generatedAt: '2026-11-22T09:00:00Z',
  };
}
