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

const ID = '0b7c2a52-4a3e-4d8e-9d0e-3f6a1c2b9e11';

const server = setupServer();
registerMswTestHooks(server);

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
    const seen: SeenRequest[] = [];
    const preview = { environment: 'staging', deployer: 'webhook' };
    server.use(
      http.get(`${CLIENT_BASE}/alignments/preview`, recordInto(seen, preview)),
      // the preview is not read as an alignment id
      http.get(`${CLIENT_BASE}/alignments/:id`, () =>
        HttpResponse.json({ wrong: true }),
      ),
    );
    expect(
      await createTestClient().previewAlignment(
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
    const seen: SeenRequest[] = [];
    server.use(
      http.post(`${CLIENT_BASE}/alignments`, recordInto(seen, { id: ID }, 201)),
    );
    const body = {
      entityRef: 'component:default/checkout-web',
      environment: 'staging',
      reason: 'Staging must run what production runs',
    };
    expect(await createTestClient().createAlignment(body)).toEqual({ id: ID });
    expect(seen[0].method).toBe('POST');
    expect(seen[0].body).toEqual(body);
    expect(seen[0].contentType).toBe('application/json');
  });

  it('lists with the filter as query parameters', async () => {
    const seen: SeenRequest[] = [];
    server.use(
      http.get(`${CLIENT_BASE}/alignments`, recordInto(seen, { items: [] })),
    );
    const client = createTestClient();
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
    const seen: SeenRequest[] = [];
    server.use(
      http.get(`${CLIENT_BASE}/alignments/:id`, recordInto(seen, { id: ID })),
      http.post(
        `${CLIENT_BASE}/alignments/:id/:action`,
        recordInto(seen, { id: ID, status: 'denied' }),
      ),
    );
    const client = createTestClient();
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
    const seen: SeenRequest[] = [];
    server.use(http.get(`${CLIENT_BASE}/*`, recordInto(seen, {})));
    await createTestClient().getAlignment('a/b?c');
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
        http.get(`${CLIENT_BASE}/alignments/preview`, () =>
          backstageError(name, message, status),
        ),
      );
      const error = await createTestClient()
        .previewAlignment('component:default/checkout-web', 'staging')
        .catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error.statusCode).toBe(status);
      expect(error.body.error).toEqual({ name, message });
    },
  );
});
