import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ResponseError } from '@backstage/errors';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { EnvParityClient } from './EnvParityClient';

const BASE = 'http://backstage.test:7007/api/env-parity';
const ID = '0b7c2a52-4a3e-4d8e-9d0e-3f6a1c2b9e11';

const server = setupServer();
registerMswTestHooks(server);

type Seen = {
  method: string;
  url: URL;
  body: unknown;
  auth: string | null;
  contentType: string | null;
};

function createClient() {
  return new EnvParityClient({
    discoveryApi: { getBaseUrl: async () => BASE },
    // like the app's fetchApi, which adds the user's token
    fetchApi: {
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('Authorization', 'Bearer user-token');
        return fetch(input, { ...init, headers });
      },
    },
  });
}

function record(seen: Seen[], answer: unknown, status = 200) {
  return async ({ request }: { request: Request }) => {
    const text = await request.text();
    seen.push({
      method: request.method,
      url: new URL(request.url),
      body: text ? JSON.parse(text) : undefined,
      auth: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
    });
    return HttpResponse.json(answer as any, { status });
  };
}

function backstageError(name: string, message: string, status: number) {
  return HttpResponse.json(
    {
      error: { name, message },
      request: { method: 'GET', url: '/alignments/preview' },
      response: { statusCode: status },
    },
    { status },
  );
}

describe('EnvParityClient alignment methods', () => {
  it('previews with the entity and environment in the query', async () => {
    const seen: Seen[] = [];
    const preview = { environment: 'staging', deployer: 'webhook' };
    server.use(
      http.get(`${BASE}/alignments/preview`, record(seen, preview)),
      // the preview is not read as an alignment id
      http.get(`${BASE}/alignments/:id`, () =>
        HttpResponse.json({ wrong: true }),
      ),
    );
    expect(
      await createClient().previewAlignment(
        'component:default/checkout-web',
        'pre prod&x',
      ),
    ).toEqual(preview);
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('GET');
    expect(seen[0].auth).toBe('Bearer user-token');
    expect(Object.fromEntries(seen[0].url.searchParams)).toEqual({
      entityRef: 'component:default/checkout-web',
      environment: 'pre prod&x',
    });
  });

  it('creates an alignment with a JSON body', async () => {
    const seen: Seen[] = [];
    server.use(http.post(`${BASE}/alignments`, record(seen, { id: ID }, 201)));
    const body = {
      entityRef: 'component:default/checkout-web',
      environment: 'staging',
      reason: 'Staging must run what production runs',
    };
    expect(await createClient().createAlignment(body)).toEqual({ id: ID });
    expect(seen[0].method).toBe('POST');
    expect(seen[0].body).toEqual(body);
    expect(seen[0].contentType).toBe('application/json');
  });

  it('lists with the filter as query parameters', async () => {
    const seen: Seen[] = [];
    server.use(http.get(`${BASE}/alignments`, record(seen, { items: [] })));
    const client = createClient();
    await client.listAlignments({
      reviewable: true,
      entityRef: 'component:default/checkout-web',
      environment: 'staging',
      status: ['pending-approval', 'verifying'],
      limit: 20,
      offset: 40,
    });
    await client.listAlignments({ mine: true });
    await client.listAlignments();
    expect(Object.fromEntries(seen[0].url.searchParams)).toEqual({
      reviewable: 'true',
      entityRef: 'component:default/checkout-web',
      environment: 'staging',
      status: 'pending-approval,verifying',
      limit: '20',
      offset: '40',
    });
    expect(seen[1].url.search).toBe('?mine=true');
    expect(seen[2].url.search).toBe('');
  });

  it('reads one alignment and decides on it', async () => {
    const seen: Seen[] = [];
    server.use(
      http.get(`${BASE}/alignments/:id`, record(seen, { id: ID })),
      http.post(
        `${BASE}/alignments/:id/:action`,
        record(seen, { id: ID, status: 'denied' }),
      ),
    );
    const client = createClient();
    await client.getAlignment(ID);
    await client.decideAlignment(ID, 'deny', 'Not during the freeze');
    await client.decideAlignment(ID, 'approve');
    await client.decideAlignment(ID, 'cancel', 'Fixed another way');
    expect(seen.map(s => [s.method, s.url.pathname, s.body])).toEqual([
      ['GET', `/api/env-parity/alignments/${ID}`, undefined],
      [
        'POST',
        `/api/env-parity/alignments/${ID}/deny`,
        { comment: 'Not during the freeze' },
      ],
      ['POST', `/api/env-parity/alignments/${ID}/approve`, {}],
      [
        'POST',
        `/api/env-parity/alignments/${ID}/cancel`,
        { comment: 'Fixed another way' },
      ],
    ]);
  });

  it('encodes the id into the path', async () => {
    const seen: Seen[] = [];
    server.use(http.get(`${BASE}/*`, record(seen, {})));
    await createClient().getAlignment('a/b?c');
    expect(seen[0].url.pathname).toBe('/api/env-parity/alignments/a%2Fb%3Fc');
  });

  it.each([
    [400, 'InputError', 'reason must be at least 10 characters'],
    [
      404,
      'NotFoundError',
      'Aligning environments with production is not enabled here',
    ],
    [409, 'ConflictError', 'staging is already in sync with production'],
  ])(
    "throws the backend's %s as a ResponseError",
    async (status, name, message) => {
      server.use(
        http.get(`${BASE}/alignments/preview`, () =>
          backstageError(name, message, status),
        ),
      );
      const error = await createClient()
        .previewAlignment('component:default/checkout-web', 'staging')
        .catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error.statusCode).toBe(status);
      expect(error.body.error).toEqual({ name, message });
    },
  );
});
