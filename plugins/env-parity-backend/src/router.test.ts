import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import {
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  DeploymentProvider,
  envParityProvidersExtensionPoint,
  ObserveRequest,
  ProviderObservation,
} from '@env-parity/plugin-env-parity-node';
import { Knex } from 'knex';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { envParityPlugin } from './plugin';
import { component, createTestCatalog } from './testUtils';

jest.setTimeout(60_000);

const API = '/api/env-parity';
const alice = mockCredentials.user.header('user:default/alice');
const mallory = mockCredentials.user.header('user:default/mallory');
const bob = mockCredentials.user.header('user:default/bob');

async function start(
  options: {
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    kinds?: string[];
  } = {},
) {
  const entities = [
    component('payments', {
      'env-parity/staging.version': '1.5.0',
      'env-parity/production.version': '1.4.2',
    }),
    component('ledger', { 'env-parity/production.version': '2.0.0' }),
    {
      ...component('orders-db', { 'env-parity/production.version': '15' }),
      kind: 'Resource',
    },
  ];
  const { catalog } = createTestCatalog(entities, {
    // as a catalog permission rule would: mallory may not see the ledger
    'component:default/ledger': ['user:default/mallory'],
  });
  const catalogCalls: string[][] = [];
  const counted: Partial<CatalogService> = {
    ...catalog,
    async getEntityByRef(ref, readOptions) {
      catalogCalls.push([String(ref)]);
      return catalog.getEntityByRef(ref, readOptions);
    },
    async getEntitiesByRefs({ entityRefs }, readOptions) {
      catalogCalls.push(entityRefs);
      return {
        items: await Promise.all(
          entityRefs.map(ref => catalog.getEntityByRef(ref, readOptions)),
        ),
      };
    },
  };
  const factory = createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory: () => counted as CatalogService,
  });
  const { server } = await startTestBackend({
    features: [
      envParityPlugin,
      factory,
      mockServices.rootConfig.factory({
        data: {
          envParity: {
            environmentsFromCatalog: false,
            ...(options.kinds ? { collector: { kinds: options.kinds } } : {}),
          },
        },
      }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ...(options.permission
        ? [mockServices.permissions.factory({ result: options.permission })]
        : []),
    ],
  });
  return Object.assign(server, { catalogCalls });
}

describe('GET /entities/:kind/:namespace/:name', () => {
  it('answers the report of an entity the caller can see', async () => {
    const server = await start();
    const res = await request(server)
      .get(`${API}/entities/component/default/payments`)
      .set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(res.body.entityRef).toBe('component:default/payments');
    expect(
      res.body.environments.map((e: any) => [e.name, e.deployment?.version]),
    ).toEqual([
      ['development', undefined],
      ['staging', '1.5.0'],
      ['production', '1.4.2'],
    ]);
  });

  it('answers 404 and no report for an entity hidden from the caller', async () => {
    const server = await start();
    const hidden = await request(server)
      .get(`${API}/entities/component/default/ledger`)
      .set('Authorization', mallory);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.message).toBe(
      'No entity component:default/ledger in the catalog',
    );
    expect(JSON.stringify(hidden.body)).not.toContain('2.0.0');
    expect(hidden.body).not.toHaveProperty('environments');
    // exactly what a missing entity answers
    const missing = await request(server)
      .get(`${API}/entities/component/default/nothing`)
      .set('Authorization', mallory);
    expect(missing.status).toBe(404);
    // and someone allowed to see it gets it
    await request(server)
      .get(`${API}/entities/component/default/ledger`)
      .set('Authorization', alice)
      .expect(200);
    // a refresh is refused the same way
    const refresh = await request(server)
      .post(`${API}/entities/component/default/ledger/refresh`)
      .set('Authorization', mallory);
    expect(refresh.status).toBe(404);
  });

  it('keeps visibility exact for concurrent requests of several callers', async () => {
    const server = await start();
    const asks = Array.from({ length: 24 }, (_, i) => ({
      who: i % 2 ? mallory : alice,
      name: ['payments', 'ledger', 'nothing'][i % 3],
    }));
    const answers = await Promise.all(
      asks.map(({ who, name }) =>
        request(server)
          .get(`${API}/entities/component/default/${name}`)
          .set('Authorization', who),
      ),
    );
    answers.forEach((res, i) => {
      const { who, name } = asks[i];
      const visible =
        name === 'payments' || (name === 'ledger' && who === alice);
      expect([
        name,
        who === alice,
        res.status,
        res.body.entityRef ?? res.body.error?.name,
      ]).toEqual([
        name,
        who === alice,
        visible ? 200 : 404,
        visible ? `component:default/${name}` : 'NotFoundError',
      ]);
    });
    // never more catalog reads than requests
    expect(server.catalogCalls.flat().length).toBeLessThanOrEqual(24);
  });

  it('answers 403 without the permission, whether the entity exists or not', async () => {
    const server = await start({ permission: AuthorizeResult.DENY });
    for (const name of ['payments', 'ledger', 'nothing']) {
      const res = await request(server)
        .get(`${API}/entities/component/default/${name}`)
        .set('Authorization', mallory);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        'You are not allowed to read environment parity: this needs the permission env-parity.report.read.',
      );
    }
    const refresh = await request(server)
      .post(`${API}/entities/component/default/payments/refresh`)
      .set('Authorization', alice);
    expect(refresh.status).toBe(403);
    expect(refresh.body.error.message).toMatch(
      /^You are not allowed to (read|refresh) environment parity: this needs the permission env-parity\.report\.(read|refresh)\.$/,
    );
  });

  it('answers 401 without credentials', async () => {
    const server = await start();
    const res = await request(server)
      .get(`${API}/entities/component/default/payments`)
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });

  it('refuses kinds Env Parity does not report on (envParity.collector.kinds)', async () => {
    const server = await start();
    for (const path of [
      'entities/resource/default/orders-db',
      'entities/group/default/payments',
    ]) {
      const res = await request(server)
        .get(`${API}/${path}`)
        .set('Authorization', alice);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(
        /^Env Parity reports on Component entities only \(envParity\.collector\.kinds\), not on (resource|group)$/,
      );
      const refresh = await request(server)
        .post(`${API}/${path}/refresh`)
        .set('Authorization', alice);
      expect(refresh.status).toBe(400);
    }
  });

  it('reports on every configured kind', async () => {
    const server = await start({ kinds: ['Component', 'Resource'] });
    const res = await request(server)
      .get(`${API}/entities/resource/default/orders-db`)
      .set('Authorization', alice);
    expect(res.status).toBe(200);
    expect(res.body.entityRef).toBe('resource:default/orders-db');
  });
});

/** A deployment provider that records every entity it is asked about. */
class RecordingProvider implements DeploymentProvider {
  readonly calls: string[] = [];
  getProviderName() {
    return 'recording';
  }
  supports() {
    return true;
  }
  async observe({ entity }: ObserveRequest): Promise<ProviderObservation[]> {
    this.calls.push(entity.metadata.name);
    return [{ environment: 'production', deployment: { version: '1.4.2' } }];
  }
}

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

describe.each(databases.eachSupportedId())(
  'POST /entities/:kind/:namespace/:name/refresh on %p',
  databaseId => {
    /** One backend replica on `knex`, with a recording provider. */
    async function replica(
      knex: Knex,
      rateLimit: object,
      provider = new RecordingProvider(),
    ) {
      const { catalog } = createTestCatalog(
        [
          component('payments', { 'env-parity/production.version': '1.4.2' }),
          component('ledger', { 'env-parity/production.version': '2.0.0' }),
        ],
        { 'component:default/ledger': ['user:default/mallory'] },
      );
      const { server } = await startTestBackend({
        features: [
          envParityPlugin,
          createServiceFactory({
            service: catalogServiceRef,
            deps: {},
            factory: () => catalog as CatalogService,
          }),
          createBackendModule({
            pluginId: 'env-parity',
            moduleId: 'recording',
            register(reg) {
              reg.registerInit({
                deps: { providers: envParityProvidersExtensionPoint },
                async init({ providers }) {
                  providers.addDeploymentProvider(provider);
                },
              });
            },
          }),
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              envParity: {
                environmentsFromCatalog: false,
                refresh: { rateLimit },
              },
            },
          }),
          mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
        ],
      });
      return { server, provider };
    }

    const refresh = (server: any, who: string, name = 'payments') =>
      request(server)
        .post(`${API}/entities/component/default/${name}/refresh`)
        .set('Authorization', who);

    // windows start at multiples of their length since 1970: with a
    // thousand-year window the budget cannot roll over while a test runs
    const window = { years: 1000 };

    function expectTooMany(res: request.Response) {
      expect(res.status).toBe(429);
      expect(res.body.error.message).toMatch(
        /^Refreshed too often; try again in \d+ s$/,
      );
      const seconds = Number(res.headers['retry-after']);
      expect(Number.isInteger(seconds)).toBe(true);
      expect(seconds).toBeGreaterThanOrEqual(1);
      expect(seconds).toBeLessThanOrEqual(window.years * 366 * 86_400);
    }

    const budgetOf = (requests: number) => ({ requests, window });

    it('lets at most 30 of 60 concurrent refreshes of one service through, the rest 429 with Retry-After', async () => {
      const knex = await databases.init(databaseId);
      const { server, provider } = await replica(knex, budgetOf(30));
      const answers = await Promise.all(
        Array.from({ length: 60 }, () => refresh(server, alice)),
      );
      const ok = answers.filter(res => res.status === 200);
      const refused = answers.filter(res => res.status !== 200);
      expect(ok.length).toBeLessThanOrEqual(30);
      expect(ok.length + refused.length).toBe(60);
      expect(refused.length).toBeGreaterThanOrEqual(30);
      refused.forEach(expectTooMany);
      ok.forEach(res =>
        expect(res.body.entityRef).toBe('component:default/payments'),
      );
      // the provider (its upstream API) was asked at most once per refresh
      // let through, and fewer when refreshes shared a collection
      expect(provider.calls.length).toBeGreaterThanOrEqual(1);
      expect(provider.calls.length).toBeLessThanOrEqual(ok.length);
    });

    it('gives each user a budget of their own', async () => {
      const knex = await databases.init(databaseId);
      const { server } = await replica(knex, budgetOf(2));
      expect((await refresh(server, alice)).status).toBe(200);
      expect((await refresh(server, alice)).status).toBe(200);
      expectTooMany(await refresh(server, alice));
      expect((await refresh(server, bob)).status).toBe(200);
      expect((await refresh(server, bob)).status).toBe(200);
      expectTooMany(await refresh(server, bob));
    });

    it('shares one budget between two replicas on one database', async () => {
      const knex = await databases.init(databaseId);
      const one = await replica(knex, budgetOf(3));
      const two = await replica(knex, budgetOf(3));
      const answers = await Promise.all([
        ...Array.from({ length: 4 }, () => refresh(one.server, alice)),
        ...Array.from({ length: 4 }, () => refresh(two.server, alice)),
      ]);
      const statuses = answers.map(res => res.status);
      expect(statuses.filter(s => s === 200).length).toBeLessThanOrEqual(3);
      expect(statuses.filter(s => s === 429).length).toBeGreaterThanOrEqual(5);
      answers.filter(res => res.status !== 200).forEach(expectTooMany);
    });

    it('refuses other kinds and hidden entities first, without spending the budget', async () => {
      const knex = await databases.init(databaseId);
      const { server, provider } = await replica(knex, budgetOf(1));
      const otherKind = await request(server)
        .post(`${API}/entities/group/default/payments/refresh`)
        .set('Authorization', mallory);
      expect(otherKind.status).toBe(400);
      expect((await refresh(server, mallory, 'ledger')).status).toBe(404);
      expect(provider.calls).toEqual([]);
      expect((await refresh(server, mallory)).status).toBe(200);
      expectTooMany(await refresh(server, mallory));
      // still refused as before once the budget is spent
      expect((await refresh(server, mallory, 'ledger')).status).toBe(404);
      expect(provider.calls).toEqual(['payments']);
    });
  },
);
