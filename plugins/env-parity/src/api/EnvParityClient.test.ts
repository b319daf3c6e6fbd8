import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ResponseError } from '@backstage/errors';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { driftReport } from '../__testUtils__/reports';
import { EnvParityClient } from './EnvParityClient';

const BASE = 'http://backstage.test:7007/api/env-parity';

const server = setupServer();
registerMswTestHooks(server);

type Seen = { method: string; url: URL; authorization: string | null };

function createClient() {
  const discoveryCalls: string[] = [];
  const client = new EnvParityClient({
    discoveryApi: {
      async getBaseUrl(pluginId: string) {
        discoveryCalls.push(pluginId);
        return BASE;
      },
    },
    // like the app's fetchApi, which adds the user's token
    fetchApi: {
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('Authorization', 'Bearer user-token');
        return fetch(input, { ...init, headers });
      },
    },
  });
  return { client, discoveryCalls };
}

function record(seen: Seen[], body: unknown, status = 200) {
  return ({ request }: { request: Request }) => {
    seen.push({
      method: request.method,
      url: new URL(request.url),
      authorization: request.headers.get('authorization'),
    });
    return HttpResponse.json(body as any, { status });
  };
}

function backstageErrorBody(name: string, message: string, status: number) {
  return {
    error: { name, message },
    request: { method: 'GET', url: '/entities/component/default/payments' },
    response: { statusCode: status },
  };
}

describe('EnvParityClient', () => {
  it('reads the report of an entity from the env-parity backend', async () => {
    const report = driftReport();
    const seen: Seen[] = [];
    server.use(
      http.get(`${BASE}/entities/:kind/:namespace/:name`, record(seen, report)),
    );
    const { client, discoveryCalls } = createClient();

    await expect(
      client.getReport('component:default/payments'),
    ).resolves.toEqual(report);

    expect(discoveryCalls).toEqual(['env-parity']);
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('GET');
    expect(seen[0].url.pathname).toBe(
      '/api/env-parity/entities/component/default/payments',
    );
    expect(seen[0].authorization).toBe('Bearer user-token');
  });

  it('encodes each part of the entity ref', async () => {
    const seen: Seen[] = [];
    server.use(http.get(`${BASE}/*`, record(seen, driftReport())));
    const { client } = createClient();

    await client.getReport({
      kind: 'Component',
      namespace: 'team a',
      name: 'pay/ments#1?x',
    });

    expect(seen[0].url.pathname).toBe(
      '/api/env-parity/entities/Component/team%20a/pay%2Fments%231%3Fx',
    );
    expect(seen[0].url.search).toBe('');
  });

  it('defaults the namespace of a string ref', async () => {
    const seen: Seen[] = [];
    server.use(http.get(`${BASE}/*`, record(seen, driftReport())));
    const { client } = createClient();

    await client.getReport('component:payments');

    expect(seen[0].url.pathname).toBe(
      '/api/env-parity/entities/component/default/payments',
    );
  });

  it('refreshes with a POST and returns the new report', async () => {
    const report = driftReport({ observedAgo: 0 });
    const seen: Seen[] = [];
    server.use(
      http.post(
        `${BASE}/entities/:kind/:namespace/:name/refresh`,
        record(seen, report),
      ),
    );
    const { client } = createClient();

    await expect(client.refresh('component:default/payments')).resolves.toEqual(
      report,
    );
    expect(seen[0].method).toBe('POST');
    expect(seen[0].url.pathname).toBe(
      '/api/env-parity/entities/component/default/payments/refresh',
    );
    expect(seen[0].authorization).toBe('Bearer user-token');
  });

  it.each([
    [400, 'InputError', 'Malformed entity ref'],
    [403, 'NotAllowedError', 'Forbidden'],
    [404, 'NotFoundError', 'No entity component:default/payments'],
  ])(
    'turns a %i into a ResponseError carrying the server error',
    async (status, name, message) => {
      server.use(
        http.get(`${BASE}/*`, () =>
          HttpResponse.json(backstageErrorBody(name, message, status), {
            status,
          }),
        ),
        http.post(`${BASE}/*`, () =>
          HttpResponse.json(backstageErrorBody(name, message, status), {
            status,
          }),
        ),
      );
      const { client } = createClient();

      for (const call of [
        () => client.getReport('component:default/payments'),
        () => client.refresh('component:default/payments'),
      ]) {
        const error = await call().then(
          () => undefined,
          e => e,
        );
        expect(error).toBeInstanceOf(ResponseError);
        expect(error.statusCode).toBe(status);
        expect(error.body.error).toEqual({ name, message });
        expect(error.cause.name).toBe(name);
        expect(error.cause.message).toBe(message);
      }
    },
  );

  it('rejects a string ref without a kind before calling the backend', async () => {
    const seen: Seen[] = [];
    server.use(http.get(`${BASE}/*`, record(seen, driftReport())));
    const { client } = createClient();

    await expect(client.getReport('payments')).rejects.toThrow(/kind/);
    expect(seen).toHaveLength(0);
  });
});

describe('EnvParityClient.probe', () => {
  it('posts the probe request as JSON and returns the result', async () => {
    const result = {
      id: 'p1',
      entityRef: 'component:default/payments',
      method: 'GET',
      path: '/version',
      reference: 'production',
      startedAt: '2026-11-28T10:00:00Z',
      environments: [],
    };
    const seen: Array<{ url: URL; body: unknown; type: string | null }> = [];
    server.use(
      http.post(
        `${BASE}/entities/:kind/:namespace/:name/probe`,
        async ({ request }) => {
          seen.push({
            url: new URL(request.url),
            body: await request.json(),
            type: request.headers.get('content-type'),
          });
          return HttpResponse.json(result);
        },
      ),
    );
    const { client } = createClient();

    await expect(
      client.probe('component:default/payments', {
        path: '/version',
        method: 'HEAD',
        environments: ['staging'],
      }),
    ).resolves.toEqual(result);
    expect(seen).toEqual([
      {
        url: new URL(`${BASE}/entities/component/default/payments/probe`),
        body: { path: '/version', method: 'HEAD', environments: ['staging'] },
        type: 'application/json',
      },
    ]);
  });
});
