import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ResponseError } from '@backstage/errors';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import {
  CLIENT_BASE,
  createTestClient,
  recordInto,
  SeenRequest,
} from '../../__testUtils__/client';

const server = setupServer();
registerMswTestHooks(server);

describe('EnvParityClient access methods', () => {
  it('reads the settings', async () => {
    const seen: SeenRequest[] = [];
    server.use(
      http.get(
        `${CLIENT_BASE}/access/settings`,
        recordInto(seen, { minReasonLength: 10 }),
      ),
    );
    expect(await createTestClient().getAccessSettings()).toEqual({
      minReasonLength: 10,
    });
    expect(seen[0].auth).toBe('Bearer user-token');
  });

  it('creates a request with a JSON body', async () => {
    const seen: SeenRequest[] = [];
    server.use(
      http.post(
        `${CLIENT_BASE}/access/requests`,
        recordInto(seen, { id: 'r1' }, 201),
      ),
    );
    const body = {
      entityRef: 'component:default/payments',
      environment: 'production',
      reason: 'Checking refunds',
      durationMinutes: 60,
    };
    expect(await createTestClient().createAccessRequest(body)).toEqual({
      id: 'r1',
    });
    expect(seen[0].method).toBe('POST');
    expect(seen[0].body).toEqual(body);
  });

  it('lists with the filter as query parameters', async () => {
    const seen: SeenRequest[] = [];
    server.use(
      http.get(
        `${CLIENT_BASE}/access/requests`,
        recordInto(seen, { items: [] }),
      ),
    );
    const client = createTestClient();
    await client.listAccessRequests({
      mine: true,
      entityRef: 'component:default/payments',
      status: ['pending', 'active'],
      limit: 20,
    });
    await client.listAccessRequests();
    expect(Object.fromEntries(seen[0].url.searchParams)).toEqual({
      mine: 'true',
      entityRef: 'component:default/payments',
      status: 'pending,active',
      limit: '20',
    });
    expect(seen[1].url.search).toBe('');
  });

  it('reads one request and decides on it', async () => {
    const seen: SeenRequest[] = [];
    server.use(
      http.get(
        `${CLIENT_BASE}/access/requests/:id`,
        recordInto(seen, { id: 'r1' }),
      ),
      http.post(
        `${CLIENT_BASE}/access/requests/:id/:action`,
        recordInto(seen, { id: 'r1', status: 'denied' }),
      ),
    );
    const client = createTestClient();
    await client.getAccessRequest('r1');
    await client.decideAccessRequest('r1', 'deny', 'Not now');
    await client.decideAccessRequest('r1', 'approve');
    expect(seen.map(s => [s.method, s.url.pathname, s.body])).toEqual([
      ['GET', '/api/env-parity/access/requests/r1', undefined],
      [
        'POST',
        '/api/env-parity/access/requests/r1/deny',
        { comment: 'Not now' },
      ],
      ['POST', '/api/env-parity/access/requests/r1/approve', {}],
    ]);
  });

  it("throws the backend's error as a ResponseError", async () => {
    server.use(
      http.post(`${CLIENT_BASE}/access/requests/:id/approve`, () =>
        HttpResponse.json(
          {
            error: { name: 'ConflictError', message: 'already denied' },
            request: { method: 'POST', url: '/access/requests/r1/approve' },
            response: { statusCode: 409 },
          },
          { status: 409 },
        ),
      ),
    );
    const error = await createTestClient()
      .decideAccessRequest('r1', 'approve')
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(409);
    expect(error.body.error).toEqual({
      name: 'ConflictError',
      message: 'already denied',
    });
  });
});
