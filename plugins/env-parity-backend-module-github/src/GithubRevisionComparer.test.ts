import { mockServices } from '@backstage/backend-test-utils';
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
import { GithubClient } from './GithubClient';
import { GithubDeploymentProvider } from './GithubDeploymentProvider';
import {
  GithubRevisionComparer,
  pullRequestOf,
} from './GithubRevisionComparer';

const MESSAGES = [
  'Initial commit',
  'Add health endpoint',
  'Release 1.4.2',
  'Add retry to the payment client (#123)',
  'Merge pull request #124 from acme/feature-x\n\nFeature x: faster checkout',
  'Bump express from 4.18.2 to 4.19.2 (#125)\n\nBumps express.\n\nSigned-off-by: dependabot[bot]',
  'Fix typo in README',
  'Refactor config loading',
  'Log request ids',
  'Release 1.5.0',
];

describe('GithubRevisionComparer', () => {
  let fake: FakeGithub;
  let repo: FakeRepo;
  let main: string[];

  beforeEach(async () => {
    fake = await FakeGithub.start();
    repo = fake.addRepo('acme', 'api');
    main = MESSAGES.map((message, i) =>
      repo.commit(
        message,
        i === 6 ? { author: null, authorName: 'Jane Doe' } : {},
      ),
    );
  });

  afterEach(async () => {
    await fake.close();
  });

  const entity = component(repoAnnotations());

  function comparer(cache = memoryCache(), github = {}) {
    return GithubRevisionComparer.fromConfig(testConfig(fake, github), {
      logger: mockServices.logger.mock(),
      cache,
    });
  }

  it('lists the commits a newer environment is ahead by, with pull requests', async () => {
    const result = await comparer().compare({
      entity,
      base: main[2],
      head: main[9],
    });

    expect(result).toEqual({
      status: 'ahead',
      aheadBy: 7,
      behindBy: 0,
      url: `https://${HTML_HOST}/acme/api/compare/${main[2]}...${main[9]}`,
      commits: [
        {
          sha: main[3],
          message: 'Add retry to the payment client (#123)',
          author: 'octocat',
          url: `https://${HTML_HOST}/acme/api/commit/${main[3]}`,
          pullRequest: 123,
          pullRequestUrl: `https://${HTML_HOST}/acme/api/pull/123`,
        },
        {
          sha: main[4],
          message: 'Merge pull request #124 from acme/feature-x',
          author: 'octocat',
          url: `https://${HTML_HOST}/acme/api/commit/${main[4]}`,
          pullRequest: 124,
          pullRequestUrl: `https://${HTML_HOST}/acme/api/pull/124`,
        },
        {
          sha: main[5],
          message: 'Bump express from 4.18.2 to 4.19.2 (#125)',
          author: 'octocat',
          url: `https://${HTML_HOST}/acme/api/commit/${main[5]}`,
          pullRequest: 125,
          pullRequestUrl: `https://${HTML_HOST}/acme/api/pull/125`,
        },
        {
          sha: main[6],
          message: 'Fix typo in README',
          author: 'Jane Doe',
          url: `https://${HTML_HOST}/acme/api/commit/${main[6]}`,
        },
        ...[7, 8, 9].map(i => ({
          sha: main[i],
          message: MESSAGES[i],
          author: 'octocat',
          url: `https://${HTML_HOST}/acme/api/commit/${main[i]}`,
        })),
      ],
    });
    const [request] = fake.requests;
    expect(request.path).toBe(
      `/api/v3/repos/acme/api/compare/${main[2]}...${main[9]}?per_page=20`,
    );
    expect(request.headers.authorization).toBe('Bearer test-token');
  });

  it('tells behind, diverged and identical', async () => {
    const hotfix = repo.commit('Hotfix: restore timeout (#130)', {
      branch: 'hotfix/1.4.3',
      parents: [main[2]],
    });
    const github = comparer();

    const behind = await github.compare({
      entity,
      base: main[9],
      head: main[2],
    });
    expect(behind).toEqual({
      status: 'behind',
      aheadBy: 0,
      behindBy: 7,
      url: `https://${HTML_HOST}/acme/api/compare/${main[9]}...${main[2]}`,
      commitsMissing: expect.any(Array),
    });
    expect(behind?.commitsMissing?.map(c => c.sha)).toEqual(main.slice(3));
    await expect(
      github.compare({ entity, base: main[9], head: hotfix }),
    ).resolves.toMatchObject({
      status: 'diverged',
      aheadBy: 1,
      behindBy: 7,
      commits: [
        {
          sha: hotfix,
          message: 'Hotfix: restore timeout (#130)',
          pullRequest: 130,
        },
      ],
    });
    await expect(
      github.compare({ entity, base: 'main', head: main[9] }),
    ).resolves.toMatchObject({ status: 'identical', aheadBy: 0, behindBy: 0 });
    // branch names with a slash reach GitHub as they are
    await expect(
      github.compare({ entity, base: main[2], head: 'hotfix/1.4.3' }),
    ).resolves.toMatchObject({ status: 'ahead', aheadBy: 1 });
    expect(fake.requests.at(-1)!.path).toBe(
      `/api/v3/repos/acme/api/compare/${main[2]}...hotfix/1.4.3?per_page=20`,
    );
  });

  it('lists the commits the base has and the head lacks, such as a hotfix', async () => {
    // production (base) runs a hotfix made on a release branch; staging
    // (head) runs main, which never got it
    const hotfix = repo.commit('Hotfix: restore timeout (#130)', {
      branch: 'release/1.4',
      parents: [main[2]],
    });
    const result = await comparer().compare({
      entity,
      base: hotfix,
      head: main[9],
    });
    expect(result).toMatchObject({
      status: 'diverged',
      aheadBy: 7,
      behindBy: 1,
      url: `https://${HTML_HOST}/acme/api/compare/${hotfix}...${main[9]}`,
      commitsMissing: [
        {
          sha: hotfix,
          message: 'Hotfix: restore timeout (#130)',
          author: 'octocat',
          url: `https://${HTML_HOST}/acme/api/commit/${hotfix}`,
          pullRequest: 130,
          pullRequestUrl: `https://${HTML_HOST}/acme/api/pull/130`,
        },
      ],
    });
    expect(result?.commits).toHaveLength(7);
    // asked the other way round, for the commits behind
    expect(fake.requestsTo('/compare/').map(r => r.path)).toEqual([
      `/api/v3/repos/acme/api/compare/${hotfix}...${main[9]}?per_page=20`,
      `/api/v3/repos/acme/api/compare/${main[9]}...${hotfix}?per_page=20`,
    ]);
  });

  it('asks once when the head is not behind', async () => {
    await comparer().compare({ entity, base: main[2], head: main[9] });
    expect(fake.requestsTo('/compare/')).toHaveLength(1);
  });

  it('lists at most 20 commits', async () => {
    let head = main[9];
    for (let i = 0; i < 25; i += 1) {
      head = repo.commit(`Change ${i}`);
    }
    const result = await comparer().compare({ entity, base: main[9], head });
    expect(result?.aheadBy).toBe(25);
    expect(result?.commits).toHaveLength(20);
    expect(result?.commits?.[0].message).toBe('Change 0');
  });

  it('caches comparisons of full SHAs, but asks again for branch names', async () => {
    const cache = memoryCache();
    const github = comparer(cache);
    const first = await github.compare({
      entity,
      base: main[2],
      head: main[9],
    });
    const second = await github.compare({
      entity,
      base: main[2],
      head: main[9],
    });
    expect(second).toEqual(first);
    expect(fake.requestsTo('/compare/')).toHaveLength(1);

    // another instance sharing the cache (another backend replica) too
    await comparer(cache).compare({
      entity,
      base: main[2].toUpperCase(),
      head: main[9],
    });
    expect(fake.requestsTo('/compare/')).toHaveLength(1);

    // a branch can move: ask each time, revalidating with the ETag
    await github.compare({ entity, base: main[2], head: 'main' });
    const moved = repo.commit('Add metrics');
    const later = await github.compare({ entity, base: main[2], head: 'main' });
    expect(later).toMatchObject({ aheadBy: 8 });
    expect(later?.commits?.at(-1)?.sha).toBe(moved);
    const branchRequests = fake.requestsTo('...main');
    expect(branchRequests).toHaveLength(2);
    expect(branchRequests[1].headers['if-none-match']).toBeDefined();

    // abbreviated SHAs are not cached either
    await github.compare({ entity, base: main[2].slice(0, 7), head: main[9] });
    await github.compare({ entity, base: main[2].slice(0, 7), head: main[9] });
    expect(fake.requestsTo(`/compare/${main[2].slice(0, 7)}...`)).toHaveLength(
      2,
    );
  });

  it('keeps comparisons of different repositories apart', async () => {
    const other = fake.addRepo('acme', 'web');
    const base = other.commit('Initial commit');
    const head = other.commit('Add page');
    const cache = memoryCache();
    await comparer(cache).compare({ entity, base: main[2], head: main[9] });
    await expect(
      comparer(cache).compare({
        entity: component(repoAnnotations('acme/web'), 'web'),
        base,
        head,
      }),
    ).resolves.toMatchObject({ status: 'ahead', aheadBy: 1 });
    expect(fake.requestsTo('/compare/')).toHaveLength(2);
  });

  it('throws a clear error for an unknown revision', async () => {
    const unknown = 'f'.repeat(40);
    await expect(
      comparer().compare({ entity, base: main[2], head: unknown }),
    ).rejects.toThrow(
      `GitHub answered 404 comparing ${main[2]}...${unknown}: acme/api does not hold one of these revisions, or the token lacks access to it`,
    );
  });

  it('throws a clear error for a malformed comparison, and caches nothing', async () => {
    const cache = memoryCache();
    fake.answerNext('/compare/', {
      status: 200,
      body: { status: 'sideways', ahead_by: 1, behind_by: 0, commits: [] },
    });
    await expect(
      comparer(cache).compare({ entity, base: main[2], head: main[9] }),
    ).rejects.toThrow(
      'with an unexpected body: comparison.status "sideways" is not one of identical, ahead, behind, diverged',
    );
    expect(cache.size()).toBe(0);

    fake.answerNext('/compare/', {
      status: 503,
      body: { message: 'Unavailable' },
    });
    await expect(
      comparer(cache).compare({ entity, base: main[2], head: main[9] }),
    ).rejects.toThrow(
      `GitHub answered 503 Service Unavailable for GET /repos/acme/api/compare/${main[2]}...${main[9]}?per_page=20: Unavailable`,
    );
  });

  it('shares the rate limit pause with the deployment provider', async () => {
    const config = testConfig(fake);
    const logger = mockServices.logger.mock();
    const cache = memoryCache();
    const client = GithubClient.fromConfig(config, { logger, cache });
    const provider = GithubDeploymentProvider.fromConfig(config, {
      logger,
      cache,
      client,
    });
    const github = GithubRevisionComparer.fromConfig(config, {
      logger,
      cache,
      client,
    });
    fake.rateLimit.remaining = 0;

    const [observation] = await provider.observe({
      entity,
      environments: environments('production'),
    });
    expect(observation.error).toMatch(/^GitHub rate limit reached for /);
    const before = fake.requests.length;
    await expect(
      github.compare({ entity, base: main[2], head: main[9] }),
    ).rejects.toThrow(observation.error!);
    expect(fake.requests).toHaveLength(before);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringMatching(
        /^GitHub rate limit reached for ghe\.example\.test \(token\); no requests until /,
      ),
    );
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain('test-token');
  });

  it('supports entities with a project slug only', () => {
    expect(comparer().supports(entity)).toBe(true);
    expect(comparer().supports(component({}))).toBe(false);
    expect(comparer().getComparerName()).toBe('github');
  });
});

describe('pullRequestOf', () => {
  it.each([
    ['Add retry (#123)', 123],
    ['Merge pull request #45 from acme/x', 45],
    ['Fix #12 in parser', undefined],
    ['Revert "Add retry (#123)" (#130)', 130],
    ['Plain change\n\nSee (#99)', undefined],
  ])('reads %j as %s', (message, number) => {
    expect(pullRequestOf(message)).toBe(number);
  });
});
