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
  requiredString,
  RevisionComparer,
} from '@env-parity/plugin-env-parity-node';
import { JsonObject } from '@backstage/types';
import { GitlabClient } from './GitlabClient';

/** How many commits a comparison lists. */
export const MAX_COMMITS = 20;
/** A comparison of two full SHAs never changes; keep it for 30 days. */
const CACHE_TTL_MS = 30 * 24 * 60 * 60 * 1000;
const FULL_SHA = /^[0-9a-f]{40}$/i;

/**
 * The merge request a commit message names: GitLab's merge commits end
 * with `See merge request group/project!42`, and squashed ones often
 * carry `(!42)` in their title.
 */
export function mergeRequestOf(message: string): number | undefined {
  const match =
    /See merge request [^\s!]*!(\d+)/.exec(message) ??
    /\(!(\d+)\)\s*$/.exec(message.split('\n', 1)[0]);
  return match ? Number(match[1]) : undefined;
}

/** One side of a comparison: the commits `to` has that `from` lacks. */
type Side = { count: number; commits: CommitSummary[]; webUrl?: string };

function parseCommit(
  item: unknown,
  i: number,
  projectWebUrl?: string,
): CommitSummary {
  const path = `commits[${i}]`;
  const c = asRecord(item, path);
  const sha = requiredString(c, 'id', path);
  const message =
    optionalString(c, 'message', path) ?? requiredString(c, 'title', path);
  const author = optionalString(c, 'author_name', path);
  const url = httpUrl(optionalString(c, 'web_url', path));
  const mergeRequest = mergeRequestOf(message);
  let firstLine =
    optionalString(c, 'title', path)?.trim() ||
    message.split('\n', 1)[0].trim();
  if (firstLine.length > 200) {
    firstLine = `${firstLine.slice(0, 199)}…`;
  }
  return {
    sha,
    message: firstLine,
    ...(author ? { author } : {}),
    ...(url ? { url } : {}),
    ...(mergeRequest !== undefined ? { pullRequest: mergeRequest } : {}),
    ...(mergeRequest !== undefined && projectWebUrl
      ? { pullRequestUrl: `${projectWebUrl}/-/merge_requests/${mergeRequest}` }
      : {}),
  };
}

/**
 * Validates a `GET /projects/:id/repository/compare` body: its commits are
 * those `to` has and `from` lacks (since their merge base), oldest first.
 * With the project's web URL, merge requests the commits name are linked.
 */
export function parseCompare(body: unknown, projectWebUrl?: string): Side {
  const b = asRecord(body, 'the comparison');
  const all = asArray(b.commits ?? [], 'comparison.commits');
  const webUrl = httpUrl(optionalString(b, 'web_url', 'comparison'));
  return {
    count: all.length,
    commits: all
      .slice(0, MAX_COMMITS)
      .map((item, i) => parseCommit(item, i, projectWebUrl)),
    ...(webUrl ? { webUrl } : {}),
  };
}

/**
 * Tells how two revisions of an entity's GitLab project relate with the
 * GitLab compare API, asked in both directions (commits ahead, commits
 * behind). Works with the revisions of any deployment provider.
 *
 * @public
 */
export class GitlabRevisionComparer implements RevisionComparer {
  static fromConfig(
    config: Config,
    options: {
      logger: LoggerService;
      cache: CacheService;
      /** Share one client with the provider so both respect one rate limit. */
      client?: GitlabClient;
    },
  ): GitlabRevisionComparer {
    return new GitlabRevisionComparer({
      client:
        options.client ??
        GitlabClient.fromConfig(config, {
          logger: options.logger,
          cache: options.cache,
        }),
      cache: options.cache,
    });
  }

  constructor(
    private readonly deps: { client: GitlabClient; cache?: CacheService },
  ) {}

  getComparerName() {
    return 'gitlab';
  }

  supports(entity: Entity): boolean {
    return this.deps.client.hasProject(entity);
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
    // a branch or tag can move; only a pair of full SHAs is fixed forever
    const cacheKey =
      cache && FULL_SHA.test(base) && FULL_SHA.test(head)
        ? `gitlab-compare:v2:${location.host}/${location.project}/${base}...${head}`.toLowerCase()
        : undefined;
    if (cacheKey) {
      const hit = await cache!.get<JsonObject>(cacheKey).catch(() => undefined);
      if (hit) {
        return hit as unknown as RevisionComparison;
      }
    }

    const project = await client.project(location, request.signal);
    const side = async (from: string, to: string) =>
      (
        await client.get(
          project.host,
          `${client.projectPath(
            project.id,
          )}/repository/compare?${new URLSearchParams({
            from,
            to,
            straight: 'false',
          })}`,
          {
            signal: request.signal,
            parse: body => parseCompare(body, project.webUrl),
            // branch names are revalidated with their ETag
            conditional: !cacheKey,
            notFound: `GitLab answered 404 comparing ${from}...${to}: ${project.path} does not hold one of these revisions, or the token cannot see it`,
          },
        )
      ).data;
    const [ahead, behind] = await Promise.all([
      side(base, head),
      side(head, base),
    ]);
    let status: RevisionComparison['status'] = 'identical';
    if (ahead.count && behind.count) {
      status = 'diverged';
    } else if (ahead.count) {
      status = 'ahead';
    } else if (behind.count) {
      status = 'behind';
    }
    const url =
      ahead.webUrl ??
      `${project.webUrl}/-/compare/${encodeURIComponent(
        base,
      )}...${encodeURIComponent(head)}`;
    const data: RevisionComparison = {
      status,
      aheadBy: ahead.count,
      behindBy: behind.count,
      ...(ahead.commits.length ? { commits: ahead.commits } : {}),
      ...(behind.commits.length ? { commitsMissing: behind.commits } : {}),
      url,
    };
    if (cacheKey) {
      await cache!
        .set(cacheKey, data as unknown as JsonObject, { ttl: CACHE_TTL_MS })
        .catch(() => {});
    }
    return data;
  }
}
