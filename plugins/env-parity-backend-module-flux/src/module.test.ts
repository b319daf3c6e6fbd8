import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
// the real backend plugin, to test the module as it is installed
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import envParityPlugin from '@env-parity/plugin-env-parity-backend';
import { ParityReport } from '@env-parity/plugin-env-parity-common';
import { FakeKubernetes } from '@env-parity/fake-apis';
import { recordingRootLogger } from '@env-parity/plugin-env-parity-node/testUtils';
import request from 'supertest';
import {
  clusterConfig,
  component,
  deployShop,
  FLUX_ANNOTATIONS,
  PLANTED,
  PROD_SHA,
  shopValues,
  STAGING_SHA,
} from './__testUtils__/setup';
import envParityModuleFlux from './index';

const REPORT = '/api/env-parity/entities/component/default/shop';

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

type Knex = Awaited<ReturnType<typeof databases.init>>;

/** Every row of every table, as text. */
async function dumpDatabase(knex: Knex): Promise<string> {
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
  return dump.join('\n');
}

describe('the flux module in the env-parity backend', () => {
  let staging: FakeKubernetes;
  let production: FakeKubernetes;

  beforeEach(async () => {
    staging = await FakeKubernetes.start({ name: 'staging-eu' });
    production = await FakeKubernetes.start({ name: 'prod-eu' });
  });

  afterEach(async () => {
    await Promise.all([staging.close(), production.close()]);
  });

  async function start(options: { knex?: Knex; flux?: object } = {}) {
    const logs = recordingRootLogger();
    const config = clusterConfig(
      [
        { fake: staging, environment: 'staging' },
        { fake: production, environment: 'production' },
      ],
      {
        environments: [
          { name: 'staging', title: 'Staging' },
          { name: 'production', title: 'Production', reference: true },
        ],
        // generous: a loaded machine must not turn an observation into a timeout
        collector: { providerTimeout: { minutes: 5 } },
        ...(options.flux ? { flux: options.flux } : {}),
      },
    );
    const { server } = await startTestBackend({
      features: [
        envParityPlugin,
        envParityModuleFlux,
        logs.factory,
        catalogServiceMock.factory({
          entities: [component(FLUX_ANNOTATIONS)],
        }),
        ...(options.knex
          ? [mockServices.database.factory({ knex: options.knex })]
          : []),
        mockServices.rootConfig.factory({ data: config }),
        mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ],
    });
    return { server, logs };
  }

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    it('shows the HelmRelease values drift by key and Flux readiness, and a planted secret appears in no response, row or log line', async () => {
      deployShop(staging, {
        commit: STAGING_SHA,
        chartVersion: '1.5.0',
        values: shopValues(2, 'debug', PLANTED),
        helmReleaseReady: {
          status: 'False',
          reason: 'UpgradeFailed',
          message: `Helm upgrade failed: password ${PLANTED} rejected`,
        },
      });
      deployShop(production, {
        commit: PROD_SHA,
        chartVersion: '1.4.2',
        values: shopValues(6, 'info', 'production-db-password'),
      });
      const knex = await databases.init(databaseId);
      const { server, logs } = await start({ knex });

      const res = await request(server).get(REPORT);
      expect(res.status).toBe(200);
      const report: ParityReport = res.body;
      const [s, p] = report.environments;
      expect(s).toMatchObject({
        name: 'staging',
        status: 'ok',
        deployment: { provider: 'flux', revision: STAGING_SHA },
      });
      expect(p).toMatchObject({
        name: 'production',
        deployment: { provider: 'flux', revision: PROD_SHA },
      });
      expect(s.deployment!.findings).toEqual([
        expect.objectContaining({
          type: 'flux-failed',
          message:
            'HelmRelease shop/shop on staging-eu is not ready: Helm upgrade failed: password [hidden] rejected',
        }),
      ]);
      const [comparison] = report.comparisons;
      expect(
        comparison.drift
          .filter(d => d.type === 'config')
          .map(d => [d.field, d.change, d.reference, d.environment]),
      ).toEqual([
        ['helm.chart', 'changed', 'shop@1.4.2', 'shop@1.5.0'],
        ['helm.values.database.password', 'changed', undefined, undefined],
        ['helm.values.log.level', 'changed', undefined, undefined],
        ['helm.values.replicaCount', 'changed', undefined, undefined],
      ]);

      const refreshed = await request(server).post(`${REPORT}/refresh`);
      expect(refreshed.status).toBe(200);
      const database = await dumpDatabase(knex);
      expect(database).toContain('helm.values.database.password');
      for (const [where, text] of [
        ['report response', res.text],
        ['refresh response', refreshed.text],
        ['database', database],
        ['logs', logs.text()],
      ]) {
        for (const needle of [PLANTED, 'production-db-password']) {
          expect({ where, needle, found: text.includes(needle) }).toEqual({
            where,
            needle,
            found: false,
          });
        }
      }
    });
  });

  it('contains a failing cluster to its environment', async () => {
    deployShop(staging, {
      commit: STAGING_SHA,
      chartVersion: '1.5.0',
      values: {},
    });
    const { server } = await start();
    // the token configured is no longer accepted
    production.token = 'rotated';
    const res = await request(server).get(REPORT);
    const [s, p] = (res.body as ParityReport).environments;
    expect(s.status).toBe('ok');
    expect(p.status).toBe('error');
    expect(p.error).toMatch(
      /^flux: cluster prod-eu: 401 Unauthorized — check kubernetes\.clusterLocatorMethods serviceAccountToken/,
    );
  });

  it('adds nothing with envParity.flux.enabled false, and says so', async () => {
    deployShop(staging, {
      commit: STAGING_SHA,
      chartVersion: '1.5.0',
      values: {},
    });
    const { server, logs } = await start({ flux: { enabled: false } });
    const res = await request(server).get(REPORT);
    expect(
      (res.body as ParityReport).environments.map(e => e.deployment),
    ).toEqual([undefined, undefined]);
    expect(staging.requests).toHaveLength(0);
    expect(logs.text()).toContain(
      'envParity.flux.enabled is false: Flux objects are not read',
    );
  });
});
