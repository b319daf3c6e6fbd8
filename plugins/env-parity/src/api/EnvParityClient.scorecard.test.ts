/**
 * @jest-environment node
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ResponseError } from '@backstage/errors';
import { EnvParityClient } from './EnvParityClient';

type Seen = {
  method: string;
  url: URL;
  authorization?: string;
  accept?: string;
};

type Reply = { status?: number; type?: string; body: string };

/**
 * A real HTTP server on loopback standing in for the env-parity backend: it
 * records each request and answers with what the test routes give, or 404
 * as the backend does for an unknown route.
 */
async function startBackend(routes: Record<string, (url: URL) => Reply>) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    seen.push({
      method: req.method ?? '',
      url,
      authorization: req.headers.authorization,
      accept: req.headers.accept,
    });
    const route = routes[url.pathname];
    const reply: Reply = route
      ? route(url)
      : {
          status: 404,
          body: JSON.stringify({
            error: { name: 'NotFoundError', message: 'no such route' },
            request: { method: req.method, url: url.pathname },
            response: { statusCode: 404 },
          }),
        };
    res.writeHead(reply.status ?? 200, {
      'content-type': reply.type ?? 'application/json',
    });
    res.end(reply.body);
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>(resolve => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}/api/env-parity`;
  const client = new EnvParityClient({
    discoveryApi: { getBaseUrl: async () => baseUrl },
    // like the app's fetchApi, which adds the user's token
    fetchApi: {
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('Authorization', 'Bearer user-token');
        return fetch(input, { ...init, headers });
      },
    },
  });
  return {
    client,
    seen,
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close(e => (e ? reject(e) : resolve())),
      ),
  };
}

const json = (body: unknown): Reply => ({ body: JSON.stringify(body) });

let backend: Awaited<ReturnType<typeof startBackend>> | undefined;

afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

/** Each request as path and decoded query string. */
function requests(seen: Seen[]): string[] {
  return seen.map(s => `${s.url.pathname}${decodeURIComponent(s.url.search)}`);
}

const page = {
  items: [],
  totalCount: 0,
  page: 2,
  pageSize: 10,
  totalsMayIncludeHidden: false,
};

describe('EnvParityClient (scorecard)', () => {
  it('asks for a page with filters, environment, sort and page in the query string', async () => {
    backend = await startBackend({
      '/api/env-parity/scorecard': () => json(page),
    });

    const result = await backend.client.getScorecard({
      owner: ['group:default/team-a', 'team-b'],
      verdict: ['behind'],
      q: 'pay',
      ownedByMe: true,
      environment: 'staging',
      sort: 'driftAge',
      order: 'desc',
      page: 2,
      pageSize: 10,
    });

    expect(result).toEqual(page);
    expect(backend.seen).toHaveLength(1);
    expect(backend.seen[0].method).toBe('GET');
    expect(backend.seen[0].authorization).toBe('Bearer user-token');
    expect(requests(backend.seen)).toEqual([
      '/api/env-parity/scorecard?owner=group:default/team-a&owner=team-b&verdict=behind&q=pay&ownedByMe=true&environment=staging&sort=driftAge&order=desc&page=2&pageSize=10',
    ]);
  });

  it('reads the environments the scorecard can show', async () => {
    const environments = {
      reference: 'production',
      defaultEnvironment: 'preprod',
      environments: [
        { name: 'staging', title: 'Staging' },
        { name: 'preprod', title: 'Pre-production' },
      ],
    };
    backend = await startBackend({
      '/api/env-parity/scorecard/environments': () => json(environments),
    });

    expect(await backend.client.getScorecardEnvironments()).toEqual(
      environments,
    );
    expect(requests(backend.seen)).toEqual([
      '/api/env-parity/scorecard/environments',
    ]);
    expect(backend.seen[0].authorization).toBe('Bearer user-token');
  });

  it('sends only filters and the environment to the summary and teams routes', async () => {
    backend = await startBackend({
      '/api/env-parity/scorecard/summary': () => json({ tracked: 3 }),
      '/api/env-parity/scorecard/teams': () => json({ items: [] }),
    });
    const { client } = backend;
    // a whole query may be passed: sort and page are left out
    const query = {
      lifecycle: ['production'],
      environment: 'worst',
      sort: 'name',
      page: 3,
    } as any;

    expect(await client.getScorecardSummary(query)).toEqual({ tracked: 3 });
    expect(
      await client.getScorecardTeams({
        system: ['billing'],
        environment: 'staging',
      }),
    ).toEqual({ items: [] });
    expect(await client.getScorecardSummary()).toEqual({ tracked: 3 });

    expect(requests(backend.seen)).toEqual([
      '/api/env-parity/scorecard/summary?lifecycle=production&environment=worst',
      '/api/env-parity/scorecard/teams?system=billing&environment=staging',
      '/api/env-parity/scorecard/summary',
    ]);
  });

  it('asks for the trend of an owner or of the whole catalog, for an environment', async () => {
    backend = await startBackend({
      '/api/env-parity/scorecard/trend': () => json({ items: [] }),
    });
    const { client } = backend;

    await client.getScorecardTrend({
      owner: 'group:default/team-a',
      days: 30,
      environment: 'staging',
    });
    await client.getScorecardTrend({ environment: 'worst' });
    await client.getScorecardTrend();

    expect(requests(backend.seen)).toEqual([
      '/api/env-parity/scorecard/trend?owner=group:default/team-a&environment=staging&days=30',
      '/api/env-parity/scorecard/trend?environment=worst',
      '/api/env-parity/scorecard/trend',
    ]);
  });

  it('downloads the CSV export of an environment with the user token, without paging', async () => {
    const csv = 'entity_ref,verdict\r\ncomponent:default/a,behind\r\n';
    backend = await startBackend({
      '/api/env-parity/scorecard/export.csv': () => ({
        type: 'text/csv; charset=utf-8',
        body: csv,
      }),
    });

    const blob = await backend.client.exportScorecardCsv({
      owner: ['team-a'],
      environment: 'staging',
      sort: 'name',
      order: 'asc',
      page: 4,
      pageSize: 25,
    } as any);

    expect(await blob.text()).toBe(csv);
    expect(backend.seen[0].authorization).toBe('Bearer user-token');
    expect(backend.seen[0].accept).toBe('text/csv');
    expect(requests(backend.seen)).toEqual([
      '/api/env-parity/scorecard/export.csv?owner=team-a&environment=staging&sort=name&order=asc',
    ]);
  });

  it('throws a ResponseError with the status and message on failure', async () => {
    backend = await startBackend({
      '/api/env-parity/scorecard/summary': () => ({
        status: 400,
        body: JSON.stringify({
          error: {
            name: 'InputError',
            message: 'environment "qa" is not one of staging, preprod, worst',
          },
          request: { method: 'GET', url: '/scorecard/summary' },
          response: { statusCode: 400 },
        }),
      }),
    });

    const error = await backend.client
      .getScorecardSummary({ environment: 'qa' })
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(400);
    expect(error.body.error.message).toBe(
      'environment "qa" is not one of staging, preprod, worst',
    );
  });

  it('throws a ResponseError when the backend has no environments route', async () => {
    backend = await startBackend({});
    const error = await backend.client.getScorecardEnvironments().catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(404);
  });
});
