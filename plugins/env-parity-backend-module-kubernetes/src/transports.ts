import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import {
  GuardedHttpClient,
  GuardedHttpResponse,
} from '@env-parity/plugin-env-parity-node';
import { existsSync, readFileSync } from 'node:fs';
import {
  CONFIG_KEY,
  ClusterDefinition,
  IN_CLUSTER_TOKEN_PATH,
  LOCATORS_KEY,
} from './config';

/**
 * What the messages of a transport's failures tell the operator to check.
 *
 * @public
 */
export interface TransportHints {
  /** What the module talks to, for "could not reach …". */
  server: string;
  /** What to check when the API server answers 401. */
  unauthorized: string;
  /** What to check when the API server does not serve a resource type. */
  notServed: string;
  /** Added to "malformed response: not JSON". */
  notJson?: string;
}

/**
 * How requests reach one cluster's API: directly, or through the
 * Kubernetes backend's proxy. The client above it (paging, statuses,
 * error messages) is the same for both.
 *
 * @public
 */
export interface KubernetesTransport {
  /** The cluster's name, for messages. */
  readonly clusterName: string;
  readonly hints: TransportHints;
  /** GETs a Kubernetes API path with its query, e.g. `/api/v1/pods?limit=250`. */
  get(pathAndQuery: string, signal?: AbortSignal): Promise<GuardedHttpResponse>;
  /**
   * A safe message when a response is not the API server's own answer
   * (e.g. the Kubernetes backend's proxy refused the request); undefined
   * when it is the API server's.
   */
  foreignError?(res: GuardedHttpResponse): string | undefined;
}

export interface TransportOptions {
  timeoutMs: number;
  /** Largest response accepted, in bytes. Defaults to 16 MiB. */
  maxBodyBytes?: number;
  /** Where the in-cluster token is read from when the config has none (direct mode). */
  tokenPath?: string;
}

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

function hostOf(url: URL) {
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.hostname}:${port}`;
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

/**
 * The outbound-request guard for one cluster's API server: to the cluster's
 * host and port only, with the bearer token (of the config, else the
 * in-cluster one) bound to that host, the cluster's CA and TLS setting.
 * PATCH and DELETE only with `allowWriteMethods`: production's clusters are
 * read (GET) only, only the replicas' sandbox is written to.
 */
export function clusterHttpClient(
  cluster: ClusterDefinition,
  options: TransportOptions & {
    /** The config key named in the guard's refusals. */
    configKey: string;
    /** PATCH and DELETE too (the sandbox only). */
    allowWriteMethods?: boolean;
  },
): GuardedHttpClient {
  const host = hostOf(new URL(cluster.url));
  const token = readToken(cluster, options.tokenPath ?? IN_CLUSTER_TOKEN_PATH);
  return GuardedHttpClient.create({
    allowedHosts: [host],
    allowPrivateNetworks: true,
    hostHeaders: token
      ? [{ host, headers: { Authorization: `Bearer ${token}` } }]
      : [],
    timeoutMs: options.timeoutMs,
    // the connection gets the whole timeout too: a backend busy for a few
    // seconds (or a slow DNS answer) is not a cluster that timed out
    connectTimeoutMs: options.timeoutMs,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    configKey: options.configKey,
    ca: cluster.ca,
    rejectUnauthorized: cluster.skipTLSVerify ? false : undefined,
    ...(options.allowWriteMethods ? { allowWriteMethods: true } : {}),
  });
}

/** The cluster's API URL without a trailing slash, for `${base}${path}`. */
export function clusterBaseUrl(cluster: ClusterDefinition): string {
  return cluster.url.replace(/\/+$/, '');
}

/**
 * Direct mode: the cluster's API server of `kubernetes.clusterLocatorMethods`,
 * through the outbound-request guard (GET only, to the cluster's host and
 * port only, with the bearer token bound to that host).
 */
export class DirectTransport implements KubernetesTransport {
  readonly clusterName: string;
  readonly hints: TransportHints = {
    server: 'the API server',
    unauthorized: `check ${LOCATORS_KEY} serviceAccountToken`,
    notServed: 'check the cluster url and its path prefix',
  };
  private readonly http: GuardedHttpClient;
  private readonly base: string;

  constructor(cluster: ClusterDefinition, options: TransportOptions) {
    this.clusterName = cluster.name;
    // GET only: production's clusters are never written to
    this.http = clusterHttpClient(cluster, {
      timeoutMs: options.timeoutMs,
      maxBodyBytes: options.maxBodyBytes,
      tokenPath: options.tokenPath,
      configKey: CONFIG_KEY,
    });
    this.base = clusterBaseUrl(cluster);
  }

  get(pathAndQuery: string, signal?: AbortSignal) {
    return this.http.request(`${this.base}${pathAndQuery}`, {
      headers: { Accept: 'application/json' },
      signal,
    });
  }
}

/** The plugin id of the Kubernetes backend. */
export const KUBERNETES_PLUGIN_ID = 'kubernetes';
/** The header naming the cluster for the Kubernetes backend's proxy. */
export const CLUSTER_HEADER = 'Backstage-Kubernetes-Cluster';

/** A Backstage backend's serialized error response, as its error handler sends it. */
function backstageError(
  res: GuardedHttpResponse,
): { name: string; message: string } | undefined {
  let body: any;
  try {
    body = JSON.parse(res.body.toString('utf8'));
  } catch {
    return undefined;
  }
  const error = body?.error;
  if (
    typeof body === 'object' &&
    body !== null &&
    body.kind !== 'Status' &&
    typeof error?.name === 'string' &&
    typeof error?.message === 'string' &&
    typeof body.response?.statusCode === 'number'
  ) {
    return { name: error.name, message: error.message };
  }
  return undefined;
}

/**
 * Proxy mode: one connection to the Kubernetes backend's proxy endpoint
 * (`<discovery base URL of kubernetes>/proxy`) with a fresh plugin request
 * token of env-parity's own service credentials, bound to the backend's
 * host. Open one per observation: tokens expire (the auth service caches
 * them).
 */
export class KubernetesProxyConnection {
  static async open(options: {
    auth: AuthService;
    discovery: DiscoveryService;
    timeoutMs: number;
    maxBodyBytes?: number;
  }): Promise<KubernetesProxyConnection> {
    const baseUrl = (
      await options.discovery.getBaseUrl(KUBERNETES_PLUGIN_ID)
    ).replace(/\/+$/, '');
    const { token } = await options.auth.getPluginRequestToken({
      onBehalfOf: await options.auth.getOwnServiceCredentials(),
      targetPluginId: KUBERNETES_PLUGIN_ID,
    });
    const host = hostOf(new URL(baseUrl));
    const http = GuardedHttpClient.create({
      allowedHosts: [host],
      // the backend itself, usually on a private or loopback address
      allowPrivateNetworks: true,
      hostHeaders: [{ host, headers: { Authorization: `Bearer ${token}` } }],
      timeoutMs: options.timeoutMs,
      // the connection gets the whole timeout too: a backend busy for a few
      // seconds (or a slow DNS answer) is not a cluster that timed out
      connectTimeoutMs: options.timeoutMs,
      maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
      configKey: CONFIG_KEY,
    });
    return new KubernetesProxyConnection(baseUrl, http);
  }

  private constructor(
    readonly baseUrl: string,
    private readonly http: GuardedHttpClient,
  ) {}

  /** The transport to one cluster the Kubernetes backend knows by name. */
  cluster(clusterName: string): KubernetesTransport {
    const { baseUrl, http } = this;
    const locators = LOCATORS_KEY;
    return {
      clusterName,
      hints: {
        server: `the Kubernetes backend at ${baseUrl}`,
        unauthorized: `the API server refused the credentials the Kubernetes backend sent: check the auth of cluster ${clusterName} in ${locators}`,
        notServed: `check the url and path prefix of cluster ${clusterName} in ${locators}`,
        notJson: `is @backstage/plugin-kubernetes-backend installed, and does discovery find it at ${baseUrl}?`,
      },
      get(pathAndQuery, signal) {
        return http.request(`${baseUrl}/proxy${pathAndQuery}`, {
          headers: {
            Accept: 'application/json',
            [CLUSTER_HEADER]: clusterName,
          },
          signal,
        });
      },
      foreignError(res) {
        const error = backstageError(res);
        if (error) {
          const line = `${res.status} ${error.name}`;
          if (
            res.status === 404 &&
            /^Cluster '.*' not found$/.test(error.message)
          ) {
            return `the Kubernetes backend has no cluster named ${clusterName}: check ${locators}`;
          }
          if (
            res.status === 404 &&
            error.message === 'No Clusters configured'
          ) {
            return `the Kubernetes backend has no clusters: check ${locators}`;
          }
          if (res.status === 401) {
            return `the Kubernetes backend refused env-parity's service token (${line}): check the backend's service-to-service auth`;
          }
          if (res.status === 403) {
            return `the Kubernetes backend denied env-parity's service principal the kubernetes.proxy permission (${line}): allow it in the permission policy`;
          }
          if (res.status >= 500) {
            return `the Kubernetes backend could not proxy to cluster ${clusterName} (${line}): check its url, TLS and auth in ${locators}; the Kubernetes backend's log has the cause`;
          }
          return `the Kubernetes backend answered ${line}`;
        }
        if (res.status === 404) {
          const text = res.body.toString('utf8').trim();
          let json = false;
          try {
            JSON.parse(text);
            json = true;
          } catch {
            // not JSON
          }
          // the API server's own 404 is a Status object, or this text for a path it does not serve
          if (!json && !text.startsWith('404 page not found')) {
            return `404 Not Found from ${baseUrl}/proxy, not from a cluster: is @backstage/plugin-kubernetes-backend installed (with kubernetes config), and does discovery find it?`;
          }
        }
        return undefined;
      },
    };
  }
}
