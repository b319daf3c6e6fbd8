import { CacheService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  DefaultGithubCredentialsProvider,
  GithubCredentialsProvider,
  ScmIntegrationRegistry,
  ScmIntegrations,
} from '@backstage/integration';
import { JsonValue } from '@backstage/types';
import {
  bodyPreview,
  errorText,
  EtagCache,
  GuardedHttpClient,
  GuardedHttpError,
  RateLimitPauses,
} from '@env-parity/plugin-env-parity-node';
import { GithubModuleOptions, readGithubModuleOptions } from './config';

/**
 * The annotation naming an entity's repository, `owner/repo`, shared with
 * Backstage's other GitHub plugins.
 *
 * @public
 */
export const GITHUB_PROJECT_SLUG_ANNOTATION = 'github.com/project-slug';

/**
 * The annotation whose URL tells which GitHub host (github.com or an
 * Enterprise server) holds the repository.
 *
 * @public
 */
export const SOURCE_LOCATION_ANNOTATION = 'backstage.io/source-location';

const SLUG = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/;
const GITHUB_HEADERS = {
  Accept: 'application/vnd.github+json',
  'X-GitHub-Api-Version': '2022-11-28',
};

const ETAG_TTL_MS = 12 * 60 * 60 * 1000;
/** The largest GitHub answer read, e.g. a compare of 250 commits. */
const MAX_BODY_BYTES = 32 * 1024 * 1024;
/** How long to pause when GitHub signals a rate limit without saying until when. */
const DEFAULT_PAUSE_MS = 60 * 1000;

/**
 * A failed GitHub request or lookup, with a message fit to show next to an
 * environment. Messages never contain credentials.
 *
 * @public
 */
export class GithubApiError extends Error {
  constructor(
    message: string,
    /** The HTTP status GitHub answered with, if it answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GithubApiError';
  }
}

/**
 * GitHub refused a request because a rate limit was reached; no request to
 * that host (with the same credentials) is made again until `resumesAt`.
 *
 * @public
 */
export class GithubRateLimitError extends GithubApiError {
  constructor(
    readonly host: string,
    readonly resumesAt: Date,
    status?: number,
  ) {
    super(
      `GitHub rate limit reached for ${host}; resumes at ${resumesAt.toISOString()}`,
      status,
    );
    this.name = 'GithubRateLimitError';
  }
}

/**
 * Where an entity's repository lives: no I/O was needed to tell.
 *
 * @public
 */
export interface GithubLocation {
  host: string;
  owner: string;
  repo: string;
}

/**
 * A repository ready to be asked: its API base URL and the request headers
 * carrying the credentials (never log these).
 *
 * @public
 */
export interface GithubRepository extends GithubLocation {
  apiBaseUrl: string;
  /** The repository's web page, e.g. `https://github.com/acme/api`. */
  htmlUrl: string;
  /** Whether a token or GitHub App is configured for the host. */
  authenticated: boolean;
  /** Request headers; hold the credentials. */
  headers: Record<string, string>;
  /**
   * Which credentials are used, without the secret: `app:<owner>`, `token`
   * or `anonymous`. Rate limits and cached responses are kept per host and
   * identity.
   */
  identity: string;
}

/**
 * One GET request.
 *
 * @public
 */
export interface GithubGetOptions<T> {
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
   * Remember the response with its ETag and revalidate it next time: an
   * unchanged answer (304) does not count against GitHub's rate limit. The
   * parsed value must be JSON.
   */
  conditional?: boolean;
}

/**
 * A parsed answer and the URL of its next page, if any.
 *
 * @public
 */
export interface GithubResponse<T> {
  data: T;
  next?: string;
}

/** The `message` of a GitHub error body, if the body is one. */
function githubMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text);
    return typeof body?.message === 'string' && body.message
      ? body.message.slice(0, 300)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The `rel="next"` URL of a `Link` header. */
export function nextLink(link: string | null): string | undefined {
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
 * The GitHub REST API as the Env Parity GitHub module uses it: credentials
 * from `integrations.github`, timeouts, JSON validation, rate-limit pauses,
 * errors that say what to do, and ETag revalidation.
 *
 * One instance is shared by the deployment provider and the revision
 * comparer, so a rate limit one of them meets pauses both.
 *
 * @public
 */
export class GithubClient {
  private readonly pauses = new RateLimitPauses<GithubRateLimitError>();
  private readonly etags: EtagCache;
  /** The outbound-request guard per API origin: that origin only. */
  private readonly guards = new Map<string, GuardedHttpClient>();

  static fromConfig(
    config: Config,
    options: { logger: LoggerService; cache?: CacheService },
  ): GithubClient {
    const integrations = ScmIntegrations.fromConfig(config);
    return new GithubClient({
      integrations,
      credentials:
        DefaultGithubCredentialsProvider.fromIntegrations(integrations),
      options: readGithubModuleOptions(config),
      logger: options.logger,
      cache: options.cache,
    });
  }

  constructor(
    private readonly deps: {
      integrations: ScmIntegrationRegistry;
      credentials: GithubCredentialsProvider;
      options: GithubModuleOptions;
      logger: LoggerService;
      cache?: CacheService;
    },
  ) {
    this.etags = new EtagCache(deps.cache, 'github-etag', ETAG_TTL_MS);
  }

  get options(): GithubModuleOptions {
    return this.deps.options;
  }

  /** Whether the entity names a repository; no I/O. */
  hasRepository(entity: Entity): boolean {
    return Boolean(
      entity.metadata.annotations?.[GITHUB_PROJECT_SLUG_ANNOTATION]?.trim(),
    );
  }

  /**
   * The host, owner and repository of an entity, from its
   * `github.com/project-slug` annotation; the host from its
   * `backstage.io/source-location` when that URL is on a configured GitHub
   * integration host, else `envParity.github.host`.
   */
  locate(entity: Entity): GithubLocation {
    const annotations = entity.metadata.annotations ?? {};
    const slug = annotations[GITHUB_PROJECT_SLUG_ANNOTATION]?.trim() ?? '';
    const match = SLUG.exec(slug.replace(/\.git$/, ''));
    if (!match) {
      throw new GithubApiError(
        `Annotation ${GITHUB_PROJECT_SLUG_ANNOTATION} ${JSON.stringify(
          slug,
        )} is not of the form owner/repo`,
      );
    }
    return {
      host: this.hostOf(annotations[SOURCE_LOCATION_ANNOTATION]),
      owner: match[1],
      repo: match[2],
    };
  }

  private hostOf(sourceLocation: string | undefined): string {
    const target = sourceLocation?.trim().replace(/^url:/, '');
    if (target && /^https?:\/\//.test(target)) {
      try {
        const host = new URL(target).host;
        if (this.deps.integrations.github.byHost(host)) {
          return host;
        }
      } catch {
        // not a URL: fall back to the configured host
      }
    }
    return this.deps.options.host;
  }

  /** Looks up the integration and credentials for a repository. */
  async connect(location: GithubLocation): Promise<GithubRepository> {
    const { host, owner, repo } = location;
    const integration = this.deps.integrations.github.byHost(host);
    if (!integration) {
      throw new GithubApiError(
        `No GitHub integration is configured for ${host}: add an entry to integrations.github with host: ${host}, apiBaseUrl (e.g. https://${host}/api/v3) and a token or GitHub App`,
      );
    }
    const apiBaseUrl = integration.config.apiBaseUrl?.replace(/\/+$/, '');
    if (!apiBaseUrl) {
      throw new GithubApiError(
        `The integrations.github entry for ${host} has no apiBaseUrl; set it, e.g. https://${host}/api/v3`,
      );
    }
    const url = `https://${host}/${owner}/${repo}`;
    let credentials;
    try {
      credentials = await this.deps.credentials.getCredentials({ url });
    } catch (error) {
      throw new GithubApiError(
        `Could not get GitHub credentials for ${host}/${owner}/${repo} from integrations.github: ${errorText(
          error,
        )}`,
      );
    }
    const authenticated = Boolean(credentials.token);
    let identity = 'anonymous';
    if (authenticated) {
      identity =
        credentials.type === 'app' ? `app:${owner.toLowerCase()}` : 'token';
    }
    return {
      host,
      owner,
      repo,
      apiBaseUrl,
      htmlUrl: url,
      authenticated,
      identity,
      headers: {
        ...(credentials.headers ?? {}),
        ...(!credentials.headers && credentials.token
          ? { Authorization: `Bearer ${credentials.token}` }
          : {}),
      },
    };
  }

  /**
   * GETs a path under the repository's API base URL (or a `Link` URL GitHub
   * gave) and returns the parsed body and the next page's URL.
   */
  async get<T>(
    repository: GithubRepository,
    pathOrUrl: string,
    options: GithubGetOptions<T>,
  ): Promise<GithubResponse<T>> {
    const { apiBaseUrl } = repository;
    const url = pathOrUrl.startsWith('/')
      ? `${apiBaseUrl}${pathOrUrl}`
      : pathOrUrl;
    if (new URL(url).origin !== new URL(apiBaseUrl).origin) {
      // never send credentials anywhere but the configured API
      throw new GithubApiError(
        `GitHub pointed to ${new URL(url).origin}, which is not ${apiBaseUrl}`,
      );
    }
    const what = `GET ${
      url.startsWith(apiBaseUrl) ? url.slice(apiBaseUrl.length) : url
    }`;
    this.throwIfPaused(repository);

    const cacheKey = this.etags.key(
      options.conditional,
      `${repository.identity}\n${url}`,
    );
    const cached = await this.etags.read(cacheKey);

    const { response, text } = await this.exchange(
      repository,
      url,
      what,
      {
        headers: {
          ...GITHUB_HEADERS,
          ...(cached ? { 'If-None-Match': cached.etag } : {}),
        },
      },
      options.signal,
    );

    if (response.status === 304 && cached) {
      this.noteExhausted(repository, response.headers);
      return { data: cached.data as T, next: cached.next };
    }
    if (!response.ok) {
      throw this.toError(repository, what, response, text, options);
    }
    this.noteExhausted(repository, response.headers);

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new GithubApiError(
        `GitHub answered ${what} with a body that is not JSON: ${bodyPreview(
          text,
        )}`,
        response.status,
      );
    }
    let data: T;
    try {
      data = options.parse(body);
    } catch (error) {
      throw new GithubApiError(
        `GitHub answered ${what} with an unexpected body: ${errorText(error)}`,
        response.status,
      );
    }
    const next = nextLink(response.headers.get('link'));
    await this.etags.write(
      cacheKey,
      response.headers.get('etag'),
      data as JsonValue,
      next,
    );
    return { data, next };
  }

  /**
   * POSTs JSON to a path under the repository's API base URL: a write, never
   * retried, cached or paginated. Answers 2xx with the parsed body (or
   * undefined for an empty one); anything else throws a `GithubApiError`
   * whose message says what to do, never a credential.
   */
  async post(
    repository: GithubRepository,
    path: string,
    body: unknown,
    options: {
      signal?: AbortSignal;
      /** What the credentials need, for a 403, e.g. `Deployments: write`. */
      access: string;
      notFound?: string;
    },
  ): Promise<unknown> {
    const url = `${repository.apiBaseUrl}${path}`;
    const what = `POST ${path}`;
    this.throwIfPaused(repository);
    const { response, text } = await this.exchange(
      repository,
      url,
      what,
      {
        method: 'POST',
        headers: {
          ...GITHUB_HEADERS,
          'Content-Type': 'application/json',
        },
        body: JSON.stringify(body),
      },
      options.signal,
    );
    if (!response.ok) {
      throw this.toError(repository, what, response, text, options);
    }
    this.noteExhausted(repository, response.headers);
    try {
      return text ? JSON.parse(text) : undefined;
    } catch {
      throw new GithubApiError(
        `GitHub answered ${what} with a body that is not JSON: ${bodyPreview(
          text,
        )}`,
        response.status,
      );
    }
  }

  /** Refuses at once while the host's rate limit for these credentials is spent. */
  private throwIfPaused(repository: GithubRepository) {
    const blocked = this.pauses.current(
      `${repository.host}\n${repository.identity}`,
    );
    if (blocked) {
      throw new GithubRateLimitError(blocked.host, blocked.resumesAt);
    }
  }

  /**
   * One request through the outbound-request guard (to the repository's
   * API origin only, the credentials bound to it, same-origin redirects of
   * a GET followed) with the configured timeout and the caller's signal,
   * the body read as text; a cancellation, timeout or network failure
   * becomes a `GithubApiError` saying which.
   */
  private async exchange(
    repository: GithubRepository,
    url: string,
    what: string,
    init: {
      method?: 'GET' | 'POST';
      headers: Record<string, string>;
      body?: string;
    },
    signal: AbortSignal | undefined,
  ): Promise<{ response: Response; text: string }> {
    const timeoutMs = this.deps.options.timeoutMs;
    try {
      const res = await this.guard(repository.apiBaseUrl).request(url, {
        ...init,
        credentials: repository.headers,
        signal,
      });
      const headers = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        for (const one of Array.isArray(value) ? value : [value ?? '']) {
          headers.append(name, one);
        }
      }
      const text = res.body.toString('utf8');
      const noBody = [101, 204, 205, 304].includes(res.status);
      const response = new Response(noBody ? null : text, {
        status: res.status,
        statusText: res.statusText,
        headers,
      });
      return { response, text };
    } catch (error) {
      if (signal?.aborted) {
        throw new GithubApiError(`${what} was cancelled`);
      }
      if (error instanceof GuardedHttpError && error.reason === 'timeout') {
        throw new GithubApiError(
          `GitHub did not answer ${what} on ${repository.host} within ${timeoutMs} ms`,
        );
      }
      // the guard's network message repeats the URL, already named here
      const reason =
        error instanceof GuardedHttpError && error.reason === 'network'
          ? error.message.replace(/^.*? failed: /, '')
          : errorText(error);
      throw new GithubApiError(
        `Could not reach GitHub at ${repository.host} for ${what}: ${reason}`,
      );
    }
  }

  /** The guard for one configured API base URL, made once. */
  private guard(apiBaseUrl: string): GuardedHttpClient {
    const api = new URL(apiBaseUrl);
    let guard = this.guards.get(api.origin);
    if (!guard) {
      const port = api.port || (api.protocol === 'https:' ? '443' : '80');
      guard = GuardedHttpClient.create({
        allowedHosts: [`${api.hostname}:${port}`],
        // integrations come from admin config; metadata addresses stay refused
        allowPrivateNetworks: true,
        timeoutMs: this.deps.options.timeoutMs,
        // the connection gets the whole timeout too: a busy host is not down
        connectTimeoutMs: this.deps.options.timeoutMs,
        maxBodyBytes: MAX_BODY_BYTES,
        maxRedirects: 3,
      });
      this.guards.set(api.origin, guard);
    }
    return guard;
  }

  /** Pauses requests when GitHub says the budget is spent, even on a success. */
  private noteExhausted(repository: GithubRepository, headers: Headers) {
    if (headers.get('x-ratelimit-remaining') !== '0') {
      return;
    }
    const reset = Number(headers.get('x-ratelimit-reset'));
    if (Number.isFinite(reset) && reset * 1000 > Date.now()) {
      this.block(repository, reset * 1000);
    }
  }

  private block(repository: GithubRepository, until: number, status?: number) {
    return this.pauses.pause(
      `${repository.host}\n${repository.identity}`,
      until,
      resumesAt => new GithubRateLimitError(repository.host, resumesAt, status),
      resumesAt =>
        this.deps.logger.warn(
          `GitHub rate limit reached for ${repository.host} (${
            repository.identity
          }); no requests until ${resumesAt.toISOString()}`,
        ),
    );
  }

  /** When a 403 or 429 is a rate limit, until when; undefined otherwise. */
  private rateLimitedUntil(
    status: number,
    headers: Headers,
    message: string | undefined,
  ): number | undefined {
    const retryAfter = headers.get('retry-after')?.trim();
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
    if (headers.get('x-ratelimit-remaining') === '0') {
      const reset = Number(headers.get('x-ratelimit-reset'));
      return Number.isFinite(reset) && reset > 0
        ? reset * 1000
        : Date.now() + DEFAULT_PAUSE_MS;
    }
    if (status === 429 || /rate limit/i.test(message ?? '')) {
      return Date.now() + DEFAULT_PAUSE_MS;
    }
    return undefined;
  }

  private toError(
    repository: GithubRepository,
    what: string,
    response: Response,
    text: string,
    options: { notFound?: string; access?: string },
  ): GithubApiError {
    const { status } = response;
    const { host, owner, repo } = repository;
    const slug = `${owner}/${repo}`;
    const message = githubMessage(text);
    const said = message ? `: ${message}` : '';
    const unauthenticated = repository.authenticated
      ? ''
      : ` (no token or GitHub App is configured for ${host} in integrations.github, so only public repositories can be read)`;

    if (status === 403 || status === 429) {
      const until = this.rateLimitedUntil(status, response.headers, message);
      if (until !== undefined) {
        return this.block(repository, until, status);
      }
    }
    switch (status) {
      case 401:
        return new GithubApiError(
          repository.authenticated
            ? `GitHub rejected the credentials for ${host} (401${said}): check the token or GitHub App of ${host} in integrations.github`
            : `GitHub answered 401 for ${what}${said}${unauthenticated}`,
          status,
        );
      case 403:
        return new GithubApiError(
          `GitHub denied ${what} (403${said}): the credentials for ${host} need ${
            options.access
              ? `${options.access} on ${slug} (or the classic repo scope)`
              : `read access to ${slug} (Deployments: read and Contents: read, or the classic repo scope)`
          }${unauthenticated}`,
          status,
        );
      case 404:
        return new GithubApiError(
          `${
            options.notFound ??
            `GitHub answered 404 for ${what}: the token lacks access to ${slug} or the repository does not exist`
          }${unauthenticated}`,
          status,
        );
      default:
        return new GithubApiError(
          `GitHub answered ${status}${
            response.statusText ? ` ${response.statusText}` : ''
          } for ${what}${said}`,
          status,
        );
    }
  }
}
