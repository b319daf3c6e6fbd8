import { generateKeyPairSync } from 'node:crypto';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  FakeGithub,
  GITHUB_HTML_HOST as HTML_HOST,
} from '@env-parity/fake-apis';
import { memoryCache } from '@env-parity/plugin-env-parity-node/testUtils';
import {
  component,
  environments,
  repoAnnotations,
  testConfig,
} from './__testUtils__/setup';
import { GithubClient, nextLink } from './GithubClient';
import { GithubDeploymentProvider } from './GithubDeploymentProvider';

describe('GithubClient', () => {
  let fake: FakeGithub;

  beforeEach(async () => {
    fake = await FakeGithub.start();
  });

  afterEach(async () => {
    await fake.close();
  });

  const logger = () => mockServices.logger.mock();

  it('locates the repository from the slug and the source location host', () => {
    const client = GithubClient.fromConfig(testConfig(fake), {
      logger: logger(),
    });
    expect(client.locate(component(repoAnnotations('acme/api.git')))).toEqual({
      host: HTML_HOST,
      owner: 'acme',
      repo: 'api',
    });
    expect(
      client.locate(
        component({
          'github.com/project-slug': 'acme/api',
          'backstage.io/source-location':
            'url:https://bitbucket.example.test/acme/api',
        }),
      ).host,
    ).toBe('github.com');
    expect(() =>
      client.locate(component({ 'github.com/project-slug': 'acme/api/x' })),
    ).toThrow(
      'Annotation github.com/project-slug "acme/api/x" is not of the form owner/repo',
    );
  });

  it('reads deployments with GitHub App credentials from integrations.github', async () => {
    const repo = fake.addRepo('acme', 'api');
    const sha = repo.commit('Initial commit');
    repo.deploy({
      environment: 'production',
      sha,
      createdAt: '2026-11-20T10:00:00Z',
      statuses: [{ state: 'success' }],
    });
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const config = new ConfigReader({
      integrations: {
        github: [
          {
            host: HTML_HOST,
            apiBaseUrl: fake.apiBaseUrl,
            apps: [
              {
                appId: fake.app.appId,
                privateKey,
                clientId: 'Iv1.8a61f9b3a7aba766',
                clientSecret: 'not-used',
                webhookSecret: 'not-used',
              },
            ],
          },
        ],
      },
    });
    const provider = GithubDeploymentProvider.fromConfig(config, {
      logger: logger(),
      cache: memoryCache(),
    });

    const observations = await provider.observe({
      entity: component(repoAnnotations()),
      environments: environments('production'),
    });

    expect(observations).toEqual([
      {
        environment: 'production',
        deployment: expect.objectContaining({ revision: sha }),
      },
    ]);
    expect(fake.requestsTo('/app/installations')).toHaveLength(2);
    const apiRequests = fake.requestsTo('/repos/acme/api/');
    expect(apiRequests.length).toBeGreaterThan(0);
    for (const request of apiRequests) {
      expect(request.headers.authorization).toBe(
        `Bearer ${fake.app.installationToken}`,
      );
    }
  });

  it('explains a 404 when no credentials are configured for the host', async () => {
    const config = new ConfigReader({
      integrations: {
        github: [{ host: HTML_HOST, apiBaseUrl: fake.apiBaseUrl }],
      },
    });
    const client = GithubClient.fromConfig(config, { logger: logger() });
    const repository = await client.connect({
      host: HTML_HOST,
      owner: 'acme',
      repo: 'private',
    });
    expect(repository.authenticated).toBe(false);
    expect(repository.identity).toBe('anonymous');
    // the fake, like GitHub Enterprise, wants credentials
    await expect(
      client.get(repository, '/repos/acme/private/deployments', {
        parse: body => body,
      }),
    ).rejects.toThrow(
      `GitHub answered 401 for GET /repos/acme/private/deployments: Bad credentials (no token or GitHub App is configured for ${HTML_HOST} in integrations.github, so only public repositories can be read)`,
    );
    expect(fake.requests[0].headers.authorization).toBeUndefined();
  });

  it('asks for an apiBaseUrl when an Enterprise entry has none', async () => {
    const config = new ConfigReader({
      integrations: { github: [{ host: HTML_HOST, token: 'test-token' }] },
    });
    const client = GithubClient.fromConfig(config, { logger: logger() });
    await expect(
      client.connect({ host: HTML_HOST, owner: 'acme', repo: 'api' }),
    ).rejects.toThrow(
      `The integrations.github entry for ${HTML_HOST} has no apiBaseUrl; set it, e.g. https://${HTML_HOST}/api/v3`,
    );
  });

  it('goes out through the outbound guard: never to a cloud metadata address, never after a redirect to another origin', async () => {
    const metadata = new ConfigReader({
      integrations: {
        github: [
          {
            host: HTML_HOST,
            apiBaseUrl: 'http://169.254.169.254/api/v3',
            token: 'test-token',
          },
        ],
      },
    });
    const guarded = GithubClient.fromConfig(metadata, { logger: logger() });
    const refused = await guarded.connect({
      host: HTML_HOST,
      owner: 'acme',
      repo: 'api',
    });
    await expect(
      guarded.get(refused, '/repos/acme/api/deployments', {
        parse: body => body,
      }),
    ).rejects.toThrow(
      /^Could not reach GitHub at .* for GET \/repos\/acme\/api\/deployments: .*169\.254\.169\.254/,
    );

    fake.addRepo('acme', 'api');
    fake.answerNext('/deployments', {
      status: 302,
      headers: { location: 'http://127.0.0.2:9/steal' },
      body: [],
    });
    const client = GithubClient.fromConfig(testConfig(fake), {
      logger: logger(),
    });
    const repository = await client.connect({
      host: HTML_HOST,
      owner: 'acme',
      repo: 'api',
    });
    await expect(
      client.get(repository, '/repos/acme/api/deployments', {
        parse: body => body,
      }),
    ).rejects.toThrow('GitHub answered 302');
    expect(fake.requests).toHaveLength(1);
  });

  it('never sends credentials to a Link on another origin', async () => {
    fake.addRepo('acme', 'api');
    fake.answerNext('/deployments', {
      status: 200,
      headers: {
        link: '<https://elsewhere.example.test/api/v3/repositories/1/deployments?page=2>; rel="next"',
      },
      body: [],
    });
    const client = GithubClient.fromConfig(testConfig(fake), {
      logger: logger(),
    });
    const repository = await client.connect({
      host: HTML_HOST,
      owner: 'acme',
      repo: 'api',
    });
    const { next } = await client.get(
      repository,
      '/repos/acme/api/deployments',
      {
        parse: body => body,
      },
    );
    expect(next).toBe(
      'https://elsewhere.example.test/api/v3/repositories/1/deployments?page=2',
    );
    await expect(
      client.get(repository, next!, { parse: body => body }),
    ).rejects.toThrow(
      `GitHub pointed to https://elsewhere.example.test, which is not ${fake.apiBaseUrl}`,
    );
    expect(fake.requests).toHaveLength(1);
  });

  it('rejects invalid module configuration at start-up', () => {
    const make = (github: object) =>
      GithubClient.fromConfig(new ConfigReader({ envParity: { github } }), {
        logger: logger(),
      });
    expect(() => make({ maxPages: 0 })).toThrow(
      'envParity.github.maxPages must be a whole number from 1 to 10, not 0',
    );
    expect(() => make({ host: 'https://github.com' })).toThrow(
      'envParity.github.host "https://github.com" must be a host name',
    );
    expect(() => make({ environments: { production: ' ' } })).toThrow(
      'envParity.github.environments.production must name a GitHub environment',
    );
    expect(make({ timeout: { seconds: 3 } }).options).toEqual({
      host: 'github.com',
      environments: {},
      timeoutMs: 3000,
      maxPages: 3,
    });
  });
});

describe('nextLink', () => {
  it('finds rel="next" in a GitHub Link header', () => {
    expect(
      nextLink(
        '<https://api.github.com/repositories/1/deployments?page=1>; rel="prev", <https://api.github.com/repositories/1/deployments?page=3>; rel="next", <https://api.github.com/repositories/1/deployments?page=5>; rel="last", <https://api.github.com/repositories/1/deployments?page=1>; rel="first"',
      ),
    ).toBe('https://api.github.com/repositories/1/deployments?page=3');
    expect(
      nextLink('<https://api.github.com/x?page=1>; rel="first"'),
    ).toBeUndefined();
    expect(nextLink(null)).toBeUndefined();
  });
});
