import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import {
  createBackendModule,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ConfigFingerprint,
  Deployment,
} from '@env-parity/plugin-env-parity-common';
import { envParityProvidersExtensionPoint } from '@env-parity/plugin-env-parity-node';
import { ParityReport } from '@env-parity/plugin-env-parity-common';
import request from 'supertest';
import { envParityPlugin } from './plugin';
import { component, createTestCatalog } from './testUtils';

const PROD_DIGEST = `sha256:${'a'.repeat(64)}`;
const STAGING_DIGEST = `sha256:${'b'.repeat(64)}`;

const config = {
  envParity: {
    environments: [
      { name: 'staging', title: 'Staging', owner: 'group:default/platform' },
      { name: 'preprod', title: 'Pre-production' },
      {
        name: 'production',
        title: 'Production',
        reference: true,
        owner: 'group:default/sre',
      },
    ],
  },
};

function payments() {
  return component('payments', {
    'env-parity/production.version': '1.4.2',
    'env-parity/production.revision':
      'abc1234def5678901234567890abcdef12345678',
    'env-parity/production.artifact': `ghcr.io/acme/payments:1.4.2@${PROD_DIGEST}`,
    'env-parity/production.deployed-at': '2026-11-20T10:00:00Z',
    'env-parity/preprod.version': '1.4.2',
    'env-parity/preprod.artifact': `ghcr.io/acme/payments:1.4.2@${PROD_DIGEST}`,
    'env-parity/staging.version': '1.5.0',
    'env-parity/staging.revision': 'fff1234def5678901234567890abcdef12345678',
    'env-parity/staging.artifact': `ghcr.io/acme/payments:1.5.0@${STAGING_DIGEST}`,
  });
}

async function start(
  options: {
    entities?: ReturnType<typeof component>[];
    hiddenFrom?: Record<string, string[]>;
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  } = {},
) {
  const entities = options.entities ?? [payments()];
  const { factory } = createTestCatalog(entities, options.hiddenFrom);
  const { server } = await startTestBackend({
    features: [
      envParityPlugin,
      factory,
      mockServices.rootConfig.factory({ data: config }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ...(options.permission
        ? [mockServices.permissions.factory({ result: options.permission })]
        : []),
    ],
  });
  return { server, entities };
}

describe('env-parity backend', () => {
  it('answers with the parity report of an annotated service', async () => {
    const { server } = await start();
    const res = await request(server).get(
      '/api/env-parity/entities/component/default/payments',
    );
    expect(res.status).toBe(200);
    const report: ParityReport = res.body;
    expect(report.entityRef).toBe('component:default/payments');
    expect(report.reference).toBe('production');
    expect(report.environments.map(e => [e.name, e.status, e.owner])).toEqual([
      ['staging', 'ok', 'group:default/platform'],
      ['preprod', 'ok', undefined],
      ['production', 'ok', 'group:default/sre'],
    ]);
    expect(report.environments[2].deployment).toMatchObject({
      version: '1.4.2',
      deployedAt: '2026-11-20T10:00:00.000Z',
      provider: 'annotations',
    });
    expect(
      report.comparisons.map(c => [c.environment, c.verdict, c.score]),
    ).toEqual([
      ['staging', 'different', 50],
      ['preprod', 'in-sync', 100],
    ]);
    expect(report.closestToReference).toBe('preprod');
    expect(report.summary).toBe(
      'Production runs 1.4.2 (abc1234). Staging runs 1.5.0 (fff1234), a different build. Pre-production runs the same build. Closest to production: pre-production, in sync.',
    );
  });

  it('shows a malformed annotation as an error of its environment only', async () => {
    const entity = payments();
    entity.metadata.annotations!['env-parity/staging.deployed-at'] =
      'yesterday';
    entity.metadata.annotations!['env-parity/qa.version'] = '2.0.0';
    const { server } = await start({ entities: [entity] });
    const res = await request(server).get(
      '/api/env-parity/entities/component/default/payments',
    );
    expect(res.status).toBe(200);
    const staging = res.body.environments[0];
    expect(staging.status).toBe('error');
    expect(staging.error).toContain('env-parity/staging.deployed-at');
    expect(staging.error).toContain('"yesterday" is not an ISO 8601 timestamp');
    expect(res.body.comparisons[0].verdict).toBe('unknown');
    expect(res.body.comparisons[1].verdict).toBe('in-sync');
    expect(res.body.warnings).toEqual([
      'Annotation env-parity/qa.version names environment "qa", which is not configured (configured: staging, preprod, production)',
    ]);
  });

  it('reports every environment missing for an unannotated service', async () => {
    const { server } = await start({ entities: [component('bare')] });
    const res = await request(server).get(
      '/api/env-parity/entities/component/default/bare',
    );
    expect(res.status).toBe(200);
    expect(res.body.environments.map((e: any) => e.status)).toEqual([
      'missing',
      'missing',
      'missing',
    ]);
    expect(res.body.summary).toBe(
      'Production has no deployment data yet, so nothing can be compared with it.',
    );
  });

  it('re-collects on refresh and returns the new report', async () => {
    const { server, entities } = await start();
    const first = await request(server).get(
      '/api/env-parity/entities/component/default/payments',
    );
    expect(first.body.comparisons[0].verdict).toBe('different');

    // CI promotes staging's build to production
    const annotations = entities[0].metadata.annotations!;
    annotations['env-parity/production.version'] = '1.5.0';
    annotations['env-parity/production.revision'] =
      annotations['env-parity/staging.revision'];
    annotations['env-parity/production.artifact'] =
      annotations['env-parity/staging.artifact'];

    const unchanged = await request(server).get(
      '/api/env-parity/entities/component/default/payments',
    );
    expect(unchanged.body.comparisons[0].verdict).toBe('different');

    const refreshed = await request(server).post(
      '/api/env-parity/entities/component/default/payments/refresh',
    );
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.comparisons[0].verdict).toBe('in-sync');
    expect(refreshed.body.comparisons[1].verdict).toBe('different');
    expect(
      Date.parse(refreshed.body.environments[2].observedAt),
    ).toBeGreaterThanOrEqual(Date.parse(first.body.environments[2].observedAt));
  });

  it.each([
    [
      'an invalid kind',
      '/entities/com%20ponent/default/payments',
      /not a valid entity kind/,
    ],
    [
      'an invalid namespace',
      '/entities/component/de!fault/payments',
      /not a valid entity namespace/,
    ],
    [
      'an invalid name',
      '/entities/component/default/pay%2Fments',
      /not a valid entity name/,
    ],
  ])('rejects %s with 400', async (_what, path, message) => {
    const { server } = await start();
    const res = await request(server).get(`/api/env-parity${path}`);
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toMatch(message);
  });

  it('answers 404 alike for a missing entity and one the caller may not see', async () => {
    const { server } = await start({
      hiddenFrom: {
        'component:default/payments': [
          mockCredentials.user().principal.userEntityRef,
        ],
      },
    });
    const hidden = await request(server).get(
      '/api/env-parity/entities/component/default/payments',
    );
    const missing = await request(server).get(
      '/api/env-parity/entities/component/default/nothing',
    );
    expect(hidden.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(hidden.body.error.name).toBe('NotFoundError');

    const other = await request(server)
      .get('/api/env-parity/entities/component/default/payments')
      .set('Authorization', mockCredentials.user.header('user:default/alice'));
    expect(other.status).toBe(200);
  });

  it('answers 403 when the permission policy denies', async () => {
    const { server } = await start({ permission: AuthorizeResult.DENY });
    const read = await request(server).get(
      '/api/env-parity/entities/component/default/payments',
    );
    expect(read.status).toBe(403);
    expect(read.body.error.message).toContain('env-parity.report.read');
    const refresh = await request(server).post(
      '/api/env-parity/entities/component/default/payments/refresh',
    );
    expect(refresh.status).toBe(403);
    expect(refresh.body.error.message).toContain('env-parity.report.refresh');
  });

  it('requires authentication, except for the health check', async () => {
    const { server } = await start();
    const res = await request(server)
      .get('/api/env-parity/entities/component/default/payments')
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
    await request(server)
      .get('/api/env-parity/health')
      .set('Authorization', mockCredentials.none.header())
      .expect(200, { status: 'ok' });
  });

  it('lists the environments with their owners', async () => {
    const { server } = await start();
    const res = await request(server).get('/api/env-parity/environments');
    expect(res.status).toBe(200);
    expect(res.body.items.map((e: any) => [e.name, e.reference])).toEqual([
      ['staging', false],
      ['preprod', false],
      ['production', true],
    ]);
  });
});

describe('configuration drift in reports', () => {
  // a provider standing in for a cluster: configuration per environment
  const running: Record<string, Record<string, ConfigFingerprint>> = {
    staging: {
      'deployment/api.replicas': { hash: 'keyed-hash-r1', value: '1' },
      'secret/api.DB_PASSWORD': { hash: 'keyed-hash-staging', secret: true },
      'configmap/api.FEATURE_X': { hash: 'keyed-hash-off', value: 'off' },
    },
    production: {
      'deployment/api.replicas': { hash: 'keyed-hash-r3', value: '3' },
      'secret/api.DB_PASSWORD': { hash: 'keyed-hash-production', secret: true },
      'configmap/api.FEATURE_X': { hash: 'keyed-hash-on', value: 'on' },
    },
  };
  const clusterModule = createBackendModule({
    pluginId: 'env-parity',
    moduleId: 'test-cluster',
    register(reg) {
      reg.registerInit({
        deps: { providers: envParityProvidersExtensionPoint },
        async init({ providers }) {
          providers.addDeploymentProvider({
            getProviderName: () => 'test-cluster',
            precedence: 100,
            supports: () => true,
            async observe() {
              return Object.entries(running).map(([environment, cfg]) => ({
                environment,
                deployment: {
                  artifact: `ghcr.io/acme/api:1.0.0@${PROD_DIGEST}`,
                  config: cfg,
                } as Deployment,
              }));
            },
          });
        },
      });
    },
  });

  async function report(
    annotations: Record<string, string>,
    ignore?: string[],
  ): Promise<ParityReport> {
    const { factory } = createTestCatalog([component('api', annotations)]);
    const { server } = await startTestBackend({
      features: [
        envParityPlugin,
        clusterModule,
        factory,
        mockServices.rootConfig.factory({
          data: {
            envParity: {
              environments: [
                { name: 'staging' },
                { name: 'production', reference: true },
              ],
              ...(ignore ? { config: { ignore } } : {}),
            },
          },
        }),
        mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ],
    });
    const res = await request(server).get(
      '/api/env-parity/entities/component/default/api',
    );
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toContain('keyed-hash');
    return res.body;
  }

  it('names differing keys, shows no secret, and keeps every hash in the backend', async () => {
    const result = await report({});
    const staging = result.comparisons.find(c => c.environment === 'staging')!;
    expect(staging.verdict).toBe('config-drift');
    expect(staging.drift).toEqual([
      {
        type: 'config',
        field: 'configmap/api.FEATURE_X',
        change: 'changed',
        reference: 'on',
        environment: 'off',
      },
      {
        type: 'config',
        field: 'deployment/api.replicas',
        change: 'changed',
        reference: '3',
        environment: '1',
      },
      { type: 'config', field: 'secret/api.DB_PASSWORD', change: 'changed' },
    ]);
    const production = result.environments.find(e => e.name === 'production')!;
    expect(production.deployment?.config?.['secret/api.DB_PASSWORD']).toEqual({
      hash: '',
      secret: true,
    });
    // no hash leaves the backend, secret or not; shown values stay
    expect(production.deployment?.config?.['configmap/api.FEATURE_X']).toEqual({
      hash: '',
      value: 'on',
    });
    expect(production.deployment?.config?.['deployment/api.replicas']).toEqual({
      hash: '',
      value: '3',
    });
  });

  it('ignores keys from envParity.config.ignore and the entity annotation', async () => {
    const result = await report(
      { 'env-parity/ignore-config': 'secret/*, configmap/api.FEATURE_X' },
      ['*.replicas'],
    );
    const staging = result.comparisons.find(c => c.environment === 'staging')!;
    expect(staging.verdict).toBe('in-sync');
    expect(staging.drift).toEqual([]);
    expect(staging.ignoredConfig).toEqual([
      'configmap/api.FEATURE_X',
      'deployment/api.replicas',
      'secret/api.DB_PASSWORD',
    ]);
  });
});

describe('plugin wiring', () => {
  function providerModule(moduleId: string, providerName: string) {
    return createBackendModule({
      pluginId: 'env-parity',
      moduleId,
      register(reg) {
        reg.registerInit({
          deps: { providers: envParityProvidersExtensionPoint },
          async init({ providers }) {
            providers.addDeploymentProvider({
              getProviderName: () => providerName,
              supports: () => false,
              observe: async () => [],
            });
          },
        });
      },
    });
  }

  it('refuses two deployment providers of one name, naming it', async () => {
    const { factory } = createTestCatalog([payments()]);
    await expect(
      startTestBackend({
        features: [
          envParityPlugin,
          providerModule('first', 'cluster'),
          providerModule('second', 'cluster'),
          factory,
          mockServices.rootConfig.factory({ data: config }),
          mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
        ],
      }),
    ).rejects.toThrow(
      'A deployment provider named cluster is already registered',
    );
  });

  it("refuses a module's provider named like the built-in annotations provider", async () => {
    const { factory } = createTestCatalog([payments()]);
    await expect(
      startTestBackend({
        features: [
          envParityPlugin,
          providerModule('copy', 'annotations'),
          factory,
          mockServices.rootConfig.factory({ data: config }),
          mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
        ],
      }),
    ).rejects.toThrow(
      'A deployment provider named annotations is already registered',
    );
  });

  it('schedules collection (from envParity.schedule), the daily scorecard and the access sweep, each shared by replicas', async () => {
    const tasks: Parameters<SchedulerService['scheduleTask']>[0][] = [];
    const scheduler = mockServices.scheduler.mock({
      async scheduleTask(task) {
        tasks.push(task);
      },
    });
    const { factory } = createTestCatalog([payments()]);
    await startTestBackend({
      features: [
        envParityPlugin,
        factory,
        scheduler.factory,
        mockServices.rootConfig.factory({
          data: {
            envParity: {
              ...config.envParity,
              schedule: { frequency: { minutes: 2 }, timeout: { minutes: 1 } },
            },
          },
        }),
      ],
    });
    expect(tasks.map(t => ({ id: t.id, scope: t.scope }))).toEqual(
      expect.arrayContaining([
        { id: 'env-parity-collect', scope: 'global' },
        { id: 'env-parity-scorecard-daily', scope: 'global' },
        { id: 'env-parity-access-sweep', scope: 'global' },
      ]),
    );
    expect(tasks.find(t => t.id === 'env-parity-collect')).toMatchObject({
      frequency: { minutes: 2 },
      timeout: { minutes: 1 },
    });
  });
});
