import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
// The real backend plugin, to test the module inside it (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import envParityPlugin from '@env-parity/plugin-env-parity-backend';
import { ParityReport } from '@env-parity/plugin-env-parity-common';
import request from 'supertest';
import { testCatalogFactory } from './__testUtils__/catalog';
import { FakeKubernetes } from '@env-parity/fake-apis';
import { clusterConfig, component, digest } from './__testUtils__/objects';
import { recordingRootLogger } from '@env-parity/plugin-env-parity-node/testUtils';
import { deployApi, IMAGE } from './__testUtils__/scenario';
import envParityModuleKubernetes from './index';

const PLANTED = 'planted-s3cret-9f2c';
const PLANTED_BASE64 = Buffer.from(PLANTED, 'utf8').toString('base64');
const REPORT = '/api/env-parity/entities/component/default/api';

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

type Knex = Awaited<ReturnType<typeof databases.init>>;

const ENVIRONMENTS = [
  { name: 'staging', title: 'Staging' },
  { name: 'production', title: 'Production', reference: true },
];

/** Generous: a loaded machine must not turn an observation into a timeout. */
const COLLECTOR = { providerTimeout: { minutes: 5 } };

/** Every row of every table, as text. */
async function dumpDatabase(
  knex: Knex,
): Promise<{ tables: string[]; text: string }> {
  const client = String(knex.client.config.client);
  let tables: string[];
  if (client.includes('sqlite')) {
    tables = (
      await knex.raw("select name from sqlite_master where type = 'table'")
    ).map((r: { name: string }) => r.name);
  } else if (client.includes('pg')) {
    tables = (
      await knex.raw(
        'select tablename from pg_tables where schemaname = current_schema()',
      )
    ).rows.map((r: { tablename: string }) => r.tablename);
  } else {
    tables = (await knex.raw('show tables'))[0].map(
      (r: Record<string, string>) => Object.values(r)[0],
    );
  }
  const dump: string[] = [];
  for (const table of tables) {
    const rows = await knex(table).select();
    dump.push(
      JSON.stringify(rows, (_key, value) =>
        value?.type === 'Buffer' && Array.isArray(value.data)
          ? Buffer.from(value.data).toString('utf8')
          : value,
      ),
    );
  }
  return { tables, text: dump.join('\n') };
}

describe('envParityModuleKubernetes', () => {
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

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    it('shows per environment the running digests and the configuration keys that differ, never a secret', async () => {
      // staging: one pod still runs another build; the log level differs;
      // the database password is the planted secret
      deployApi(staging, {
        tag: '1.5.0',
        pods: ['b', 'b', 'c'],
        logLevel: 'debug',
        dbPassword: PLANTED,
        version: '1.5.0',
      });
      deployApi(production, {
        tag: '1.4.2',
        pods: ['a', 'a'],
        logLevel: 'info',
        dbPassword: 'production-db-password',
        version: '1.4.2',
      });

      const knex = await databases.init(databaseId);
      const logs = recordingRootLogger();
      const { server } = await startTestBackend({
        features: [
          envParityPlugin,
          envParityModuleKubernetes,
          testCatalogFactory([
            component({ 'backstage.io/kubernetes-id': 'api' }),
          ]),
          logs.factory,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              ...clusterConfig([
                { fake: staging, environment: 'staging' },
                { fake: production, environment: 'production' },
              ]),
              envParity: {
                environments: ENVIRONMENTS,
                collector: COLLECTOR,
                ...(clusterConfig([
                  { fake: staging, environment: 'staging' },
                  { fake: production, environment: 'production' },
                ]).envParity as object),
              },
            },
          }),
          mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
        ],
      });

      const res = await request(server).get(REPORT);
      expect(res.status).toBe(200);
      const report: ParityReport = res.body;
      const [stg, prod] = report.environments;
      expect([stg.status, prod.status]).toEqual(['ok', 'ok']);
      expect(stg.deployment).toMatchObject({
        provider: 'kubernetes',
        version: '1.5.0',
        artifact: `${IMAGE}:1.5.0@${digest('b')}`,
      });
      expect(prod.deployment).toMatchObject({
        provider: 'kubernetes',
        version: '1.4.2',
        artifact: `${IMAGE}:1.4.2@${digest('a')}`,
      });
      // the digests actually running, per environment
      expect(
        stg.deployment!.resources!.map(r => [
          r.location,
          r.images!.find(i => i.container === 'api')!.digests,
        ]),
      ).toEqual([['staging-cluster', [digest('b'), digest('c')]]]);
      expect(
        prod.deployment!.resources!.map(r => [
          r.location,
          r.images!.find(i => i.container === 'api')!.digests,
        ]),
      ).toEqual([['prod-eu', [digest('a')]]]);
      expect(stg.deployment!.findings).toEqual([
        {
          type: 'mixed-digests',
          severity: 'warning',
          message:
            'Deployment api on staging-cluster: pods of container api run 2 different digests (sha256:bbbbbbbbbbbb on 2 pods, sha256:cccccccccccc on 1): a rollout in progress or stuck.',
          resource: {
            kind: 'Deployment',
            name: 'api',
            location: 'staging-cluster',
          },
        },
      ]);
      expect(prod.deployment!.findings).toBeUndefined();

      // the configuration keys that differ, with the kind of change
      const [comparison] = report.comparisons;
      expect(comparison.environment).toBe('staging');
      const configDrift = comparison.drift.filter(d => d.type === 'config');
      expect(configDrift.map(d => [d.field, d.change]).sort()).toEqual([
        ['configmap/api-config.LOG_LEVEL', 'changed'],
        ['deployment/api.replicas', 'changed'],
        ['deployment/api/api.env.DB_PASSWORD', 'changed'],
        ['deployment/api/api.env.LOG_LEVEL', 'changed'],
        ['secret/api-secrets.DB_PASSWORD', 'changed'],
      ]);
      const secretDrift = configDrift.find(
        d => d.field === 'secret/api-secrets.DB_PASSWORD',
      )!;
      expect(secretDrift.reference).toBeUndefined();
      expect(secretDrift.environment).toBeUndefined();
      expect(
        configDrift.find(d => d.field === 'deployment/api.replicas'),
      ).toMatchObject({ reference: '2', environment: '3' });

      // a refresh answers the same; within inventory.maxAge (2 minutes) from
      // the cluster's inventory and the ConfigMap and Secret fingerprints
      // already read, without asking the clusters again
      expect(staging.requestsTo('/pods')).toHaveLength(1);
      const requests = [staging.requests.length, production.requests.length];
      const refreshed = await request(server).post(`${REPORT}/refresh`);
      expect(refreshed.status).toBe(200);
      expect([staging.requests.length, production.requests.length]).toEqual(
        requests,
      );
      expect(
        (refreshed.body as ParityReport).environments[0].deployment!.findings,
      ).toHaveLength(1);

      // the planted secret is nowhere: responses, database, logs
      const { tables, text: database } = await dumpDatabase(knex);
      expect(database).toContain('mixed-digests'); // the dump holds the snapshots
      expect(database).toContain('secret/api-secrets.DB_PASSWORD');
      const logText = logs.text();
      expect(
        logs.lines.some(
          l =>
            l.level === 'debug' &&
            l.message.includes('cluster staging-cluster'),
        ),
      ).toBe(true);
      for (const [where, text] of [
        ['report response', res.text],
        ['refresh response', refreshed.text],
        [`database (${tables.join(', ')})`, database],
        ['logs', logText],
      ]) {
        for (const needle of [PLANTED, PLANTED_BASE64]) {
          expect({ where, found: text.includes(needle) }).toEqual({
            where,
            found: false,
          });
        }
      }
    });
  });

  it('contains a failing cluster to its environment', async () => {
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a'],
      logLevel: 'info',
      dbPassword: 'x',
    });
    staging.forbidden.add('pods');
    const config = clusterConfig([
      { fake: staging, environment: 'staging' },
      { fake: production, environment: 'production' },
    ]);
    const { server } = await startTestBackend({
      features: [
        envParityPlugin,
        envParityModuleKubernetes,
        testCatalogFactory([
          component({ 'backstage.io/kubernetes-id': 'api' }),
        ]),
        mockServices.rootConfig.factory({
          data: {
            ...config,
            envParity: {
              environments: ENVIRONMENTS,
              collector: COLLECTOR,
              ...(config.envParity as object),
            },
          },
        }),
        mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ],
    });
    const report: ParityReport = (await request(server).get(REPORT)).body;
    const [stg, prod] = report.environments;
    expect(stg.status).toBe('error');
    expect(stg.error).toBe(
      'kubernetes: cluster staging-cluster: 403 Forbidden: not allowed to list pods cluster-wide — grant the service account list on pods',
    );
    expect(prod).toMatchObject({
      status: 'ok',
      deployment: { artifact: `${IMAGE}:1.4.2@${digest('a')}` },
    });
  });

  it('adds no provider without envParity.kubernetes, and warns about unknown clusters', async () => {
    const logs = recordingRootLogger();
    await startTestBackend({
      features: [
        envParityPlugin,
        envParityModuleKubernetes,
        testCatalogFactory([]),
        logs.factory,
        mockServices.rootConfig.factory({
          data: {
            envParity: { environments: ENVIRONMENTS, collector: COLLECTOR },
          },
        }),
        mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ],
    });
    expect(
      logs.lines.filter(l => l.message.includes('envParity.kubernetes')),
    ).toEqual([
      expect.objectContaining({
        level: 'info',
        message:
          'envParity.kubernetes is not configured: Kubernetes clusters are not read. Map cluster names to environments in envParity.kubernetes.clusters (or annotate kubernetes-cluster Resources with env-parity/environment and set envParity.kubernetes.clustersFromCatalog: true) to enable it.',
      }),
    ]);

    const logs2 = recordingRootLogger();
    await startTestBackend({
      features: [
        envParityPlugin,
        envParityModuleKubernetes,
        testCatalogFactory([]),
        logs2.factory,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                { type: 'catalog' },
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'gke-prod',
                      url: 'https://gke.example.com',
                      authProvider: 'google',
                    },
                  ],
                },
              ],
            },
            envParity: {
              environments: ENVIRONMENTS,
              collector: COLLECTOR,
              kubernetes: {
                clusters: { 'gke-prod': 'production', typo: 'staging' },
              },
            },
          },
        }),
        mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ],
    });
    expect(
      logs2.lines
        .filter(l => /kubernetes/.test(l.message) && l.level !== 'debug')
        .map(l => [l.level, l.message]),
    ).toEqual([
      [
        'info',
        'kubernetes.clusterLocatorMethods: cluster locator type "catalog" is not supported by env-parity; only type config is read',
      ],
      [
        'warn',
        'kubernetes.clusterLocatorMethods: cluster "gke-prod" uses authProvider "google"; env-parity supports only serviceAccount and skips this cluster',
      ],
      [
        'warn',
        'envParity.kubernetes.clusters maps cluster "gke-prod" to environment "production", but kubernetes.clusterLocatorMethods has no usable cluster of that name (type config, authProvider serviceAccount); it is not read',
      ],
      [
        'warn',
        'envParity.kubernetes.clusters maps cluster "typo" to environment "staging", but kubernetes.clusterLocatorMethods has no usable cluster of that name (type config, authProvider serviceAccount); it is not read',
      ],
    ]);
  });

  it('warns at startup in proxy mode about mapped clusters the Kubernetes backend would pass the Backstage token to', async () => {
    const logs = recordingRootLogger();
    await startTestBackend({
      features: [
        envParityPlugin,
        envParityModuleKubernetes,
        testCatalogFactory([]),
        logs.factory,
        mockServices.rootConfig.factory({
          data: {
            kubernetes: {
              clusterLocatorMethods: [
                {
                  type: 'config',
                  clusters: [
                    {
                      name: 'cert-cluster',
                      url: 'https://k8s-cert.example.com',
                      authProvider: 'x509',
                    },
                    {
                      name: 'sa-cluster',
                      url: 'https://k8s-sa.example.com',
                      authProvider: 'serviceAccount',
                    },
                  ],
                },
              ],
            },
            envParity: {
              environments: ENVIRONMENTS,
              collector: COLLECTOR,
              kubernetes: {
                mode: 'proxy',
                clusters: {
                  'cert-cluster': 'production',
                  'sa-cluster': 'staging',
                },
              },
            },
          },
        }),
        mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ],
    });
    expect(
      logs.lines
        .filter(l => l.level === 'warn' && /kubernetes/.test(l.message))
        .map(l => l.message),
    ).toEqual([
      'envParity.kubernetes.mode is proxy, but cluster "cert-cluster" uses authProvider "x509" in kubernetes.clusterLocatorMethods, which gives the Kubernetes backend no bearer token to replace the request\'s Authorization header with: env-parity\'s Backstage service token reaches that cluster\'s API server, and whoever can read requests there could call the Kubernetes backend as env-parity until the token expires. Give that cluster an auth provider that yields a bearer token (serviceAccount, google, googleServiceAccount, aws, azure, oidc), or use envParity.kubernetes.mode direct with a service account token for env-parity',
    ]);
  });
});
