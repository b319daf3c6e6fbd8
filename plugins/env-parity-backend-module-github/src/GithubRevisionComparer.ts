import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  CommitSummary,
  RevisionComparison,
} from '@env-parity/plugin-env-parity-common';
import {
  asArray,
  asRecord,
  httpUrl,
  optionalString,
  optionalUserName,
  requiredNumber,
  requiredString,
  RevisionComparer,
} from '@env-parity/plugin-env-parity-node';
import { JsonObject } from '@backstage/types';
import { GithubClient } from './GithubClient';

/** How many commits a comparison lists. */
export const MAX_COMMITS = 20;
/** A comparison of two full SHAs never changes; keep it for 30 days. */
const CACHE_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const FULL_SHA = /^[0-9a-f]{40}$/i;
const STATUSES = ['identical', 'ahead', 'behind', 'diverged'] as const;

/**
 * The pull request a commit message names: `Title (#123)` of a squash merge
 * or `Merge pull request #123 from ...` of a merge commit.
 */
export function pullRequestOf(message: string): number | undefined {
  const firstLine = message.split('\n', 1)[0];
  const match =
    /^Merge pull request #(\d+)\b/.exec(firstLine) ??
    /\(#(\d+)\)\s*$/.exec(firstLine);
  return match ? Number(match[1]) : undefined;
}

function parseCommit(
  item: unknown,
  i: number,
  repositoryUrl?: string,
): CommitSummary {
  const path = `commits[${i}]`;
  const c = asRecord(item, path);
  const sha = requiredString(c, 'sha', path);
  const commit = asRecord(c.commit, `${path}.commit`);
  const message = requiredString(commit, 'message', `${path}.commit`);
  const gitAuthor = commit.author;
  const author =
    optionalUserName(c, 'author', 'login', path) ??
    (gitAuthor && typeof gitAuthor === 'object'
      ? optionalString(
          asRecord(gitAuthor, `${path}.commit.author`),
          'name',
          `${path}.commit.author`,
        )
      : undefined);
  const url = httpUrl(optionalString(c, 'html_url', path));
  const pullRequest = pullRequestOf(message);
  let firstLine = message.split('\n', 1)[0].trim();
  if (firstLine.length > 200) {
    firstLine = `${firstLine.slice(0, 199)}…`;
  }
  return {
    sha,
    message: firstLine,
    ...(author ? { author } : {}),
    ...(url ? { url } : {}),
    ...(pullRequest !== undefined ? { pullRequest } : {}),
    ...(pullRequest !== undefined && repositoryUrl
      ? { pullRequestUrl: `${repositoryUrl}/pull/${pullRequest}` }
      : {}),
  };
}

/**
 * Validates and maps a `GET /repos/{owner}/{repo}/compare/{base}...{head}`
 * body. With the repository's web URL, pull requests the commits name are
 * linked.
 */
export function parseComparison(
  body: unknown,
  repositoryUrl?: string,
): RevisionComparison {
  const b = asRecord(body, 'the comparison');
  const status = requiredString(b, 'status', 'comparison');
  if (!(STATUSES as readonly string[]).includes(status)) {
    throw new Error(
      `comparison.status ${JSON.stringify(
        status,
      )} is not one of ${STATUSES.join(', ')}`,
    );
  }
  const aheadBy = requiredNumber(b, 'ahead_by', 'comparison');
  const behindBy = requiredNumber(b, 'behind_by', 'comparison');
  const commits = asArray(b.commits ?? [], 'comparison.commits')
    .slice(0, MAX_COMMITS)
    .map((item, i) => parseCommit(item, i, repositoryUrl));
  const url = httpUrl(optionalString(b, 'html_url', 'comparison'));
  return {
    status: status as RevisionComparison['status'],
    aheadBy,
    behindBy,
    ...(commits.length ? { commits } : {}),
    ...(url ? { url } : {}),
  };
}

function encodeRevision(revision: string): string {
  // branch names may hold slashes, which the compare endpoint takes as is
  return revision.split('/').map(encodeURIComponent).join('/');
}

/**
 * Tells how two revisions of an entity's GitHub repository relate, with the
 * GitHub compare API. Works with the revisions of any deployment provider.
 *
 * @public
 */
export class GithubRevisionComparer implements RevisionComparer {
  static fromConfig(
    config: Config,
    options: {
      logger: LoggerService;
      cache: CacheService;
      /** Share one client with the provider so both respect one rate limit. */
      client?: GithubClient;
    },
  ): GithubRevisionComparer {
    return new GithubRevisionComparer({
      client:
        options.client ??
        GithubClient.fromConfig(config, {
          logger: options.logger,
          cache: options.cache,
        }),
      cache: options.cache,
    });
  }

  constructor(
    private readonly deps: { client: GithubClient; cache?: CacheService },
  ) {}

  getComparerName() {
    return 'github';
  }

  supports(entity: Entity): boolean {
    return this.deps.client.hasRepository(entity);
  }

  async compare(request: {
    entity: Entity;
    base: string;
    head: string;
    signal?: AbortSignal;
  }): Promise<RevisionComparison | undefined> {
    const { client, cache } = this.deps;
    const base = request.base.trim();
    const head = request.head.trim();
    const location = client.locate(request.entity);
    const { host, owner, repo } = location;
    // a branch or tag can move; only a pair of full SHAs is fixed forever
    const cacheKey =
      cache && FULL_SHA.test(base) && FULL_SHA.test(head)
        ? `compare:v3:${host}/${owner}/${repo}/${base}...${head}`.toLowerCase()
        : undefined;
    if (cacheKey) {
      const hit = await cache!.get<JsonObject>(cacheKey).catch(() => undefined);
      if (hit) {
        return hit as unknown as RevisionComparison;
      }
    }

    const repository = await client.connect(location);
    const compare = async (from: string, to: string) =>
      (
        await client.get(
          repository,
          `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(
            repo,
          )}/compare/${encodeRevision(from)}...${encodeRevision(
            to,
          )}?per_page=${MAX_COMMITS}`,
          {
            signal: request.signal,
            parse: body => parseComparison(body, repository.htmlUrl),
            // branch names are revalidated: an unchanged answer costs no rate limit
            conditional: !cacheKey,
            notFound: `GitHub answered 404 comparing ${from}...${to}: ${owner}/${repo} does not hold one of these revisions, or the token lacks access to it`,
          },
        )
      ).data;
    const data = await compare(base, head);
    // GitHub lists only the head's commits; the base's (e.g. a hotfix the
    // reference runs and this environment lacks) come from the reverse
    if (data.behindBy > 0) {
      const reverse = await compare(head, base);
      if (reverse.commits?.length) {
        data.commitsMissing = reverse.commits;
      }
    }
    if (cacheKey) {
      await cache!
        .set(cacheKey, data as unknown as JsonObject, { ttl: CACHE_TTL_MS })
        .catch(() => {});
    }
    return data;
  }
}
