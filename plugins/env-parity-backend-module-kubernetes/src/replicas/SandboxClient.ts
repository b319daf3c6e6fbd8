import {
  GuardedHttpClient,
  GuardedHttpError,
  GuardedHttpMethod,
  GuardedHttpResponse,
} from '@env-parity/plugin-env-parity-node';
import { ClusterDefinition } from '../config';
import {
  continueToken,
  RESOURCES,
  resourceName,
  resourcePath,
  ResourceType,
} from '../KubernetesClient';
import { clusterBaseUrl, clusterHttpClient } from '../transports';
import { REPLICAS_KEY } from './config';

/** A Kubernetes object as the sandbox client sends and receives it. */
export type SandboxObject = { [key: string]: any };

/**
 * The resource types a replica consists of. Production's clusters are read
 * through the module's read-only {@link KubernetesClient} (GET only); only
 * the sandbox is written to, through this client.
 */
export const SANDBOX_RESOURCES = {
  namespaces: { group: '', version: 'v1', plural: 'namespaces' },
  configmaps: RESOURCES.configmaps,
  secrets: RESOURCES.secrets,
  services: { group: '', version: 'v1', plural: 'services' },
  pods: RESOURCES.pods,
  resourcequotas: { group: '', version: 'v1', plural: 'resourcequotas' },
  limitranges: { group: '', version: 'v1', plural: 'limitranges' },
  deployments: RESOURCES.deployments,
  statefulsets: RESOURCES.statefulsets,
  networkpolicies: {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'networkpolicies',
  },
  rolebindings: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'rolebindings',
  },
} satisfies Record<string, ResourceType>;

/**
 * A request to the sandbox that failed. The message is safe to show: the
 * cluster, the verb, the object's kind and name, the status and, except
 * for Secrets, the API server's own Status message (which names objects and
 * quotas, never a value of a Secret); never a request body, token or header.
 */
export class SandboxApiError extends Error {
  name = 'SandboxApiError';
  constructor(
    message: string,
    readonly status?: number,
    /** The Status `reason`, e.g. `Forbidden`, `AlreadyExists`. */
    readonly reason?: string,
    /** Whether the sandbox could not be reached at all (or timed out). */
    readonly unreachable = false,
  ) {
    super(message);
  }
}

/**
 * Reads and writes the sandbox cluster's API: create (an object that
 * exists already is read instead), get, list, merge patch and delete,
 * through the outbound-request guard (to the cluster's host and port only,
 * with the bearer token bound to that host). Used for the sandbox only:
 * production stays read-only.
 */
export class SandboxClient {
  private readonly http: GuardedHttpClient;
  private readonly base: string;

  constructor(
    private readonly cluster: ClusterDefinition,
    private readonly options: {
      timeoutMs: number;
      maxBodyBytes?: number;
      tokenPath?: string;
    },
  ) {
    this.http = clusterHttpClient(cluster, {
      ...options,
      configKey: REPLICAS_KEY,
      allowWriteMethods: true,
    });
    this.base = clusterBaseUrl(cluster);
  }

  get clusterName(): string {
    return this.cluster.name;
  }

  /** The URL path of a collection or an object. */
  path(type: ResourceType, namespace?: string, name?: string): string {
    return resourcePath(type, namespace, name);
  }

  /**
   * Creates an object; one that exists already (a retry) is read and
   * returned instead, with `created` false.
   */
  async create(
    type: ResourceType,
    namespace: string | undefined,
    object: SandboxObject,
    signal?: AbortSignal,
  ): Promise<{ object: SandboxObject; created: boolean }> {
    const name = String(object.metadata?.name ?? '');
    const res = await this.send(
      'POST',
      this.path(type, namespace),
      { type, name, namespace, verb: 'create' },
      signal,
      JSON.stringify(object),
      'application/json',
    );
    if (res.status === 409) {
      const existing = await this.get(type, namespace, name, signal);
      if (existing) {
        return { object: existing, created: false };
      }
    }
    this.check(res, { type, name, namespace, verb: 'create' });
    return { object: this.parse(res), created: true };
  }

  /** Reads one object; undefined when it does not exist. */
  async get(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    signal?: AbortSignal,
  ): Promise<SandboxObject | undefined> {
    const what = { type, name, namespace, verb: 'get' };
    const res = await this.send(
      'GET',
      this.path(type, namespace, name),
      what,
      signal,
    );
    if (res.status === 404) {
      return undefined;
    }
    this.check(res, what);
    return this.parse(res);
  }

  /** Lists objects (following `continue` tokens, at most 20 pages of 250). */
  async list(
    type: ResourceType,
    request: { namespace?: string; labelSelector?: string },
    signal?: AbortSignal,
  ): Promise<SandboxObject[]> {
    const items: SandboxObject[] = [];
    let token: string | undefined;
    const what = { type, namespace: request.namespace, verb: 'list' };
    for (let page = 0; page < 20; page++) {
      const query = new URLSearchParams();
      if (request.labelSelector) {
        query.set('labelSelector', request.labelSelector);
      }
      query.set('limit', '250');
      if (token) {
        query.set('continue', token);
      }
      const res = await this.send(
        'GET',
        `${this.path(type, request.namespace)}?${query}`,
        what,
        signal,
      );
      if (res.status === 404 && request.namespace) {
        // the namespace is gone: nothing in it
        return items;
      }
      this.check(res, what);
      const body = this.parse(res);
      for (const item of Array.isArray(body.items) ? body.items : []) {
        if (typeof item === 'object' && item !== null) items.push(item);
      }
      token = continueToken(body);
      if (!token) {
        return items;
      }
    }
    throw new SandboxApiError(
      `cluster ${this.cluster.name}: too many ${resourceName(type)} to list`,
    );
  }

  /** Applies a JSON merge patch; undefined when the object does not exist. */
  async patch(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    signal?: AbortSignal,
  ): Promise<SandboxObject | undefined> {
    const what = { type, name, namespace, verb: 'patch' };
    const res = await this.send(
      'PATCH',
      this.path(type, namespace, name),
      what,
      signal,
      JSON.stringify(patch),
      'application/merge-patch+json',
    );
    if (res.status === 404) {
      return undefined;
    }
    this.check(res, what);
    return this.parse(res);
  }

  /** Deletes an object (and, for a namespace, all in it); false when it was not there. */
  async delete(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    signal?: AbortSignal,
  ): Promise<boolean> {
    const what = { type, name, namespace, verb: 'delete' };
    const res = await this.send(
      'DELETE',
      `${this.path(type, namespace, name)}?propagationPolicy=Background`,
      what,
      signal,
    );
    if (res.status === 404) {
      return false;
    }
    this.check(res, what);
    return true;
  }

  private describe(what: {
    type: ResourceType;
    name?: string;
    namespace?: string;
    verb: string;
  }) {
    return `${what.verb} ${resourceName(what.type)}${
      what.name ? ` ${what.name}` : ''
    }${what.namespace ? ` in namespace ${what.namespace}` : ''}`;
  }

  private async send(
    method: GuardedHttpMethod,
    pathAndQuery: string,
    what: {
      type: ResourceType;
      name?: string;
      namespace?: string;
      verb: string;
    },
    signal?: AbortSignal,
    body?: string,
    contentType?: string,
  ): Promise<GuardedHttpResponse> {
    try {
      return await this.http.request(`${this.base}${pathAndQuery}`, {
        method,
        headers: {
          Accept: 'application/json',
          ...(contentType ? { 'Content-Type': contentType } : {}),
        },
        ...(body !== undefined ? { body } : {}),
        signal,
      });
    } catch (error) {
      const doing = this.describe(what);
      if (error instanceof GuardedHttpError) {
        let why = `could not reach the API server: ${error.message}`;
        if (error.reason === 'timeout') {
          why = `timed out after ${this.options.timeoutMs} ms`;
        } else if (error.reason === 'aborted') {
          why = 'aborted';
        }
        throw new SandboxApiError(
          `cluster ${this.cluster.name}: ${why} (${doing})`,
          undefined,
          undefined,
          error.reason !== 'aborted',
        );
      }
      throw new SandboxApiError(
        `cluster ${this.cluster.name}: ${doing}: ${
          (error as Error)?.message ?? error
        }`,
      );
    }
  }

  private check(
    res: GuardedHttpResponse,
    what: {
      type: ResourceType;
      name?: string;
      namespace?: string;
      verb: string;
    },
  ) {
    if (res.status >= 200 && res.status < 300) {
      return;
    }
    let reason: string | undefined;
    let message: string | undefined;
    try {
      const status = JSON.parse(res.body.toString('utf8'));
      if (status?.kind === 'Status') {
        reason = typeof status.reason === 'string' ? status.reason : undefined;
        message =
          typeof status.message === 'string' ? status.message : undefined;
      }
    } catch {
      // not a Status object
    }
    const line = `${res.status} ${reason ?? res.statusText ?? ''}`.trim();
    // a Status about a Secret could quote what was sent: never shown
    const shown =
      message && what.type.plural !== 'secrets' ? `: ${message}` : '';
    let hint = '';
    if (res.status === 401) {
      hint = ` (check the serviceAccountToken of cluster ${this.cluster.name})`;
    } else if (res.status === 403 && !/exceeded quota/.test(message ?? '')) {
      hint = ` (grant the backend's service account ${
        what.verb
      } on ${resourceName(what.type)} in the sandbox)`;
    }
    throw new SandboxApiError(
      `cluster ${this.cluster.name}: ${line} (could not ${this.describe(
        what,
      )})${shown}${hint}`,
      res.status,
      reason,
    );
  }

  private parse(res: GuardedHttpResponse): SandboxObject {
    try {
      const body = JSON.parse(res.body.toString('utf8'));
      if (typeof body === 'object' && body !== null) {
        return body;
      }
    } catch {
      // fall through
    }
    throw new SandboxApiError(
      `cluster ${this.cluster.name}: malformed response: not a JSON object`,
    );
  }
}
