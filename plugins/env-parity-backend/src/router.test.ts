import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { createServiceFactory } from '@backstage/backend-plugin-api';
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
        'You are not allowed to read environment parity (env-parity.report.read)',
      );
    }
    const refresh = await request(server)
      .post(`${API}/entities/component/default/payments/refresh`)
      .set('Authorization', alice);
    expect(refresh.status).toBe(403);
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
