import { mockServices } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import {
  FakeGithub,
  FakeRepo,
  GITHUB_HTML_HOST as HTML_HOST,
} from '@env-parity/fake-apis';
import { memoryCache } from '@env-parity/plugin-env-parity-node/testUtils';
import {
  component,
  environments,
  repoAnnotations,
  testConfig,
} from './__testUtils__/setup';
import {
  GithubDeploymentProvider,
  versionOf,
} from './GithubDeploymentProvider';

describe('GithubDeploymentProvider', () => {
  let fake: FakeGithub;
  let repo: FakeRepo;
  let commits: string[];

  beforeEach(async () => {
    fake = await FakeGithub.start();
    repo = fake.addRepo('acme', 'api');
    commits = Array.from({ length: 10 }, (_, i) => repo.commit(`Change ${i}`));
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    await fake.close();
  });

  function provider(github: JsonObject = {}, integration: JsonObject = {}) {
    return GithubDeploymentProvider.fromConfig(
      testConfig(fake, github, integration),
      { logger: mockServices.logger.mock(), cache: memoryCache() },
    );
  }

  function deployProductionAndStaging() {
    const good = repo.deploy({
      environment: 'production',
      sha: commits[2],
      ref: 'v1.4.2',
      createdAt: '2026-11-20T10:00:00Z',
      statuses: [
        { state: 'in_progress', createdAt: '2026-11-20T10:00:05Z' },
        {
          state: 'success',
          createdAt: '2026-11-20T10:02:00Z',
          environmentUrl: 'https://api.acme.example',
          logUrl: 'https://ci.acme.example/runs/1',
        },
      ],
    });
    repo.deploy({
      environment: 'production',
      sha: commits[4],
      ref: 'v1.5.0',
      createdAt: '2026-11-21T09:00:00Z',
      statuses: [{ state: 'in_progress' }, { state: 'failure' }],
    });
    repo.deploy({
      environment: 'production',
      sha: commits[5],
      createdAt: '2026-11-21T12:00:00Z',
      statuses: [{ state: 'queued' }],
    });
    repo.deploy({
      environment: 'staging',
      sha: commits[9],
      ref: 'main',
      creator: 'octocat',
      createdAt: '2026-11-22T08:00:00Z',
      statuses: [
        {
          state: 'success',
          environmentUrl: 'https://staging.api.acme.example',
        },
      ],
    });
    return good;
  }

  const stagingDeployment = () => ({
    revision: commits[9],
    deployedAt: '2026-11-22T08:00:00.000Z',
    deployedBy: 'octocat',
    url: 'https://staging.api.acme.example',
    links: [
      {
        title: 'GitHub deployment',
        url: `https://${HTML_HOST}/acme/api/deployments/staging`,
      },
      {
        title: 'Commit',
        url: `https://${HTML_HOST}/acme/api/commit/${commits[9]}`,
      },
    ],
  });

  it('reports the newest successful deployment, skipping newer failed and unfinished ones', async () => {
    const good = deployProductionAndStaging();
    const observations = await provider().observe({
      entity: component(repoAnnotations()),
      environments: environments('development', 'staging', 'production'),
    });

    expect(observations).toEqual([
      { environment: 'staging', deployment: stagingDeployment() },
      {
        environment: 'production',
        deployment: {
          revision: commits[2],
          version: 'v1.4.2',
          deployedAt: '2026-11-20T10:02:00.000Z',
          deployedBy: 'github-actions[bot]',
          url: 'https://api.acme.example',
          links: [
            {
              title: 'GitHub deployment',
              url: 'https://ci.acme.example/runs/1',
            },
            {
              title: 'Commit',
              url: `https://${HTML_HOST}/acme/api/commit/${commits[2]}`,
            },
          ],
        },
      },
    ]);

    const paths = fake.requests.map(r => r.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v3/repos/acme/api/deployments?environment=development&per_page=30',
        '/api/v3/repos/acme/api/deployments?environment=staging&per_page=30',
        '/api/v3/repos/acme/api/deployments?environment=production&per_page=30',
        `/api/v3/repos/acme/api/deployments/${good}/statuses?per_page=1`,
      ]),
    );
    // production: the list and three deployments' statuses, newest first
    expect(fake.requestsTo('/statuses')).toHaveLength(4);
    expect(paths).toHaveLength(3 + 4);
    for (const request of fake.requests) {
      expect(request.headers.authorization).toBe('Bearer test-token');
      expect(request.headers.accept).toBe('application/vnd.github+json');
      expect(request.headers['x-github-api-version']).toBe('2022-11-28');
    }
  });

  it('revalidates with ETags, so an unchanged answer costs no rate limit', async () => {
    deployProductionAndStaging();
    const github = provider();
    const request = {
      entity: component(repoAnnotations()),
      environments: environments('staging', 'production'),
    };
    const first = await github.observe(request);
    const remaining = fake.rateLimit.remaining;
    const before = fake.requests.length;

    const second = await github.observe(request);

    expect(second).toEqual(first);
    const again = fake.requests.slice(before);
    expect(again).toHaveLength(before);
    expect(again.every(r => r.headers['if-none-match'])).toBe(true);
    expect(fake.rateLimit.remaining).toBe(remaining);
  });

  it('follows Link pagination up to maxPages', async () => {
    const good = repo.deploy({
      environment: 'production',
      sha: commits[1],
      ref: 'refs/tags/2026.11.3',
      createdAt: '2026-11-01T10:00:00Z',
      statuses: [{ state: 'success' }],
    });
    for (let i = 0; i < 31; i += 1) {
      repo.deploy({
        environment: 'production',
        sha: commits[3],
        createdAt: new Date(Date.UTC(2026, 10, 2, 0, i)).toISOString(),
        statuses: [{ state: 'error' }],
      });
    }

    const [observation] = await provider().observe({
      entity: component(repoAnnotations()),
      environments: environments('production'),
    });

    expect(observation.deployment).toMatchObject({
      revision: commits[1],
      version: '2026.11.3',
      deployedAt: '2026-11-01T10:00:00.000Z',
    });
    const lists = fake.requestsTo('/deployments?').map(r => r.path);
    expect(lists).toEqual([
      '/api/v3/repos/acme/api/deployments?environment=production&per_page=30',
      `/api/v3/repositories/${repo.id}/deployments?environment=production&per_page=30&page=2`,
    ]);
    expect(fake.requestsTo(`/deployments/${good}/statuses`)).toHaveLength(1);

    // one page only: the successful deployment is out of reach
    const before = fake.requests.length;
    const limited = await provider({ maxPages: 1 }).observe({
      entity: component(repoAnnotations()),
      environments: environments('production'),
    });
    expect(limited).toEqual([]);
    expect(
      fake.requests.slice(before).filter(r => r.path.includes('page=2')),
    ).toEqual([]);
  });

  it('maps environment names to GitHub environment names', async () => {
    repo.deploy({
      environment: 'prod-eu',
      sha: commits[7],
      ref: 'v2.0.0',
      createdAt: '2026-11-23T10:00:00Z',
      statuses: [{ state: 'success' }],
    });

    const observations = await provider({
      environments: { production: 'prod-eu' },
    }).observe({
      entity: component(repoAnnotations()),
      environments: environments('production'),
    });

    expect(observations).toEqual([
      {
        environment: 'production',
        deployment: expect.objectContaining({
          revision: commits[7],
          version: 'v2.0.0',
          links: expect.arrayContaining([
            {
              title: 'GitHub deployment',
              url: `https://${HTML_HOST}/acme/api/deployments/prod-eu`,
            },
          ]),
        }),
      },
    ]);
    expect(fake.requestsTo('/deployments?')[0].path).toBe(
      '/api/v3/repos/acme/api/deployments?environment=prod-eu&per_page=30',
    );
  });

  it('leaves out environments without a successful deployment', async () => {
    repo.deploy({
      environment: 'staging',
      sha: commits[3],
      createdAt: '2026-11-23T10:00:00Z',
      statuses: [],
    });
    repo.deploy({
      environment: 'staging',
      sha: commits[4],
      createdAt: '2026-11-24T10:00:00Z',
      statuses: [{ state: 'success' }, { state: 'inactive' }],
    });

    const observations = await provider().observe({
      entity: component(repoAnnotations()),
      environments: environments('staging', 'production'),
    });

    expect(observations).toEqual([]);
  });

  it('takes the host from envParity.github.host when the source location names none', async () => {
    deployProductionAndStaging();
    const annotations = { 'github.com/project-slug': 'acme/api' };
    const observations = await provider({ host: HTML_HOST }).observe({
      entity: component(annotations),
      environments: environments('staging'),
    });
    expect(observations).toEqual([
      { environment: 'staging', deployment: stagingDeployment() },
    ]);

    const elsewhere = {
      ...annotations,
      'backstage.io/source-location':
        'url:https://gitlab.example.test/acme/api/-/tree/main/',
    };
    await expect(
      provider({ host: HTML_HOST }).observe({
        entity: component(elsewhere),
        environments: environments('staging'),
      }),
    ).resolves.toHaveLength(1);
  });

  it('supports entities with a project slug only', () => {
    const github = provider();
    expect(github.supports(component(repoAnnotations()))).toBe(true);
    expect(github.supports(component({}))).toBe(false);
    expect(github.getProviderName()).toBe('github');
    expect(github.precedence).toBe(50);
  });

  describe('failures', () => {
    const observe = (
      github: GithubDeploymentProvider,
      slug = 'acme/api',
      signal?: AbortSignal,
    ) =>
      github.observe({
        entity: component(repoAnnotations(slug)),
        environments: environments('production'),
        signal,
      });

    it('throws for the whole entity when no integration is configured for the host', async () => {
      await expect(
        provider({ host: 'ghe.other.test' }).observe({
          entity: component({ 'github.com/project-slug': 'acme/api' }),
          environments: environments('production'),
        }),
      ).rejects.toThrow(
        'No GitHub integration is configured for ghe.other.test: add an entry to integrations.github with host: ghe.other.test, apiBaseUrl (e.g. https://ghe.other.test/api/v3) and a token or GitHub App',
      );
      expect(fake.requests).toEqual([]);
    });

    it('throws for the whole entity on a malformed project slug', async () => {
      await expect(observe(provider(), 'acme')).rejects.toThrow(
        'Annotation github.com/project-slug "acme" is not of the form owner/repo',
      );
    });

    it('explains a 401', async () => {
      const observations = await observe(
        provider({}, { token: 'expired-token' }),
      );
      expect(observations).toEqual([
        {
          environment: 'production',
          error: `GitHub rejected the credentials for ${HTML_HOST} (401: Bad credentials): check the token or GitHub App of ${HTML_HOST} in integrations.github`,
        },
      ]);
      expect(fake.requests[0].headers.authorization).toBe(
        'Bearer expired-token',
      );
    });

    it('explains a 404', async () => {
      const observations = await observe(provider(), 'acme/secret');
      expect(observations).toEqual([
        {
          environment: 'production',
          error:
            'GitHub answered 404 for GET /repos/acme/secret/deployments?environment=production&per_page=30: the token lacks access to acme/secret or the repository does not exist',
        },
      ]);
    });

    it('explains a 403 that is no rate limit', async () => {
      fake.answerNext('/deployments', {
        status: 403,
        body: {
          message: 'Resource not accessible by integration',
          documentation_url:
            'https://docs.github.com/rest/deployments/deployments#list-deployments',
          status: '403',
        },
      });
      const [observation] = await observe(provider());
      expect(observation.error).toBe(
        `GitHub denied GET /repos/acme/api/deployments?environment=production&per_page=30 (403: Resource not accessible by integration): the credentials for ${HTML_HOST} need read access to acme/api (Deployments: read and Contents: read, or the classic repo scope)`,
      );
    });

    it('stops asking after the primary rate limit until it resets', async () => {
      repo.deploy({
        environment: 'production',
        sha: commits[2],
        createdAt: '2026-11-20T10:00:00Z',
        statuses: [{ state: 'success' }],
      });
      const reset = Math.floor(Date.now() / 1000) + 600;
      fake.rateLimit.remaining = 0;
      fake.rateLimit.reset = reset;
      const resumes = new Date(reset * 1000).toISOString();
      const github = provider();

      const first = await observe(github);
      expect(first).toEqual([
        {
          environment: 'production',
          error: `GitHub rate limit reached for ${HTML_HOST}; resumes at ${resumes}`,
        },
      ]);
      expect(fake.requests).toHaveLength(1);

      // later calls fail fast without a request
      const second = await observe(github);
      expect(second).toEqual(first);
      expect(fake.requests).toHaveLength(1);

      // after the reset, requests flow again
      fake.rateLimit.remaining = 5000;
      const now = Date.now();
      jest.spyOn(Date, 'now').mockReturnValue(reset * 1000 + 1000);
      fake.rateLimit.reset = Math.floor(now / 1000) + 7200;
      const third = await observe(github);
      expect(third[0].deployment?.revision).toBe(commits[2]);
      expect(fake.requests).toHaveLength(3);
    });

    it('pauses when a success spends the last request of the budget', async () => {
      for (const day of [20, 21]) {
        repo.deploy({
          environment: 'production',
          sha: commits[2],
          createdAt: `2026-11-${day}T10:00:00Z`,
          statuses: [{ state: 'failure' }],
        });
      }
      fake.rateLimit.remaining = 2;
      const github = provider();
      const [observation] = await observe(github);
      expect(observation.error).toMatch(
        /^GitHub rate limit reached for ghe\.example\.test; resumes at /,
      );
      // the list and the status were answered; nothing was sent after
      expect(fake.requests).toHaveLength(2);
    });

    it('honours retry-after on a 429', async () => {
      fake.answerNext('/deployments', {
        status: 429,
        headers: { 'retry-after': '120' },
        body: {
          message:
            'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.',
          documentation_url:
            'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
          status: '429',
        },
      });
      const github = provider();
      const before = Date.now();
      const [observation] = await observe(github);
      const resumesAt = Date.parse(
        /resumes at (\S+)$/.exec(observation.error ?? '')![1],
      );
      expect(resumesAt).toBeGreaterThanOrEqual(before + 119_000);
      expect(resumesAt).toBeLessThanOrEqual(Date.now() + 121_000);

      await observe(github);
      expect(fake.requests).toHaveLength(1);
    });

    it('treats a 403 secondary rate limit with retry-after as a pause', async () => {
      fake.answerNext('/deployments', {
        status: 403,
        headers: { 'retry-after': '30' },
        body: {
          message: 'You have exceeded a secondary rate limit.',
          status: '403',
        },
      });
      const [observation] = await observe(provider());
      expect(observation.error).toMatch(/^GitHub rate limit reached for /);
    });

    it('reports a 5xx', async () => {
      repo.deploy({
        environment: 'production',
        sha: commits[2],
        createdAt: '2026-11-20T10:00:00Z',
        statuses: [{ state: 'success' }],
      });
      fake.answerNext('/statuses', {
        status: 502,
        headers: { 'content-type': 'text/html' },
        body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
      });
      const [observation] = await observe(provider());
      expect(observation.error).toMatch(
        /^GitHub answered 502 Bad Gateway for GET \/repos\/acme\/api\/deployments\/\d+\/statuses\?per_page=1$/,
      );

      fake.answerNext('/deployments', {
        status: 500,
        body: { message: 'Server Error' },
      });
      const [again] = await observe(provider());
      expect(again.error).toBe(
        'GitHub answered 500 Internal Server Error for GET /repos/acme/api/deployments?environment=production&per_page=30: Server Error',
      );
    });

    it('gives up on a server that does not answer within the timeout', async () => {
      fake.answerNext('/deployments', 'hang');
      const [observation] = await observe(provider({ timeout: '200ms' }));
      expect(observation.error).toBe(
        `GitHub did not answer GET /repos/acme/api/deployments?environment=production&per_page=30 on ${HTML_HOST} within 200 ms`,
      );
    });

    it('stops when the caller aborts', async () => {
      fake.answerNext('/deployments', 'hang');
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      const [observation] = await observe(
        provider(),
        'acme/api',
        controller.signal,
      );
      expect(observation.error).toBe(
        'GET /repos/acme/api/deployments?environment=production&per_page=30 was cancelled',
      );
    });

    it('reports a body that is not JSON', async () => {
      fake.answerNext('/deployments', {
        status: 200,
        body: '[{"url":"https://ghe.example.test/api/v3/repos/acme/api/deployments/1","id":1,"sha":',
      });
      const [observation] = await observe(provider());
      expect(observation.error).toBe(
        'GitHub answered GET /repos/acme/api/deployments?environment=production&per_page=30 with a body that is not JSON: it starts with "[{\\"url\\":\\"https://ghe.example.test/api/v3/repos/acme/api/depl"',
      );
    });

    it('reports a body of the wrong shape', async () => {
      fake.answerNext('/deployments', {
        status: 200,
        body: [{ id: '1', sha: 'abc', ref: 'main' }],
      });
      const [observation] = await observe(provider());
      expect(observation.error).toBe(
        'GitHub answered GET /repos/acme/api/deployments?environment=production&per_page=30 with an unexpected body: deployments[0].id is not a number',
      );
    });

    it('reports an unreachable server', async () => {
      const closed = await FakeGithub.start();
      await closed.close();
      const config = { apiBaseUrl: closed.apiBaseUrl };
      const [observation] = await observe(provider({}, config));
      expect(observation.error).toBe(
        `Could not reach GitHub at ghe.example.test for GET /repos/acme/api/deployments?environment=production&per_page=30: connect ECONNREFUSED ${closed.origin.slice(
          'http://'.length,
        )}`,
      );
    });
  });
});

describe('versionOf', () => {
  it.each([
    [{ ref: 'v1.4.2' }, 'v1.4.2'],
    [{ ref: '1.4.2-rc.1' }, '1.4.2-rc.1'],
    [{ ref: 'refs/tags/release-7' }, 'release-7'],
    [{ ref: 'main' }, undefined],
    [{ ref: 'a84d88e7554fc1fa21bcbc4efae3c782a70d2b9d' }, undefined],
    [{ ref: '1234' }, undefined],
    [{ ref: 'main', payloadVersion: '3.1.0' }, '3.1.0'],
  ])('reads %j as %s', (deployment, version) => {
    expect(versionOf(deployment)).toBe(version);
  });
});
