import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
// The real backend plugin, to test the module inside it (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import envParityPlugin from '@env-parity/plugin-env-parity-backend';
import { ParityReport } from '@env-parity/plugin-env-parity-common';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  FakeGitlab,
  GITLAB_HTML_HOST as HTML_HOST,
  GITLAB_TOKEN as TOKEN,
} from '@env-parity/fake-apis';
import { component, projectAnnotations } from './__testUtils__/setup';
import envParityModuleGitlab from './index';

describe('envParityModuleGitlab', () => {
  let fake: FakeGitlab;

  beforeEach(async () => {
    fake = await FakeGitlab.start();
  });

  afterEach(async () => {
    await fake.close();
  });

  it('feeds GitLab deployments and comparisons into the parity report', async () => {
    const project = fake.addProject('acme/payments/ledger', { id: 42 });
    const release = project.commit('Release 3.1.0', { tag: 'v3.1.0' });
    const main = [
      'Add ledger export',
      "Merge branch 'audit' into 'main'\n\nSee merge request acme/payments/ledger!17",
      'Speed up balance query',
    ].map(message => project.commit(message));
    project.deploy({
      environment: 'production',
      sha: release,
      ref: 'v3.1.0',
      status: 'success',
      user: 'alice',
      createdAt: '2026-11-20T10:00:00Z',
      finishedAt: '2026-11-20T10:02:00Z',
    });
    project.deploy({
      environment: 'staging',
      sha: main[2],
      status: 'success',
      user: 'bob',
      createdAt: '2026-11-22T08:00:00Z',
    });

    const { server } = await startTestBackend({
      features: [
        envParityPlugin,
        envParityModuleGitlab,
        catalogServiceMock.factory({
          entities: [component(projectAnnotations())],
        }),
        mockServices.rootConfig.factory({
          data: {
            envParity: {
              // generous: a loaded machine must not turn a success into a timeout
              gitlab: { host: HTML_HOST, timeout: '2m' },
              environments: [
                { name: 'staging', title: 'Staging' },
                { name: 'production', title: 'Production', reference: true },
              ],
            },
            integrations: {
              gitlab: [
                { host: HTML_HOST, apiBaseUrl: fake.apiBaseUrl, token: TOKEN },
              ],
            },
          },
        }),
        mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ],
    });
    const reportUrl = `http://localhost:${server.port()}/api/env-parity/entities/component/default/ledger`;

    const res = await fetch(reportUrl);
    expect(res.status).toBe(200);
    const report: ParityReport = await res.json();

    expect(report.environments.map(e => [e.name, e.status, e.error])).toEqual([
      ['staging', 'ok', undefined],
      ['production', 'ok', undefined],
    ]);
    expect(report.environments[1].deployment).toMatchObject({
      provider: 'gitlab',
      revision: release,
      version: 'v3.1.0',
      deployedBy: 'alice',
    });
    const [staging] = report.comparisons;
    expect(staging).toMatchObject({
      environment: 'staging',
      against: 'production',
      verdict: 'ahead',
      commitsAhead: 3,
      commitsBehind: 0,
    });
    expect(staging.commits?.map(c => [c.message, c.pullRequest])).toEqual([
      ['Add ledger export', undefined],
      ["Merge branch 'audit' into 'main'", 17],
      ['Speed up balance query', undefined],
    ]);
    expect(fake.requestsTo('/repository/compare')).toHaveLength(2);

    // GitLab's budget runs out: a refresh keeps the last good data, marked
    // stale with the reason, and the cached comparison still holds
    fake.rateLimit.remaining = 0;
    const refreshed = await fetch(`${reportUrl}/refresh`, { method: 'POST' });
    expect(refreshed.status).toBe(200);
    const stale: ParityReport = await refreshed.json();
    for (const env of stale.environments) {
      expect(env.status).toBe('stale');
      expect(env.error).toMatch(
        new RegExp(`^gitlab: GitLab rate limit reached for ${HTML_HOST}`),
      );
    }
    expect(stale.comparisons[0]).toMatchObject({
      verdict: 'ahead',
      commitsAhead: 3,
    });
    expect(fake.requestsTo('/repository/compare')).toHaveLength(2);
  });
});
