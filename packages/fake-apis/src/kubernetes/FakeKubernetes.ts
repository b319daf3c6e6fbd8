import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';
import { FakeSandbox } from './sandbox';
import { methodNotAllowedBody, statusBody } from './status';

/**
 * A Kubernetes API server on loopback, answering the requests the
 * env-parity module and the Kubernetes backend send the way kube-apiserver
 * does: `<Kind>List` bodies with `metadata.resourceVersion` and
 * `metadata.continue`, label selectors (`=`, `==`, `!=`, `in`, `notin`,
 * exists, `!`), field selectors (`metadata.name`, `metadata.namespace`,
 * `status.phase`), `limit`/`continue` pagination, `Status` objects for
 * 400/401/403/404/410, the plain text `404 page not found` for an API group
 * it does not serve, discovery (`/version`, `/api`, `/apis`, resource
 * lists) and bearer token checks. Failures are injected with
 * `answerNext`/`answerAlways`, held with `holdNext`.
 *
 * The module's tests start one per cluster (`FakeKubernetes.start`); the
 * demo mounts several under path prefixes of its own server
 * (`FakeKubernetes.create` and `handle`).
 */

export const TOKEN = 'fake-cluster-token-4711';

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: any;
};

/** Whether a delayed answer has been sent. */
export interface DelayedAnswer {
  answered: boolean;
}

/** An answer held back until the test releases it: no timing involved. */
export interface HeldAnswer extends DelayedAnswer {
  /** Settles once the held request has arrived. */
  readonly requested: Promise<void>;
  /** Sends the answer, as it would have been sent at once. */
  release(): void;
}

/** A canned answer: a status and a JSON body or raw text, optionally late; or never. */
export type CannedAnswer =
  | {
      status: number;
      body?: unknown;
      text?: string;
      delayMs?: number;
    }
  | 'hang';

export interface RecordedRequest {
  method: string;
  /** The path without the server's prefix, e.g. `/apis/apps/v1/deployments`. */
  path: string;
  query: URLSearchParams;
  authorization?: string;
  /** Every header as received. */
  headers: IncomingMessage['headers'];
}

interface Hold {
  match: string | RegExp;
  arrived: () => void;
  /** Set once the request arrived. */
  send?: () => void;
  released: boolean;
  answer: DelayedAnswer;
}

interface Served {
  kind: string;
  apiVersion: string;
}

/** group/version → plural → the kind it lists. */
const API: Record<string, Record<string, Served>> = {
  'api/v1': {
    pods: { kind: 'Pod', apiVersion: 'v1' },
    configmaps: { kind: 'ConfigMap', apiVersion: 'v1' },
    secrets: { kind: 'Secret', apiVersion: 'v1' },
    // cluster-scoped; written in a sandbox (sandbox.ts)
    namespaces: { kind: 'Namespace', apiVersion: 'v1' },
    services: { kind: 'Service', apiVersion: 'v1' },
    resourcequotas: { kind: 'ResourceQuota', apiVersion: 'v1' },
    limitranges: { kind: 'LimitRange', apiVersion: 'v1' },
  },
  'apis/networking.k8s.io/v1': {
    networkpolicies: {
      kind: 'NetworkPolicy',
      apiVersion: 'networking.k8s.io/v1',
    },
  },
  'apis/rbac.authorization.k8s.io/v1': {
    rolebindings: {
      kind: 'RoleBinding',
      apiVersion: 'rbac.authorization.k8s.io/v1',
    },
  },
  'apis/apps/v1': {
    deployments: { kind: 'Deployment', apiVersion: 'apps/v1' },
    replicasets: { kind: 'ReplicaSet', apiVersion: 'apps/v1' },
    statefulsets: { kind: 'StatefulSet', apiVersion: 'apps/v1' },
    daemonsets: { kind: 'DaemonSet', apiVersion: 'apps/v1' },
  },
  'apis/argoproj.io/v1alpha1': {
    rollouts: { kind: 'Rollout', apiVersion: 'argoproj.io/v1alpha1' },
  },
  'apis/kustomize.toolkit.fluxcd.io/v1': {
    kustomizations: {
      kind: 'Kustomization',
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    },
  },
  'apis/helm.toolkit.fluxcd.io/v2': {
    helmreleases: {
      kind: 'HelmRelease',
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
    },
  },
  'apis/source.toolkit.fluxcd.io/v1': {
    gitrepositories: {
      kind: 'GitRepository',
      apiVersion: 'source.toolkit.fluxcd.io/v1',
    },
    helmrepositories: {
      kind: 'HelmRepository',
      apiVersion: 'source.toolkit.fluxcd.io/v1',
    },
  },
};

/** The API groups of custom resources, served only once their CRDs are installed. */
const FLUX_GROUPS = [
  'apis/kustomize.toolkit.fluxcd.io/v1',
  'apis/helm.toolkit.fluxcd.io/v2',
  'apis/source.toolkit.fluxcd.io/v1',
];
const ROLLOUTS_GROUP = 'apis/argoproj.io/v1alpha1';

const PLURALS: Record<string, string> = {
  Pod: 'pods',
  ConfigMap: 'configmaps',
  Secret: 'secrets',
  Namespace: 'namespaces',
  Service: 'services',
  ResourceQuota: 'resourcequotas',
  LimitRange: 'limitranges',
  NetworkPolicy: 'networkpolicies',
  RoleBinding: 'rolebindings',
  Deployment: 'deployments',
  ReplicaSet: 'replicasets',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Rollout: 'rollouts',
  Kustomization: 'kustomizations',
  HelmRelease: 'helmreleases',
  GitRepository: 'gitrepositories',
  HelmRepository: 'helmrepositories',
};

const FLUX_KINDS = [
  'Kustomization',
  'HelmRelease',
  'GitRepository',
  'HelmRepository',
];

type Requirement = (labels: Record<string, string>) => boolean;

/** Parses a label selector as the API server does (an independent implementation for the fake). */
export function parseSelector(selector: string): Requirement[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of selector) {
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  const has = (l: Record<string, string>, k: string) =>
    Object.prototype.hasOwnProperty.call(l, k);
  return parts
    .map(p => p.trim())
    .filter((p, _i, all) => p !== '' || all.length > 1)
    .map(p => {
      let m = /^!([\w./-]+)$/.exec(p);
      if (m) {
        const key = m[1];
        return (l: Record<string, string>) => !has(l, key);
      }
      m = /^([\w./-]+)\s+(in|notin)\s+\(([^()]*)\)$/.exec(p);
      if (m) {
        const [, key, op, list] = m;
        const values = list.split(',').map(v => v.trim());
        return op === 'in'
          ? (l: Record<string, string>) =>
              has(l, key) && values.includes(l[key])
          : (l: Record<string, string>) =>
              !has(l, key) || !values.includes(l[key]);
      }
      m = /^([\w./-]+)\s*(!=|==|=)\s*([\w.-]*)$/.exec(p);
      if (m) {
        const [, key, op, value] = m;
        return op === '!='
          ? (l: Record<string, string>) => !has(l, key) || l[key] !== value
          : (l: Record<string, string>) => has(l, key) && l[key] === value;
      }
      m = /^([\w./-]+)$/.exec(p);
      if (m) {
        const key = m[1];
        return (l: Record<string, string>) => has(l, key);
      }
      throw new Error(`unable to parse requirement: ${JSON.stringify(p)}`);
    });
}

type FieldRequirement = (object: KubeObject) => boolean;

/** Parses a field selector over the fields the API server supports for every kind (and `status.phase`). */
export function parseFieldSelector(selector: string): FieldRequirement[] {
  const fields: Record<string, (o: KubeObject) => unknown> = {
    'metadata.name': o => o.metadata.name,
    'metadata.namespace': o => o.metadata.namespace,
    'status.phase': o => o.status?.phase,
  };
  return selector
    .split(',')
    .map(p => p.trim())
    .filter(Boolean)
    .map(part => {
      const m = /^([\w.]+)\s*(==|!=|=)\s*(.*)$/.exec(part);
      const get = m ? fields[m[1]] : undefined;
      if (!m || !get) {
        throw new Error(
          m
            ? `field label not supported: ${m[1]}`
            : `invalid selector: '${part}'; can't understand '${part}'`,
        );
      }
      const [, , op, value] = m;
      return (o: KubeObject) =>
        op === '!=' ? get(o) !== value : get(o) === value;
    });
}

/** What the server reports as its version. */
const VERSION = {
  major: '1',
  minor: '30',
  gitVersion: 'v1.30.5',
  gitCommit: '74e84a90c725047b1328ff3d589fedb1cb7a120e',
  gitTreeState: 'clean',
  buildDate: '2024-09-12T00:11:55Z',
  goVersion: 'go1.22.6',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** How a fake API server is made. */
export interface FakeKubernetesOptions {
  /** The bearer token it accepts; {@link TOKEN} by default. */
  token?: string;
  /** A path prefix such as `/k8s/staging`. */
  prefix?: string;
  /** The cluster's name. */
  name?: string;
  /** Keep every request in `requests` (for tests); true by default. */
  recordRequests?: boolean;
  /**
   * Accept writes (POST, PATCH, DELETE), as a sandbox cluster: see
   * `sandbox` and sandbox.ts. False by default: GET only, anything else
   * answers 405.
   */
  writable?: boolean;
}

export class FakeKubernetes {
  /** Starts a fake API server; `prefix` puts it under a path such as `/k8s/staging`. */
  static async start(
    options: FakeKubernetesOptions = {},
  ): Promise<FakeKubernetes> {
    const fake = FakeKubernetes.create(options);
    const server = createServer((req, res) => {
      if (!fake.handle(req, res)) {
        fake.notFoundPage(res);
      }
    });
    fake.server = server;
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  /**
   * A fake API server without a server of its own: another server passes
   * it the requests under its prefix (`handle`).
   */
  static create(options: FakeKubernetesOptions = {}): FakeKubernetes {
    return new FakeKubernetes(
      options.token ?? TOKEN,
      options.prefix ?? '',
      options.name ?? 'fake',
      options.recordRequests ?? true,
      options.writable ?? false,
    );
  }

  readonly requests: RecordedRequest[] = [];
  /** Whether the Argo Rollouts CRD is installed (otherwise its group answers 404). */
  rolloutsInstalled = false;
  /**
   * Whether the Flux CRDs (Kustomization, HelmRelease, GitRepository,
   * HelmRepository) are installed (otherwise their groups answer 404);
   * adding a Flux object installs them.
   */
  fluxInstalled = false;
  /** Resource plurals the service account may not read, e.g. `secrets`. */
  readonly forbidden = new Set<string>();
  /** Answer 410 Expired to every request carrying a continue token. */
  expireContinueTokens = false;
  private readonly objects = new Map<string, KubeObject[]>();
  /** plural → `namespace/name` → position in `objects`, so that adding many objects stays fast. */
  private readonly positions = new Map<string, Map<string, number>>();
  private readonly canned: Array<{
    match: string | RegExp;
    answer: CannedAnswer;
    times: number;
  }> = [];
  private readonly delays: Array<{
    match: string | RegExp;
    delayMs: number;
    answer: DelayedAnswer;
  }> = [];
  private readonly holds: Hold[] = [];
  private resourceVersion = 1000;
  private server?: Server;

  /**
   * The writes and the simulated pods of a writable fake (`writable: true`);
   * undefined for a read-only one.
   */
  readonly sandbox?: FakeSandbox;

  private constructor(
    public token: string,
    private readonly prefix: string,
    readonly name: string,
    private readonly recordRequests: boolean,
    writable: boolean,
  ) {
    if (writable) {
      this.sandbox = new FakeSandbox({
        find: (plural, namespace, name_) => this.find(plural, namespace, name_),
        add: (...objects) => this.add(...objects),
        remove: (plural, namespace, name_) =>
          this.remove(plural, namespace, name_),
        stored: plural => this.stored(plural),
        plurals: () => [...this.objects.keys()],
      });
    }
  }

  /** One stored object, or undefined. */
  find(
    plural: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    const position = this.positions
      .get(plural)
      ?.get(`${namespace ?? ''}/${name}`);
    return position === undefined
      ? undefined
      : this.objects.get(plural)?.[position];
  }

  /** Removes one stored object; returns it, or undefined when there was none. */
  remove(
    plural: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined {
    const list = this.objects.get(plural);
    const positions = this.positions.get(plural);
    const position = positions?.get(`${namespace ?? ''}/${name}`);
    if (!list || !positions || position === undefined) {
      return undefined;
    }
    const [removed] = list.splice(position, 1);
    positions.clear();
    list.forEach((o, i) =>
      positions.set(`${o.metadata.namespace ?? ''}/${o.metadata.name}`, i),
    );
    return removed;
  }

  /** The cluster URL, with the prefix (a fake that was started). */
  get url(): string {
    if (!this.server) {
      throw new Error(`fake cluster ${this.name} has no server of its own`);
    }
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}${this.prefix}`;
  }

  /**
   * The objects of one resource (e.g. `pods`) as stored: changing them
   * changes what the fake serves (see `rollOutImage`).
   */
  stored(plural: string): KubeObject[] {
    return this.objects.get(plural) ?? [];
  }

  /** Adds or replaces objects (by kind, namespace and name). */
  add(...objects: KubeObject[]): this {
    for (const object of objects) {
      const plural = PLURALS[object.kind];
      if (!plural) throw new Error(`the fake does not serve ${object.kind}`);
      if (FLUX_KINDS.includes(object.kind)) this.fluxInstalled = true;
      const list = this.objects.get(plural) ?? [];
      const positions = this.positions.get(plural) ?? new Map();
      const key = `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
      const i = positions.get(key) ?? -1;
      ++this.resourceVersion;
      const stored = {
        ...object,
        metadata: {
          ...object.metadata,
          resourceVersion:
            object.metadata.resourceVersion ?? String(this.resourceVersion),
          uid: object.metadata.uid ?? `uid-${this.resourceVersion}`,
        },
      };
      if (i >= 0) list[i] = stored;
      else positions.set(key, list.push(stored) - 1);
      this.objects.set(plural, list);
      this.positions.set(plural, positions);
    }
    return this;
  }

  /** Answers the next request whose path (without prefix) starts with `match` (or matches it). */
  answerNext(match: string | RegExp, answer: CannedAnswer, times = 1): this {
    this.canned.push({ match, answer, times });
    return this;
  }

  /** Answers every request whose path starts with `match` (or matches it). */
  answerAlways(match: string | RegExp, answer: CannedAnswer): this {
    return this.answerNext(match, answer, Infinity);
  }

  /**
   * Answers the next request whose path starts with `match` (or matches
   * it) as usual, but `delayMs` late. The returned object tells whether
   * the answer has been sent.
   */
  delayNext(match: string | RegExp, delayMs: number): DelayedAnswer {
    const answer = { answered: false };
    this.delays.push({ match, delayMs, answer });
    return answer;
  }

  /**
   * Holds the answer to the next request whose path starts with `match`
   * (or matches it) until `release()` is called; the answer is the usual
   * one. For tests about what happens while a request is outstanding.
   */
  holdNext(match: string | RegExp): HeldAnswer {
    let arrived!: () => void;
    const requested = new Promise<void>(resolve => {
      arrived = resolve;
    });
    const answer = { answered: false };
    const hold: Hold = {
      match,
      arrived,
      released: false,
      answer,
    };
    this.holds.push(hold);
    return {
      requested,
      get answered() {
        return answer.answered;
      },
      set answered(value: boolean) {
        answer.answered = value;
      },
      release() {
        hold.released = true;
        hold.send?.();
      },
    };
  }

  requestsTo(fragment: string): RecordedRequest[] {
    return this.requests.filter(r => r.path.includes(fragment));
  }

  /** The number of requests per path (without the query), e.g. `{ '/api/v1/pods': 3 }`. */
  requestCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.requests) {
      counts[r.path] = (counts[r.path] ?? 0) + 1;
    }
    return counts;
  }

  /** Forgets the requests recorded so far. */
  clearRequests(): void {
    this.requests.length = 0;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server) {
      server.closeAllConnections();
      await new Promise(resolve => server.close(resolve));
    }
  }

  /** Answers a request under the prefix and returns true; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://fake');
    if (!url.pathname.startsWith(`${this.prefix}/`)) {
      return false;
    }
    const path = url.pathname.slice(this.prefix.length);
    if (this.recordRequests)
      this.requests.push({
        method: req.method ?? 'GET',
        path,
        query: url.searchParams,
        authorization: req.headers.authorization,
        headers: req.headers,
      });

    const matches = (match: string | RegExp) =>
      typeof match === 'string' ? path.startsWith(match) : match.test(path);
    const h = this.holds.findIndex(c => matches(c.match));
    if (h >= 0) {
      const [hold] = this.holds.splice(h, 1);
      hold.send = () => {
        hold.send = () => {};
        this.respond(req, res, url, path);
        hold.answer.answered = true;
      };
      hold.arrived();
      if (hold.released) hold.send();
      return true;
    }
    const d = this.delays.findIndex(c => matches(c.match));
    if (d >= 0) {
      const [delay] = this.delays.splice(d, 1);
      setTimeout(() => {
        this.respond(req, res, url, path);
        delay.answer.answered = true;
      }, delay.delayMs);
      return true;
    }
    this.respond(req, res, url, path);
    return true;
  }

  /** Whether a group/version is served (custom resources: once their CRDs are installed). */
  private serves(groupVersion: string): boolean {
    if (groupVersion === ROLLOUTS_GROUP) return this.rolloutsInstalled;
    if (FLUX_GROUPS.includes(groupVersion)) return this.fluxInstalled;
    return true;
  }

  private notFoundPage(res: ServerResponse) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('404 page not found\n');
  }

  private respond(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    path: string,
  ) {
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const notFoundPage = () => this.notFoundPage(res);
    const i = this.canned.findIndex(c =>
      typeof c.match === 'string'
        ? path.startsWith(c.match)
        : c.match.test(path),
    );
    if (i >= 0) {
      const canned = this.canned[i];
      if (--canned.times <= 0) this.canned.splice(i, 1);
      const { answer } = canned;
      if (answer === 'hang') return;
      const send = () => {
        if (answer.text !== undefined) {
          res.writeHead(answer.status, { 'content-type': 'text/plain' });
          res.end(answer.text);
        } else {
          json(answer.status, answer.body ?? {});
        }
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
      return;
    }

    if (req.headers.authorization !== `Bearer ${this.token}`) {
      json(401, statusBody(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    const method = req.method ?? 'GET';
    const resourcePath =
      /^\/(api\/v1|apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?$/;
    if (method !== 'GET' && (!this.sandbox || !resourcePath.test(path))) {
      json(405, methodNotAllowedBody());
      return;
    }
    if (path === '/version') {
      json(200, VERSION);
      return;
    }
    if (path === '/api') {
      json(200, { kind: 'APIVersions', versions: ['v1'] });
      return;
    }
    const servedGroups = Object.keys(API).filter(gv => this.serves(gv));
    if (path === '/apis') {
      json(200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: servedGroups
          .filter(gv => gv.startsWith('apis/'))
          .map(gv => {
            const [, name, version] = gv.split('/');
            const groupVersion = {
              groupVersion: `${name}/${version}`,
              version,
            };
            return {
              name,
              versions: [groupVersion],
              preferredVersion: groupVersion,
            };
          }),
      });
      return;
    }
    const list = /^\/(api\/v1|apis\/[^/]+\/[^/]+)\/?$/.exec(path)?.[1];
    if (list && servedGroups.includes(list)) {
      json(200, {
        kind: 'APIResourceList',
        groupVersion: list.replace(/^apis?\//, ''),
        resources: Object.entries(API[list]).map(([name, served]) => ({
          name,
          singularName: served.kind.toLowerCase(),
          namespaced: true,
          kind: served.kind,
          verbs: ['get', 'list', 'watch'],
        })),
      });
      return;
    }
    const m = resourcePath.exec(path);
    const groupVersion = m?.[1];
    const served = groupVersion ? API[groupVersion]?.[m![3]] : undefined;
    if (!m || !served || !this.serves(groupVersion!)) {
      if (servedGroups.some(gv => path.startsWith(`/${gv}/`))) {
        // a resource the group does not have: the API server's Status
        json(
          404,
          statusBody(
            404,
            'NotFound',
            'the server could not find the requested resource',
            {},
          ),
        );
        return;
      }
      notFoundPage();
      return;
    }
    const namespace = m[2] && decodeURIComponent(m[2]);
    const plural = m[3];
    const name = m[4] && decodeURIComponent(m[4]);
    const group = groupVersion!.startsWith('apis/')
      ? groupVersion!.split('/')[1]
      : '';
    if (this.forbidden.has(plural)) {
      const where = namespace
        ? `in the namespace "${namespace}"`
        : 'at the cluster scope';
      json(
        403,
        statusBody(
          403,
          'Forbidden',
          `${plural}${group ? `.${group}` : ''}${
            name ? ` "${name}"` : ''
          } is forbidden: User "system:serviceaccount:backstage:env-parity" cannot ${
            name ? 'get' : 'list'
          } resource "${plural}" in API group "${group}" ${where}`,
          { ...(name ? { name } : {}), group, kind: plural },
        ),
      );
      return;
    }
    if (this.sandbox && method !== 'GET') {
      this.sandbox.write(req, json, {
        path,
        resource: {
          plural,
          kind: served.kind,
          apiVersion: served.apiVersion,
          group,
          namespaced: plural !== 'namespaces',
        },
        namespace: namespace || undefined,
        name: name || undefined,
      });
      return;
    }
    this.sandbox?.refresh();
    const all = this.objects.get(plural) ?? [];

    if (name) {
      const position = this.positions
        .get(plural)
        ?.get(`${namespace ?? ''}/${name}`);
      const found = position === undefined ? undefined : all[position];
      if (!found) {
        json(
          404,
          statusBody(404, 'NotFound', `${plural} "${name}" not found`, {
            name,
            kind: plural,
          }),
        );
        return;
      }
      json(200, found);
      return;
    }

    let requirements: Requirement[] = [];
    let fieldRequirements: FieldRequirement[] = [];
    const selector = url.searchParams.get('labelSelector');
    const fieldSelector = url.searchParams.get('fieldSelector');
    try {
      if (selector) requirements = parseSelector(selector);
      if (fieldSelector) fieldRequirements = parseFieldSelector(fieldSelector);
    } catch (error) {
      json(400, statusBody(400, 'BadRequest', (error as Error).message));
      return;
    }
    const matching = all
      .filter(o => !namespace || o.metadata.namespace === namespace)
      .filter(o => requirements.every(r => r(o.metadata.labels ?? {})))
      .filter(o => fieldRequirements.every(r => r(o)))
      .sort(
        (a, b) =>
          (a.metadata.namespace ?? '').localeCompare(
            b.metadata.namespace ?? '',
          ) || a.metadata.name.localeCompare(b.metadata.name),
      );
    let start = 0;
    const token = url.searchParams.get('continue');
    if (token) {
      if (this.expireContinueTokens) {
        json(
          410,
          statusBody(
            410,
            'Expired',
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
          ),
        );
        return;
      }
      try {
        start = JSON.parse(Buffer.from(token, 'base64').toString('utf8')).start;
        if (typeof start !== 'number') throw new Error();
      } catch {
        json(
          400,
          statusBody(
            400,
            'BadRequest',
            'continue key is not valid: illegal base64 data',
          ),
        );
        return;
      }
    }
    const limit = Number(url.searchParams.get('limit') ?? 0);
    const end = limit > 0 ? start + limit : matching.length;
    const items = matching.slice(start, end);
    const more = end < matching.length;
    json(200, {
      kind: `${served.kind}List`,
      apiVersion: served.apiVersion,
      metadata: {
        resourceVersion: String(this.resourceVersion),
        ...(more
          ? {
              continue: Buffer.from(
                JSON.stringify({ rv: this.resourceVersion, start: end }),
              ).toString('base64'),
              remainingItemCount: matching.length - end,
            }
          : {}),
      },
      items: items.map(({ apiVersion, kind, ...rest }) => rest),
    });
  }
}
