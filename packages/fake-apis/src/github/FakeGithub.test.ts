import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { FakeGithub, GITHUB_TOKEN } from './FakeGithub';

const auth = { authorization: `Bearer ${GITHUB_TOKEN}` };

describe('FakeGithub', () => {
  let fake: FakeGithub;

  afterEach(async () => {
    await fake?.close();
  });

  describe('mounted under a path prefix of another server', () => {
    let server: Server;
    let origin: string;

    beforeEach(async () => {
      fake = FakeGithub.create({
        basePath: '/github/api/v3',
        htmlHost: 'github.demo.test',
        recordRequests: false,
      });
      server = createServer((req, res) => {
        if (!fake.handle(req, res)) {
          res.writeHead(418).end('not GitHub');
        }
      });
      await new Promise<void>(resolve =>
        server.listen(0, '127.0.0.1', resolve),
      );
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });

    afterEach(async () => {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    });

    it('answers only under its base path, with Link URLs the client can follow', async () => {
      const repo = fake.addRepo('acme', 'web', { id: 700101 });
      const sha = repo.commit('Initial commit', {
        sha: 'abc1234eaa6de9809eca37a397adaee3d3eed8b8',
        date: '2026-11-11T18:20:03Z',
        author: null,
        authorName: 'Acme Release Bot',
      });
      for (let i = 0; i < 3; i++) {
        repo.deploy({
          id: 401001 + i,
          environment: 'staging',
          sha,
          createdAt: `2026-11-1${i}T10:00:00Z`,
          statuses: [{ id: 1802001 + i, state: 'success' }],
        });
      }

      expect((await fetch(`${origin}/other`)).status).toBe(418);

      const first = await fetch(
        `${origin}/github/api/v3/repos/acme/web/deployments?environment=staging&per_page=2`,
        { headers: auth },
      );
      expect(first.status).toBe(200);
      expect((await first.json()).map((d: { id: number }) => d.id)).toEqual([
        401003, 401002,
      ]);
      const next = /<([^>]+)>; rel="next"/.exec(first.headers.get('link')!)![1];
      expect(next).toBe(
        `${origin}/github/api/v3/repositories/700101/deployments?environment=staging&per_page=2&page=2`,
      );
      const second = await fetch(next, { headers: auth });
      const [last] = await second.json();
      expect(last).toMatchObject({
        id: 401001,
        url: 'https://github.demo.test/api/v3/repos/acme/web/deployments/401001',
      });

      const repository = await fetch(`${origin}/github/api/v3/repos/acme/web`, {
        headers: auth,
      });
      expect(await repository.json()).toMatchObject({
        id: 700101,
        full_name: 'acme/web',
        html_url: 'https://github.demo.test/acme/web',
        pushed_at: '2026-11-11T18:20:03Z',
      });
    });
  });

  describe('on its own server', () => {
    beforeEach(async () => {
      fake = await FakeGithub.start();
    });

    const get = (path: string, headers: Record<string, string> = auth) =>
      fetch(`${fake.apiBaseUrl}${path}`, { headers });

    it('compares tags, branches and made-up commits in both directions', async () => {
      const repo = fake.addRepo('acme', 'checkout');
      const v141 = repo.commit('Release 1.4.1', { tag: 'v1.4.1' });
      const feature = repo.commit('Add Apple Pay');
      repo.commit('Fix double charge', {
        branch: 'release/1.4',
        parents: [v141],
      });
      repo.commit('Release 1.4.2', { branch: 'release/1.4', tag: 'v1.4.2' });
      const extra = 'c3b71caa9e41b7484e0bde9228a2c321d2328a53';
      repo.findExtra = sha =>
        sha === extra
          ? {
              sha,
              parents: [feature],
              message: 'Release 1.5.0-drift',
              authorName: 'Acme Release Bot',
              date: '2026-12-01T00:00:00Z',
              order: 1e6,
            }
          : undefined;

      const compare = async (basehead: string) => {
        const res = await get(`/repos/acme/checkout/compare/${basehead}`);
        expect(res.status).toBe(200);
        return res.json();
      };
      // production (a hotfix) against staging (main): diverged both ways
      expect(await compare('refs/tags/v1.4.2...main')).toMatchObject({
        status: 'diverged',
        ahead_by: 1,
        behind_by: 2,
      });
      // the other way round lists the commits main lacks
      const missing = await compare('main...v1.4.2');
      expect(missing).toMatchObject({
        status: 'diverged',
        ahead_by: 2,
        behind_by: 1,
      });
      expect(missing.commits.map((c: any) => c.commit.message)).toEqual([
        'Fix double charge',
        'Release 1.4.2',
      ]);
      expect(await compare(`${extra}...v1.4.1`)).toMatchObject({
        status: 'behind',
        ahead_by: 0,
        behind_by: 2,
      });
      expect(await compare(`${v141.slice(0, 7)}...${extra}`)).toMatchObject({
        status: 'ahead',
        ahead_by: 2,
      });
      expect(
        (await get('/repos/acme/checkout/compare/main...v9.9.9')).status,
      ).toBe(404);
    });

    it('filters deployments by ref, answers HEAD without a body and refuses a deployment without a ref', async () => {
      const repo = fake.addRepo('acme', 'api');
      const sha = repo.commit('Release 2.0.0', { tag: 'v2.0.0' });
      repo.deploy({
        environment: 'production',
        sha,
        ref: 'v2.0.0',
        createdAt: '2026-11-01T10:00:00Z',
        statuses: [{ state: 'success' }],
      });
      repo.deploy({
        environment: 'production',
        sha,
        ref: 'main',
        createdAt: '2026-11-02T10:00:00Z',
        statuses: [{ state: 'success' }],
      });
      const res = await get('/repos/acme/api/deployments?ref=v2.0.0');
      expect((await res.json()).map((d: any) => d.ref)).toEqual(['v2.0.0']);

      const head = await fetch(`${fake.apiBaseUrl}/repos/acme/api`, {
        method: 'HEAD',
        headers: auth,
      });
      expect(head.status).toBe(200);
      expect(Number(head.headers.get('content-length'))).toBeGreaterThan(0);
      expect(await head.text()).toBe('');

      const post = await fetch(
        `${fake.apiBaseUrl}/repos/acme/api/deployments`,
        {
          method: 'POST',
          headers: auth,
          body: '{}',
        },
      );
      // a deployment needs a ref, as on GitHub
      expect(post.status).toBe(422);
      expect(fake.mutations).toEqual([
        {
          method: 'POST',
          path: '/api/v3/repos/acme/api/deployments',
          body: {},
        },
      ]);
    });

    it('answers 304 to a matching ETag for free, and opens a new rate-limit window once reset has passed', async () => {
      fake.addRepo('acme', 'api').commit('Initial commit');
      const first = await get('/repos/acme/api/deployments');
      const etag = first.headers.get('etag')!;
      const remaining = fake.rateLimit.remaining;
      const again = await get('/repos/acme/api/deployments', {
        ...auth,
        'if-none-match': etag,
      });
      expect(again.status).toBe(304);
      expect(fake.rateLimit.remaining).toBe(remaining);

      fake.rateLimit.remaining = 0;
      expect((await get('/repos/acme/api/deployments')).status).toBe(403);

      fake.rateLimit.reset = Math.floor(Date.now() / 1000) - 1;
      const renewed = await get('/repos/acme/api/deployments');
      expect(renewed.status).toBe(200);
      expect(renewed.headers.get('x-ratelimit-remaining')).toBe('4999');
      expect(fake.rateLimit.reset).toBeGreaterThan(Date.now() / 1000);
    });

    it('answers 401 without an accepted token', async () => {
      fake.addRepo('acme', 'api');
      const res = await get('/repos/acme/api/deployments', {
        authorization: 'Bearer demo-token',
      });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ message: 'Bad credentials' });
    });
  });
});
