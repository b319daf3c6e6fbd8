import {
  AuthService,
  BackstageCredentials,
  DiscoveryService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  AuthenticationError,
  ConflictError,
  ForwardedError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import {
  ParityReport,
  Replica,
  ReplicaRequestBody,
} from '@env-parity/plugin-env-parity-common';
import {
  GuardedHttpClient,
  GuardedHttpResponse,
} from '@env-parity/plugin-env-parity-node';

/** The backend plugin the actions call. */
export const ENV_PARITY_PLUGIN_ID = 'env-parity';

const DEFAULT_TIMEOUT_MS = 30_000;
/** A report lists every environment with its resources: more than 1 MiB for a large service. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * Options of the Env Parity actions: how they reach the env-parity backend.
 *
 * @public
 */
export interface EnvParityActionsOptions {
  /** Finds the env-parity backend (plugin id `env-parity`). */
  discovery: DiscoveryService;
  /** Issues the plugin request tokens on behalf of the template initiator. */
  auth: AuthService;
  /** Time for one request to the env-parity backend, in ms. Defaults to 30000. */
  requestTimeoutMs?: number;
}

/**
 * The entity ref in its full form (`component:default/name`); a bare name
 * means a component in the default namespace.
 */
export function normalizeEntityRef(entityRef: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(entityRef.trim(), {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    );
  } catch (error) {
    throw new InputError(
      `"${entityRef}" is not an entity ref; use one like component:default/my-service`,
    );
  }
}

/**
 * The env-parity backend as one template initiator sees it: every request
 * carries a plugin request token issued on behalf of the initiator, so the
 * backend applies that user's permissions and catalog visibility.
 *
 * Requests go through the outbound-request guard, bound to the host
 * discovery names for env-parity; the token is sent to that host only.
 */
export class EnvParityBackendClient {
  static async forInitiator(
    options: EnvParityActionsOptions & { credentials: BackstageCredentials },
  ): Promise<EnvParityBackendClient> {
    const baseUrl = (
      await options.discovery.getBaseUrl(ENV_PARITY_PLUGIN_ID)
    ).replace(/\/+$/, '');
    const { token } = await options.auth.getPluginRequestToken({
      onBehalfOf: options.credentials,
      targetPluginId: ENV_PARITY_PLUGIN_ID,
    });
    const url = new URL(baseUrl);
    const host = `${url.hostname}:${
      url.port || (url.protocol === 'https:' ? '443' : '80')
    }`;
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const http = GuardedHttpClient.create({
      allowedHosts: [host],
      // the Backstage backend itself, usually on a private or loopback address
      allowPrivateNetworks: true,
      hostHeaders: [{ host, headers: { Authorization: `Bearer ${token}` } }],
      timeoutMs,
      connectTimeoutMs: timeoutMs,
      maxBodyBytes: MAX_BODY_BYTES,
      userAgent: 'backstage-scaffolder-env-parity',
    });
    return new EnvParityBackendClient(baseUrl, http);
  }

  private constructor(
    readonly baseUrl: string,
    private readonly http: GuardedHttpClient,
  ) {}

  /** `GET /entities/:kind/:namespace/:name`: the parity report. */
  async getReport(
    entityRef: string,
    signal?: AbortSignal,
  ): Promise<ParityReport> {
    const { kind, namespace, name } = parseEntityRef(entityRef);
    const path = [kind, namespace, name]
      .map(part => encodeURIComponent(part))
      .join('/');
    return this.json<ParityReport>(
      'GET',
      `/entities/${path}`,
      `read the parity report of ${entityRef}`,
      { signal },
    );
  }

  /** `POST /replicas`: launches a replica (status `creating`). */
  async createReplica(
    body: ReplicaRequestBody,
    signal?: AbortSignal,
  ): Promise<Replica> {
    return this.json<Replica>(
      'POST',
      '/replicas',
      `launch a replica of ${body.entityRef}`,
      { body: JSON.stringify(body), signal },
    );
  }

  /** `GET /replicas/:id`. */
  async getReplica(id: string, signal?: AbortSignal): Promise<Replica> {
    return this.json<Replica>(
      'GET',
      `/replicas/${encodeURIComponent(id)}`,
      `read replica ${id}`,
      { signal },
    );
  }

  private async json<T>(
    method: 'GET' | 'POST',
    path: string,
    action: string,
    init: { body?: string; signal?: AbortSignal },
  ): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    let response: GuardedHttpResponse;
    try {
      response = await this.http.request(url, {
        method,
        body: init.body,
        headers: {
          Accept: 'application/json',
          ...(init.body !== undefined && {
            'Content-Type': 'application/json',
          }),
        },
        signal: init.signal,
      });
    } catch (error) {
      if (init.signal?.aborted) {
        // the task was cancelled: say so, not that the backend failed
        throw init.signal.reason ?? error;
      }
      throw new ForwardedError(
        `Could not ${action}: the env-parity backend at ${this.baseUrl} did not answer`,
        error,
      );
    }
    if (response.status >= 200 && response.status < 300) {
      try {
        return JSON.parse(response.body.toString('utf8')) as T;
      } catch {
        throw new ServiceUnavailableError(
          `Could not ${action}: the env-parity backend at ${this.baseUrl} answered ${response.status} with a body that is not JSON; is @env-parity/plugin-env-parity-backend installed?`,
        );
      }
    }
    throw errorFromResponse(response, action);
  }
}

/** The backend's own error message, from Backstage's error body. */
function backendMessage(response: GuardedHttpResponse): string | undefined {
  try {
    const body = JSON.parse(response.body.toString('utf8'));
    const message = body?.error?.message;
    return typeof message === 'string' && message ? message : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An error of `@backstage/errors` matching the status, whose message says
 * what was tried and what the backend answered.
 */
function errorFromResponse(response: GuardedHttpResponse, action: string) {
  const said = backendMessage(response);
  const detail = said ?? `${response.status} ${response.statusText}`.trim();
  switch (response.status) {
    case 400:
      return new InputError(`Could not ${action}: ${detail}`);
    case 401:
      return new AuthenticationError(
        `Could not ${action}: the env-parity backend did not accept the template initiator's credentials (${detail})`,
      );
    case 403:
      return new NotAllowedError(
        `Could not ${action}: the template initiator is not allowed to (${detail})`,
      );
    case 404:
      return new NotFoundError(
        said
          ? `Could not ${action}: ${said}`
          : `Could not ${action}: 404 Not Found; is @env-parity/plugin-env-parity-backend installed, and does discovery find it?`,
      );
    case 409:
      return new ConflictError(`Could not ${action}: ${detail}`);
    default:
      return new ServiceUnavailableError(
        `Could not ${action}: the env-parity backend answered ${
          response.status
        } ${response.statusText}${said ? `: ${said}` : ''}`,
      );
  }
}
