import { mockServices } from '@backstage/backend-test-utils';
import {
  FakeGitlab,
  FakeGitlabProject,
  GITLAB_HTML_HOST as HTML_HOST,
} from '@env-parity/fake-apis';
import { memoryCache } from '@env-parity/plugin-env-parity-node/testUtils';
import {
  component,
  projectAnnotations,
  testConfig,
} from './__testUtils__/setup';
import {
  GitlabRevisionComparer,
  mergeRequestOf,
} from './GitlabRevisionComparer';

const WEB = `https://${HTML_HOST}/acme/payments/ledger`;

describe('GitlabRevisionComparer', () => {
  let fake: FakeGitlab;
  let project: FakeGitlabProject;

  beforeEach(async () => {
    fake = await FakeGitlab.start();
    project = fake.addProject('acme/payments/ledger', { id: 42 });
  });

  afterEach(async () => {
    await fake.close();
  });

  function comparer(cache = memoryCache()) {
    return GitlabRevisionComparer.fromConfig(testConfig(fake), {
      logger: mockServices.logger.mock(),
      cache,
    });
  }

  it('counts commits ahead and behind in both directions, with the commit lists, cached per SHA pair', async () => {
    const base = project.commit('Release 1.4.0', { tag: 'v1.4.0' });
    const hotfix = project.commit('Fix rounding of refunds', {
      branch: 'release/1.4',
      parents: [base],
      authorName: 'Grace Hopper',
    });
    const main = [
      'Add ledger export',
      "Merge branch 'feature/audit' into 'main'\n\nAudit trail\n\nSee merge request acme/payments/ledger!17",
      'Speed up balance query (!21)',
    ].map(message => project.commit(message));
    const cache = memoryCache();

    const comparison = await comparer(cache).compare({
      entity: component(projectAnnotations()),
      base: hotfix,
      head: main[2],
    });

    expect(comparison).toEqual({
      status: 'diverged',
      aheadBy: 3,
      behindBy: 1,
      commits: [
        {
          sha: main[0],
          message: 'Add ledger export',
          author: 'Ada Lovelace',
          url: `${WEB}/-/commit/${main[0]}`,
        },
        {
          sha: main[1],
          message: "Merge branch 'feature/audit' into 'main'",
          author: 'Ada Lovelace',
          url: `${WEB}/-/commit/${main[1]}`,
          pullRequest: 17,
          pullRequestUrl: `${WEB}/-/merge_requests/17`,
        },
        {
          sha: main[2],
          message: 'Speed up balance query (!21)',
          author: 'Ada Lovelace',
          url: `${WEB}/-/commit/${main[2]}`,
          pullRequest: 21,
          pullRequestUrl: `${WEB}/-/merge_requests/21`,
        },
      ],
      commitsMissing: [
        {
          sha: hotfix,
          message: 'Fix rounding of refunds',
          author: 'Grace Hopper',
          url: `${WEB}/-/commit/${hotfix}`,
        },
      ],
      url: `${WEB}/-/compare/${hotfix}...${main[2]}`,
    });
    expect(fake.requestsTo('/repository/compare').map(r => r.path)).toEqual(
      expect.arrayContaining([
        `/api/v4/projects/42/repository/compare?from=${hotfix}&to=${main[2]}&straight=false`,
        `/api/v4/projects/42/repository/compare?from=${main[2]}&to=${hotfix}&straight=false`,
      ]),
    );

    // a pair of full SHAs never changes: asked again, GitLab is not
    const before = fake.requests.length;
    await expect(
      comparer(cache).compare({
        entity: component(projectAnnotations()),
        base: hotfix,
        head: main[2],
      }),
    ).resolves.toEqual(comparison);
    expect(fake.requests.length).toBe(before);
  });

  it('tells ahead, behind and identical, and revalidates branch names', async () => {
    const a = project.commit('One');
    const b = project.commit('Two');
    const gitlab = comparer();
    const entity = component(projectAnnotations());
    await expect(
      gitlab.compare({ entity, base: a, head: b }),
    ).resolves.toMatchObject({ status: 'ahead', aheadBy: 1, behindBy: 0 });
    await expect(
      gitlab.compare({ entity, base: b, head: a }),
    ).resolves.toMatchObject({ status: 'behind', aheadBy: 0, behindBy: 1 });
    await expect(
      gitlab.compare({ entity, base: 'main', head: b }),
    ).resolves.toMatchObject({ status: 'identical', aheadBy: 0, behindBy: 0 });
    const before = fake.requests.length;
    await gitlab.compare({ entity, base: 'main', head: b });
    const again = fake.requestsTo('/repository/compare').slice(-2);
    expect(fake.requests.length).toBe(before + 3);
    expect(again.every(r => r.headers['if-none-match'])).toBe(true);
  });

  it('says which revision GitLab does not know', async () => {
    const a = project.commit('One');
    await expect(
      comparer().compare({
        entity: component(projectAnnotations()),
        base: a,
        head: 'deadbeefdeadbeefdeadbeefdeadbeefdeadbeef',
      }),
    ).rejects.toThrow(
      `GitLab answered 404 comparing ${a}...deadbeefdeadbeefdeadbeefdeadbeefdeadbeef: acme/payments/ledger does not hold one of these revisions, or the token cannot see it`,
    );
  });
});

describe('mergeRequestOf', () => {
  it('reads the merge request of a merge or squash commit', () => {
    expect(
      mergeRequestOf('Merge branch x\n\nSee merge request group/sub/app!123'),
    ).toBe(123);
    expect(mergeRequestOf('Fix it (!9)')).toBe(9);
    expect(mergeRequestOf('Fix issue #9')).toBeUndefined();
  });
});
