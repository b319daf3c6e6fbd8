import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { readAlignOptions } from '../align/config';
import { DeploymentCollector, readCollectorOptions } from '../collector';
import { EnvironmentRegistry } from '../environments';
import { AnnotationDeploymentProvider } from '../providers/AnnotationDeploymentProvider';
import { ParityReportBuilder } from '../report';
import { DatabaseSnapshotStore } from '../store/DatabaseSnapshotStore';
import { component, createTestCatalog } from '../testUtils';
import { readScorecardOptions, ScorecardService } from './ScorecardService';
import { ScorecardStore } from './ScorecardStore';
import { ScorecardWriter } from './ScorecardWriter';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

const user = mockCredentials.user('user:default/me');

function service(name: string, owner: string) {
  const entity = component(name, {
    'env-parity/production.version': '2.0.0',
    'env-parity/staging.version': '1.0.0',
    'env-parity/development.version': '1.0.0',
  });
  entity.spec = { ...entity.spec, owner };
  return entity;
}

describe.each(databases.eachSupportedId())(
  'the scorecard count of services following production on %p',
  id => {
    async function setup(follow?: object) {
      const knex = await databases.init(id);
      const config = new ConfigReader({
        envParity: {
          environments: [
            { name: 'development' },
            { name: 'staging' },
            { name: 'production', reference: true },
          ],
          environmentsFromCatalog: false,
          align: {
            environments: {
              staging: { deployer: 'webhook' },
              development: { deployer: 'webhook', approval: 'none' },
            },
            ...(follow && { follow }),
          },
        },
      });
      const entities = [
        service('Payments', 'team-a'),
        service('ledger', 'team-a'),
        service('search', 'team-b'),
      ];
      const { catalog: base } = createTestCatalog(entities);
      const catalog = {
        ...base,
        getEntitiesByRefs: async ({
          entityRefs,
        }: {
          entityRefs: string[];
        }) => ({
          items: entityRefs.map(() => ({ kind: 'Component' })),
        }),
      } as unknown as CatalogService;
      const auth = mockServices.auth();
      const logger = mockServices.logger.mock();
      const environments = EnvironmentRegistry.fromConfig(config, {
        catalog,
        auth,
        logger,
      });
      const snapshots = await DatabaseSnapshotStore.create({
        database: mockServices.database.mock({ getClient: async () => knex }),
      });
      const store = new ScorecardStore(knex);
      const providers = [new AnnotationDeploymentProvider()];
      const builder = new ParityReportBuilder({
        providers,
        comparers: [],
        logger,
      });
      const collector = new DeploymentCollector({
        store: snapshots,
        providers,
        environments,
        catalog,
        auth,
        logger,
        options: readCollectorOptions(config),
        scorecard: new ScorecardWriter({ store, builder, logger }),
      });
      await collector.collectAll();
      return new ScorecardService({
        store,
        environments,
        catalog,
        permissions: mockServices.permissions.mock({
          authorize: async () => [{ result: AuthorizeResult.ALLOW }],
          authorizeConditional: async () => [{ result: AuthorizeResult.ALLOW }],
        }),
        userInfo: mockServices.userInfo.mock({
          getUserInfo: async () => ({
            userEntityRef: 'user:default/me',
            ownershipEntityRefs: ['user:default/me'],
          }),
        }),
        logger,
        options: readScorecardOptions(config),
        latestRunStart: () => snapshots.latestCompletedRunStart(),
        following: readAlignOptions(config)?.follow,
      });
    }

    it('counts the listed services (any case), within the filters, per environment and in the worst view', async () => {
      const scorecard = await setup({
        environments: {
          staging: { entities: ['component:default/payments', 'ledger'] },
        },
      });
      expect((await scorecard.getSummary({}, user)).following).toEqual({
        services: 2,
        environments: ['staging'],
      });
      expect(
        (await scorecard.getSummary({ owner: ['team-b'] }, user)).following,
      ).toEqual({ services: 0, environments: ['staging'] });
      expect(
        (await scorecard.getSummary({ environment: 'development' }, user))
          .following,
      ).toEqual({ services: 0, environments: [] });
      expect(
        (await scorecard.getSummary({ environment: 'worst' }, user)).following,
      ).toEqual({ services: 2, environments: ['staging'] });
    });

    it('counts every service of an environment that follows without a list', async () => {
      const scorecard = await setup({
        environments: { staging: {}, development: { entities: ['search'] } },
      });
      expect((await scorecard.getSummary({}, user)).following).toEqual({
        services: 3,
        environments: ['staging'],
      });
      expect(
        (await scorecard.getSummary({ environment: 'development' }, user))
          .following,
      ).toEqual({ services: 1, environments: ['development'] });
    });

    it('has no count when following is off or not configured', async () => {
      const off = await setup({
        enabled: false,
        environments: { staging: {} },
      });
      expect((await off.getSummary({}, user)).following).toBeUndefined();
      const none = await setup();
      expect((await none.getSummary({}, user)).following).toBeUndefined();
    });
  },
);
