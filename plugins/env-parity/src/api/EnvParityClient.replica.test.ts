import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ResponseError } from '@backstage/errors';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import {
  CLIENT_BASE,
  createTestClient,
  recordInto,
  SeenRequest,
} from '../__testUtils__/client';

const ID = '1a2b3c4d-4a3e-4d8e-9d0e-3f6a1c2b9e11';
const ENTITY = 'component:default/payments-api';

const server = setupServer();
registerMswTestHooks(server);

function backstageError(name: string, message: string, status: number) {
  return HttpResponse.json(
    {
      error: { name, message },
      request: { method: 'POST', url: '/replicas' },
      response: { statusCode: status },
    },
    { status },
  );
}

describe('EnvParityClient replica methods', () => {
  it('reads the settings, with the user token', async () => {
    const seen: SeenRequest[] = [];
    const settings = {
      enabled: true,
      cluster: 'sandbox',
      defaultLifetimeMinutes: 240,
      maxLifetimeMinutes: 480,
      perUserLimit: 2,
      globalLimit: 20,
    };
    server.use(
      http.get(`${CLIENT_BASE}/replicas/settings`, recordInto(seen, settings)),
      // the settings are not read as a replica id
      http.get(`${CLIENT_BASE}/replicas/:id`, () =>
        HttpResponse.json({ wrong: true }),
      ),
    );
    expect(await createTestClient().getReplicaSettings()).toEqual(settings);
    expect(seen).toHaveLength(1);
    expect(seen[0].auth).toBe('Bearer user-token');
  });

  it('lists, of one entity or all', async () => {
    const seen: SeenRequest[] = [];
    server.use(
      http.get(`${CLIENT_BASE}/replicas`, recordInto(seen, { items: [] })),
    );
    const client = createTestClient();
    expect(await client.listReplicas(ENTITY)).toEqual({ items: [] });
    await client.listReplicas();
    expect(Object.fromEntries(seen[0].url.searchParams)).toEqual({
      entityRef: ENTITY,
    });
    expect(seen[1].url.search).toBe('');
  });

  it('launches with a JSON body', async () => {
    const seen: SeenRequest[] = [];
    server.use(
      http.post(
        `${CLIENT_BASE}/replicas`,
        recordInto(seen, { id: ID, status: 'creating' }, 201),
      ),
    );
    const body = {
      entityRef: ENTITY,
      reason: 'Reproduce the refund bug',
      lifetimeMinutes: 120,
      override: { workload: 'payments-api', image: '1.5.0' },
    };
    expect(await createTestClient().launchReplica(body)).toEqual({
      id: ID,
      status: 'creating',
    });
    expect(seen[0].method).toBe('POST');
    expect(seen[0].body).toEqual(body);
    expect(seen[0].contentType).toBe('application/json');
  });

  it('reads, extends and deletes one replica, its id encoded', async () => {
    const seen: SeenRequest[] = [];
    server.use(
      http.get(`${CLIENT_BASE}/replicas/:id`, recordInto(seen, { id: ID })),
      http.post(
        `${CLIENT_BASE}/replicas/:id/extend`,
        recordInto(seen, { id: ID }),
      ),
      http.delete(
        `${CLIENT_BASE}/replicas/:id`,
        recordInto(seen, { id: ID, status: 'deleted' }),
      ),
    );
    const client = createTestClient();
    await client.getReplica(ID);
    await client.extendReplica(ID, 60);
    expect(await client.deleteReplica('a/b?c')).toEqual({
      id: ID,
      status: 'deleted',
    });
    expect(seen.map(s => [s.method, s.url.pathname, s.body])).toEqual([
      ['GET', `/api/env-parity/replicas/${ID}`, undefined],
      [
        'POST',
        `/api/env-parity/replicas/${ID}/extend`,
        { lifetimeMinutes: 60 },
      ],
      ['DELETE', '/api/env-parity/replicas/a%2Fb%3Fc', undefined],
    ]);
  });

  it.each([
    [400, 'InputError', 'lifetimeMinutes must be at most 480'],
    [403, 'NotAllowedError', 'You are not allowed to launch a replica'],
    [
      409,
      'ConflictError',
      'You already have 2 active replicas, the most allowed per user',
    ],
  ])(
    "throws the backend's %s as a ResponseError",
    async (status, name, message) => {
      server.use(
        http.post(`${CLIENT_BASE}/replicas`, () =>
          backstageError(name, message, status),
        ),
      );
      const error = await createTestClient()
        .launchReplica({ entityRef: ENTITY, reason: 'Reproduce a bug' })
        .catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error.statusCode).toBe(status);
      expect(error.body.error).toEqual({ name, message });
    },
  );
});
