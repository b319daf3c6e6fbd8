import { createHash } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  answeredNotModified,
  closeServer,
  listenOnLoopback,
  weakEtag,
} from '../http';

/**
 * A GitLab REST API (v4) on loopback, answering the endpoints the GitLab
 * module calls with bodies and headers shaped like GitLab's: a project (by
 * id or URL-encoded path), its deployments (filtered by environment and
 * status, ordered by id, iid, created_at, updated_at, finished_at or ref,
 * offset-paginated with `x-next-page`, `x-total` and `Link`), and compare
 * (`from`, `to`, computed from a commit graph with branches and tags since
 * the merge base); `ETag`/`If-None-Match` with weak ETags, the `RateLimit-*`
 * headers and a 429 `Retry later` with `Retry-After` when the budget is
 * spent, and the 401/403/404 bodies GitLab sends. Tokens are accepted as
 * `PRIVATE-TOKEN` or `Authorization: Bearer`. Failures are injected with
 * `answerNext`.
 *
 * The GitLab module's tests start one (`FakeGitlab.start`); the demo mounts
 * one under a path prefix of its own server (`FakeGitlab.create` and
 * `handle`).
 */

/** The host of the fake's web pages (`web_url`) unless another is given. */
export const GITLAB_HTML_HOST = 'gitlab.example.test';
/** The token the fake accepts unless others are given. */
export const GITLAB_TOKEN = 'glpat-test-token';

export interface GitlabRequest {
  method: string;
  /** Path and query, e.g. `/api/v4/projects/acme%2Fapi/deployments?environment=staging`. */
  path: string;
  headers: IncomingMessage['headers'];
}

/** A canned answer, or `hang` to never answer. */
export type GitlabCannedAnswer =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | 'hang';

export interface GitlabCommit {
  sha: string;
  parents: string[];
  message: string;
  authorName: string;
  authorEmail: string;
  date: string;
  order: number;
}

/** A deployment's status, as GitLab names them. */
export type GitlabDeploymentStatus =
  | 'created'
  | 'running'
  | 'success'
  | 'failed'
  | 'canceled'
  | 'skipped'
  | 'blocked';

interface DeploymentRecord {
  id: number;
  iid: number;
  sha: string;
  ref: string;
  tag: boolean;
  status: GitlabDeploymentStatus;
  environment: string;
  user: string;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
  jobId: number;
  pipelineId: number;
}

interface EnvironmentRecord {
  id: number;
  name: string;
  external_url?: string;
  created_at: string;
}

const FULL_SHA = /^[0-9a-f]{40}$/;

function slugOf(name: string) {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 24);
}

/** One project of the fake: a commit graph, branches, tags, deployments. */
export class FakeGitlabProject {
  readonly commits = new Map<string, GitlabCommit>();
  readonly branches = new Map<string, string>();
  /** Tag name (e.g. `v1.4.2`) to commit SHA. */
  readonly tags = new Map<string, string>();
  readonly deployments: DeploymentRecord[] = [];
  readonly environments = new Map<string, EnvironmentRecord>();
  /** Whether a request without a token may read it. */
  visibility: 'public' | 'private' = 'private';
  /**
   * True when the token is a Guest of the project: it sees the project
   * but reading deployments or the repository answers 403.
   */
  guestOnly = false;
  private counter = 0;

  constructor(
    /** `group/subgroup/project`. */
    readonly path: string,
    readonly id: number,
    private readonly ids: { next(): number },
  ) {}

  get name() {
    return this.path.split('/').at(-1)!;
  }

  /**
   * Adds a commit on a branch (main by default; its parent is the branch's
   * tip unless `parents` are given) and returns its SHA.
   */
  commit(
    message: string,
    options: {
      branch?: string;
      parents?: string[];
      authorName?: string;
      authorEmail?: string;
      /** The SHA, when it must be a given one; else derived. */
      sha?: string;
      /** ISO 8601; else one minute after the previous commit's default. */
      date?: string;
      /** A tag to put on the commit, e.g. `v1.4.2`. */
      tag?: string;
    } = {},
  ): string {
    const branch = options.branch ?? 'main';
    const parents =
      options.parents ??
      (this.branches.has(branch) ? [this.branches.get(branch)!] : []);
    this.counter += 1;
    const sha =
      options.sha ??
      createHash('sha1')
        .update(`${this.path}\n${message}\n${this.counter}`)
        .digest('hex');
    this.commits.set(sha, {
      sha,
      parents,
      message,
      authorName: options.authorName ?? 'Ada Lovelace',
      authorEmail: options.authorEmail ?? 'ada@example.test',
      date:
        options.date ??
        new Date(Date.UTC(2026, 10, 1, 9, this.counter)).toISOString(),
      order: this.counter,
    });
    this.branches.set(branch, sha);
    if (options.tag) {
      this.tags.set(options.tag, sha);
    }
    return sha;
  }

  /** Declares an environment (created on the first deployment otherwise). */
  environment(name: string, options: { externalUrl?: string } = {}) {
    let env = this.environments.get(name);
    if (!env) {
      env = {
        id: this.ids.next(),
        name,
        created_at: '2026-01-05T09:00:00.000Z',
      };
      this.environments.set(name, env);
    }
    if (options.externalUrl !== undefined) {
      env.external_url = options.externalUrl;
    }
    return env;
  }

  /** Adds a deployment of a commit to an environment; returns its id. */
  deploy(options: {
    id?: number;
    environment: string;
    sha: string;
    /** The branch or tag; `main` by default. */
    ref?: string;
    /** Whether the job ran for a tag; true when `ref` is a tag of the project. */
    tag?: boolean;
    status: GitlabDeploymentStatus;
    /** The username of who started the pipeline. */
    user?: string;
    createdAt: string;
    /** When it finished; for success, failed and canceled only. */
    finishedAt?: string;
    externalUrl?: string;
  }): number {
    const env = this.environment(options.environment, {
      externalUrl: options.externalUrl,
    });
    const id = options.id ?? this.ids.next();
    const ref = options.ref ?? 'main';
    const done = ['success', 'failed', 'canceled'].includes(options.status);
    const finishedAt = done
      ? options.finishedAt ??
        new Date(Date.parse(options.createdAt) + 4 * 60e3).toISOString()
      : null;
    this.deployments.push({
      id,
      iid: this.deployments.filter(d => d.environment === env.name).length + 1,
      sha: options.sha,
      ref,
      tag: options.tag ?? this.tags.has(ref),
      status: options.status,
      environment: env.name,
      user: options.user ?? 'release-bot',
      created_at: options.createdAt,
      updated_at: finishedAt ?? options.createdAt,
      finished_at: finishedAt,
      jobId: this.ids.next(),
      pipelineId: this.ids.next(),
    });
    return id;
  }

  /** A full or abbreviated SHA, a branch, or a tag. */
  resolve(revision: string): GitlabCommit | undefined {
    const name = revision.replace(/^refs\/(heads|tags)\//, '');
    const named = this.branches.get(name) ?? this.tags.get(name);
    if (named) {
      return this.commits.get(named);
    }
    const lower = name.toLowerCase();
    if (FULL_SHA.test(lower)) {
      return this.commits.get(lower);
    }
    if (/^[0-9a-f]{7,39}$/.test(lower)) {
      const found = [...this.commits.keys()].filter(c => c.startsWith(lower));
      return found.length === 1 ? this.commits.get(found[0]) : undefined;
    }
    return undefined;
  }

  ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const queue = [sha];
    while (queue.length) {
      const next = queue.pop()!;
      const commit = this.commits.get(next);
      if (commit && !seen.has(next)) {
        seen.add(next);
        queue.push(...commit.parents);
      }
    }
    return seen;
  }
}

/** Options of `FakeGitlab.start` and `FakeGitlab.create`. */
export interface FakeGitlabOptions {
  /** The path of the REST API, `/api/v4` by default. */
  basePath?: string;
  /** Tokens accepted; `GITLAB_TOKEN` by default. */
  tokens?: string[];
  /** The host in `web_url`s; `GITLAB_HTML_HOST` by default. */
  htmlHost?: string;
  /** Requests per minute (GitLab.com's authenticated API limit by default). */
  rateLimit?: number;
  /** Keep every request in `requests` (for tests); true by default. */
  recordRequests?: boolean;
}

const DEPLOYMENT_ORDER = [
  'id',
  'iid',
  'created_at',
  'updated_at',
  'finished_at',
  'ref',
] as const;

export class FakeGitlab {
  readonly requests: GitlabRequest[] = [];
  /** The rate-limit window: requests left until `reset` (seconds since the epoch). */
  readonly rateLimit: { limit: number; remaining: number; reset: number };
  private readonly projects = new Map<string, FakeGitlabProject>();
  private readonly canned: Array<{
    match: (path: string) => boolean;
    answer: GitlabCannedAnswer;
  }> = [];
  private nextId = 5000;
  private server?: Server;
  private port = 0;
  private readonly basePath: string;
  private readonly tokens: string[];
  private readonly htmlHost: string;
  private readonly recordRequests: boolean;

  /** A fake with a server of its own on a free loopback port. */
  static async start(options: FakeGitlabOptions = {}): Promise<FakeGitlab> {
    const fake = FakeGitlab.create(options);
    const { server, port } = await listenOnLoopback((req, res) => {
      if (!fake.handle(req, res)) {
        fake.send(req, res, 404, { error: '404 Not Found' });
      }
    });
    fake.server = server;
    fake.port = port;
    return fake;
  }

  /**
   * A fake without a server of its own: another server passes it the
   * requests under its base path (`handle`).
   */
  static create(options: FakeGitlabOptions = {}): FakeGitlab {
    return new FakeGitlab(options);
  }

  private constructor(options: FakeGitlabOptions) {
    this.basePath = options.basePath ?? '/api/v4';
    this.tokens = options.tokens ?? [GITLAB_TOKEN];
    this.htmlHost = options.htmlHost ?? GITLAB_HTML_HOST;
    this.recordRequests = options.recordRequests ?? true;
    const limit = options.rateLimit ?? 2000;
    this.rateLimit = {
      limit,
      remaining: limit,
      reset: Math.floor(Date.now() / 1000) + 60,
    };
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The apiBaseUrl to configure in integrations.gitlab. */
  get apiBaseUrl() {
    return `${this.origin}${this.basePath}`;
  }

  /** The web address of the fake's pages, `https://<htmlHost>`. */
  get webBaseUrl() {
    return `https://${this.htmlHost}`;
  }

  async close() {
    await closeServer(this.server);
  }

  /** Adds a project, `group/project` or `group/subgroup/project`. */
  addProject(path: string, options: { id?: number } = {}): FakeGitlabProject {
    const project = new FakeGitlabProject(path, options.id ?? this.nextId++, {
      next: () => this.nextId++,
    });
    this.projects.set(path.toLowerCase(), project);
    return project;
  }

  getProject(path: string): FakeGitlabProject | undefined {
    return this.projects.get(path.toLowerCase());
  }

  /** Answers the next request whose path matches with a canned answer. */
  answerNext(match: RegExp | string, answer: GitlabCannedAnswer) {
    this.canned.push({
      match: path =>
        typeof match === 'string' ? path.includes(match) : match.test(path),
      answer,
    });
  }

  /** Requests whose path contains `part`, e.g. `/repository/compare`. */
  requestsTo(part: string): GitlabRequest[] {
    return this.requests.filter(r => r.path.includes(part));
  }

  private rateHeaders(): Record<string, string> {
    const used = this.rateLimit.limit - this.rateLimit.remaining;
    return {
      'ratelimit-name': 'throttle_authenticated_api',
      'ratelimit-limit': String(this.rateLimit.limit),
      'ratelimit-observed': String(used),
      'ratelimit-remaining': String(this.rateLimit.remaining),
      'ratelimit-reset': String(this.rateLimit.reset),
      'ratelimit-resettime': new Date(
        this.rateLimit.reset * 1000,
      ).toUTCString(),
    };
  }

  private send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const common: Record<string, string> = {
      'content-type': 'application/json',
      'cache-control': 'max-age=0, private, must-revalidate',
      vary: 'Origin',
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'SAMEORIGIN',
      'x-request-id': `01JFAKE${this.requests.length.toString(16)}`,
      'x-runtime': '0.042',
      ...headers,
    };
    if (status === 200) {
      // Rack::ETag: a weak ETag of the body, and 304 when it matches
      const etag = weakEtag(text, 32);
      common.etag = etag;
      if (
        answeredNotModified(req, res, etag, {
          ...common,
          ...this.rateHeaders(),
        })
      ) {
        return;
      }
    }
    common['content-length'] = String(Buffer.byteLength(text));
    res.writeHead(status, { ...this.rateHeaders(), ...common });
    res.end(req.method === 'HEAD' ? undefined : text);
  }

  /** Answers a request under the base path and returns true; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const raw = req.url ?? '/';
    if (!raw.startsWith(`${this.basePath}/`)) {
      return false;
    }
    if (this.recordRequests) {
      this.requests.push({
        method: req.method ?? 'GET',
        path: raw,
        headers: req.headers,
      });
    }
    this.answer(req, res, raw.slice(this.basePath.length));
    return true;
  }

  private token(req: IncomingMessage): string | undefined {
    const privateToken = req.headers['private-token'];
    if (typeof privateToken === 'string') {
      return privateToken;
    }
    const auth = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    return auth?.[1];
  }

  private answer(req: IncomingMessage, res: ServerResponse, path: string) {
    const cannedIndex = this.canned.findIndex(c => c.match(path));
    if (cannedIndex >= 0) {
      const [{ answer }] = this.canned.splice(cannedIndex, 1);
      if (answer === 'hang') {
        return; // never answers; closed by close()
      }
      res.writeHead(answer.status, {
        'content-type': 'application/json',
        ...this.rateHeaders(),
        ...answer.headers,
      });
      res.end(
        typeof answer.body === 'string'
          ? answer.body
          : JSON.stringify(answer.body ?? {}),
      );
      return;
    }

    const nowSeconds = Date.now() / 1000;
    if (nowSeconds >= this.rateLimit.reset) {
      // a new rate-limit window
      this.rateLimit.remaining = this.rateLimit.limit;
      this.rateLimit.reset = Math.floor(nowSeconds) + 60;
    }
    if (this.rateLimit.remaining <= 0) {
      // Rack::Attack's throttled response
      const retryAfter = Math.max(
        1,
        this.rateLimit.reset - Math.floor(nowSeconds),
      );
      res.writeHead(429, {
        'content-type': 'text/plain',
        'retry-after': String(retryAfter),
        ...this.rateHeaders(),
      });
      res.end('Retry later\n');
      return;
    }
    this.rateLimit.remaining -= 1;

    const token = this.token(req);
    if (token !== undefined && !this.tokens.includes(token)) {
      this.send(req, res, 401, { message: '401 Unauthorized' });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      this.send(req, res, 405, { message: '405 Method Not Allowed' });
      return;
    }
    const url = new URL(path, 'http://fake');
    const m = /^\/projects\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
    if (!m) {
      this.send(req, res, 404, { error: '404 Not Found' });
      return;
    }
    const key = decodeURIComponent(m[1]);
    const project = /^\d+$/.test(key)
      ? [...this.projects.values()].find(p => p.id === Number(key))
      : this.projects.get(key.toLowerCase());
    if (!project || (token === undefined && project.visibility !== 'public')) {
      this.send(req, res, 404, { message: '404 Project Not Found' });
      return;
    }
    const rest = m[2] ?? '';
    if (rest === '') {
      this.send(req, res, 200, this.projectBody(project));
      return;
    }
    if (project.guestOnly) {
      this.send(req, res, 403, { message: '403 Forbidden' });
      return;
    }
    if (rest === 'deployments') {
      this.listDeployments(req, res, project, url);
    } else if (rest === 'repository/compare') {
      this.compare(req, res, project, url);
    } else {
      this.send(req, res, 404, { error: '404 Not Found' });
    }
  }

  private projectBody(project: FakeGitlabProject) {
    const web = `${this.webBaseUrl}/${project.path}`;
    const namespace = project.path.split('/').slice(0, -1).join('/');
    return {
      id: project.id,
      description: null,
      name: project.name,
      name_with_namespace: project.path.split('/').join(' / '),
      path: project.name,
      path_with_namespace: project.path,
      created_at: '2025-03-12T09:00:00.000Z',
      default_branch: 'main',
      tag_list: [],
      topics: [],
      ssh_url_to_repo: `git@${this.htmlHost}:${project.path}.git`,
      http_url_to_repo: `${web}.git`,
      web_url: web,
      readme_url: `${web}/-/blob/main/README.md`,
      forks_count: 0,
      avatar_url: null,
      star_count: 0,
      last_activity_at: '2026-11-20T10:00:00.000Z',
      namespace: {
        id: project.id + 100000,
        name: namespace.split('/').at(-1),
        path: namespace.split('/').at(-1),
        kind: 'group',
        full_path: namespace,
        parent_id: null,
        avatar_url: null,
        web_url: `${this.webBaseUrl}/groups/${namespace}`,
      },
      visibility: project.visibility,
      archived: false,
      empty_repo: project.commits.size === 0,
    };
  }

  private userBody(username: string) {
    let id = 0;
    for (const ch of username) {
      id = (id * 31 + ch.charCodeAt(0)) % 900000;
    }
    id += 100;
    return {
      id,
      username,
      name: username
        .split(/[-_.]/)
        .map(w => w.charAt(0).toUpperCase() + w.slice(1))
        .join(' '),
      state: 'active',
      locked: false,
      avatar_url: `${this.webBaseUrl}/uploads/-/system/user/avatar/${id}/avatar.png`,
      web_url: `${this.webBaseUrl}/${username}`,
    };
  }

  private commitBody(project: FakeGitlabProject, c: GitlabCommit) {
    const title = c.message.split('\n', 1)[0];
    return {
      id: c.sha,
      short_id: c.sha.slice(0, 8),
      created_at: c.date,
      parent_ids: c.parents,
      title,
      message: c.message,
      author_name: c.authorName,
      author_email: c.authorEmail,
      authored_date: c.date,
      committer_name: c.authorName,
      committer_email: c.authorEmail,
      committed_date: c.date,
      trailers: {},
      extended_trailers: {},
      web_url: `${this.webBaseUrl}/${project.path}/-/commit/${c.sha}`,
    };
  }

  private deploymentBody(project: FakeGitlabProject, d: DeploymentRecord) {
    const env = project.environments.get(d.environment)!;
    const web = `${this.webBaseUrl}/${project.path}`;
    const user = this.userBody(d.user);
    const commit = project.commits.get(d.sha);
    const jobStatus = d.status === 'blocked' ? 'manual' : d.status;
    return {
      id: d.id,
      iid: d.iid,
      ref: d.ref,
      sha: d.sha,
      created_at: d.created_at,
      updated_at: d.updated_at,
      finished_at: d.finished_at,
      status: d.status,
      user,
      environment: {
        id: env.id,
        name: env.name,
        slug: `${slugOf(env.name)}-${env.id.toString(36)}`,
        external_url: env.external_url ?? null,
        created_at: env.created_at,
        updated_at: d.updated_at,
        tier: /prod/.test(env.name) ? 'production' : 'staging',
      },
      deployable: {
        id: d.jobId,
        status: jobStatus,
        stage: 'deploy',
        name: `deploy:${env.name}`,
        ref: d.ref,
        tag: d.tag,
        coverage: null,
        allow_failure: false,
        created_at: d.created_at,
        started_at: d.status === 'created' ? null : d.created_at,
        finished_at: d.finished_at,
        user,
        commit: commit ? this.commitBody(project, commit) : null,
        pipeline: {
          id: d.pipelineId,
          iid: d.pipelineId % 1000,
          project_id: project.id,
          sha: d.sha,
          ref: d.ref,
          status: jobStatus,
          source: 'push',
          created_at: d.created_at,
          updated_at: d.updated_at,
          web_url: `${web}/-/pipelines/${d.pipelineId}`,
        },
        web_url: `${web}/-/jobs/${d.jobId}`,
        artifacts: [],
        runner: null,
        artifacts_expire_at: null,
        tag_list: [],
      },
    };
  }

  /** Offset pagination as GitLab answers it: `x-*` headers and `Link`. */
  private page<T>(
    req: IncomingMessage,
    items: T[],
    url: URL,
  ): { items: T[]; headers: Record<string, string> } {
    const perPage = Math.min(
      100,
      Math.max(1, Number(url.searchParams.get('per_page') ?? 20) || 20),
    );
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
    const totalPages = Math.max(1, Math.ceil(items.length / perPage));
    const pageUrl = (n: number) => {
      const q = new URLSearchParams(url.searchParams);
      q.set('page', String(n));
      q.set('per_page', String(perPage));
      return `<http://${req.headers.host ?? `127.0.0.1:${this.port}`}${
        this.basePath
      }${url.pathname}?${q}>`;
    };
    const links: string[] = [];
    if (page > 1) {
      links.push(`${pageUrl(page - 1)}; rel="prev"`);
    }
    if (page < totalPages) {
      links.push(`${pageUrl(page + 1)}; rel="next"`);
    }
    links.push(
      `${pageUrl(1)}; rel="first"`,
      `${pageUrl(totalPages)}; rel="last"`,
    );
    return {
      items: items.slice((page - 1) * perPage, page * perPage),
      headers: {
        link: links.join(', '),
        'x-page': String(page),
        'x-per-page': String(perPage),
        'x-next-page': page < totalPages ? String(page + 1) : '',
        'x-prev-page': page > 1 ? String(page - 1) : '',
        'x-total': String(items.length),
        'x-total-pages': String(totalPages),
      },
    };
  }

  private listDeployments(
    req: IncomingMessage,
    res: ServerResponse,
    project: FakeGitlabProject,
    url: URL,
  ) {
    const q = url.searchParams;
    const orderBy = q.get('order_by') ?? 'id';
    const sort = q.get('sort') ?? 'asc';
    if (!(DEPLOYMENT_ORDER as readonly string[]).includes(orderBy)) {
      this.send(req, res, 400, {
        error: 'order_by does not have a valid value',
      });
      return;
    }
    if (sort !== 'asc' && sort !== 'desc') {
      this.send(req, res, 400, { error: 'sort does not have a valid value' });
      return;
    }
    const environment = q.get('environment');
    const status = q.get('status');
    const key = (d: DeploymentRecord): string | number => {
      switch (orderBy) {
        case 'iid':
          return d.iid;
        case 'created_at':
          return Date.parse(d.created_at);
        case 'updated_at':
          return Date.parse(d.updated_at);
        case 'finished_at':
          return d.finished_at ? Date.parse(d.finished_at) : 0;
        case 'ref':
          return d.ref;
        default:
          return d.id;
      }
    };
    const all = project.deployments
      .filter(d => !environment || d.environment === environment)
      .filter(d => !status || d.status === status)
      .sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        let order = a.id - b.id;
        if (x !== y) {
          order = x < y ? -1 : 1;
        }
        return sort === 'desc' ? -order : order;
      });
    const { items, headers } = this.page(req, all, url);
    this.send(
      req,
      res,
      200,
      items.map(d => this.deploymentBody(project, d)),
      headers,
    );
  }

  private compare(
    req: IncomingMessage,
    res: ServerResponse,
    project: FakeGitlabProject,
    url: URL,
  ) {
    const fromName = url.searchParams.get('from') ?? '';
    const toName = url.searchParams.get('to') ?? '';
    if (!fromName || !toName) {
      this.send(req, res, 400, { error: 'from is missing, to is missing' });
      return;
    }
    const from = project.resolve(fromName);
    const to = project.resolve(toName);
    if (!from || !to) {
      this.send(req, res, 404, { message: '404 Ref Not Found' });
      return;
    }
    // straight=false (the default): since the merge base, as `from...to`
    const fromAncestors = project.ancestors(from.sha);
    const commits = [...project.ancestors(to.sha)]
      .filter(s => !fromAncestors.has(s))
      .map(s => project.commits.get(s)!)
      .sort((a, b) => a.order - b.order);
    const web = `${this.webBaseUrl}/${project.path}`;
    this.send(req, res, 200, {
      commit: commits.length
        ? this.commitBody(project, commits[commits.length - 1])
        : null,
      commits: commits.map(c => this.commitBody(project, c)),
      diffs: commits.length
        ? [
            {
              diff: '@@ -1 +1,2 @@\n+// change\n',
              collapsed: false,
              too_large: false,
              new_path: 'src/index.ts',
              old_path: 'src/index.ts',
              a_mode: '100644',
              b_mode: '100644',
              new_file: false,
              renamed_file: false,
              deleted_file: false,
              generated_file: false,
            },
          ]
        : [],
      compare_timeout: false,
      compare_same_ref: fromName === toName,
      web_url: `${web}/-/compare/${fromName}...${toName}`,
    });
  }
}
