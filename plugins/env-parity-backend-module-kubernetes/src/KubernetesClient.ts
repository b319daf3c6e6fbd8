import {
  GuardedHttpClient,
  GuardedHttpError,
} from '@env-parity/plugin-env-parity-node';
import { existsSync, readFileSync } from 'node:fs';
import {
  CONFIG_KEY,
  ClusterDefinition,
  IN_CLUSTER_TOKEN_PATH,
  LOCATORS_KEY,
} from './config';

/** A resource type this module reads. */
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

/**
 * A request to a cluster that failed; the message is safe to show: it
 * names the cluster, the status and what was asked, never a response
 * body, a token or a header.
 */
export class KubernetesApiError extends Error {
  name = 'KubernetesApiError';
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

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

/** A Kubernetes object as far as this module reads it. */
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
 * Reads one cluster's API through the outbound-request guard: GET only,
 * to the cluster's host and port only, with the bearer token bound to that
 * host.
 */
export class KubernetesClient {
  private readonly http: GuardedHttpClient;
  private readonly base: string;
  private readonly pageSize: number;
  private readonly maxPages: number;

  constructor(
    readonly cluster: ClusterDefinition,
    private readonly options: KubernetesClientOptions,
  ) {
    const url = new URL(cluster.url);
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const host = `${url.hostname}:${port}`;
    const token = readToken(
      cluster,
      options.tokenPath ?? IN_CLUSTER_TOKEN_PATH,
    );
    this.http = GuardedHttpClient.create({
      allowedHosts: [host],
      allowPrivateNetworks: true,
      hostHeaders: token
        ? [{ host, headers: { Authorization: `Bearer ${token}` } }]
        : [],
      timeoutMs: options.timeoutMs,
      maxBodyBytes: options.maxBodyBytes ?? 16 * 1024 * 1024,
      configKey: CONFIG_KEY,
      ca: cluster.ca,
      rejectUnauthorized: cluster.skipTLSVerify ? false : undefined,
    });
    this.base = cluster.url.replace(/\/+$/, '');
    this.pageSize = options.pageSize ?? 250;
    this.maxPages = options.maxPages ?? 20;
  }

  /** The URL path of a collection or an object. */
  path(type: ResourceType, namespace?: string, name?: string): string {
    const prefix = type.group
      ? `/apis/${encodeURIComponent(type.group)}/${encodeURIComponent(
          type.version,
        )}`
      : `/api/${encodeURIComponent(type.version)}`;
    const ns = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    const object = name ? `/${encodeURIComponent(name)}` : '';
    return `${prefix}${ns}/${type.plural}${object}`;
  }

  /**
   * Lists every object of a type matching a label selector, following
   * `continue` tokens. Returns undefined when the API answers 404 and
   * `optional` is set (the resource type is not served, e.g. no Argo
   * Rollouts CRD).
   */
  async list(
    type: ResourceType,
    request: {
      labelSelector: string;
      namespace?: string;
      signal?: AbortSignal;
      optional?: boolean;
    },
  ): Promise<KubeObject[] | undefined> {
    const what = `${resourceName(type)} ${
      request.namespace ? `in namespace ${request.namespace}` : 'cluster-wide'
    }`;
    const items: KubeObject[] = [];
    let token: string | undefined;
    for (let page = 0; page < this.maxPages; page++) {
      const query = new URLSearchParams({
        labelSelector: request.labelSelector,
        limit: String(this.pageSize),
      });
      if (token) {
        query.set('continue', token);
      }
      const url = `${this.base}${this.path(
        type,
        request.namespace,
      )}?${query.toString()}`;
      const res = await this.send(url, `listing ${what}`, request.signal);
      if (res.status === 404 && request.optional) {
        return undefined;
      }
      if (res.status === 404) {
        throw this.error(
          `404 Not Found listing ${what}: the API server does not serve ${resourceName(
            type,
          )} (check the cluster url and its path prefix)`,
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
      items.push(...body.items.filter(isObject));
      token =
        typeof body.metadata?.continue === 'string' && body.metadata.continue
          ? body.metadata.continue
          : undefined;
      if (!token) {
        return items;
      }
    }
    throw this.error(
      `more than ${this.maxPages} pages of ${what} match the label selector; narrow it`,
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
    const url = `${this.base}${this.path(type, namespace, name)}`;
    const res = await this.send(url, `reading ${what}`, signal);
    if (res.status === 404) {
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
      `cluster ${this.cluster.name}: ${message}`,
      status,
    );
  }

  private async send(url: string, doing: string, signal?: AbortSignal) {
    try {
      return await this.http.request(url, {
        headers: { Accept: 'application/json' },
        signal,
      });
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
              `could not reach the API server ${doing}: ${error.message}`,
            );
        }
      }
      // policy refusals: their messages name hosts and config keys only
      throw this.error(`${doing}: ${(error as Error)?.message ?? error}`);
    }
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
      throw this.error(
        `${line} — check ${LOCATORS_KEY} serviceAccountToken`,
        401,
      );
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
      throw this.error(`malformed response ${doing}: not JSON`);
    }
  }
}

function isObject(value: unknown): value is KubeObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readToken(cluster: ClusterDefinition, path: string) {
  if (cluster.serviceAccountToken) {
    return cluster.serviceAccountToken.trim();
  }
  try {
    if (existsSync(path)) {
      return readFileSync(path, 'utf8').trim() || undefined;
    }
  } catch {
    // no readable in-cluster token: requests go without one
  }
  return undefined;
}
