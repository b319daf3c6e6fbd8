import {
  GuardedHttpError,
  GuardedHttpResponse,
} from '@env-parity/plugin-env-parity-node';
import { CONFIG_KEY, ClusterDefinition } from './config';
import { DirectTransport, KubernetesTransport } from './transports';

/**
 * A resource type this module reads.
 *
 * @public
 */
export interface ResourceType {
  /** API group, '' for the core group. */
  group: string;
  version: string;
  plural: string;
}

export const RESOURCES = {
  deployments: { group: 'apps', version: 'v1', plural: 'deployments' },
  statefulsets: { group: 'apps', version: 'v1', plural: 'statefulsets' },
  daemonsets: { group: 'apps', version: 'v1', plural: 'daemonsets' },
  rollouts: { group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts' },
  pods: { group: '', version: 'v1', plural: 'pods' },
  configmaps: { group: '', version: 'v1', plural: 'configmaps' },
  secrets: { group: '', version: 'v1', plural: 'secrets' },
} satisfies Record<string, ResourceType>;

/** How a resource type is named in messages and RBAC rules, e.g. `deployments.apps`. */
export function resourceName(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/** The API path of a collection (cluster-wide or in a namespace) or of one object. */
export function resourcePath(
  type: ResourceType,
  namespace?: string,
  name?: string,
): string {
  const prefix = type.group
    ? `/apis/${encodeURIComponent(type.group)}/${encodeURIComponent(
        type.version,
      )}`
    : `/api/${encodeURIComponent(type.version)}`;
  const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const object = name ? `/${encodeURIComponent(name)}` : '';
  return `${prefix}${ns}/${type.plural}${object}`;
}

/** The `continue` token of a list page; undefined on the last page. */
export function continueToken(body: {
  metadata?: { continue?: unknown };
}): string | undefined {
  const token = body.metadata?.continue;
  return typeof token === 'string' && token ? token : undefined;
}

/**
 * A request to a cluster that failed; the message is safe to show: it
 * names the cluster, the status and what was asked, never a response
 * body, a token or a header.
 *
 * @public
 */
export class KubernetesApiError extends Error {
  name = 'KubernetesApiError';
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

/** @public */
export interface KubernetesClientOptions {
  timeoutMs: number;
  /** Items per page (`limit`). Defaults to 250. */
  pageSize?: number;
  /** Pages read at most per list. Defaults to 20. */
  maxPages?: number;
  /** Largest response accepted, in bytes. Defaults to 16 MiB. */
  maxBodyBytes?: number;
  /** Where the in-cluster token is read from when the config has none. */
  tokenPath?: string;
}

/**
 * What to list.
 *
 * @public
 */
export interface ListRequest {
  /** Without one, every object is listed. */
  labelSelector?: string;
  namespace?: string;
  signal?: AbortSignal;
  /** A 404 (the type is not served) gives undefined rather than an error. */
  optional?: boolean;
  /** Items per page for this list; the client's `pageSize` otherwise. */
  pageSize?: number;
  /** Pages read at most for this list; the client's `maxPages` otherwise. */
  maxPages?: number;
}

/**
 * A Kubernetes object as far as this module reads it.
 *
 * @public
 */
export type KubeObject = {
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
  };
  [key: string]: any;
};

/**
 * Reads one cluster's API through a {@link KubernetesTransport}: directly
 * (the outbound-request guard, GET only, to the cluster's host and port
 * only, with the bearer token bound to that host) or through the
 * Kubernetes backend's proxy. Paging, status handling and error messages
 * are the same for both.
 *
 * @public
 */
export class KubernetesClient {
  private readonly transport: KubernetesTransport;
  private readonly pageSize: number;
  private readonly maxPages: number;

  constructor(
    cluster: ClusterDefinition | KubernetesTransport,
    private readonly options: KubernetesClientOptions,
  ) {
    this.transport =
      'get' in cluster ? cluster : new DirectTransport(cluster, options);
    this.pageSize = options.pageSize ?? 250;
    this.maxPages = options.maxPages ?? 20;
  }

  /** The name of the cluster read. */
  get clusterName(): string {
    return this.transport.clusterName;
  }

  /** The URL path of a collection or an object. */
  path(type: ResourceType, namespace?: string, name?: string): string {
    return resourcePath(type, namespace, name);
  }

  /**
   * Lists every object of a type matching a label selector (or every object,
   * without one), following `continue` tokens. Returns undefined when the
   * API answers 404 and `optional` is set (the resource type is not served,
   * e.g. no Argo Rollouts CRD). With `map`, every item is mapped as its page
   * arrives and the page is dropped (undefined results are left out), so
   * that a large list is never held whole.
   */
  async list(
    type: ResourceType,
    request: ListRequest,
  ): Promise<KubeObject[] | undefined>;
  async list<T>(
    type: ResourceType,
    request: ListRequest & { map: (item: KubeObject) => T | undefined },
  ): Promise<T[] | undefined>;
  async list<T>(
    type: ResourceType,
    request: ListRequest & { map?: (item: KubeObject) => T | undefined },
  ): Promise<Array<T | KubeObject> | undefined> {
    const what = `${resourceName(type)} ${
      request.namespace ? `in namespace ${request.namespace}` : 'cluster-wide'
    }`;
    const pageSize = request.pageSize ?? this.pageSize;
    const maxPages = request.maxPages ?? this.maxPages;
    const items: Array<T | KubeObject> = [];
    let token: string | undefined;
    for (let page = 0; page < maxPages; page++) {
      const query = new URLSearchParams();
      if (request.labelSelector !== undefined) {
        query.set('labelSelector', request.labelSelector);
      }
      query.set('limit', String(pageSize));
      if (token) {
        query.set('continue', token);
      }
      const url = `${this.path(type, request.namespace)}?${query.toString()}`;
      const res = await this.send(url, `listing ${what}`, request.signal);
      if (res.status === 404 && request.optional && this.fromCluster(res)) {
        return undefined;
      }
      if (res.status === 404) {
        throw this.error(
          `404 Not Found listing ${what}: the API server does not serve ${resourceName(
            type,
          )} (${this.transport.hints.notServed})`,
          404,
        );
      }
      if (res.status === 410) {
        throw this.error(
          `410 Gone listing ${what}: the continue token expired while paging (the list changed too much between pages); the next refresh starts over`,
          410,
        );
      }
      this.checkStatus(res, `list ${what}`, resourceName(type), 'list');
      const body = this.parse(res.body, `listing ${what}`);
      if (!body || typeof body !== 'object' || !Array.isArray(body.items)) {
        throw this.error(
          `malformed response listing ${what}: not a list (no items)`,
        );
      }
      for (const item of body.items) {
        if (!isObject(item)) continue;
        if (request.map) {
          const mapped = request.map(item);
          if (mapped !== undefined) items.push(mapped);
        } else {
          items.push(item);
        }
      }
      token = continueToken(body);
      if (!token) {
        return items;
      }
    }
    throw this.error(
      request.labelSelector === undefined
        ? `more than ${maxPages} pages of ${pageSize} ${what}: too many for the inventory; set ${CONFIG_KEY}.inventory.enabled to false`
        : `more than ${maxPages} pages of ${what} match the label selector; narrow it`,
    );
  }

  /**
   * Reads one object by name; undefined when it does not exist. A secret's
   * response body is never put into an error.
   */
  async get(
    type: ResourceType,
    namespace: string,
    name: string,
    signal?: AbortSignal,
  ): Promise<KubeObject | undefined> {
    const what = `${resourceName(type)} ${name} in namespace ${namespace}`;
    const url = this.path(type, namespace, name);
    const res = await this.send(url, `reading ${what}`, signal);
    if (res.status === 404 && this.fromCluster(res)) {
      return undefined;
    }
    this.checkStatus(res, `get ${what}`, resourceName(type), 'get');
    const body = this.parse(res.body, `reading ${what}`);
    if (!isObject(body)) {
      throw this.error(`malformed response reading ${what}: not an object`);
    }
    return body;
  }

  private error(message: string, status?: number) {
    return new KubernetesApiError(
      `cluster ${this.transport.clusterName}: ${message}`,
      status,
    );
  }

  /**
   * Whether a response is the API server's own (not an answer of the way
   * there, such as the Kubernetes backend's proxy refusing the request).
   */
  private fromCluster(res: GuardedHttpResponse) {
    return this.transport.foreignError?.(res) === undefined;
  }

  private async send(
    pathAndQuery: string,
    doing: string,
    signal?: AbortSignal,
  ): Promise<GuardedHttpResponse> {
    let res: GuardedHttpResponse;
    try {
      res = await this.transport.get(pathAndQuery, signal);
    } catch (error) {
      if (error instanceof GuardedHttpError) {
        switch (error.reason) {
          case 'timeout':
            throw this.error(
              `timed out after ${this.options.timeoutMs} ms ${doing} (${CONFIG_KEY}.timeout)`,
            );
          case 'aborted':
            throw this.error(`aborted while ${doing}`);
          case 'body-too-large':
            throw this.error(`the response ${doing} is too large`);
          default:
            throw this.error(
              `could not reach ${this.transport.hints.server} ${doing}: ${error.message}`,
            );
        }
      }
      // policy refusals: their messages name hosts and config keys only
      throw this.error(`${doing}: ${(error as Error)?.message ?? error}`);
    }
    // only an error answer can be the way there's own (a 2xx is the API
    // server's): a list page is not parsed once more to find out
    const foreign =
      res.status >= 200 && res.status < 300
        ? undefined
        : this.transport.foreignError?.(res);
    if (foreign !== undefined) {
      // not the API server's answer: no status, so that no caller takes it for one
      throw this.error(foreign);
    }
    return res;
  }

  private checkStatus(
    res: { status: number; statusText: string },
    what: string,
    resource: string,
    verb: 'get' | 'list',
  ) {
    if (res.status >= 200 && res.status < 300) {
      return;
    }
    const line = `${res.status} ${res.statusText || 'Error'}`.trim();
    if (res.status === 401) {
      throw this.error(`${line} — ${this.transport.hints.unauthorized}`, 401);
    }
    if (res.status === 403) {
      throw this.error(
        `${line}: not allowed to ${what} — grant the service account ${verb} on ${resource}`,
        403,
      );
    }
    if (res.status >= 500) {
      throw this.error(
        `${line} from the API server (could not ${what})`,
        res.status,
      );
    }
    throw this.error(`${line} (could not ${what})`, res.status);
  }

  private parse(body: Buffer, doing: string): any {
    try {
      return JSON.parse(body.toString('utf8'));
    } catch {
      const hint = this.transport.hints.notJson;
      throw this.error(
        `malformed response ${doing}: not JSON${hint ? ` — ${hint}` : ''}`,
      );
    }
  }
}

function isObject(value: unknown): value is KubeObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
