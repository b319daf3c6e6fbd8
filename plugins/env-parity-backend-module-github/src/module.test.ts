import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
// The real backend plugin, to test the module inside it (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import envParityPlugin from '@env-parity/plugin-env-parity-backend';
import { ParityReport } from '@env-parity/plugin-env-parity-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  FakeGithub,
  GITHUB_HTML_HOST as HTML_HOST,
  GITHUB_TOKEN as TOKEN,
} from '@env-parity/fake-apis';
import { component, repoAnnotations } from './__testUtils__/setup';
import envParityModuleGithub from './index';

describe('envParityModuleGithub', () => {
  let fake: FakeGithub;

  beforeEach(async () => {
    fake = await FakeGithub.start();
  });

  afterEach(async () => {
    await fake.close();
  });

  it('feeds GitHub deployments and comparisons into the parity report', async () => {
    const repo = fake.addRepo('acme', 'api');
    const main = [
      'Initial commit',
      'Add health endpoint',
      'Release 1.4.2',
      'Add retry to the payment client (#123)',
      'Merge pull request #124 from acme/feature-x\n\nFeature x',
      'Bump express (#125)',
      'Fix typo',
      'Refactor config loading',
      'Log request ids',
      'Speed up checkout (#128)',
    ].map(message => repo.commit(message));
    repo.deploy({
      environment: 'production',
      sha: main[2],
      ref: 'v1.4.2',
      createdAt: '2026-11-20T10:00:00Z',
      statuses: [
        { state: 'in_progress' },
        {
          state: 'success',
          createdAt: '2026-11-20T10:02:00Z',
          environmentUrl: 'https://api.acme.example',
        },
      ],
    });
    repo.deploy({
      environment: 'staging',
      sha: main[9],
      creator: 'octocat',
      createdAt: '2026-11-22T08:00:00Z',
      statuses: [{ state: 'success' }],
    });

    const { server } = await startTestBackend({
      features: [
        envParityPlugin,
        envParityModuleGithub,
        catalogServiceMock.factory({
          entities: [component(repoAnnotations())],
        }),
        mockServices.rootConfig.factory({
          data: {
            envParity: {
              environments: [
                { name: 'staging', title: 'Staging' },
                { name: 'production', title: 'Production', reference: true },
              ],
            },
            integrations: {
              github: [
                { host: HTML_HOST, apiBaseUrl: fake.apiBaseUrl, token: TOKEN },
              ],
            },
          },
        }),
        mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ],
    });
    const reportUrl = `http://localhost:${server.port()}/api/env-parity/entities/component/default/api`;

    const res = await fetch(reportUrl);
    expect(res.status).toBe(200);
    const report: ParityReport = await res.json();

    expect(report.environments.map(e => [e.name, e.status])).toEqual([
      ['staging', 'ok'],
      ['production', 'ok'],
    ]);
    expect(report.environments[1].deployment).toMatchObject({
      provider: 'github',
      revision: main[2],
      version: 'v1.4.2',
      deployedAt: '2026-11-20T10:02:00.000Z',
      deployedBy: 'github-actions[bot]',
      url: 'https://api.acme.example',
    });
    expect(report.environments[0].deployment).toMatchObject({
      provider: 'github',
      revision: main[9],
      deployedBy: 'octocat',
    });
    const [staging] = report.comparisons;
    expect(staging).toMatchObject({
      environment: 'staging',
      against: 'production',
      verdict: 'ahead',
      commitsAhead: 7,
      commitsBehind: 0,
    });
    expect(staging.summary).toBe(
      `Staging runs ${main[9].slice(0, 7)}, 7 commits ahead.`,
    );
    expect(staging.commits?.map(c => [c.message, c.pullRequest])).toEqual([
      ['Add retry to the payment client (#123)', 123],
      ['Merge pull request #124 from acme/feature-x', 124],
      ['Bump express (#125)', 125],
      ['Fix typo', undefined],
      ['Refactor config loading', undefined],
      ['Log request ids', undefined],
      ['Speed up checkout (#128)', 128],
    ]);
    expect(fake.requestsTo('/compare/')).toHaveLength(1);

    // GitHub's budget runs out: a refresh keeps the last good data, marked
    // stale with the reason, and the cached comparison still holds
    fake.rateLimit.remaining = 0;
    const refreshed = await fetch(`${reportUrl}/refresh`, { method: 'POST' });
    expect(refreshed.status).toBe(200);
    const stale: ParityReport = await refreshed.json();
    const resumes = new Date(fake.rateLimit.reset * 1000).toISOString();
    for (const env of stale.environments) {
      expect(env.status).toBe('stale');
      expect(env.error).toBe(
        `github: GitHub rate limit reached for ${HTML_HOST}; resumes at ${resumes}`,
      );
    }
    expect(stale.environments[0].deployment?.revision).toBe(main[9]);
    expect(stale.comparisons[0]).toMatchObject({
      verdict: 'ahead',
      commitsAhead: 7,
    });
    expect(fake.requestsTo('/compare/')).toHaveLength(1);
  });
});
