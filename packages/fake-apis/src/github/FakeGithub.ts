import { createHash } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse } from 'node:http';
import {
  answeredNotModified,
  closeServer,
  listenOnLoopback,
  onRequestBody,
  weakEtag,
} from '../http';
import { answerWrite, deploy, FakeWorkflow, GithubRollout } from './writes';

/**
 * A GitHub Enterprise REST API (v3) on loopback, answering the endpoints the
 * GitHub module calls with bodies and headers shaped like GitHub's: the
 * repository, deployments (filtered by environment, sha and ref) and their
 * statuses (newest first, paginated with `Link`), compare in both directions
 * (computed from a commit graph with branches and tags: identical, ahead,
 * behind, diverged), `ETag`/`If-None-Match` (304s are free), rate-limit
 * headers and the 401/403/404 bodies GitHub sends, and the two GitHub App
 * endpoints an installation token takes, and the writes an alignment
 * makes (`writes.ts`: deployments, their statuses, workflow dispatches;
 * deployments roll out at once and `onDeployment` listeners hear of it;
 * each write is kept in `mutations` with its body). Failures are injected
 * with `answerNext`.
 *
 * The GitHub module's tests start one (`FakeGithub.start`); the demo mounts
 * one under a path prefix of its own server (`FakeGithub.create` and
 * `handle`).
 */

/** The host of the fake's web pages (`html_url`) unless another is given. */
export const GITHUB_HTML_HOST = 'ghe.example.test';
/** The token the fake accepts unless others are given. */
export const GITHUB_TOKEN = 'test-token';

/** A call that changes something, with its parsed JSON body. */
export interface GithubMutation {
  method: string;
  /** Path and query, as sent (with the base path). */
  path: string;
  body: any;
}

export interface GithubRequest {
  method: string;
  /** Path and query, e.g. `/api/v3/repos/acme/api/deployments?environment=staging`. */
  path: string;
  headers: IncomingMessage['headers'];
}

/** A canned answer, or `hang` to never answer. */
export type GithubCannedAnswer =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | 'hang';

export interface GithubCommit {
  sha: string;
  parents: string[];
  message: string;
  /** The GitHub login of the author; none for a git author without an account. */
  authorLogin?: string;
  authorName: string;
  date: string;
  order: number;
}

interface DeploymentStatus {
  id: number;
  state: string;
  environment_url?: string;
  log_url?: string;
  target_url?: string;
  created_at: string;
}

interface DeploymentRecord {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  payload: unknown;
  creator: string;
  created_at: string;
  statuses: DeploymentStatus[];
}

/** A GitHub user object, as in `creator` and `author`, with a stable id per login. */
function user(login: string, htmlHost: string) {
  let id = 0;
  for (const ch of login) {
    id = (id * 31 + ch.charCodeAt(0)) % 9000000;
  }
  id += 1000000;
  return {
    login,
    id,
    node_id: `U_kgDO${id}`,
    avatar_url: `https://avatars.${htmlHost}/u/${id}?v=4`,
    gravatar_id: '',
    url: `https://${htmlHost}/api/v3/users/${encodeURIComponent(login)}`,
    html_url: `https://${htmlHost}/${encodeURIComponent(login)}`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    user_view_type: 'public',
    site_admin: false,
  };
}

const DOCS = 'https://docs.github.com/enterprise-server@3.14/rest';
const FULL_SHA = /^[0-9a-f]{40}$/;

/** One repository of the fake: a commit graph, branches, tags, deployments. */
export class FakeRepo {
  readonly commits = new Map<string, GithubCommit>();
  readonly branches = new Map<string, string>();
  /** Tag name (e.g. `v1.4.2`) to commit SHA. */
  readonly tags = new Map<string, string>();
  readonly deployments: DeploymentRecord[] = [];
  /** Workflows by file name, for workflow dispatches. */
  readonly workflows = new Map<string, FakeWorkflow>();
  /**
   * Commits made up on demand, for a SHA not in `commits` (the demo's
   * releases derived from the clock); none by default.
   */
  findExtra: (sha: string) => GithubCommit | undefined = () => undefined;
  private counter = 0;

  constructor(
    readonly owner: string,
    readonly name: string,
    readonly id: number,
    private readonly ids: { next(): number },
  ) {}

  get fullName() {
    return `${this.owner}/${this.name}`;
  }

  /** A fresh id for a deployment or status. */
  nextId(): number {
    return this.ids.next();
  }

  /**
   * Declares a workflow file; with `inputs`, it has a `workflow_dispatch`
   * trigger declaring them.
   */
  addWorkflow(file: string, inputs?: string[]): FakeWorkflow {
    const workflow = { id: this.ids.next(), file, ...(inputs && { inputs }) };
    this.workflows.set(file, workflow);
    return workflow;
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
      /** The author's login; null for a git author without a GitHub account. */
      author?: string | null;
      authorName?: string;
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
        .update(`${this.fullName}\n${message}\n${this.counter}`)
        .digest('hex');
    const author = options.author === undefined ? 'octocat' : options.author;
    this.commits.set(sha, {
      sha,
      parents,
      message,
      ...(author ? { authorLogin: author } : {}),
      authorName: options.authorName ?? 'Mona Lisa Octocat',
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

  /** Adds a deployment with its statuses, oldest status first. */
  deploy(options: {
    /** The id, when it must be a given one; else the next free id. */
    id?: number;
    environment: string;
    sha: string;
    ref?: string;
    payload?: unknown;
    creator?: string;
    createdAt: string;
    statuses: Array<{
      id?: number;
      state: string;
      createdAt?: string;
      environmentUrl?: string;
      logUrl?: string;
      targetUrl?: string;
    }>;
  }): number {
    const id = options.id ?? this.ids.next();
    this.deployments.push({
      id,
      sha: options.sha,
      ref: options.ref ?? 'main',
      environment: options.environment,
      payload: options.payload ?? {},
      creator: options.creator ?? 'github-actions[bot]',
      created_at: options.createdAt,
      statuses: options.statuses.map(s => ({
        id: s.id ?? this.ids.next(),
        state: s.state,
        created_at: s.createdAt ?? options.createdAt,
        ...(s.environmentUrl !== undefined
          ? { environment_url: s.environmentUrl }
          : {}),
        ...(s.logUrl !== undefined ? { log_url: s.logUrl } : {}),
        ...(s.targetUrl !== undefined ? { target_url: s.targetUrl } : {}),
      })),
    });
    return id;
  }

  /** The commit of a full SHA, made up by `findExtra` if need be. */
  lookup(sha: string): GithubCommit | undefined {
    return this.commits.get(sha) ?? this.findExtra(sha);
  }

  /** A full or abbreviated SHA, a branch, or a tag (`v1.4.2` or `refs/tags/v1.4.2`). */
  resolve(revision: string): GithubCommit | undefined {
    const name = revision.replace(/^refs\/(heads|tags)\//, '');
    const named = this.branches.get(name) ?? this.tags.get(name);
    if (named) {
      return this.lookup(named);
    }
    const lower = name.toLowerCase();
    if (FULL_SHA.test(lower)) {
      return this.lookup(lower);
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
      const commit = this.lookup(next);
      if (commit && !seen.has(next)) {
        seen.add(next);
        queue.push(...commit.parents);
      }
    }
    return seen;
  }
}

/** Options of `FakeGithub.start` and `FakeGithub.create`. */
export interface FakeGithubOptions {
  /** The path of the REST API, `/api/v3` (GitHub Enterprise) by default. */
  basePath?: string;
  /** Tokens accepted (`Bearer` or `token`); `GITHUB_TOKEN` by default. */
  tokens?: string[];
  /** The host in `html_url`s; `GITHUB_HTML_HOST` by default. */
  htmlHost?: string;
  /** Requests per hour; 5000 by default. */
  rateLimit?: number;
  /** Keep every request in `requests` (for tests); true by default. */
  recordRequests?: boolean;
}

export class FakeGithub {
  readonly requests: GithubRequest[] = [];
  /** Every POST under the API (canned answers included), with its body. */
  readonly mutations: GithubMutation[] = [];
  /** Whether a new deployment succeeds at once; else it stays `queued`. */
  rollOut = true;
  /** The login of whoever the tokens belong to, as a deployment's creator. */
  login = 'env-parity-bot';
  private readonly deploymentListeners: Array<(r: GithubRollout) => void> = [];
  readonly rateLimit: { limit: number; remaining: number; reset: number };
  /** The GitHub App installed on the `acme` organization. */
  readonly app = {
    appId: 4242,
    installationId: 77,
    owner: 'acme',
    installationToken: 'ghs_16C7e42F292c6912E7710c838347Ae178B4a',
  };
  private readonly repos = new Map<string, FakeRepo>();
  private readonly canned: Array<{
    match: (path: string) => boolean;
    answer: GithubCannedAnswer;
  }> = [];
  private nextId = 1000;
  private server?: Server;
  private port = 0;
  private readonly basePath: string;
  private readonly tokens: string[];
  private readonly htmlHost: string;
  private readonly recordRequests: boolean;

  /** A fake with a server of its own on a free loopback port. */
  static async start(options: FakeGithubOptions = {}): Promise<FakeGithub> {
    const fake = FakeGithub.create(options);
    const { server, port } = await listenOnLoopback((req, res) => {
      if (!fake.handle(req, res)) {
        fake.send(req, res, 404, {
          message: 'Not Found',
          documentation_url: DOCS,
          status: '404',
        });
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
  static create(options: FakeGithubOptions = {}): FakeGithub {
    return new FakeGithub(options);
  }

  private constructor(options: FakeGithubOptions) {
    this.basePath = options.basePath ?? '/api/v3';
    this.tokens = options.tokens ?? [GITHUB_TOKEN];
    this.htmlHost = options.htmlHost ?? GITHUB_HTML_HOST;
    this.recordRequests = options.recordRequests ?? true;
    const limit = options.rateLimit ?? 5000;
    this.rateLimit = {
      limit,
      remaining: limit,
      reset: Math.floor(Date.now() / 1000) + 3600,
    };
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  /** The apiBaseUrl to configure in integrations.github. */
  get apiBaseUrl() {
    return `${this.origin}${this.basePath}`;
  }

  async close() {
    await closeServer(this.server);
  }

  addRepo(
    owner: string,
    name: string,
    options: { id?: number } = {},
  ): FakeRepo {
    const repo = new FakeRepo(owner, name, options.id ?? this.nextId++, {
      next: () => this.nextId++,
    });
    this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    return repo;
  }

  /** Calls `listener` after each deployment that rolled out. */
  onDeployment(listener: (rollout: GithubRollout) => void): this {
    this.deploymentListeners.push(listener);
    return this;
  }

  /**
   * A deployment made outside the API (a delivery system deploying a new
   * build), rolled out like one made through it: `success` at once, the
   * previous one retired, listeners told. Returns its id.
   */
  rollOutDeployment(
    repo: FakeRepo,
    d: {
      sha: string;
      ref: string;
      environment: string;
      payload?: unknown;
      creator?: string;
    },
  ): number {
    return deploy(
      {
        rollOut: true,
        emit: rollout => this.deploymentListeners.forEach(l => l(rollout)),
      },
      repo,
      {
        ...d,
        payload: d.payload ?? {},
        creator: d.creator ?? 'github-actions[bot]',
      },
    );
  }

  /** The repository `owner/name`, if the fake has it. */
  getRepo(fullName: string): FakeRepo | undefined {
    return this.repos.get(fullName.toLowerCase());
  }

  /** Answers the next request whose path matches with a canned answer. */
  answerNext(match: RegExp | string, answer: GithubCannedAnswer) {
    this.canned.push({
      match: path =>
        typeof match === 'string' ? path.includes(match) : match.test(path),
      answer,
    });
  }

  /** Requests to one path prefix, e.g. `/compare/`. */
  requestsTo(part: string): GithubRequest[] {
    return this.requests.filter(r => r.path.includes(part));
  }

  private rateHeaders(): Record<string, string> {
    return {
      'x-ratelimit-limit': String(this.rateLimit.limit),
      'x-ratelimit-remaining': String(this.rateLimit.remaining),
      'x-ratelimit-reset': String(this.rateLimit.reset),
      'x-ratelimit-used': String(
        this.rateLimit.limit - this.rateLimit.remaining,
      ),
      'x-ratelimit-resource': 'core',
    };
  }

  /** The API base URL as the client reached it (for `Link`). */
  private requestApi(req: IncomingMessage) {
    return `http://${req.headers.host ?? `127.0.0.1:${this.port}`}${
      this.basePath
    }`;
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
      'content-type': 'application/json; charset=utf-8',
      'x-github-api-version-selected': '2022-11-28',
      'x-github-media-type': 'github.v3; format=json',
      'x-github-request-id': `C0DE:${this.requests.length.toString(16)}`,
      vary: 'Accept, Authorization, Cookie, X-GitHub-OTP',
      ...headers,
    };
    if (status === 200) {
      const etag = weakEtag(text);
      common.etag = etag;
      common['cache-control'] = 'private, max-age=60, s-maxage=60';
      // a 304 costs nothing against the rate limit
      if (
        answeredNotModified(req, res, etag, {
          ...common,
          ...this.rateHeaders(),
        })
      ) {
        return;
      }
    }
    if (status < 400 || status >= 500) {
      this.rateLimit.remaining = Math.max(0, this.rateLimit.remaining - 1);
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
    const path = raw.slice(this.basePath.length);
    if (this.recordRequests) {
      this.requests.push({
        method: req.method ?? 'GET',
        path: raw,
        headers: req.headers,
      });
    }
    if (req.method === 'POST' && !path.startsWith('/app/')) {
      onRequestBody(req, body => {
        this.mutations.push({ method: 'POST', path: raw, body });
        this.answer(req, res, path, body);
      });
      return true;
    }
    this.answer(req, res, path, undefined);
    return true;
  }

  private answer(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    body: unknown,
  ) {
    const cannedIndex = this.canned.findIndex(c => c.match(path));
    if (cannedIndex >= 0) {
      const [{ answer }] = this.canned.splice(cannedIndex, 1);
      if (answer === 'hang') {
        return; // never answers; closed by close()
      }
      res.writeHead(answer.status, {
        'content-type': 'application/json; charset=utf-8',
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

    if (path.startsWith('/app/')) {
      this.appEndpoint(req, res, path);
      return;
    }
    if (
      req.method !== 'GET' &&
      req.method !== 'HEAD' &&
      req.method !== 'POST'
    ) {
      this.send(req, res, 404, {
        message: 'Not Found',
        documentation_url: DOCS,
        status: '404',
      });
      return;
    }
    const auth = req.headers.authorization;
    const tokens = [...this.tokens, this.app.installationToken];
    if (!tokens.some(t => auth === `Bearer ${t}` || auth === `token ${t}`)) {
      this.send(req, res, 401, {
        message: 'Bad credentials',
        documentation_url: DOCS,
        status: '401',
      });
      return;
    }
    const nowSeconds = Date.now() / 1000;
    if (nowSeconds >= this.rateLimit.reset) {
      // a new rate-limit window
      this.rateLimit.remaining = this.rateLimit.limit;
      this.rateLimit.reset = Math.floor(nowSeconds) + 3600;
    }
    if (this.rateLimit.remaining === 0) {
      this.send(req, res, 403, {
        message:
          'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID C0DE:1.',
        documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
        status: '403',
      });
      return;
    }

    const url = new URL(path, 'http://fake');
    const m =
      /^\/(?:repos\/([^/]+)\/([^/]+)|repositories\/(\d+))(?:\/(.*))?$/.exec(
        url.pathname,
      );
    let repo: FakeRepo | undefined;
    if (m?.[3]) {
      repo = [...this.repos.values()].find(r => r.id === Number(m[3]));
    } else if (m) {
      repo = this.repos.get(
        `${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`.toLowerCase(),
      );
    }
    if (!m || !repo) {
      this.send(req, res, 404, {
        message: 'Not Found',
        documentation_url: `${DOCS}/deployments/deployments#list-deployments`,
        status: '404',
      });
      return;
    }
    const rest = m[4] ?? '';
    if (req.method === 'POST') {
      this.write(req, res, repo, rest, body);
      return;
    }
    const statuses = /^deployments\/(\d+)\/statuses$/.exec(rest);
    const compare = /^compare\/(.+)$/.exec(rest);
    if (rest === '') {
      this.repository(req, res, repo);
    } else if (rest === 'deployments') {
      this.listDeployments(req, res, repo, url);
    } else if (statuses) {
      this.listStatuses(req, res, repo, Number(statuses[1]), url);
    } else if (compare) {
      this.compare(req, res, repo, decodeURIComponent(compare[1]), url);
    } else {
      this.send(req, res, 404, {
        message: 'Not Found',
        documentation_url: DOCS,
        status: '404',
      });
    }
  }

  private write(
    req: IncomingMessage,
    res: ServerResponse,
    repo: FakeRepo,
    rest: string,
    body: unknown,
  ) {
    const notFound = (doc: string) =>
      this.send(req, res, 404, {
        message: 'Not Found',
        documentation_url: `${DOCS}/${doc}`,
        status: '404',
      });
    const known = answerWrite(
      {
        send: (status, sent) => {
          if (status === 204) {
            res.writeHead(204, this.rateHeaders());
            res.end();
            return;
          }
          this.send(req, res, status, sent);
        },
        notFound,
        deploymentBody: id =>
          this.deploymentBody(repo, repo.deployments.find(d => d.id === id)!),
        rollOut: this.rollOut,
        login: this.login,
        emit: rollout => this.deploymentListeners.forEach(l => l(rollout)),
        docs: DOCS,
      },
      repo,
      rest,
      body,
    );
    if (!known) {
      notFound('');
    }
  }

  private repository(
    req: IncomingMessage,
    res: ServerResponse,
    repo: FakeRepo,
  ) {
    const api = `https://${this.htmlHost}/api/v3/repos/${repo.fullName}`;
    const main = repo.lookup(repo.branches.get('main') ?? '');
    this.send(req, res, 200, {
      id: repo.id,
      node_id: `R_kgDO${repo.id}`,
      name: repo.name,
      full_name: repo.fullName,
      private: true,
      owner: { ...user(repo.owner, this.htmlHost), type: 'Organization' },
      html_url: `https://${this.htmlHost}/${repo.fullName}`,
      description: null,
      fork: false,
      url: api,
      deployments_url: `${api}/deployments`,
      compare_url: `${api}/compare/{base}...{head}`,
      created_at: '2024-03-12T09:00:00Z',
      updated_at: main?.date ?? '2024-03-12T09:00:00Z',
      pushed_at: main?.date ?? '2024-03-12T09:00:00Z',
      default_branch: 'main',
      visibility: 'private',
      archived: false,
      disabled: false,
      permissions: { admin: false, push: false, pull: true },
    });
  }

  /**
   * The two GitHub App endpoints an app installation token takes: list the
   * installations, then create an access token, both with the app's JWT.
   */
  private appEndpoint(req: IncomingMessage, res: ServerResponse, path: string) {
    const jwt = /^bearer ([\w-]+)\.([\w-]+)\.([\w-]+)$/i.exec(
      req.headers.authorization ?? '',
    );
    const claims = jwt
      ? JSON.parse(Buffer.from(jwt[2], 'base64url').toString())
      : undefined;
    if (String(claims?.iss) !== String(this.app.appId)) {
      this.send(req, res, 401, {
        message:
          "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
        documentation_url: DOCS,
        status: '401',
      });
      return;
    }
    const installation = {
      id: this.app.installationId,
      client_id: 'Iv1.8a61f9b3a7aba766',
      account: user(this.app.owner, this.htmlHost),
      repository_selection: 'all',
      access_tokens_url: `${this.apiBaseUrl}/app/installations/${this.app.installationId}/access_tokens`,
      repositories_url: `${this.apiBaseUrl}/installation/repositories`,
      html_url: `https://${this.htmlHost}/organizations/${this.app.owner}/settings/installations/${this.app.installationId}`,
      app_id: this.app.appId,
      app_slug: 'env-parity',
      target_id: 9919,
      target_type: 'Organization',
      permissions: { contents: 'read', deployments: 'read', metadata: 'read' },
      events: [],
      created_at: '2026-01-10T10:00:00Z',
      updated_at: '2026-01-10T10:00:00Z',
      single_file_name: null,
      suspended_by: null,
      suspended_at: null,
    };
    if (req.method === 'GET' && path.startsWith('/app/installations')) {
      this.send(req, res, 200, [installation]);
    } else if (
      req.method === 'POST' &&
      path === `/app/installations/${this.app.installationId}/access_tokens`
    ) {
      this.send(req, res, 201, {
        token: this.app.installationToken,
        expires_at: new Date(Date.now() + 3600_000).toISOString(),
        permissions: installation.permissions,
        repository_selection: 'all',
      });
    } else {
      this.send(req, res, 404, { message: 'Not Found', status: '404' });
    }
  }

  private page<T>(
    req: IncomingMessage,
    items: T[],
    url: URL,
    repo: FakeRepo,
    resource: string,
    defaultPerPage = 30,
  ): { items: T[]; link?: string } {
    const perPage = Math.min(
      100,
      Number(url.searchParams.get('per_page') ?? defaultPerPage),
    );
    const page = Math.max(1, Number(url.searchParams.get('page') ?? 1));
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const pageUrl = (n: number) => {
      const q = new URLSearchParams(url.searchParams);
      q.set('per_page', String(perPage));
      q.set('page', String(n));
      return `<${this.requestApi(req)}/repositories/${
        repo.id
      }/${resource}?${q}>`;
    };
    const links: string[] = [];
    if (page > 1) {
      links.push(`${pageUrl(page - 1)}; rel="prev"`);
    }
    if (page < last) {
      links.push(
        `${pageUrl(page + 1)}; rel="next"`,
        `${pageUrl(last)}; rel="last"`,
      );
    }
    if (page > 1) {
      links.push(`${pageUrl(1)}; rel="first"`);
    }
    return {
      items: items.slice((page - 1) * perPage, page * perPage),
      ...(links.length ? { link: links.join(', ') } : {}),
    };
  }

  private deploymentBody(repo: FakeRepo, d: DeploymentRecord) {
    const api = `https://${this.htmlHost}/api/v3/repos/${repo.fullName}`;
    return {
      url: `${api}/deployments/${d.id}`,
      id: d.id,
      node_id: `DE_kwDO${d.id}`,
      task: 'deploy',
      original_environment: d.environment,
      environment: d.environment,
      description: null,
      created_at: d.created_at,
      updated_at: d.statuses.at(-1)?.created_at ?? d.created_at,
      statuses_url: `${api}/deployments/${d.id}/statuses`,
      repository_url: api,
      creator: user(d.creator, this.htmlHost),
      sha: d.sha,
      ref: d.ref,
      payload: d.payload,
      transient_environment: false,
      production_environment: d.environment === 'production',
      performed_via_github_app: null,
    };
  }

  private listDeployments(
    req: IncomingMessage,
    res: ServerResponse,
    repo: FakeRepo,
    url: URL,
  ) {
    const environment = url.searchParams.get('environment');
    const sha = url.searchParams.get('sha');
    const ref = url.searchParams.get('ref');
    const all = repo.deployments
      .filter(d => !environment || d.environment === environment)
      .filter(d => !sha || d.sha === sha)
      .filter(d => !ref || d.ref === ref)
      .sort(
        (a, b) =>
          Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id,
      );
    const { items, link } = this.page(req, all, url, repo, 'deployments');
    this.send(
      req,
      res,
      200,
      items.map(d => this.deploymentBody(repo, d)),
      link ? { link } : {},
    );
  }

  private listStatuses(
    req: IncomingMessage,
    res: ServerResponse,
    repo: FakeRepo,
    id: number,
    url: URL,
  ) {
    const deployment = repo.deployments.find(d => d.id === id);
    if (!deployment) {
      this.send(req, res, 404, {
        message: 'Not Found',
        documentation_url: `${DOCS}/deployments/statuses#list-deployment-statuses`,
        status: '404',
      });
      return;
    }
    const api = `https://${this.htmlHost}/api/v3/repos/${repo.fullName}`;
    const newestFirst = [...deployment.statuses].reverse();
    const { items, link } = this.page(
      req,
      newestFirst,
      url,
      repo,
      `deployments/${id}/statuses`,
    );
    this.send(
      req,
      res,
      200,
      items.map(s => ({
        url: `${api}/deployments/${id}/statuses/${s.id}`,
        id: s.id,
        node_id: `DES_kwDO${s.id}`,
        state: s.state,
        creator: user(deployment.creator, this.htmlHost),
        description: '',
        environment: deployment.environment,
        target_url: s.target_url ?? s.log_url ?? '',
        created_at: s.created_at,
        updated_at: s.created_at,
        deployment_url: `${api}/deployments/${id}`,
        repository_url: api,
        environment_url: s.environment_url ?? '',
        log_url: s.log_url ?? s.target_url ?? '',
        performed_via_github_app: null,
      })),
      link ? { link } : {},
    );
  }

  private commitBody(repo: FakeRepo, c: GithubCommit) {
    const api = `https://${this.htmlHost}/api/v3/repos/${repo.fullName}`;
    const person = {
      name: c.authorName,
      email: 'octocat@example.test',
      date: c.date,
    };
    return {
      sha: c.sha,
      node_id: `C_kwDO${c.sha.slice(0, 12)}`,
      commit: {
        author: person,
        committer: { ...person, name: 'GitHub', email: 'noreply@github.com' },
        message: c.message,
        tree: {
          sha: c.sha.split('').reverse().join(''),
          url: `${api}/git/trees/x`,
        },
        url: `${api}/git/commits/${c.sha}`,
        comment_count: 0,
        verification: {
          verified: false,
          reason: 'unsigned',
          signature: null,
          payload: null,
          verified_at: null,
        },
      },
      url: `${api}/commits/${c.sha}`,
      html_url: `https://${this.htmlHost}/${repo.fullName}/commit/${c.sha}`,
      comments_url: `${api}/commits/${c.sha}/comments`,
      author: c.authorLogin ? user(c.authorLogin, this.htmlHost) : null,
      committer: user('web-flow', this.htmlHost),
      parents: c.parents.map(p => ({
        sha: p,
        url: `${api}/commits/${p}`,
        html_url: `https://${this.htmlHost}/${repo.fullName}/commit/${p}`,
      })),
    };
  }

  private compare(
    req: IncomingMessage,
    res: ServerResponse,
    repo: FakeRepo,
    basehead: string,
    url: URL,
  ) {
    const [baseName, headName] = basehead.split('...');
    const base = baseName ? repo.resolve(baseName) : undefined;
    const head = headName ? repo.resolve(headName) : undefined;
    if (!base || !head) {
      this.send(req, res, 404, {
        message: 'Not Found',
        documentation_url: `${DOCS}/commits/commits#compare-two-commits`,
        status: '404',
      });
      return;
    }
    const fromBase = repo.ancestors(base.sha);
    const fromHead = repo.ancestors(head.sha);
    const byOrder = (a: GithubCommit, b: GithubCommit) => a.order - b.order;
    const ahead = [...fromHead]
      .filter(s => !fromBase.has(s))
      .map(s => repo.lookup(s)!)
      .sort(byOrder);
    const behind = [...fromBase].filter(s => !fromHead.has(s));
    const mergeBase = [...fromBase]
      .filter(s => fromHead.has(s))
      .map(s => repo.lookup(s)!)
      .sort(byOrder)
      .at(-1);
    let status = 'identical';
    if (ahead.length && behind.length) {
      status = 'diverged';
    } else if (ahead.length) {
      status = 'ahead';
    } else if (behind.length) {
      status = 'behind';
    }
    const { items, link } = this.page(
      req,
      ahead,
      url,
      repo,
      `compare/${basehead}`,
      250,
    );
    const html = `https://${this.htmlHost}/${repo.fullName}`;
    const api = `https://${this.htmlHost}/api/v3/repos/${repo.fullName}`;
    this.send(
      req,
      res,
      200,
      {
        url: `${api}/compare/${basehead}`,
        html_url: `${html}/compare/${basehead}`,
        permalink_url: `${html}/compare/${repo.owner}:${base.sha}...${repo.owner}:${head.sha}`,
        diff_url: `${html}/compare/${basehead}.diff`,
        patch_url: `${html}/compare/${basehead}.patch`,
        base_commit: this.commitBody(repo, base),
        merge_base_commit: mergeBase ? this.commitBody(repo, mergeBase) : null,
        status,
        ahead_by: ahead.length,
        behind_by: behind.length,
        total_commits: ahead.length,
        commits: items.map(c => this.commitBody(repo, c)),
        files: ahead.length
          ? [
              {
                sha: 'bbcd538c8e72b8c175046e27cc8f907076331401',
                filename: 'src/index.ts',
                status: 'modified',
                additions: ahead.length,
                deletions: 0,
                changes: ahead.length,
                blob_url: `${html}/blob/${head.sha}/src/index.ts`,
                raw_url: `${html}/raw/${head.sha}/src/index.ts`,
                contents_url: `${api}/contents/src/index.ts?ref=${head.sha}`,
                patch: '@@ -1 +1,2 @@\n+// change',
              },
            ]
          : [],
      },
      link ? { link } : {},
    );
  }
}
