import { mockServices } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import {
  FakeGitlab,
  FakeGitlabProject,
  GITLAB_HTML_HOST as HTML_HOST,
} from '@env-parity/fake-apis';
import { memoryCache } from '@env-parity/plugin-env-parity-node/testUtils';
import {
  component,
  environments,
  projectAnnotations,
  testConfig,
} from './__testUtils__/setup';
import {
  GitlabDeploymentProvider,
  versionOf,
} from './GitlabDeploymentProvider';

const WEB = `https://${HTML_HOST}/acme/payments/ledger`;

describe('GitlabDeploymentProvider', () => {
  let fake: FakeGitlab;
  let project: FakeGitlabProject;
  let commits: string[];

  beforeEach(async () => {
    fake = await FakeGitlab.start();
    project = fake.addProject('acme/payments/ledger', { id: 42 });
    commits = Array.from({ length: 10 }, (_, i) =>
      project.commit(`Change ${i}`, i === 2 ? { tag: 'v1.4.2' } : {}),
    );
  });

  afterEach(async () => {
    await fake.close();
  });

  function provider(gitlab: JsonObject = {}, integration: JsonObject = {}) {
    return GitlabDeploymentProvider.fromConfig(
      testConfig(fake, gitlab, integration),
      { logger: mockServices.logger.mock(), cache: memoryCache() },
    );
  }

  function deployProductionAndStaging() {
    project.deploy({
      environment: 'production',
      sha: commits[2],
      ref: 'v1.4.2',
      status: 'success',
      user: 'alice',
      createdAt: '2026-11-20T10:00:00Z',
      finishedAt: '2026-11-20T10:02:00Z',
      externalUrl: 'https://ledger.acme.example',
    });
    project.deploy({
      environment: 'production',
      sha: commits[4],
      ref: 'v1.5.0',
      status: 'failed',
      createdAt: '2026-11-21T09:00:00Z',
    });
    project.deploy({
      environment: 'production',
      sha: commits[5],
      status: 'canceled',
      createdAt: '2026-11-21T11:00:00Z',
    });
    project.deploy({
      environment: 'staging',
      sha: commits[9],
      ref: 'main',
      status: 'success',
      user: 'bob',
      createdAt: '2026-11-22T08:00:00Z',
      finishedAt: '2026-11-22T08:03:00Z',
      externalUrl: 'https://staging.ledger.acme.example',
    });
  }

  const stagingEnvironmentId = () => project.environments.get('staging')!.id;
  const pipelineOf = (sha: string, environment: string) =>
    project.deployments.find(
      d => d.sha === sha && d.environment === environment,
    )!.pipelineId;

  it('reports the newest successful deployment with its links, skipping failed and canceled ones', async () => {
    deployProductionAndStaging();
    const observations = await provider().observe({
      entity: component(projectAnnotations()),
      environments: environments('development', 'staging', 'production'),
    });

    expect(observations).toEqual([
      {
        environment: 'staging',
        deployment: {
          revision: commits[9],
          deployedAt: '2026-11-22T08:03:00.000Z',
          deployedBy: 'bob',
          url: 'https://staging.ledger.acme.example',
          links: [
            {
              title: 'GitLab pipeline',
              url: `${WEB}/-/pipelines/${pipelineOf(commits[9], 'staging')}`,
            },
            {
              title: 'GitLab environment',
              url: `${WEB}/-/environments/${stagingEnvironmentId()}`,
            },
            { title: 'Commit', url: `${WEB}/-/commit/${commits[9]}` },
          ],
        },
      },
      {
        environment: 'production',
        deployment: expect.objectContaining({
          revision: commits[2],
          version: 'v1.4.2',
          deployedAt: '2026-11-20T10:02:00.000Z',
          deployedBy: 'alice',
          url: 'https://ledger.acme.example',
        }),
      },
    ]);
    expect(fake.requestsTo('/deployments?').map(r => r.path)).toEqual(
      expect.arrayContaining([
        '/api/v4/projects/42/deployments?environment=production&status=success&order_by=finished_at&sort=desc&per_page=1',
        '/api/v4/projects/42/deployments?environment=production&order_by=id&sort=desc&per_page=20',
      ]),
    );
    expect(fake.requestsTo('/projects/acme%2Fpayments%2Fledger')).toHaveLength(
      1,
    );
    for (const request of fake.requests) {
      expect(request.headers.authorization).toBe('Bearer glpat-test-token');
    }
  });

  it('shows a running deployment newer than the last success as deploying, paging through failed ones', async () => {
    project.deploy({
      environment: 'staging',
      sha: commits[3],
      status: 'success',
      createdAt: '2026-11-20T10:00:00Z',
    });
    const running = project.deploy({
      environment: 'staging',
      sha: commits[8],
      ref: 'main',
      status: 'running',
      user: 'carol',
      createdAt: '2026-11-23T10:00:00Z',
    });
    for (let i = 0; i < 25; i += 1) {
      project.deploy({
        environment: 'staging',
        sha: commits[7],
        status: i % 2 ? 'failed' : 'canceled',
        createdAt: new Date(Date.UTC(2026, 10, 23, 11, i)).toISOString(),
      });
    }

    const [observation] = await provider().observe({
      entity: component(projectAnnotations()),
      environments: environments('staging'),
    });

    expect(observation.deployment).toMatchObject({
      revision: commits[3],
      findings: [
        {
          type: 'deploying',
          severity: 'info',
          message: `Deploying ${commits[8].slice(
            0,
            7,
          )} (main) by carol since 2026-11-23T10:00:00.000Z; until it succeeds, ${commits[3].slice(
            0,
            7,
          )} runs here.`,
        },
      ],
    });
    expect(observation.deployment!.links).toContainEqual({
      title: 'GitLab pipeline (deploying)',
      url: `${WEB}/-/pipelines/${
        project.deployments.find(d => d.id === running)!.pipelineId
      }`,
    });
    // the second page, through x-next-page
    expect(
      fake
        .requestsTo('order_by=id')
        .map(r => new URL(r.path, 'http://x').searchParams.get('page')),
    ).toEqual([null, '2']);

    // with one page only, the running deployment is out of reach
    const [limited] = await provider({ maxPages: 1 }).observe({
      entity: component(projectAnnotations()),
      environments: environments('staging'),
    });
    expect(limited.deployment?.findings).toBeUndefined();
  });

  it('leaves out environments without a successful deployment, and maps names', async () => {
    project.deploy({
      environment: 'staging',
      sha: commits[3],
      status: 'running',
      createdAt: '2026-11-23T10:00:00Z',
    });
    project.deploy({
      environment: 'production/eu',
      sha: commits[6],
      ref: 'v2.0.0',
      status: 'success',
      createdAt: '2026-11-23T10:00:00Z',
    });

    const observations = await provider({
      environments: { production: 'production/eu' },
    }).observe({
      entity: component(projectAnnotations()),
      environments: environments('staging', 'production'),
    });

    expect(observations).toEqual([
      {
        environment: 'production',
        deployment: expect.objectContaining({
          revision: commits[6],
          version: 'v2.0.0',
        }),
      },
    ]);
    expect(fake.requestsTo('environment=production%2Feu')).not.toHaveLength(0);
  });

  it('revalidates with ETags', async () => {
    deployProductionAndStaging();
    const gitlab = provider();
    const request = {
      entity: component(projectAnnotations()),
      environments: environments('staging', 'production'),
    };
    const first = await gitlab.observe(request);
    const before = fake.requests.length;

    const second = await gitlab.observe(request);

    expect(second).toEqual(first);
    const again = fake.requests.slice(before);
    expect(again).toHaveLength(before);
    expect(again.every(r => r.headers['if-none-match'])).toBe(true);
  });

  it('finds the project by id, or by the source location alone', async () => {
    deployProductionAndStaging();
    const byId = await provider().observe({
      entity: component({ 'gitlab.com/project-id': '42' }),
      environments: environments('staging'),
    });
    expect(byId).toEqual([
      {
        environment: 'staging',
        deployment: expect.objectContaining({ revision: commits[9] }),
      },
    ]);
    expect(fake.requestsTo('/projects/42?')).toHaveLength(0);
    expect(fake.requests[0].path).toBe('/api/v4/projects/42');

    const bySource = provider();
    const entity = component({
      'backstage.io/source-location': `url:https://${HTML_HOST}/acme/payments/ledger/-/tree/main/`,
    });
    expect(bySource.supports(entity)).toBe(true);
    await expect(
      bySource.observe({ entity, environments: environments('staging') }),
    ).resolves.toHaveLength(1);
    expect(
      bySource.supports(
        component({
          'backstage.io/source-location':
            'url:https://github.example.test/acme/ledger/tree/main/',
        }),
      ),
    ).toBe(false);
  });

  it('contains failures per environment with a reason', async () => {
    deployProductionAndStaging();
    fake.answerNext(/environment=staging&status=success/, {
      status: 502,
      body: '<html>502 Bad Gateway</html>',
    });
    fake.answerNext(/environment=production&status=success/, 'hang');

    const observations = await provider({ timeout: '2s' }).observe({
      entity: component(projectAnnotations()),
      environments: environments('development', 'staging', 'production'),
    });

    expect(observations).toEqual([
      {
        environment: 'staging',
        error:
          'GitLab answered 502 Bad Gateway for GET /projects/42/deployments?environment=staging&status=success&order_by=finished_at&sort=desc&per_page=1',
      },
      {
        environment: 'production',
        error: `GitLab did not answer GET /projects/42/deployments?environment=production&status=success&order_by=finished_at&sort=desc&per_page=1 on ${HTML_HOST} within 2000 ms`,
      },
    ]);
  });

  it('fails every environment on a refused token, a forbidden project or an unknown one', async () => {
    const entity = component(projectAnnotations());
    const request = { entity, environments: environments('staging') };
    await expect(
      provider({}, { token: 'glpat-wrong' }).observe(request),
    ).rejects.toThrow(
      `GitLab rejected the token for ${HTML_HOST} (401: 401 Unauthorized): check the token of ${HTML_HOST} in integrations.gitlab (expired or revoked?)`,
    );
    await expect(
      provider().observe({
        entity: component(projectAnnotations('acme/unknown')),
        environments: environments('staging'),
      }),
    ).rejects.toThrow(
      `GitLab has no project acme/unknown on ${HTML_HOST}, or its token cannot see it (404 Project Not Found)`,
    );

    project.guestOnly = true;
    const [denied] = await provider().observe(request);
    expect(denied).toEqual({
      environment: 'staging',
      error: `GitLab denied GET /projects/42/deployments?environment=staging&status=success&order_by=finished_at&sort=desc&per_page=1 (403: 403 Forbidden): the token for ${HTML_HOST} needs the read_api scope and at least the Reporter role on the project`,
    });
  });
});

describe('versionOf', () => {
  it('reads a version from a tag or a version-like ref only', () => {
    expect(versionOf({ ref: 'release-7', tag: true })).toBe('release-7');
    expect(versionOf({ ref: 'v1.4.2' })).toBe('v1.4.2');
    expect(versionOf({ ref: 'main', tag: false })).toBeUndefined();
  });
});
