import { randomUUID } from 'node:crypto';
import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';
import { applyUpsert, ArgocdRollout, rollOut } from './rollout';

/**
 * An Argo CD API server on loopback, answering the two endpoints the module
 * calls the way Argo CD's API server (v2.x/v3.x, grpc-gateway) does:
 *
 * - `GET /api/v1/applications?selector=&projects=&appNamespace=` →
 *   `{"items":[...]|null,"metadata":{"resourceVersion":"..."}}`, filtered by
 *   a Kubernetes label selector (`=`, `==`, `!=`, `in`, `notin`, exists,
 *   `!key`);
 * - `GET /api/v1/applications/:name?appNamespace=` → the Application, or
 *   404 `{"error":"applications.argoproj.io \"x\" not found","code":5,...}`.
 *
 * plus `GET /api/version`, and the two calls that change an application
 * (`rollout.ts`): `POST /api/v1/applications?upsert=true` with the whole
 * Application replaces its spec, labels and annotations, and
 * `POST /api/v1/applications/:name/sync` rolls the spec out at once (the
 * application then reports the new revision and images, Synced and
 * Healthy; listeners added with `onRollout` hear of it). Every such call is
 * kept in `mutations`, with its body. Tokens are checked, as a bearer token or the
 * `argocd.token` cookie (401 `invalid session`), applications can be
 * hidden from the token (403 `permission denied`), and failures are
 * injected with `answerNext`. The API can live under a path prefix.
 *
 * The Argo CD module's tests start one per instance (`FakeArgocd.start`);
 * the demo mounts several under path prefixes of its own server
 * (`FakeArgocd.create` and `handle`).
 */

export const ARGOCD_TOKEN = 'argocd-test-token-1f0c9a';
export const CONTROL_PLANE_NAMESPACE = 'argocd';

/** A canned answer, `hang` to never answer, or a delay before the real answer. */
export type ArgocdCannedAnswer =
  | { status: number; body?: unknown; contentType?: string }
  | { delayMs: number }
  | 'hang';

/** A call that changes something, with its parsed JSON body. */
export interface ArgocdMutation {
  method: string;
  /** Path and query, without the base path. */
  path: string;
  body: any;
}

export interface ArgocdRequest {
  method: string;
  /** Path and query, as sent, without the base path. */
  path: string;
  query: URLSearchParams;
  authorization?: string;
}

/** Options to build a realistic Application. */
export interface ApplicationOptions {
  name: string;
  namespace?: string;
  project?: string;
  labels?: Record<string, string>;
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
  helm?: {
    parameters?: Array<{ name: string; value: string }>;
    values?: string;
    valuesObject?: unknown;
    valueFiles?: string[];
  };
  kustomize?: { images?: string[]; namePrefix?: string; nameSuffix?: string };
  /** Multi-source applications: replaces `spec.source`. */
  sources?: Array<Record<string, unknown>>;
  destination?: { server?: string; name?: string; namespace?: string };
  sync?: string;
  health?: string;
  revision?: string;
  /** For multi-source applications. */
  revisions?: string[];
  images?: string[];
  finishedAt?: string;
  initiatedBy?: { username?: string; automated?: boolean };
}

/** An Application object shaped like Argo CD returns it. */
export function application(o: ApplicationOptions): Record<string, any> {
  const namespace = o.namespace ?? CONTROL_PLANE_NAMESPACE;
  const project = o.project ?? 'default';
  const destination = o.destination ?? {
    server: 'https://kubernetes.default.svc',
    namespace: o.name,
  };
  const source = {
    repoURL: o.repoURL ?? 'https://github.com/acme/deploy-config.git',
    ...(o.chart ? { chart: o.chart } : { path: o.path ?? `apps/${o.name}` }),
    targetRevision: o.targetRevision ?? 'HEAD',
    ...(o.helm ? { helm: o.helm } : {}),
    ...(o.kustomize ? { kustomize: o.kustomize } : {}),
  };
  const revision = o.revision ?? 'a'.repeat(40);
  const finishedAt = o.finishedAt ?? '2026-11-20T10:02:13Z';
  const spec: Record<string, unknown> = {
    project,
    destination,
    syncPolicy: { automated: { prune: true, selfHeal: true } },
  };
  if (o.sources) {
    spec.sources = o.sources;
  } else {
    spec.source = source;
  }
  const syncedTo = o.sources
    ? {
        revisions: o.revisions ?? [],
        comparedTo: { sources: o.sources, destination },
      }
    : { revision, comparedTo: { source, destination } };
  const operationSync = o.sources
    ? { revisions: o.revisions ?? [] }
    : { revision };
  return {
    metadata: {
      name: o.name,
      namespace,
      uid: randomUUID(),
      resourceVersion: '48213977',
      generation: 214,
      creationTimestamp: '2025-03-02T08:11:41Z',
      labels: o.labels ?? {},
      annotations: {
        'notifications.argoproj.io/subscribe.on-sync-failed.slack': 'deploys',
      },
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
      managedFields: [
        {
          manager: 'argocd-server',
          operation: 'Update',
          apiVersion: 'argoproj.io/v1alpha1',
          time: '2026-11-20T10:00:01Z',
          fieldsType: 'FieldsV1',
          fieldsV1: { 'f:spec': {} },
        },
      ],
    },
    spec,
    status: {
      resources: [
        {
          version: 'v1',
          kind: 'Service',
          namespace: destination.namespace,
          name: o.name,
          status: o.sync ?? 'Synced',
          health: { status: 'Healthy' },
        },
        {
          group: 'apps',
          version: 'v1',
          kind: 'Deployment',
          namespace: destination.namespace,
          name: o.name,
          status: o.sync ?? 'Synced',
          health: { status: o.health ?? 'Healthy' },
        },
      ],
      sync: { status: o.sync ?? 'Synced', ...syncedTo },
      health: {
        status: o.health ?? 'Healthy',
        lastTransitionTime: finishedAt,
      },
      history: [
        {
          ...(o.sources ? { revisions: o.revisions ?? [] } : { revision }),
          deployedAt: finishedAt,
          id: 41,
          deployStartedAt: '2026-11-20T10:01:58Z',
          ...(o.sources ? { sources: o.sources } : { source }),
        },
      ],
      reconciledAt: '2026-11-22T07:59:30Z',
      operationState: {
        operation: {
          sync: operationSync,
          initiatedBy: o.initiatedBy ?? { automated: true },
          retry: { limit: 5 },
        },
        phase: 'Succeeded',
        message: 'successfully synced (all tasks run)',
        syncResult: { revision, source },
        startedAt: '2026-11-20T10:01:58Z',
        finishedAt,
      },
      sourceType: sourceType(o),
      summary: {
        ...(o.images ? { images: o.images } : {}),
        externalURLs: [`https://${o.name}.example.com`],
      },
      controllerNamespace: CONTROL_PLANE_NAMESPACE,
    },
  };
}

function sourceType(o: ApplicationOptions): string {
  if (o.sources || o.helm) {
    return 'Helm';
  }
  return o.kustomize ? 'Kustomize' : 'Directory';
}

type Requirement = (labels: Record<string, string>) => boolean;

/** Parses a Kubernetes label selector; throws on a syntax error. */
export function parseLabelSelector(selector: string): Requirement[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  const key = '([A-Za-z0-9][-A-Za-z0-9_./]*)';
  return parts
    .map(p => p.trim())
    .filter(Boolean)
    .map(part => {
      let m = new RegExp(`^${key}\\s+(in|notin)\\s+\\(([^)]*)\\)$`).exec(part);
      if (m) {
        const [, k, op, list] = m;
        const values = list.split(',').map(v => v.trim());
        return op === 'in'
          ? (l: Record<string, string>) => k in l && values.includes(l[k])
          : (l: Record<string, string>) => !(k in l) || !values.includes(l[k]);
      }
      m = new RegExp(`^${key}\\s*(==|=|!=)\\s*([-A-Za-z0-9_.]*)$`).exec(part);
      if (m) {
        const [, k, op, v] = m;
        return op === '!='
          ? (l: Record<string, string>) => l[k] !== v
          : (l: Record<string, string>) => l[k] === v;
      }
      m = new RegExp(`^(!?)${key}$`).exec(part);
      if (m) {
        const [, not, k] = m;
        return not
          ? (l: Record<string, string>) => !(k in l)
          : (l: Record<string, string>) => k in l;
      }
      throw new Error(`unable to parse requirement: ${part}`);
    });
}

/** What the server reports as its version. */
const VERSION = {
  Version: 'v2.13.1+af54ef8',
  BuildDate: '2024-11-20T15:13:32Z',
  GitCommit: 'af54ef8db5adfa77a08d4d05b1e3f6ca9a38c2b5',
  GitTreeState: 'clean',
  GoVersion: 'go1.22.9',
  Compiler: 'gc',
  Platform: 'linux/amd64',
};

export class FakeArgocd {
  readonly requests: ArgocdRequest[] = [];
  /** Application names the token may not see (answered 403). */
  readonly forbidden = new Set<string>();
  /** Every upsert and sync that reached the API (canned answers included). */
  readonly mutations: ArgocdMutation[] = [];
  /** The account the token belongs to, in `initiatedBy` of a sync. */
  account = 'env-parity';
  private readonly rolloutListeners: Array<(r: ArgocdRollout) => void> = [];
  private readonly apps: Array<Record<string, any>> = [];
  private readonly canned: Array<{
    match: (path: string) => boolean;
    answer: ArgocdCannedAnswer;
  }> = [];
  private server?: Server;
  private port = 0;

  static async start(
    options: { basePath?: string; token?: string } = {},
  ): Promise<FakeArgocd> {
    const fake = FakeArgocd.create(options);
    const server = createServer((req, res) => {
      if (!fake.handle(req, res)) {
        // the UI's index.html for unknown paths, as argocd-server serves it
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end('<!doctype html><html><body>Argo CD</body></html>');
      }
    });
    fake.server = server;
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    fake.port = (server.address() as AddressInfo).port;
    return fake;
  }

  /**
   * A fake instance without a server of its own: another server passes it
   * the requests under its base path (`handle`).
   */
  static create(
    options: {
      basePath?: string;
      token?: string;
      /** Keep every request in `requests` (for tests); true by default. */
      recordRequests?: boolean;
    } = {},
  ): FakeArgocd {
    return new FakeArgocd(
      options.basePath ?? '',
      options.token ?? ARGOCD_TOKEN,
      options.recordRequests ?? true,
    );
  }

  private constructor(
    private readonly basePath: string,
    public token: string,
    private readonly recordRequests: boolean,
  ) {}

  /** The instance URL to configure, with the base path. */
  get url() {
    return `http://127.0.0.1:${this.port}${this.basePath}`;
  }

  get host() {
    return `127.0.0.1:${this.port}`;
  }

  async close() {
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  }

  addApp(options: ApplicationOptions): Record<string, any> {
    const app = application(options);
    this.apps.push(app);
    return app;
  }

  /** Adds Applications as given (objects shaped like Argo CD returns them). */
  add(...apps: Array<Record<string, any>>): this {
    this.apps.push(...apps);
    return this;
  }

  /** The application as the fake holds it (changed by upserts and syncs). */
  getApp(
    name: string,
    namespace = CONTROL_PLANE_NAMESPACE,
  ): Record<string, any> | undefined {
    return this.apps.find(
      a => a.metadata.name === name && a.metadata.namespace === namespace,
    );
  }

  /** Calls `listener` after each sync rolled out. */
  onRollout(listener: (rollout: ArgocdRollout) => void): this {
    this.rolloutListeners.push(listener);
    return this;
  }

  /** Answers the next request whose path (without base path) matches. */
  answerNext(match: RegExp | string, answer: ArgocdCannedAnswer) {
    this.canned.push({
      match: path =>
        typeof match === 'string' ? path.includes(match) : match.test(path),
      answer,
    });
  }

  private send(res: ServerResponse, status: number, body: unknown) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'grpc-metadata-content-type': 'application/grpc',
      'x-frame-options': 'sameorigin',
      'x-xss-protection': '1',
      'content-length': String(Buffer.byteLength(text)),
    });
    res.end(text);
  }

  private grpcError(
    res: ServerResponse,
    status: number,
    code: number,
    message: string,
  ) {
    this.send(res, status, { error: message, code, message });
  }

  /** Answers a request under the base path and returns true; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const raw = req.url ?? '/';
    if (!raw.startsWith(`${this.basePath}/`)) {
      return false;
    }
    const path = raw.slice(this.basePath.length);
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', chunk => chunks.push(chunk));
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = text;
        }
        this.mutations.push({ method: 'POST', path, body });
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
    const url = new URL(path, 'http://fake');
    if (this.recordRequests)
      this.requests.push({
        method: req.method ?? 'GET',
        path,
        query: url.searchParams,
        authorization: req.headers.authorization,
      });

    const cannedIndex = this.canned.findIndex(c => c.match(path));
    let delayMs = 0;
    if (cannedIndex >= 0) {
      const [{ answer }] = this.canned.splice(cannedIndex, 1);
      if (answer === 'hang') {
        return; // never answers; closed by close()
      }
      if ('delayMs' in answer) {
        delayMs = answer.delayMs;
      } else {
        const text =
          typeof answer.body === 'string'
            ? answer.body
            : JSON.stringify(answer.body ?? {});
        res.writeHead(answer.status, {
          'content-type': answer.contentType ?? 'application/json',
        });
        res.end(text);
        return;
      }
    }
    const respond = () => this.route(req, res, url, body);
    if (delayMs) {
      setTimeout(respond, delayMs);
    } else {
      respond();
    }
  }

  private route(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    body: unknown,
  ) {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const cookie = /(?:^|;\s*)argocd\.token=([^;]+)/.exec(
      req.headers.cookie ?? '',
    )?.[1];
    const token = bearer ?? cookie;
    if (token !== this.token) {
      const message =
        req.headers.authorization || cookie
          ? 'invalid session: token signature is invalid'
          : 'no session information';
      this.grpcError(res, 401, 16, message);
      return;
    }
    if (req.method === 'POST') {
      this.write(res, url, body);
      return;
    }
    if (req.method !== 'GET') {
      this.send(res, 405, 'Method Not Allowed');
      return;
    }
    if (url.pathname === '/api/version') {
      this.send(res, 200, VERSION);
      return;
    }
    const appNamespace =
      url.searchParams.get('appNamespace') || CONTROL_PLANE_NAMESPACE;
    if (url.pathname === '/api/v1/applications') {
      let requirements: Requirement[];
      try {
        requirements = parseLabelSelector(
          url.searchParams.get('selector') ?? '',
        );
      } catch (e) {
        this.grpcError(res, 400, 3, (e as Error).message);
        return;
      }
      const projects = url.searchParams
        .getAll('projects')
        .flatMap(p => p.split(','))
        .filter(Boolean);
      const name = url.searchParams.get('name');
      const items = this.apps.filter(
        app =>
          app.metadata.namespace === appNamespace &&
          (!name || app.metadata.name === name) &&
          !this.forbidden.has(app.metadata.name) &&
          (projects.length === 0 || projects.includes(app.spec.project)) &&
          requirements.every(r => r(app.metadata.labels ?? {})),
      );
      this.send(res, 200, {
        items: items.length ? items : null,
        metadata: { resourceVersion: '48214410' },
      });
      return;
    }
    const single = /^\/api\/v1\/applications\/([^/]+)$/.exec(url.pathname);
    if (single) {
      const name = decodeURIComponent(single[1]);
      if (this.forbidden.has(name)) {
        this.grpcError(res, 403, 7, 'permission denied');
        return;
      }
      const app = this.apps.find(
        a => a.metadata.name === name && a.metadata.namespace === appNamespace,
      );
      if (!app) {
        this.grpcError(
          res,
          404,
          5,
          `applications.argoproj.io "${name}" not found`,
        );
        return;
      }
      this.send(res, 200, app);
      return;
    }
    this.grpcError(res, 404, 5, 'Not Found');
  }

  /** The upsert and the sync; see the class's documentation. */
  private write(res: ServerResponse, url: URL, body: any) {
    const sync = /^\/api\/v1\/applications\/([^/]+)\/sync$/.exec(url.pathname);
    if (url.pathname === '/api/v1/applications') {
      const name = body?.metadata?.name;
      const namespace =
        body?.metadata?.namespace ||
        url.searchParams.get('appNamespace') ||
        CONTROL_PLANE_NAMESPACE;
      if (typeof name !== 'string' || !body?.spec) {
        this.grpcError(res, 400, 3, 'application spec is required');
        return;
      }
      if (this.forbidden.has(name)) {
        this.grpcError(res, 403, 7, 'permission denied');
        return;
      }
      const existing = this.getApp(name, namespace);
      if (!existing) {
        // creating applications is not something the fake is for
        this.grpcError(res, 403, 7, 'permission denied');
        return;
      }
      const differs =
        JSON.stringify(existing.spec) !== JSON.stringify(body.spec);
      if (differs && url.searchParams.get('upsert') !== 'true') {
        this.grpcError(
          res,
          400,
          3,
          'existing application spec is different, use upsert flag to force update',
        );
        return;
      }
      applyUpsert(existing, body);
      this.send(res, 200, existing);
      return;
    }
    if (sync) {
      const name = decodeURIComponent(sync[1]);
      const namespace =
        body?.appNamespace ||
        url.searchParams.get('appNamespace') ||
        CONTROL_PLANE_NAMESPACE;
      if (this.forbidden.has(name)) {
        this.grpcError(res, 403, 7, 'permission denied');
        return;
      }
      const app = this.getApp(name, namespace);
      if (!app) {
        this.grpcError(
          res,
          404,
          5,
          `applications.argoproj.io "${name}" not found`,
        );
        return;
      }
      const automated = app.spec?.syncPolicy?.automated;
      const target = app.spec?.source?.targetRevision;
      if (automated && body?.revision && body.revision !== target) {
        this.grpcError(
          res,
          400,
          9,
          `Cannot sync to ${body.revision}: auto-sync currently set to ${target}`,
        );
        return;
      }
      const rollout = rollOut(app, { username: this.account });
      for (const listener of this.rolloutListeners) listener(rollout);
      this.send(res, 200, app);
      return;
    }
    this.send(res, 405, 'Method Not Allowed');
  }
}
