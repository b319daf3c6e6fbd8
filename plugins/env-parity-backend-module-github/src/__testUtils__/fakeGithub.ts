import { createHash } from 'node:crypto';
import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A GitHub Enterprise REST API (v3) on loopback, answering the endpoints the
 * module calls with bodies and headers shaped like GitHub's: deployments and
 * their statuses (newest first, paginated with `Link`), compare (computed
 * from a commit graph), `ETag`/`If-None-Match`, rate-limit headers and the
 * 401/403/404 bodies GitHub sends. Failures are injected with `answerNext`.
 */

export const HTML_HOST = 'ghe.example.test';
export const TOKEN = 'test-token';

export interface RecordedRequest {
  method: string;
  /** Path and query, e.g. `/api/v3/repos/acme/api/deployments?environment=staging`. */
  path: string;
  headers: IncomingMessage['headers'];
}

/** A canned answer, or `hang` to never answer. */
export type CannedAnswer =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | 'hang';

interface Commit {
  sha: string;
  parents: string[];
  message: string;
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

function user(login: string, id = 583231) {
  const bot = login.endsWith('[bot]');
  return {
    login,
    id,
    node_id: 'MDQ6VXNlcjU4MzIzMQ==',
    avatar_url: `https://avatars.${HTML_HOST}/u/${id}?v=4`,
    gravatar_id: '',
    url: `https://${HTML_HOST}/api/v3/users/${encodeURIComponent(login)}`,
    html_url: `https://${HTML_HOST}/${encodeURIComponent(login)}`,
    type: bot ? 'Bot' : 'User',
    user_view_type: 'public',
    site_admin: false,
  };
}

const DOCS = 'https://docs.github.com/enterprise-server@3.14/rest';

/** One repository of the fake. */
export class FakeRepo {
  readonly commits = new Map<string, Commit>();
  readonly branches = new Map<string, string>();
  readonly deployments: DeploymentRecord[] = [];
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

  /** Adds a commit on a branch (main by default) and returns its SHA. */
  commit(
    message: string,
    options: {
      branch?: string;
      parents?: string[];
      author?: string | null;
      authorName?: string;
    } = {},
  ): string {
    const branch = options.branch ?? 'main';
    const parents =
      options.parents ??
      (this.branches.has(branch) ? [this.branches.get(branch)!] : []);
    this.counter += 1;
    const sha = createHash('sha1')
      .update(`${this.fullName}\n${message}\n${this.counter}`)
      .digest('hex');
    const author = options.author === undefined ? 'octocat' : options.author;
    this.commits.set(sha, {
      sha,
      parents,
      message,
      ...(author ? { authorLogin: author } : {}),
      authorName: options.authorName ?? 'Mona Lisa Octocat',
      date: new Date(Date.UTC(2026, 10, 1, 9, this.counter)).toISOString(),
      order: this.counter,
    });
    this.branches.set(branch, sha);
    return sha;
  }

  /** Adds a deployment with its statuses, oldest status first. */
  deploy(options: {
    environment: string;
    sha: string;
    ref?: string;
    payload?: unknown;
    creator?: string;
    createdAt: string;
    statuses: Array<{
      state: string;
      createdAt?: string;
      environmentUrl?: string;
      logUrl?: string;
      targetUrl?: string;
    }>;
  }): number {
    const id = this.ids.next();
    this.deployments.push({
      id,
      sha: options.sha,
      ref: options.ref ?? 'main',
      environment: options.environment,
      payload: options.payload ?? {},
      creator: options.creator ?? 'github-actions[bot]',
      created_at: options.createdAt,
      statuses: options.statuses.map(s => ({
        id: this.ids.next(),
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

  resolve(revision: string): Commit | undefined {
    const branch = this.branches.get(revision);
    if (branch) {
      return this.commits.get(branch);
    }
    const lower = revision.toLowerCase();
    if (lower.length === 40) {
      return this.commits.get(lower);
    }
    if (lower.length >= 7 && /^[0-9a-f]+$/.test(lower)) {
      const found = [...this.commits.values()].filter(c =>
        c.sha.startsWith(lower),
      );
      return found.length === 1 ? found[0] : undefined;
    }
    return undefined;
  }

  ancestors(sha: string): Set<string> {
    const seen = new Set<string>();
    const queue = [sha];
    while (queue.length) {
      const next = queue.pop()!;
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(...(this.commits.get(next)?.parents ?? []));
      }
    }
    return seen;
  }
}

export class FakeGithub {
  readonly requests: RecordedRequest[] = [];
  readonly rateLimit = {
    limit: 5000,
    remaining: 5000,
    reset: Math.floor(Date.now() / 1000) + 3600,
  };
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
    answer: CannedAnswer;
  }> = [];
  private nextId = 1000;
  private readonly server: Server;
  private port = 0;

  static async start(): Promise<FakeGithub> {
    const fake = new FakeGithub();
    await new Promise<void>(resolve =>
      fake.server.listen(0, '127.0.0.1', resolve),
    );
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  private constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  get origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  get apiBaseUrl() {
    return `${this.origin}/api/v3`;
  }

  async close() {
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }

  addRepo(owner: string, name: string): FakeRepo {
    const repo = new FakeRepo(owner, name, this.nextId++, {
      next: () => this.nextId++,
    });
    this.repos.set(`${owner}/${name}`.toLowerCase(), repo);
    return repo;
  }

  /** Answers the next request whose path matches with a canned answer. */
  answerNext(match: RegExp | string, answer: CannedAnswer) {
    this.canned.push({
      match: path =>
        typeof match === 'string' ? path.includes(match) : match.test(path),
      answer,
    });
  }

  /** Requests to one path prefix, e.g. `/compare/`. */
  requestsTo(part: string): RecordedRequest[] {
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
      const etag = `W/"${createHash('sha256').update(text).digest('hex')}"`;
      common.etag = etag;
      common['cache-control'] = 'private, max-age=60, s-maxage=60';
      if (req.headers['if-none-match'] === etag) {
        // a 304 costs nothing against the rate limit
        res.writeHead(304, { ...common, ...this.rateHeaders() });
        res.end();
        return;
      }
    }
    if (status < 400 || status >= 500) {
      this.rateLimit.remaining = Math.max(0, this.rateLimit.remaining - 1);
    }
    res.writeHead(status, { ...this.rateHeaders(), ...common });
    res.end(text);
  }

  private handle(req: IncomingMessage, res: ServerResponse) {
    const path = req.url ?? '/';
    this.requests.push({
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
    });

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

    const auth = req.headers.authorization;
    if (path.startsWith('/api/v3/app/')) {
      this.appEndpoint(req, res, path);
      return;
    }
    const tokens = [TOKEN, this.app.installationToken];
    if (!tokens.some(t => auth === `Bearer ${t}` || auth === `token ${t}`)) {
      this.send(req, res, 401, {
        message: 'Bad credentials',
        documentation_url: DOCS,
        status: '401',
      });
      return;
    }
    if (
      this.rateLimit.remaining === 0 &&
      Date.now() < this.rateLimit.reset * 1000
    ) {
      this.send(req, res, 403, {
        message:
          'API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID C0DE:1.',
        documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api`,
        status: '403',
      });
      return;
    }

    const url = new URL(path, this.origin);
    const m =
      /^\/api\/v3\/(?:repos\/([^/]+)\/([^/]+)|repositories\/(\d+))\/(.*)$/.exec(
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
    const rest = m[4];
    const statuses = /^deployments\/(\d+)\/statuses$/.exec(rest);
    const compare = /^compare\/(.+)$/.exec(rest);
    if (rest === 'deployments') {
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
      account: user(this.app.owner, 9919),
      repository_selection: 'all',
      access_tokens_url: `${this.apiBaseUrl}/app/installations/${this.app.installationId}/access_tokens`,
      repositories_url: `${this.apiBaseUrl}/installation/repositories`,
      html_url: `https://${HTML_HOST}/organizations/${this.app.owner}/settings/installations/${this.app.installationId}`,
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
    if (req.method === 'GET' && path.startsWith('/api/v3/app/installations')) {
      this.send(req, res, 200, [installation]);
    } else if (
      req.method === 'POST' &&
      path ===
        `/api/v3/app/installations/${this.app.installationId}/access_tokens`
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
      return `<${this.apiBaseUrl}/repositories/${repo.id}/${resource}?${q}>`;
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
    const api = `https://${HTML_HOST}/api/v3/repos/${repo.fullName}`;
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
      creator: user(d.creator),
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
    const all = repo.deployments
      .filter(d => !environment || d.environment === environment)
      .filter(d => !sha || d.sha === sha)
      .sort(
        (a, b) =>
          Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id,
      );
    const { items, link } = this.page(all, url, repo, 'deployments');
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
    const api = `https://${HTML_HOST}/api/v3/repos/${repo.fullName}`;
    const newestFirst = [...deployment.statuses].reverse();
    const { items, link } = this.page(
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
        creator: user(deployment.creator),
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

  private commitBody(repo: FakeRepo, c: Commit) {
    const api = `https://${HTML_HOST}/api/v3/repos/${repo.fullName}`;
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
      html_url: `https://${HTML_HOST}/${repo.fullName}/commit/${c.sha}`,
      comments_url: `${api}/commits/${c.sha}/comments`,
      author: c.authorLogin ? user(c.authorLogin) : null,
      committer: user('web-flow', 19864447),
      parents: c.parents.map(p => ({
        sha: p,
        url: `${api}/commits/${p}`,
        html_url: `https://${HTML_HOST}/${repo.fullName}/commit/${p}`,
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
    const byOrder = (a: Commit, b: Commit) => a.order - b.order;
    const ahead = [...fromHead]
      .filter(s => !fromBase.has(s))
      .map(s => repo.commits.get(s)!)
      .sort(byOrder);
    const behind = [...fromBase].filter(s => !fromHead.has(s));
    const mergeBase = [...fromBase]
      .filter(s => fromHead.has(s))
      .map(s => repo.commits.get(s)!)
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
      ahead,
      url,
      repo,
      `compare/${basehead}`,
      250,
    );
    const html = `https://${HTML_HOST}/${repo.fullName}`;
    const api = `https://${HTML_HOST}/api/v3/repos/${repo.fullName}`;
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
