import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ScorecardPage,
  ScorecardSummary,
  TeamRollup,
} from '@env-parity/plugin-env-parity-common';
import request from 'supertest';
import { envParityPlugin } from '../plugin';
import { component, createTestCatalog } from '../testUtils';

jest.setTimeout(30_000);

const config = {
  envParity: {
    environments: [
      { name: 'staging' },
      { name: 'production', reference: true },
    ],
    environmentsFromCatalog: false,
  },
};

function service(
  name: string,
  staging: string,
  production: string,
  spec: Record<string, string> = {},
  title?: string,
): Entity {
  const entity = component(name, {
    'env-parity/staging.version': staging,
    'env-parity/production.version': production,
  });
  entity.spec = { ...entity.spec, ...spec };
  if (title) {
    entity.metadata.title = title;
  }
  return entity;
}

const entities = () => [
  service('api', '1.0.0', '1.0.0', { owner: 'team-a' }),
  service('web', '1.1.0', '1.0.0', { owner: 'team-a' }, '=HYPERLINK("x")'),
  service('db', '0.9.0', '1.0.0', { owner: 'team-b', system: 'data' }),
];

async function start(
  options: {
    permissions?: ReturnType<typeof mockServices.permissions.mock>;
    deny?: boolean;
  } = {},
) {
  const list = entities();
  const { factory } = createTestCatalog(list);
  const { server } = await startTestBackend({
    features: [
      envParityPlugin,
      factory,
      mockServices.rootConfig.factory({ data: config }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ...(options.permissions ? [options.permissions.factory] : []),
      ...(options.deny
        ? [mockServices.permissions.factory({ result: AuthorizeResult.DENY })]
        : []),
    ],
  });
  if (!options.deny) {
    // the first report of an entity collects it, and its scorecard row
    for (const e of list) {
      await request(server)
        .get(`/api/env-parity/entities/component/default/${e.metadata.name}`)
        .expect(200);
    }
  }
  return server;
}

describe('scorecard routes', () => {
  it('serves a page of the table, sorted and paged', async () => {
    const server = await start();
    const res = await request(server).get(
      '/api/env-parity/scorecard?sort=name&order=desc&pageSize=2&page=1',
    );
    expect(res.status).toBe(200);
    const page: ScorecardPage = res.body;
    expect(page).toMatchObject({
      totalCount: 3,
      page: 1,
      pageSize: 2,
      totalsMayIncludeHidden: false,
    });
    expect(page.items.map(r => r.name)).toEqual(['web', 'db']);
    expect(page.items[1]).toMatchObject({
      entityRef: 'component:default/db',
      owner: 'group:default/team-b',
      system: 'system:default/data',
      referenceEnvironment: 'production',
      referenceVersion: '1.0.0',
      comparedEnvironment: 'staging',
      comparedVersion: '0.9.0',
      verdict: 'different',
      score: 50,
      observationFailed: false,
    });

    const filtered = await request(server).get(
      '/api/env-parity/scorecard?owner=team-a&verdict=different,in-sync&q=WE',
    );
    expect(filtered.body.items.map((r: any) => r.name)).toEqual(['web']);
    const mine = await request(server)
      .get('/api/env-parity/scorecard?ownedByMe=true')
      .set('Authorization', mockCredentials.user.header('user:default/me'));
    expect(mine.body.totalCount).toBe(0);
  });

  it('serves the summary, team roll-up and trend', async () => {
    const server = await start();
    const summary: ScorecardSummary = (
      await request(server).get('/api/env-parity/scorecard/summary').expect(200)
    ).body;
    expect(summary).toMatchObject({
      referenceEnvironment: 'production',
      comparedEnvironment: 'staging',
      tracked: 3,
      inParity: 1,
      inParityShare: 1 / 3,
      drifting: 2,
      behind: 0,
      tagMismatch: 0,
      medianScore: 50,
      medianDriftAgeDays: 0,
      totalsMayIncludeHidden: false,
    });
    const teams: TeamRollup = (
      await request(server)
        .get('/api/env-parity/scorecard/teams?kind=component')
        .expect(200)
    ).body;
    expect(teams.items.map(t => [t.owner, t.tracked, t.averageScore])).toEqual([
      ['group:default/team-b', 1, 50],
      ['group:default/team-a', 2, 75],
    ]);
    const trend = await request(server)
      .get('/api/env-parity/scorecard/trend?owner=team-a&days=7')
      .expect(200);
    expect(trend.body).toMatchObject({
      owner: 'group:default/team-a',
      items: [],
      totalsMayIncludeHidden: false,
    });
  });

  it('exports the filtered table as CSV, formulas neutralised', async () => {
    const server = await start();
    const res = await request(server).get(
      '/api/env-parity/scorecard/export.csv?owner=group:default/team-a&sort=name&page=2',
    );
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="env-parity-scorecard-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const lines = res.text.split('\r\n');
    expect(lines[0]).toMatch(/^entity_ref,title,owner,/);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toMatch(
      /^component:default\/api,,group:default\/team-a,,component,production,production,1\.0\.0,staging,1\.0\.0,in-sync,100,,,,,/,
    );
    expect(lines[2]).toMatch(
      /^component:default\/web,"'=HYPERLINK\(""x""\)",group:default\/team-a,/,
    );
    expect(lines[3]).toBe('');
  });

  it.each([
    ['sort=bogus', /sort "bogus" is not one of/],
    ['order=up', /order must be asc or desc/],
    ['page=0', /page must be a whole number from 1/],
    ['page=abc', /page must be a whole number/],
    ['pageSize=501', /pageSize must be a whole number from 1 to 500/],
    ['verdict=great', /verdict "great" is not one of/],
    ['ownedByMe=yes', /ownedByMe must be true or false/],
    ['owner[a]=b', /owner must be text/],
    [`q=${'x'.repeat(201)}`, /q must be at most 200 characters/],
  ])('answers 400 to %#: %s', async (query, message) => {
    const server = await start({ deny: true });
    const res = await request(server).get(`/api/env-parity/scorecard?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toMatch(message);
  });

  it('lists its environments and answers each route for one of them or the worst', async () => {
    const server = await start();
    const environments = await request(server).get(
      '/api/env-parity/scorecard/environments',
    );
    expect(environments.status).toBe(200);
    expect(environments.body).toEqual({
      reference: 'production',
      defaultEnvironment: 'staging',
      environments: [{ name: 'staging', title: 'staging' }],
    });
    for (const path of ['', '/summary', '/teams', '/trend', '/export.csv']) {
      for (const environment of ['staging', 'worst']) {
        const res = await request(server).get(
          `/api/env-parity/scorecard${path}?environment=${environment}`,
        );
        expect(res.status).toBe(200);
      }
      for (const [environment, message] of [
        ['production', /"production" is the reference environment/],
        [
          'qa',
          /"qa" is not a configured environment; choose one of staging or worst/,
        ],
      ] as const) {
        const res = await request(server).get(
          `/api/env-parity/scorecard${path}?environment=${environment}`,
        );
        expect(res.status).toBe(400);
        expect(res.body.error.message).toMatch(message);
      }
    }
    const worst = await request(server).get(
      '/api/env-parity/scorecard?environment=worst&sort=name',
    );
    expect(
      worst.body.items.map((r: any) => [r.name, r.comparedEnvironment]),
    ).toEqual([
      ['api', 'staging'],
      ['db', 'staging'],
      ['web', 'staging'],
    ]);
  });

  it('answers 400 to a bad trend window', async () => {
    const server = await start({ deny: true });
    for (const query of ['days=0', 'days=731', 'days=1.5']) {
      const res = await request(server).get(
        `/api/env-parity/scorecard/trend?${query}`,
      );
      expect(res.status).toBe(400);
    }
  });

  it('answers 403 on every route when the policy denies the scorecard', async () => {
    const server = await start({ deny: true });
    for (const path of [
      '',
      '/summary',
      '/teams',
      '/trend',
      '/export.csv',
      '/environments',
    ]) {
      const res = await request(server).get(`/api/env-parity/scorecard${path}`);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toBe(
        'You are not allowed to read the environment parity scorecard: this needs the permission env-parity.scorecard.read.',
      );
    }
  });

  it('requires authentication', async () => {
    const server = await start({ deny: true });
    const res = await request(server)
      .get('/api/env-parity/scorecard')
      .set('Authorization', mockCredentials.none.header());
    expect(res.status).toBe(401);
  });

  it('shows only what the catalog permission lets the caller see', async () => {
    const permissions = mockServices.permissions.mock({
      authorize: async requests =>
        requests.map(() => ({ result: AuthorizeResult.ALLOW })),
      authorizeConditional: async requests =>
        requests.map(() => ({
          result: AuthorizeResult.CONDITIONAL,
          pluginId: 'catalog',
          resourceType: 'catalog-entity',
          conditions: {
            rule: 'IS_ENTITY_OWNER',
            resourceType: 'catalog-entity',
            params: { claims: ['group:default/team-b'] },
          },
        })),
    });
    const server = await start({ permissions });
    const page = await request(server).get('/api/env-parity/scorecard');
    expect(page.body.items.map((r: any) => r.name)).toEqual(['db']);
    expect(page.body.totalCount).toBe(1);
    const csv = await request(server).get(
      '/api/env-parity/scorecard/export.csv',
    );
    expect(csv.text.split('\r\n').filter(Boolean)).toHaveLength(2);
    const summary = await request(server).get(
      '/api/env-parity/scorecard/summary',
    );
    expect(summary.body.tracked).toBe(1);
  });
});
