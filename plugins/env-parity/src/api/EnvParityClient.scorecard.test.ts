import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { ResponseError } from '@backstage/errors';
import { registerMswTestHooks } from '@backstage/frontend-test-utils';
import { EnvParityClient } from './EnvParityClient';

const BASE = 'http://backstage.test:7007/api/env-parity';

const server = setupServer();
registerMswTestHooks(server);

type Seen = { url: URL; authorization: string | null; accept: string | null };

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

function record(seen: Seen[], respond: () => Response) {
  return ({ request }: { request: Request }) => {
    seen.push({
      url: new URL(request.url),
      authorization: request.headers.get('authorization'),
      accept: request.headers.get('accept'),
    });
    return respond();
  };
}

const page = { items: [], totalCount: 0, page: 2, pageSize: 10 };

describe('EnvParityClient (scorecard)', () => {
  it('asks for a page with filters, sort and page in the query string', async () => {
    const seen: Seen[] = [];
    server.use(
      http.get(
        `${BASE}/scorecard`,
        record(seen, () => HttpResponse.json(page)),
      ),
    );

    const result = await createClient().getScorecard({
      owner: ['group:default/team-a', 'team-b'],
      verdict: ['behind'],
      q: 'pay',
      ownedByMe: true,
      sort: 'driftAge',
      order: 'desc',
      page: 2,
      pageSize: 10,
    });

    expect(result).toEqual(page);
    expect(seen).toHaveLength(1);
    expect(seen[0].authorization).toBe('Bearer user-token');
    expect(seen[0].url.pathname).toBe('/api/env-parity/scorecard');
    expect(decodeURIComponent(seen[0].url.search)).toBe(
      '?owner=group:default/team-a&owner=team-b&verdict=behind&q=pay&ownedByMe=true&sort=driftAge&order=desc&page=2&pageSize=10',
    );
  });

  it('sends only filters to the summary and teams routes', async () => {
    const seen: Seen[] = [];
    server.use(
      http.get(
        `${BASE}/scorecard/summary`,
        record(seen, () => HttpResponse.json({ tracked: 3 })),
      ),
      http.get(
        `${BASE}/scorecard/teams`,
        record(seen, () => HttpResponse.json({ items: [] })),
      ),
    );
    const client = createClient();
    // a whole query may be passed: sort and page are left out
    const query = { lifecycle: ['production'], sort: 'name', page: 3 } as any;

    expect(await client.getScorecardSummary(query)).toEqual({ tracked: 3 });
    expect(await client.getScorecardTeams({ system: ['billing'] })).toEqual({
      items: [],
    });
    expect(await client.getScorecardSummary()).toEqual({ tracked: 3 });

    expect(seen.map(s => `${s.url.pathname}${s.url.search}`)).toEqual([
      '/api/env-parity/scorecard/summary?lifecycle=production',
      '/api/env-parity/scorecard/teams?system=billing',
      '/api/env-parity/scorecard/summary',
    ]);
  });

  it('asks for the trend of an owner or of the whole catalog', async () => {
    const seen: Seen[] = [];
    server.use(
      http.get(
        `${BASE}/scorecard/trend`,
        record(seen, () => HttpResponse.json({ items: [] })),
      ),
    );
    const client = createClient();

    await client.getScorecardTrend({ owner: 'group:default/team-a', days: 30 });
    await client.getScorecardTrend();

    expect(seen.map(s => decodeURIComponent(s.url.search))).toEqual([
      '?owner=group:default/team-a&days=30',
      '',
    ]);
  });

  it('downloads the CSV export with the user token, without paging', async () => {
    const seen: Seen[] = [];
    const csv = 'entity_ref,verdict\r\ncomponent:default/a,behind\r\n';
    server.use(
      http.get(
        `${BASE}/scorecard/export.csv`,
        record(
          seen,
          () =>
            new HttpResponse(csv, {
              headers: { 'Content-Type': 'text/csv; charset=utf-8' },
            }),
        ),
      ),
    );

    const blob = await createClient().exportScorecardCsv({
      owner: ['team-a'],
      sort: 'name',
      order: 'asc',
      page: 4,
      pageSize: 25,
    } as any);

    expect(await blob.text()).toBe(csv);
    expect(seen[0].authorization).toBe('Bearer user-token');
    expect(seen[0].accept).toBe('text/csv');
    expect(seen[0].url.search).toBe('?owner=team-a&sort=name&order=asc');
  });

  it('throws a ResponseError with the status on failure', async () => {
    server.use(
      http.get(`${BASE}/scorecard/summary`, () =>
        HttpResponse.json(
          {
            error: { name: 'NotAllowedError', message: 'no scorecard for you' },
            request: { method: 'GET', url: '/scorecard/summary' },
            response: { statusCode: 403 },
          },
          { status: 403 },
        ),
      ),
    );

    const error = await createClient()
      .getScorecardSummary()
      .catch(e => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(error.statusCode).toBe(403);
    expect(error.body.error.message).toBe('no scorecard for you');
  });
});
