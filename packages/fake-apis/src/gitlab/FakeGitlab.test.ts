import { FakeGitlab, GITLAB_TOKEN } from './FakeGitlab';

describe('FakeGitlab', () => {
  let fake: FakeGitlab;

  beforeEach(async () => {
    fake = await FakeGitlab.start();
  });

  afterEach(async () => {
    await fake.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${fake.apiBaseUrl}${path}`, {
      headers: { 'PRIVATE-TOKEN': GITLAB_TOKEN, ...headers },
    });

  it('pages deployments with x-next-page, x-total and Link, newest first when asked', async () => {
    const project = fake.addProject('acme/api', { id: 7 });
    const sha = project.commit('One');
    for (let i = 0; i < 5; i += 1) {
      project.deploy({
        environment: 'staging',
        sha,
        status: i === 4 ? 'running' : 'success',
        createdAt: new Date(Date.UTC(2026, 10, 1, i)).toISOString(),
      });
    }
    const first = await get(
      '/projects/acme%2Fapi/deployments?environment=staging&order_by=id&sort=desc&per_page=2',
    );
    expect(first.status).toBe(200);
    expect(first.headers.get('x-next-page')).toBe('2');
    expect(first.headers.get('x-total')).toBe('5');
    expect(first.headers.get('x-total-pages')).toBe('3');
    expect(first.headers.get('link')).toContain(
      `<${fake.apiBaseUrl}/projects/acme%2Fapi/deployments?environment=staging&order_by=id&sort=desc&per_page=2&page=2>; rel="next"`,
    );
    const body = await first.json();
    expect(body.map((d: any) => d.status)).toEqual(['running', 'success']);
    expect(body[0].deployable.pipeline.web_url).toMatch(
      /^https:\/\/gitlab\.example\.test\/acme\/api\/-\/pipelines\/\d+$/,
    );
    const last = await get(
      '/projects/7/deployments?environment=staging&per_page=2&page=3',
    );
    expect(last.headers.get('x-next-page')).toBe('');
    expect(await last.json()).toHaveLength(1);
  });

  it('answers 304 to a matching If-None-Match, and 429 Retry later when the budget is spent', async () => {
    fake.addProject('acme/api', { id: 7 });
    const first = await get('/projects/7');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    expect((await get('/projects/7', { 'If-None-Match': etag })).status).toBe(
      304,
    );

    fake.rateLimit.remaining = 0;
    const limited = await get('/projects/7');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
    expect(await limited.text()).toBe('Retry later\n');
  });

  it('answers 401 to a wrong token and hides private projects from anonymous requests', async () => {
    const open = fake.addProject('acme/open');
    open.visibility = 'public';
    fake.addProject('acme/closed');
    const wrong = await get('/projects/acme%2Fclosed', {
      'PRIVATE-TOKEN': 'glpat-wrong',
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ message: '401 Unauthorized' });
    const anonymous = (path: string) => fetch(`${fake.apiBaseUrl}${path}`);
    expect((await anonymous('/projects/acme%2Fopen')).status).toBe(200);
    const closed = await anonymous('/projects/acme%2Fclosed');
    expect(closed.status).toBe(404);
    expect(await closed.json()).toEqual({ message: '404 Project Not Found' });
  });

  it('compares since the merge base, oldest commit first', async () => {
    const project = fake.addProject('acme/api');
    const base = project.commit('Base');
    const fix = project.commit('Fix', { branch: 'hotfix', parents: [base] });
    const a = project.commit('A');
    const b = project.commit('B');
    const res = await get(
      `/projects/acme%2Fapi/repository/compare?from=${fix}&to=main`,
    );
    const body = await res.json();
    expect(body.commits.map((c: any) => c.id)).toEqual([a, b]);
    expect(body.commit.id).toBe(b);
    expect(body.web_url).toBe(
      `https://gitlab.example.test/acme/api/-/compare/${fix}...main`,
    );
    const unknown = await get(
      '/projects/acme%2Fapi/repository/compare?from=nope&to=main',
    );
    expect(unknown.status).toBe(404);
  });
});
