import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
// the real backend plugin, to test the module as it is installed
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import envParityPlugin from '@env-parity/plugin-env-parity-backend';
import { ParityReport } from '@env-parity/plugin-env-parity-common';
import request from 'supertest';
import { recordingRootLogger } from '@env-parity/plugin-env-parity-node/testUtils';
import { ARGOCD_TOKEN, FakeArgocd } from '@env-parity/fake-apis';
import { component, OWN_REPO } from './__testUtils__/setup';
import envParityModuleArgocd from './index';

const testCatalog = (entities: Entity[]) =>
  catalogServiceMock.factory({ entities });

const STAGING_SHA = '5f0c3a1b2d4e6f708192a3b4c5d6e7f809a1b2c3';
const PROD_SHA = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807';
const PLANTED = 'pl4nted-db-passw0rd-9f3k';

function values(replicas: number, password: string) {
  return [
    `replicaCount: ${replicas}`,
    'database:',
    '  host: db.internal',
    `  password: ${password}`,
  ].join('\n');
}

describe('the argocd module in the env-parity backend', () => {
  let staging: FakeArgocd;
  let prod: FakeArgocd;

  beforeEach(async () => {
    staging = await FakeArgocd.start({ basePath: '/argocd/staging' });
    prod = await FakeArgocd.start({ basePath: '/argocd/prod' });
  });

  afterEach(async () => {
    await staging.close();
    await prod.close();
  });

  async function start(envParity: Record<string, unknown>) {
    const logger = recordingRootLogger();
    const { server } = await startTestBackend({
      features: [
        envParityPlugin,
        envParityModuleArgocd,
        logger.factory,
        testCatalog([
          component({
            'argocd/app-name': 'shop',
            'github.com/project-slug': 'acme/shop',
          }),
        ]),
        mockServices.rootConfig.factory({
          data: {
            argocd: {
              appLocatorMethods: [
                {
                  type: 'config',
                  instances: [
                    {
                      name: 'argo-staging',
                      url: staging.url,
                      token: ARGOCD_TOKEN,
                    },
                    { name: 'argo-prod', url: prod.url, token: ARGOCD_TOKEN },
                    {
                      name: 'argo-legacy',
                      url: 'https://argocd-legacy.example.com',
                      username: 'admin',
                      password: PLANTED,
                    },
                  ],
                },
              ],
            },
            envParity: {
              environments: [
                { name: 'staging', title: 'Staging' },
                { name: 'production', title: 'Production', reference: true },
              ],
              ...envParity,
            },
          },
        }),
        mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ],
    });
    return { server, logs: logger };
  }

  it('shows images, sync and health, and configuration drift per environment, never a secret', async () => {
    staging.addApp({
      name: 'shop',
      repoURL: OWN_REPO,
      path: 'deploy/chart',
      revision: STAGING_SHA,
      images: ['ghcr.io/acme/shop:1.5.0'],
      helm: {
        values: values(2, PLANTED),
        valueFiles: ['values.yaml', 'values-staging.yaml'],
      },
      kustomize: { images: ['ghcr.io/acme/sidecar=ghcr.io/acme/sidecar:2.1'] },
      sync: 'OutOfSync',
      health: 'Progressing',
      initiatedBy: { username: 'alice' },
    });
    prod.addApp({
      name: 'shop',
      repoURL: OWN_REPO,
      path: 'deploy/chart',
      revision: PROD_SHA,
      images: ['ghcr.io/acme/shop:1.4.2'],
      helm: {
        values: values(6, 'prod-password-unseen'),
        valueFiles: ['values.yaml', 'values-prod.yaml'],
      },
      kustomize: { images: ['ghcr.io/acme/sidecar=ghcr.io/acme/sidecar:2.0'] },
    });
    const { server, logs } = await start({
      argocd: {
        instances: { 'argo-staging': 'staging', 'argo-prod': 'production' },
      },
    });
    const res = await request(server).get(
      '/api/env-parity/entities/component/default/shop',
    );
    expect(res.status).toBe(200);
    const report: ParityReport = res.body;
    const [s, p] = report.environments;
    expect(s).toMatchObject({
      name: 'staging',
      status: 'ok',
      deployment: {
        provider: 'argocd',
        revision: STAGING_SHA,
        artifact: 'ghcr.io/acme/shop:1.5.0',
        deployedBy: 'alice',
        resources: [
          {
            kind: 'Application',
            name: 'shop',
            location: 'argo-staging',
            status: 'OutOfSync / Progressing',
            images: [{ image: 'ghcr.io/acme/shop:1.5.0' }],
          },
        ],
        findings: [
          {
            type: 'out-of-sync',
            message: 'Application shop on argo-staging is OutOfSync',
          },
          expect.objectContaining({ type: 'progressing' }),
        ],
      },
    });
    expect(p).toMatchObject({
      name: 'production',
      status: 'ok',
      deployment: {
        provider: 'argocd',
        revision: PROD_SHA,
        artifact: 'ghcr.io/acme/shop:1.4.2',
        deployedBy: 'automated sync',
        resources: [
          {
            location: 'argo-prod',
            status: 'Synced / Healthy',
            images: [{ image: 'ghcr.io/acme/shop:1.4.2' }],
          },
        ],
      },
    });
    const [comparison] = report.comparisons;
    expect(comparison.drift.filter(d => d.type === 'config')).toEqual([
      {
        type: 'config',
        field: 'helm.valueFiles',
        change: 'changed',
        reference: 'values.yaml, values-prod.yaml',
        environment: 'values.yaml, values-staging.yaml',
      },
      {
        type: 'config',
        field: 'helm.values.database.password',
        change: 'changed',
      },
      { type: 'config', field: 'helm.values.replicaCount', change: 'changed' },
      {
        type: 'config',
        field: 'kustomize.images.ghcr.io/acme/sidecar',
        change: 'changed',
        reference: '2.0',
        environment: '2.1',
      },
    ]);

    const refreshed = await request(server).post(
      '/api/env-parity/entities/component/default/shop/refresh',
    );
    expect(refreshed.status).toBe(200);
    for (const body of [res.text, refreshed.text]) {
      expect(body).not.toContain(PLANTED);
      expect(body).not.toContain('prod-password-unseen');
      expect(body).not.toContain(ARGOCD_TOKEN);
    }
    expect(logs.text()).not.toContain(PLANTED);
    expect(logs.text()).not.toContain(ARGOCD_TOKEN);
    // the username/password instance is skipped, and says so
    expect(logs.text()).toContain(
      'Argo CD instance argo-legacy has no token: skipped',
    );
  });

  it('shows a failing instance as an error of its environment only', async () => {
    staging.addApp({ name: 'shop', images: ['ghcr.io/acme/shop:1.5.0'] });
    prod.addApp({ name: 'shop', images: ['ghcr.io/acme/shop:1.4.2'] });
    prod.token = 'rotated';
    const { server, logs } = await start({
      argocd: {
        instances: { 'argo-staging': 'staging', 'argo-prod': 'production' },
      },
    });
    const res = await request(server).get(
      '/api/env-parity/entities/component/default/shop',
    );
    expect(res.status).toBe(200);
    const [s, p] = (res.body as ParityReport).environments;
    expect(s).toMatchObject({
      status: 'ok',
      deployment: { artifact: 'ghcr.io/acme/shop:1.5.0' },
    });
    expect(s.error).toBeUndefined();
    expect(p.status).toBe('error');
    expect(p.error).toBe(
      `argocd: Argo CD argo-prod: GET ${prod.url}/api/v1/applications/shop answered 401 Unauthorized; check argocd.appLocatorMethods token of argo-prod`,
    );
    expect(res.text).not.toContain(ARGOCD_TOKEN);
    expect(logs.text()).not.toContain(ARGOCD_TOKEN);
  });

  it('adds no provider and says so in one line without an environment mapping', async () => {
    staging.addApp({ name: 'shop', images: ['ghcr.io/acme/shop:1.5.0'] });
    const { server, logs } = await start({});
    const res = await request(server).get(
      '/api/env-parity/entities/component/default/shop',
    );
    expect(res.status).toBe(200);
    expect(
      (res.body as ParityReport).environments.map(e => e.deployment),
    ).toEqual([undefined, undefined]);
    expect(staging.requests).toHaveLength(0);
    expect(
      logs.lines.filter(l => l.message.includes('envParity.argocd')),
    ).toEqual([
      expect.objectContaining({
        level: 'info',
        message: expect.stringMatching(
          /envParity\.argocd maps no environments: Argo CD applications are not read/,
        ),
      }),
    ]);
  });
});
