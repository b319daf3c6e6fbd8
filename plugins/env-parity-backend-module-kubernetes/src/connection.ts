import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { ClusterEnvironment } from './ClusterEnvironments';
import {
  BEARER_AUTH_PROVIDERS,
  ClusterDefinition,
  CONFIG_KEY,
  ENVIRONMENT_ANNOTATION,
  KubernetesMode,
  LOCATORS_KEY,
  proxyAuthWarning,
} from './config';
import { KubernetesApiError } from './KubernetesClient';
import { KubernetesProxyConnection, KubernetesTransport } from './transports';

/** A mapped cluster as one observation reads it. */
export interface ObservedCluster {
  name: string;
  environment: string;
  /** How it is reached: a transport, or directly by its definition. */
  transport?: KubernetesTransport | ClusterDefinition;
  /** Why it cannot be read. */
  error?: string;
}

/** An error as shown for a cluster: KubernetesApiError messages name the cluster and carry no body or token. */
export function errorMessage(
  cluster: { name: string },
  error: unknown,
): string {
  return error instanceof KubernetesApiError
    ? error.message
    : `cluster ${cluster.name}: ${String((error as Error)?.message ?? error)}`;
}

/**
 * How the mapped clusters are reached: through the Kubernetes backend's
 * proxy, or directly with the clusters of `kubernetes.clusterLocatorMethods`.
 */
export class ClusterConnector {
  /** Catalog-mapped clusters already warned about (proxy mode, auth without a bearer token). */
  private readonly authWarned = new Set<string>();

  constructor(
    private readonly options: {
      mode: KubernetesMode;
      definitions: Map<string, ClusterDefinition>;
      proxyAuthProviders: Map<string, string>;
      timeoutMs: number;
      maxBodyBytes?: number;
      logger: LoggerService;
      /** Needed in proxy mode. */
      proxy?: { auth: AuthService; discovery: DiscoveryService };
    },
  ) {}

  /**
   * How each mapped cluster is reached: through the Kubernetes backend
   * (proxy mode; one connection, with a fresh token, per observation), or
   * directly when `kubernetes.clusterLocatorMethods` defines it. A cluster
   * the annotation maps but direct mode cannot read gets an error naming
   * the problem; one the config maps was warned about at startup and is
   * left out.
   */
  async connect(mapped: ClusterEnvironment[]): Promise<ObservedCluster[]> {
    if (this.options.mode === 'proxy') {
      const connection = await KubernetesProxyConnection.open({
        ...this.options.proxy!,
        timeoutMs: this.options.timeoutMs,
        maxBodyBytes: this.options.maxBodyBytes,
      });
      for (const c of mapped) {
        this.warnAboutProxyAuth(c);
      }
      return mapped.map(c => ({
        name: c.cluster,
        environment: c.environment,
        transport: connection.cluster(c.cluster),
      }));
    }
    const clusters: ObservedCluster[] = [];
    for (const c of mapped) {
      const definition = this.options.definitions.get(c.cluster);
      if (definition) {
        clusters.push({
          name: c.cluster,
          environment: c.environment,
          transport: definition,
        });
      } else if (c.source === 'catalog') {
        clusters.push({
          name: c.cluster,
          environment: c.environment,
          error: `cluster ${c.cluster}: the ${ENVIRONMENT_ANNOTATION} annotation of ${c.entityRef} maps it to environment ${c.environment}, but ${LOCATORS_KEY} has no usable cluster of that name (type config, authProvider serviceAccount): add it there, or set ${CONFIG_KEY}.mode to proxy to read the Kubernetes backend's clusters`,
        });
      }
    }
    return clusters;
  }

  /**
   * Proxy mode: a cluster the catalog maps whose auth in
   * `kubernetes.clusterLocatorMethods` yields no bearer token gets our
   * Backstage token forwarded to its API server: warned about once (those
   * the config maps were warned about at startup).
   */
  private warnAboutProxyAuth(c: ClusterEnvironment) {
    const authProvider = this.options.proxyAuthProviders.get(c.cluster);
    if (
      c.source !== 'catalog' ||
      authProvider === undefined ||
      BEARER_AUTH_PROVIDERS.includes(authProvider) ||
      this.authWarned.has(c.cluster)
    ) {
      return;
    }
    this.authWarned.add(c.cluster);
    this.options.logger.warn(proxyAuthWarning(c.cluster, authProvider));
  }
}
