import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  GitLabIntegrationConfig,
  ScmIntegrationRegistry,
  ScmIntegrations,
} from '@backstage/integration';
import { JsonValue } from '@backstage/types';
import {
  asRecord,
  bodyPreview,
  errorText,
  EtagCache,
  RateLimitPauses,
  GuardedHttpClient,
  GuardedHttpError,
  GuardedHttpResponse,
  httpUrl,
  requiredNumber,
  requiredString,
} from '@env-parity/plugin-env-parity-node';
import { GitlabModuleOptions, readGitlabModuleOptions } from './config';

/**
 * The annotation naming an entity's GitLab project by its full path,
 * `group/subgroup/project`, shared with Backstage's other GitLab plugins.
 *
 * @public
 */
export const GITLAB_PROJECT_SLUG_ANNOTATION = 'gitlab.com/project-slug';

/**
 * The annotation naming an entity's GitLab project by its numeric id.
 *
 * @public
 */
export const GITLAB_PROJECT_ID_ANNOTATION = 'gitlab.com/project-id';

/**
 * The annotation naming the GitLab host of an entity's project, as the
 * community GitLab plugin reads it, e.g. `gitlab.example.com`.
 *
 * @public
 */
export const GITLAB_INSTANCE_ANNOTATION = 'gitlab.com/instance';

/**
 * The annotation whose URL names the project (when no GitLab annotation
 * does) and tells which GitLab host holds it.
 *
 * @public
 */
export const SOURCE_LOCATION_ANNOTATION = 'backstage.io/source-location';

const PROJECT_PATH = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/;
const PROJECT_ID = /^[1-9]\d{0,15}$/;
const ETAG_TTL_MS = 12 * 60 * 60 * 1000;
/** How long to pause when GitLab signals a rate limit without saying until when. */
const DEFAULT_PAUSE_MS = 60 * 1000;
/** Largest response accepted: a comparison carries its diffs. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * A failed GitLab request or lookup, with a message fit to show next to an
 * environment. Messages never contain credentials.
 *
 * @public
 */
export class GitlabApiError extends Error {
  constructor(
    message: string,
    /** The HTTP status GitLab answered with, if it answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GitlabApiError';
  }
}

/**
 * GitLab refused a request because a rate limit was reached (429), or said
 * that none is left; no request to that host is made again until
 * `resumesAt`.
 *
 * @public
 */
export class GitlabRateLimitError extends GitlabApiError {
  constructor(
    readonly host: string,
    readonly resumesAt: Date,
    status?: number,
  ) {
    super(
      `GitLab rate limit reached for ${host}; resumes at ${resumesAt.toISOString()}`,
      status,
    );
    this.name = 'GitlabRateLimitError';
  }
}

/**
 * Where an entity's project lives, from its annotations: no I/O was needed.
 *
 * @public
 */
export interface GitlabLocation {
  host: string;
  /** The project's numeric id or its full path, `group/subgroup/project`. */
  project: string;
}

/**
 * A project as GitLab describes it.
 *
 * @public
 */
export interface GitlabProject {
  host: string;
  id: number;
  /** `group/subgroup/project`. */
  path: string;
  /** The project's web page, e.g. `https://gitlab.com/acme/api`. */
  webUrl: string;
}

/**
 * One GET request.
 *
 * @public
 */
export interface GitlabGetOptions<T> {
  /** Aborts the request, e.g. when the collection runs out of time. */
  signal?: AbortSignal;
  /**
   * Validates the JSON body and keeps what is needed of it. Throws an error
   * naming what is wrong when the body is not what was expected.
   */
  parse: (body: unknown) => T;
  /** What a 404 means for this request; a message about access otherwise. */
  notFound?: string;
  /**
   * Remember the response with its ETag and revalidate it next time with
   * `If-None-Match`. The parsed value must be JSON.
   */
  conditional?: boolean;
}

/**
 * A parsed answer and the URL of its next page, if any.
 *
 * @public
 */
export interface GitlabResponse<T> {
  data: T;
  next?: string;
}

type Instance = {
  integration: GitLabIntegrationConfig;
  apiBaseUrl: string;
  http: GuardedHttpClient;
};

/** The `message` (or `error`) of a GitLab error body, if the body is one. */
function gitlabMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text);
    const message = body?.message ?? body?.error;
    if (typeof message === 'string' && message) {
      return message.slice(0, 300);
    }
    return message && typeof message === 'object'
      ? JSON.stringify(message).slice(0, 300)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Text from GitLab with the token, should it echo it, blanked out. */
function redact(text: string, token: string | undefined): string {
  return token ? text.split(token).join('[redacted]') : text;
}

function header(res: GuardedHttpResponse, name: string): string | undefined {
  const value = res.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The `rel="next"` URL of a `Link` header. */
export function nextLink(link: string | undefined): string | undefined {
  if (!link) {
    return undefined;
  }
  for (const part of link.split(',')) {
    const match = /^<([^>]+)>(.*)$/.exec(part.trim());
    const rel = match && /;\s*rel="?([^";]*)"?/.exec(match[2]);
    if (rel && rel[1].split(/\s+/).includes('next')) {
      return match[1];
    }
  }
  return undefined;
}

/**
 * The next page of a GitLab list: the request's URL with `page` set to
 * `x-next-page`, else the `Link` header's `rel="next"`.
 */
export function nextPage(
  url: string,
  headers: { xNextPage?: string; link?: string },
): string | undefined {
  const page = headers.xNextPage?.trim();
  if (page && /^\d+$/.test(page)) {
    const next = new URL(url);
    next.searchParams.set('page', page);
    return next.toString();
  }
  return nextLink(headers.link);
}

/** The host pattern (`host:port`) of a URL, for the guard's allow-list. */
function hostPattern(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

/** The project path of a GitLab web URL: what comes before `/-/`, without `.git`. */
function projectPathOf(url: URL, basePath: string): string | undefined {
  let path = decodeURIComponent(url.pathname);
  if (basePath && path.startsWith(`${basePath}/`)) {
    path = path.slice(basePath.length);
  }
  path = path
    .split('/-/')[0]
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  path = path.replace(/^\/+/, '');
  return PROJECT_PATH.test(path) ? path : undefined;
}

/**
 * The GitLab REST API (v4) as the Env Parity GitLab module uses it:
 * instances and tokens from `integrations.gitlab`, every request through
 * the outbound-request guard to the instance's API host only (the token
 * bound to that host), timeouts, JSON validation, rate-limit pauses, errors
 * that say what to do, and ETag revalidation.
 *
 * One instance is shared by the deployment provider and the revision
 * comparer, so a rate limit one of them meets pauses both.
 *
 * @public
 */
export class GitlabClient {
  private readonly pauses = new RateLimitPauses<GitlabRateLimitError>();
  private readonly etags: EtagCache;
  private readonly instances = new Map<string, Instance>();

  static fromConfig(
    config: Config,
    options: { logger: LoggerService; cache?: CacheService },
  ): GitlabClient {
    return new GitlabClient({
      integrations: ScmIntegrations.fromConfig(config),
      options: readGitlabModuleOptions(config),
      logger: options.logger,
      cache: options.cache,
    });
  }

  constructor(
    private readonly deps: {
      integrations: ScmIntegrationRegistry;
      options: GitlabModuleOptions;
      logger: LoggerService;
      cache?: CacheService;
    },
  ) {
    this.etags = new EtagCache(deps.cache, 'gitlab-etag', ETAG_TTL_MS);
  }

  get options(): GitlabModuleOptions {
    return this.deps.options;
  }

  /** Whether the entity names a GitLab project; no I/O. */
  hasProject(entity: Entity): boolean {
    const annotations = entity.metadata.annotations ?? {};
    if (
      annotations[GITLAB_PROJECT_SLUG_ANNOTATION]?.trim() ||
      annotations[GITLAB_PROJECT_ID_ANNOTATION]?.trim()
    ) {
      return true;
    }
    return Boolean(this.fromSourceLocation(annotations));
  }

  /**
   * The host and project of an entity: the project from
   * `gitlab.com/project-slug`, else `gitlab.com/project-id`, else the path
   * of a `backstage.io/source-location` on a configured GitLab host; the
   * host from `gitlab.com/instance`, else the source location's when it is
   * a configured GitLab host, else `envParity.gitlab.host`.
   */
  locate(entity: Entity): GitlabLocation {
    const annotations = entity.metadata.annotations ?? {};
    const host = this.hostOf(annotations);
    const slug = annotations[GITLAB_PROJECT_SLUG_ANNOTATION]?.trim();
    if (slug) {
      const path = slug.replace(/\.git$/, '').replace(/^\/+|\/+$/g, '');
      if (!PROJECT_PATH.test(path)) {
        throw new GitlabApiError(
          `Annotation ${GITLAB_PROJECT_SLUG_ANNOTATION} ${JSON.stringify(
            slug,
          )} is not of the form group/project or group/subgroup/project`,
        );
      }
      return { host, project: path };
    }
    const id = annotations[GITLAB_PROJECT_ID_ANNOTATION]?.trim();
    if (id) {
      if (!PROJECT_ID.test(id)) {
        throw new GitlabApiError(
          `Annotation ${GITLAB_PROJECT_ID_ANNOTATION} ${JSON.stringify(
            id,
          )} is not a project id (a positive whole number)`,
        );
      }
      return { host, project: id };
    }
    const fromSource = this.fromSourceLocation(annotations);
    if (!fromSource) {
      throw new GitlabApiError(
        `The entity names no GitLab project: set ${GITLAB_PROJECT_SLUG_ANNOTATION} or ${GITLAB_PROJECT_ID_ANNOTATION}`,
      );
    }
    return fromSource;
  }

  private sourceUrl(annotations: Record<string, string>): URL | undefined {
    const target = annotations[SOURCE_LOCATION_ANNOTATION]?.trim().replace(
      /^url:/,
      '',
    );
    if (!target || !/^https?:\/\//.test(target)) {
      return undefined;
    }
    try {
      return new URL(target);
    } catch {
      return undefined;
    }
  }

  private fromSourceLocation(
    annotations: Record<string, string>,
  ): GitlabLocation | undefined {
    const url = this.sourceUrl(annotations);
    const integration = url && this.deps.integrations.gitlab.byHost(url.host);
    if (!url || !integration) {
      return undefined;
    }
    const basePath = new URL(integration.config.baseUrl).pathname.replace(
      /\/+$/,
      '',
    );
    const project = projectPathOf(url, basePath);
    return project ? { host: url.host, project } : undefined;
  }

  private hostOf(annotations: Record<string, string>): string {
    const instance = annotations[GITLAB_INSTANCE_ANNOTATION]?.trim();
    if (instance) {
      return instance;
    }
    const url = this.sourceUrl(annotations);
    if (url && this.deps.integrations.gitlab.byHost(url.host)) {
      return url.host;
    }
    return this.deps.options.host;
  }

  private instance(host: string): Instance {
    let instance = this.instances.get(host);
    if (instance) {
      return instance;
    }
    const integration = this.deps.integrations.gitlab.byHost(host)?.config;
    if (!integration) {
      throw new GitlabApiError(
        `No GitLab integration is configured for ${host}: add an entry to integrations.gitlab with host: ${host}, apiBaseUrl (e.g. https://${host}/api/v4) and a token`,
      );
    }
    const apiBaseUrl = integration.apiBaseUrl.replace(/\/+$/, '');
    const api = hostPattern(new URL(apiBaseUrl));
    const token = integration.token?.trim();
    const http = GuardedHttpClient.create({
      allowedHosts: [api],
      // integrations come from admin config; metadata addresses stay refused
      allowPrivateNetworks: true,
      hostHeaders: token
        ? [{ host: api, headers: { Authorization: `Bearer ${token}` } }]
        : [],
      timeoutMs: this.deps.options.timeoutMs,
      // the connection gets the whole timeout too: a busy instance is not down
      connectTimeoutMs: this.deps.options.timeoutMs,
      maxBodyBytes: MAX_BODY_BYTES,
    });
    instance = { integration, apiBaseUrl, http };
    this.instances.set(host, instance);
    return instance;
  }

  /** The API path of a project, e.g. `/projects/acme%2Fapi`. */
  projectPath(project: string | number): string {
    return `/projects/${encodeURIComponent(String(project))}`;
  }

  /**
   * Reads a project (`GET /projects/:id`, revalidated with its ETag): its
   * id, path and web URL. A missing integration, a refused token or a
   * project the token cannot see throw a `GitlabApiError` saying so.
   */
  async project(
    location: GitlabLocation,
    signal?: AbortSignal,
  ): Promise<GitlabProject> {
    const { data } = await this.get(
      location.host,
      this.projectPath(location.project),
      {
        signal,
        conditional: true,
        notFound: `GitLab has no project ${location.project} on ${location.host}, or its token cannot see it (404 Project Not Found)`,
        parse: body => {
          const p = asRecord(body, 'the project');
          const webUrl = httpUrl(requiredString(p, 'web_url', 'project'));
          if (!webUrl) {
            throw new Error('project.web_url is not an http(s) URL');
          }
          return {
            id: requiredNumber(p, 'id', 'project'),
            path: requiredString(p, 'path_with_namespace', 'project'),
            webUrl: webUrl.replace(/\/+$/, ''),
          };
        },
      },
    );
    return { host: location.host, ...data };
  }

  /**
   * GETs a path under the host's API base URL (or a next-page URL GitLab
   * gave, on the same origin) and returns the parsed body and the next
   * page's URL.
   */
  async get<T>(
    host: string,
    pathOrUrl: string,
    options: GitlabGetOptions<T>,
  ): Promise<GitlabResponse<T>> {
    const { apiBaseUrl, http, integration } = this.instance(host);
    const url = pathOrUrl.startsWith('/')
      ? `${apiBaseUrl}${pathOrUrl}`
      : pathOrUrl;
    if (new URL(url).origin !== new URL(apiBaseUrl).origin) {
      // the token goes to the configured API only
      throw new GitlabApiError(
        `GitLab pointed to ${new URL(url).origin}, which is not ${apiBaseUrl}`,
      );
    }
    const what = `GET ${
      url.startsWith(apiBaseUrl) ? url.slice(apiBaseUrl.length) : url
    }`;
    const blocked = this.pauses.current(host);
    if (blocked) {
      throw new GitlabRateLimitError(blocked.host, blocked.resumesAt);
    }

    const cacheKey = this.etags.key(options.conditional, `${host}\n${url}`);
    const cached = await this.etags.read(cacheKey);

    let res: GuardedHttpResponse;
    try {
      res = await http.request(url, {
        headers: {
          Accept: 'application/json',
          ...(cached ? { 'If-None-Match': cached.etag } : {}),
        },
        signal: options.signal,
      });
    } catch (error) {
      throw this.transportError(host, what, error, options.signal);
    }

    if (res.status === 304 && cached) {
      this.noteExhausted(host, res);
      return { data: cached.data as T, next: cached.next };
    }
    if (res.redirect) {
      throw new GitlabApiError(
        `GitLab answered ${what} with ${res.status}, redirecting to another address; check apiBaseUrl of ${host} in integrations.gitlab`,
        res.status,
      );
    }
    const text = res.body.toString('utf8');
    if (res.status < 200 || res.status >= 300) {
      throw this.toError(
        host,
        what,
        res,
        redact(text, integration.token),
        options,
        Boolean(integration.token),
      );
    }
    this.noteExhausted(host, res);

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new GitlabApiError(
        `GitLab answered ${what} with a body that is not JSON: ${bodyPreview(
          redact(text, integration.token),
        )}`,
        res.status,
      );
    }
    let data: T;
    try {
      data = options.parse(body);
    } catch (error) {
      throw new GitlabApiError(
        `GitLab answered ${what} with an unexpected body: ${redact(
          errorText(error),
          integration.token,
        )}`,
        res.status,
      );
    }
    const next = nextPage(url, {
      xNextPage: header(res, 'x-next-page'),
      link: header(res, 'link'),
    });
    await this.etags.write(
      cacheKey,
      header(res, 'etag'),
      data as JsonValue,
      next,
    );
    return { data, next };
  }

  private transportError(
    host: string,
    what: string,
    error: unknown,
    signal?: AbortSignal,
  ): GitlabApiError {
    if (signal?.aborted) {
      return new GitlabApiError(`${what} was cancelled`);
    }
    if (error instanceof GuardedHttpError) {
      if (error.reason === 'timeout') {
        return new GitlabApiError(
          `GitLab did not answer ${what} on ${host} within ${this.deps.options.timeoutMs} ms`,
        );
      }
      if (error.reason === 'body-too-large') {
        return new GitlabApiError(
          `GitLab answered ${what} on ${host} with more than ${MAX_BODY_BYTES} bytes`,
        );
      }
    }
    if (error instanceof NotAllowedError || error instanceof InputError) {
      return new GitlabApiError(
        `The request to GitLab at ${host} was refused: ${error.message}`,
      );
    }
    // guard messages name the request and the reason, never headers
    return new GitlabApiError(
      `Could not reach GitLab at ${host} for ${what}: ${errorText(error)}`,
    );
  }

  /** Pauses requests when GitLab says the budget is spent, even on a success. */
  private noteExhausted(host: string, res: GuardedHttpResponse) {
    if (header(res, 'ratelimit-remaining')?.trim() !== '0') {
      return;
    }
    this.block(host, this.resetOf(res) ?? Date.now() + DEFAULT_PAUSE_MS);
  }

  /** `RateLimit-Reset` (seconds since the epoch) in ms, if it is in the future. */
  private resetOf(res: GuardedHttpResponse): number | undefined {
    const reset = Number(header(res, 'ratelimit-reset'));
    return Number.isFinite(reset) && reset * 1000 > Date.now()
      ? reset * 1000
      : undefined;
  }

  private block(host: string, until: number, status?: number) {
    return this.pauses.pause(
      host,
      until,
      resumesAt => new GitlabRateLimitError(host, resumesAt, status),
      resumesAt =>
        this.deps.logger.warn(
          `GitLab rate limit reached for ${host}; no requests until ${resumesAt.toISOString()}`,
        ),
    );
  }

  /** Until when a 429 pauses requests: `Retry-After`, else `RateLimit-Reset`. */
  private retryAt(res: GuardedHttpResponse): number {
    const retryAfter = header(res, 'retry-after')?.trim();
    if (retryAfter) {
      const seconds = Number(retryAfter);
      if (Number.isFinite(seconds) && seconds >= 0) {
        return Date.now() + seconds * 1000;
      }
      const date = Date.parse(retryAfter);
      if (!Number.isNaN(date)) {
        return date;
      }
    }
    return this.resetOf(res) ?? Date.now() + DEFAULT_PAUSE_MS;
  }

  private toError(
    host: string,
    what: string,
    res: GuardedHttpResponse,
    text: string,
    options: { notFound?: string },
    authenticated: boolean,
  ): GitlabApiError {
    const { status } = res;
    if (status === 429) {
      return this.block(host, this.retryAt(res), status);
    }
    const message = gitlabMessage(text);
    const said = message ? `: ${message}` : '';
    const anonymous = authenticated
      ? ''
      : ` (no token is configured for ${host} in integrations.gitlab, so only public projects can be read)`;
    switch (status) {
      case 401:
        return new GitlabApiError(
          authenticated
            ? `GitLab rejected the token for ${host} (401${said}): check the token of ${host} in integrations.gitlab (expired or revoked?)`
            : `GitLab answered 401 for ${what}${said}${anonymous}`,
          status,
        );
      case 403:
        return new GitlabApiError(
          `GitLab denied ${what} (403${said}): the token for ${host} needs the read_api scope and at least the Reporter role on the project${anonymous}`,
          status,
        );
      case 404:
        return new GitlabApiError(
          `${
            options.notFound ??
            `GitLab answered 404 for ${what}${said}: the project does not exist or the token cannot see it`
          }${anonymous}`,
          status,
        );
      default:
        return new GitlabApiError(
          `GitLab answered ${status}${
            res.statusText ? ` ${res.statusText}` : ''
          } for ${what}${said}`,
          status,
        );
    }
  }
}
