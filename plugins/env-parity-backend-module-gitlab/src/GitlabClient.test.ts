import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  FakeGitlab,
  GITLAB_HTML_HOST as HTML_HOST,
} from '@env-parity/fake-apis';
import {
  component,
  environments,
  projectAnnotations,
  testConfig,
} from './__testUtils__/setup';
import { GitlabClient, nextPage } from './GitlabClient';
import { GitlabDeploymentProvider } from './GitlabDeploymentProvider';
import { GitlabRevisionComparer } from './GitlabRevisionComparer';

describe('GitlabClient', () => {
  let fake: FakeGitlab;

  beforeEach(async () => {
    fake = await FakeGitlab.start();
  });

  afterEach(async () => {
    await fake.close();
  });

  const logger = () => mockServices.logger.mock();

  it('locates the project from its annotations and picks the host', () => {
    const client = GitlabClient.fromConfig(
      testConfig(fake, { host: 'gitlab.com' }),
      {
        logger: logger(),
      },
    );
    expect(
      client.locate(component(projectAnnotations('acme/api.git'))),
    ).toEqual({ host: HTML_HOST, project: 'acme/api' });
    expect(
      client.locate(component({ 'gitlab.com/project-id': '1234' })),
    ).toEqual({ host: 'gitlab.com', project: '1234' });
    expect(
      client.locate(
        component({
          'gitlab.com/project-slug': 'acme/api',
          'gitlab.com/instance': HTML_HOST,
        }),
      ),
    ).toEqual({ host: HTML_HOST, project: 'acme/api' });
    expect(() =>
      client.locate(component({ 'gitlab.com/project-slug': 'api' })),
    ).toThrow(
      'Annotation gitlab.com/project-slug "api" is not of the form group/project or group/subgroup/project',
    );
    expect(() =>
      client.locate(component({ 'gitlab.com/project-id': 'x1' })),
    ).toThrow('Annotation gitlab.com/project-id "x1" is not a project id');
  });

  it('asks for an integration when the host has none', async () => {
    const client = GitlabClient.fromConfig(
      testConfig(fake, { host: 'gitlab.other.test' }),
      { logger: logger() },
    );
    await expect(
      client.project(
        client.locate(component({ 'gitlab.com/project-id': '7' })),
      ),
    ).rejects.toThrow(
      'No GitLab integration is configured for gitlab.other.test: add an entry to integrations.gitlab with host: gitlab.other.test, apiBaseUrl (e.g. https://gitlab.other.test/api/v4) and a token',
    );
    expect(fake.requests).toHaveLength(0);
  });

  it('reads public projects without a token, and explains a 404 without one', async () => {
    const open = fake.addProject('acme/open');
    open.visibility = 'public';
    fake.addProject('acme/closed');
    const config = new ConfigReader({
      integrations: {
        gitlab: [{ host: HTML_HOST, apiBaseUrl: fake.apiBaseUrl }],
      },
      envParity: { gitlab: { host: HTML_HOST } },
    });
    const client = GitlabClient.fromConfig(config, { logger: logger() });
    await expect(
      client.project({ host: HTML_HOST, project: 'acme/open' }),
    ).resolves.toMatchObject({ path: 'acme/open' });
    await expect(
      client.project({ host: HTML_HOST, project: 'acme/closed' }),
    ).rejects.toThrow(
      `GitLab has no project acme/closed on ${HTML_HOST}, or its token cannot see it (404 Project Not Found) (no token is configured for ${HTML_HOST} in integrations.gitlab, so only public projects can be read)`,
    );
    expect(fake.requests.every(r => !r.headers.authorization)).toBe(true);
  });

  it('never sends the token to a next page on another origin', async () => {
    fake.addProject('acme/api', { id: 9 });
    fake.answerNext('/deployments', {
      status: 200,
      headers: {
        link: '<https://elsewhere.example.test/api/v4/projects/9/deployments?page=2>; rel="next"',
      },
      body: [],
    });
    const client = GitlabClient.fromConfig(testConfig(fake), {
      logger: logger(),
    });
    const { next } = await client.get(HTML_HOST, '/projects/9/deployments', {
      parse: body => body,
    });
    expect(next).toBe(
      'https://elsewhere.example.test/api/v4/projects/9/deployments?page=2',
    );
    await expect(
      client.get(HTML_HOST, next!, { parse: body => body }),
    ).rejects.toThrow(
      `GitLab pointed to https://elsewhere.example.test, which is not ${fake.apiBaseUrl}`,
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('stops asking when the rate limit is spent, until GitLab says, and reports it', async () => {
    const project = fake.addProject('acme/payments/ledger', { id: 42 });
    const sha = project.commit('One');
    project.deploy({
      environment: 'staging',
      sha,
      status: 'success',
      createdAt: '2026-11-20T10:00:00Z',
    });
    const log = logger();
    const client = GitlabClient.fromConfig(testConfig(fake), { logger: log });
    const provider = new GitlabDeploymentProvider(client);
    const comparer = new GitlabRevisionComparer({ client });
    const request = {
      entity: component(projectAnnotations()),
      environments: environments('staging', 'production'),
    };
    fake.rateLimit.remaining = 1;

    // the project read spends the last request: GitLab says 0 remain
    const observations = await provider.observe(request);
    const resumes = new Date(fake.rateLimit.reset * 1000).toISOString();
    const message = `GitLab rate limit reached for ${HTML_HOST}; resumes at ${resumes}`;
    expect(observations).toEqual([
      { environment: 'staging', error: message },
      { environment: 'production', error: message },
    ]);
    expect(fake.requests).toHaveLength(1);
    await expect(
      comparer.compare({ entity: request.entity, base: sha, head: 'main' }),
    ).rejects.toThrow(message);
    expect(fake.requests).toHaveLength(1);
    expect(log.warn).toHaveBeenCalledWith(
      `GitLab rate limit reached for ${HTML_HOST}; no requests until ${resumes}`,
    );
  });

  it('honours Retry-After on a 429', async () => {
    fake.addProject('acme/api', { id: 9 });
    fake.answerNext('/projects/9', {
      status: 429,
      headers: { 'content-type': 'text/plain', 'retry-after': '120' },
      body: 'Retry later\n',
    });
    const client = GitlabClient.fromConfig(testConfig(fake), {
      logger: logger(),
    });
    const started = Date.now();
    const error = await client
      .project({ host: HTML_HOST, project: '9' })
      .catch(e => e);
    expect(error.name).toBe('GitlabRateLimitError');
    expect(error.resumesAt.getTime()).toBeGreaterThanOrEqual(started + 119_000);
    await expect(
      client.project({ host: HTML_HOST, project: '9' }),
    ).rejects.toThrow('GitLab rate limit reached');
    expect(fake.requests).toHaveLength(1);
  });

  it('never puts the token into an observation, an error or a log line', async () => {
    const planted = 'glpat-PLANTED-SECRET-4f1c9e';
    await fake.close();
    fake = await FakeGitlab.start({ tokens: [planted] });
    const project = fake.addProject('acme/payments/ledger', { id: 42 });
    project.deploy({
      environment: 'staging',
      sha: project.commit('One'),
      status: 'success',
      createdAt: '2026-11-20T10:00:00Z',
    });
    // a server that echoes the token, in an error and in a body
    fake.answerNext(/environment=production&status=success/, {
      status: 500,
      body: { message: `token ${planted} is broken` },
    });
    fake.answerNext(/environment=development&status=success/, {
      status: 200,
      body: `not json ${planted}`,
    });
    const lines: unknown[] = [];
    const record = (level: string) => (message: string, meta?: unknown) =>
      lines.push({ level, message, meta: String(meta ?? '') });
    const log = mockServices.logger.mock({
      error: record('error'),
      warn: record('warn'),
      info: record('info'),
      debug: record('debug'),
    });
    const client = GitlabClient.fromConfig(
      testConfig(fake, {}, { token: planted }),
      { logger: log },
    );
    const provider = new GitlabDeploymentProvider(client);
    const request = {
      entity: component(projectAnnotations()),
      environments: environments('development', 'staging', 'production'),
    };
    const observations = await provider.observe(request);
    expect(observations.filter(o => o.error)).toHaveLength(2);
    expect(observations.filter(o => o.deployment)).toHaveLength(1);
    fake.rateLimit.remaining = 0;
    const limited = await provider.observe(request).catch(e => String(e));

    const everything = JSON.stringify({ observations, limited, lines });
    expect(everything).toContain('[redacted]');
    expect(everything).not.toContain('PLANTED');
    expect(
      fake.requests.every(r => r.headers.authorization === `Bearer ${planted}`),
    ).toBe(true);
  });

  it('rejects invalid module configuration at start-up', () => {
    const make = (gitlab: object) =>
      GitlabClient.fromConfig(new ConfigReader({ envParity: { gitlab } }), {
        logger: logger(),
      });
    expect(() => make({ maxPages: 0 })).toThrow(
      'envParity.gitlab.maxPages must be a whole number from 1 to 10, not 0',
    );
    expect(() => make({ host: 'https://gitlab.com' })).toThrow(
      'envParity.gitlab.host "https://gitlab.com" must be a host name',
    );
    expect(() => make({ environments: { production: ' ' } })).toThrow(
      'envParity.gitlab.environments.production must name a GitLab environment',
    );
    expect(make({ timeout: { seconds: 3 } }).options).toEqual({
      host: 'gitlab.com',
      environments: {},
      timeoutMs: 3000,
      maxPages: 3,
    });
  });
});

describe('nextPage', () => {
  it('prefers x-next-page, then Link rel="next"', () => {
    expect(
      nextPage('http://g.test/api/v4/projects/1/deployments?per_page=20', {
        xNextPage: '2',
      }),
    ).toBe('http://g.test/api/v4/projects/1/deployments?per_page=20&page=2');
    expect(
      nextPage('http://g.test/api/v4/x', {
        xNextPage: '',
        link: '<http://g.test/api/v4/x?page=3>; rel="next", <http://g.test/api/v4/x?page=1>; rel="first"',
      }),
    ).toBe('http://g.test/api/v4/x?page=3');
    expect(
      nextPage('http://g.test/api/v4/x', { xNextPage: '' }),
    ).toBeUndefined();
  });
});
