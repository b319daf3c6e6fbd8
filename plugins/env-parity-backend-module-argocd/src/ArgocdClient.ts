import { NotAllowedError, InputError } from '@backstage/errors';
import {
  GuardedHttpClient,
  GuardedHttpError,
  GuardedHttpLookup,
  GuardedHttpResponse,
} from '@env-parity/plugin-env-parity-node';
import { ARGOCD_CONFIG_KEY, ArgocdInstance, CONFIG_KEY } from './config';

/** The parts of an Argo CD ApplicationSource this module reads. */
export interface ApplicationSource {
  repoURL?: string;
  path?: string;
  chart?: string;
  targetRevision?: string;
  ref?: string;
  helm?: {
    parameters?: Array<{
      name?: string;
      value?: string;
      forceString?: boolean;
    }>;
    values?: string;
    valuesObject?: unknown;
    valueFiles?: string[];
    releaseName?: string;
  };
  kustomize?: {
    images?: string[];
    namePrefix?: string;
    nameSuffix?: string;
  };
}

/** The parts of an Argo CD Application this module reads. */
export interface Application {
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ kind?: string; name?: string }>;
  };
  spec?: {
    project?: string;
    source?: ApplicationSource;
    sources?: ApplicationSource[];
    destination?: { server?: string; name?: string; namespace?: string };
    syncPolicy?: {
      automated?: { prune?: boolean; selfHeal?: boolean } | null;
    };
  };
  status?: {
    sync?: { status?: string; revision?: string; revisions?: string[] };
    health?: { status?: string };
    summary?: { images?: string[] };
    operationState?: {
      finishedAt?: string;
      phase?: string;
      operation?: {
        initiatedBy?: { username?: string; automated?: boolean };
      };
    };
  };
}

/**
 * A request to an Argo CD instance that failed; the message is safe to show:
 * it names the instance, the request and the status, never a token, a header
 * value or a response body.
 */
export class ArgocdRequestError extends Error {
  name = 'ArgocdRequestError';

  constructor(
    message: string,
    /** The HTTP status Argo CD answered, when it answered. */
    readonly status?: number,
    /** The request did not get an answer in time. */
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** What an Argo CD call needs the token to be allowed, by method. */
const PERMISSION: Record<string, string> = {
  GET: 'applications, get, */*',
  upsert: 'applications, update, <project>/<application>',
  sync: 'applications, sync, <project>/<application>',
};

const STATUS_TEXT: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
};

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isApplication(value: unknown): value is Application {
  return (
    isObject(value) &&
    isObject(value.metadata) &&
    typeof value.metadata.name === 'string'
  );
}

/** The host pattern (`host:port`) of a URL, for the guard's allow-list. */
function hostPattern(url: URL): string {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
}

/**
 * Reads Applications from one Argo CD instance through the outbound-request
 * guard, to the instance's host only, with its token bound to that host;
 * the alignment deployer also updates one (an upsert) and syncs it (POST).
 */
export class ArgocdClient {
  private readonly http: GuardedHttpClient;

  constructor(
    readonly instance: ArgocdInstance,
    options: {
      timeoutMs: number;
      lookup?: GuardedHttpLookup;
      maxBodyBytes?: number;
    },
  ) {
    const host = hostPattern(new URL(instance.url));
    this.http = GuardedHttpClient.create({
      allowedHosts: [host],
      // instance URLs come from admin config; metadata addresses stay refused
      allowPrivateNetworks: true,
      hostHeaders: [
        { host, headers: { Authorization: `Bearer ${instance.token}` } },
      ],
      timeoutMs: options.timeoutMs,
      // the connection gets the whole timeout too: a backend busy for a few
      // seconds (or a slow DNS answer) is not a server that timed out
      connectTimeoutMs: options.timeoutMs,
      maxBodyBytes: options.maxBodyBytes ?? 16 * 1024 * 1024,
      configKey: CONFIG_KEY,
      lookup: options.lookup,
    });
  }

  /** The application, or undefined when the instance does not have it. */
  async getApplication(
    name: string,
    options: { appNamespace?: string; signal?: AbortSignal } = {},
  ): Promise<Application | undefined> {
    const query = new URLSearchParams();
    if (options.appNamespace) {
      query.set('appNamespace', options.appNamespace);
    }
    const search = query.toString();
    const path = `/api/v1/applications/${encodeURIComponent(name)}${
      search ? `?${search}` : ''
    }`;
    const res = await this.get(path, options.signal);
    if (res.status === 404) {
      const body = parseJson(res.body);
      // Argo CD: {"error":"applications.argoproj.io \"x\" not found","code":5,...}
      if (isObject(body) && (body.code === 5 || body.code === '5')) {
        return undefined;
      }
      throw this.statusError(path, res);
    }
    const body = this.parseOk(path, res);
    if (!isApplication(body)) {
      throw this.malformed(path, 'is not an Application');
    }
    return body;
  }

  /** The applications matching a label selector, project and namespace. */
  async listApplications(
    options: {
      selector?: string;
      project?: string;
      appNamespace?: string;
      signal?: AbortSignal;
    } = {},
  ): Promise<Application[]> {
    const query = new URLSearchParams();
    if (options.selector) {
      query.set('selector', options.selector);
    }
    if (options.project) {
      query.set('projects', options.project);
    }
    if (options.appNamespace) {
      query.set('appNamespace', options.appNamespace);
    }
    const search = query.toString();
    const path = `/api/v1/applications${search ? `?${search}` : ''}`;
    const res = await this.get(path, options.signal);
    const body = this.parseOk(path, res);
    if (!isObject(body) || !('items' in body)) {
      throw this.malformed(path, 'is not an application list');
    }
    if (body.items === null) {
      return [];
    }
    if (!Array.isArray(body.items) || !body.items.every(isApplication)) {
      throw this.malformed(path, 'is not an application list');
    }
    return body.items;
  }

  /**
   * Replaces an existing application's spec, labels and annotations with
   * the given ones: Argo CD's `POST /api/v1/applications?upsert=true`
   * (the API's update of a whole application), validated by Argo CD.
   */
  async upsertApplication(
    app: Application,
    options: { signal?: AbortSignal } = {},
  ): Promise<Application> {
    const path = `/api/v1/applications?upsert=true&validate=true`;
    const res = await this.send(
      path,
      'upsert',
      JSON.stringify(app),
      options.signal,
    );
    const body = this.parseOk(path, res, 'upsert');
    if (!isApplication(body)) {
      throw this.malformed(path, 'is not an Application', 'POST');
    }
    return body;
  }

  /**
   * Asks Argo CD to sync an application to its spec's target revision:
   * `POST /api/v1/applications/{name}/sync`.
   */
  async syncApplication(
    name: string,
    options: { appNamespace?: string; signal?: AbortSignal } = {},
  ): Promise<void> {
    const path = `/api/v1/applications/${encodeURIComponent(name)}/sync`;
    const res = await this.send(
      path,
      'sync',
      JSON.stringify({
        name,
        ...(options.appNamespace && { appNamespace: options.appNamespace }),
        prune: false,
        dryRun: false,
      }),
      options.signal,
    );
    this.parseOk(path, res, 'sync');
  }

  private async send(
    path: string,
    action: string,
    body: string,
    signal?: AbortSignal,
  ): Promise<GuardedHttpResponse> {
    return this.call(path, signal, { action, body });
  }

  private async get(
    path: string,
    signal?: AbortSignal,
  ): Promise<GuardedHttpResponse> {
    return this.call(path, signal);
  }

  private async call(
    path: string,
    signal?: AbortSignal,
    write?: { action: string; body: string },
  ): Promise<GuardedHttpResponse> {
    const method = write ? 'POST' : 'GET';
    try {
      return await this.http.request(`${this.instance.url}${path}`, {
        headers: {
          Accept: 'application/json',
          ...(write && { 'Content-Type': 'application/json' }),
        },
        ...(write && { method: 'POST' as const, body: write.body }),
        signal,
      });
    } catch (error) {
      if (
        error instanceof GuardedHttpError ||
        error instanceof NotAllowedError ||
        error instanceof InputError
      ) {
        // guard messages name the request and the reason, never headers
        throw new ArgocdRequestError(
          `Argo CD ${this.instance.name}: ${error.message}`,
          undefined,
          error instanceof GuardedHttpError && error.reason === 'timeout',
        );
      }
      throw new ArgocdRequestError(
        `Argo CD ${this.instance.name}: ${method} ${this.display(path)} failed`,
      );
    }
  }

  private display(path: string) {
    return `${this.instance.url}${path}`;
  }

  private parseOk(
    path: string,
    res: GuardedHttpResponse,
    action = 'GET',
  ): unknown {
    const method = action === 'GET' ? 'GET' : 'POST';
    if (res.redirect) {
      throw new ArgocdRequestError(
        `Argo CD ${this.instance.name}: ${method} ${this.display(
          path,
        )} answered ${res.status} redirecting elsewhere; check the url of ${
          this.instance.name
        } in ${ARGOCD_CONFIG_KEY}`,
      );
    }
    if (res.status !== 200) {
      throw this.statusError(path, res, action);
    }
    const body = parseJson(res.body);
    if (body === undefined) {
      throw this.malformed(path, 'is not JSON', method);
    }
    return body;
  }

  private statusError(path: string, res: GuardedHttpResponse, action = 'GET') {
    const method = action === 'GET' ? 'GET' : 'POST';
    const text = res.statusText || STATUS_TEXT[res.status] || '';
    // Argo CD's grpc-gateway error body: {"error","code","message"}; the
    // message says why (e.g. a failed validation), never a credential
    const said = action === 'GET' ? undefined : grpcMessage(res.body);
    const what = `Argo CD ${this.instance.name}: ${method} ${this.display(
      path,
    )} answered ${res.status}${text ? ` ${text}` : ''}${
      said ? ` (${said})` : ''
    }`;
    let hint = '';
    if (res.status === 401) {
      hint = `; check argocd.appLocatorMethods token of ${this.instance.name}`;
    } else if (res.status === 403) {
      hint = `; the token of ${this.instance.name} needs the Argo CD permission "${PERMISSION[action]}"`;
    } else if (res.status === 404 && action === 'GET') {
      hint = `; check the url of ${this.instance.name} in ${ARGOCD_CONFIG_KEY}`;
    }
    return new ArgocdRequestError(`${what}${hint}`, res.status);
  }

  private malformed(path: string, what: string, method = 'GET') {
    return new ArgocdRequestError(
      `Argo CD ${this.instance.name}: the answer to ${method} ${this.display(
        path,
      )} ${what}`,
    );
  }
}

/** The `message` of a grpc-gateway error body, shortened and on one line. */
function grpcMessage(body: Buffer): string | undefined {
  const parsed = parseJson(body);
  const message = isObject(parsed) ? parsed.message ?? parsed.error : undefined;
  return typeof message === 'string' && message
    ? message.replace(/\s+/g, ' ').slice(0, 200)
    : undefined;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}
