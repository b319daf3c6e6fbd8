import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ClusterEnvironments } from './ClusterEnvironments';
import {
  ConfigNotice,
  CONFIG_KEY,
  readKubernetesProviderOptions,
} from './config';
import { ClusterConnector } from './connection';
import { KubernetesClient, KubernetesClientOptions } from './KubernetesClient';

/**
 * A cluster mapped to an environment, with the client that reads it, or
 * why it cannot be read.
 *
 * @public
 */
export interface MappedCluster {
  cluster: string;
  environment: string;
  client?: KubernetesClient;
  error?: string;
}

/**
 * The clusters of `envParity.kubernetes` and the environments they serve
 * (config and, with `clustersFromCatalog`, the catalog), reached directly or
 * through the Kubernetes backend's proxy, for other modules that read
 * Kubernetes objects (e.g. Flux): the same clusters, mapping and outbound
 * guard as this module.
 *
 * @public
 */
export class KubernetesClusters {
  static fromConfig(
    config: Config,
    options: {
      logger: LoggerService;
      auth?: AuthService;
      discovery?: DiscoveryService;
      catalog?: CatalogService;
      client?: Partial<KubernetesClientOptions>;
    },
  ): { clusters?: KubernetesClusters; notices: ConfigNotice[] } {
    const read = readKubernetesProviderOptions(config);
    if (!read) {
      return { notices: [] };
    }
    const { auth, discovery, catalog, logger } = options;
    if (read.options.mode === 'proxy' && (!auth || !discovery)) {
      throw new Error(
        `${CONFIG_KEY}.mode proxy needs the auth and discovery services`,
      );
    }
    const mapping = new ClusterEnvironments({
      config: read.options.configMapping,
      catalog:
        read.options.clustersFromCatalog && catalog && auth
          ? { service: catalog, auth }
          : undefined,
      logger,
    });
    const connector = new ClusterConnector({
      mode: read.options.mode,
      definitions: read.options.definitions,
      proxyAuthProviders: read.options.proxyAuthProviders,
      timeoutMs: read.options.timeoutMs,
      maxBodyBytes: options.client?.maxBodyBytes,
      logger,
      proxy: auth && discovery ? { auth, discovery } : undefined,
    });
    return {
      clusters: new KubernetesClusters(mapping, connector, {
        timeoutMs: read.options.timeoutMs,
        ...options.client,
      }),
      notices: read.notices,
    };
  }

  /** Clients of clusters read directly with a token from the config, by cluster name. */
  private readonly directClients = new Map<string, KubernetesClient>();

  private constructor(
    private readonly mapping: ClusterEnvironments,
    private readonly connector: ClusterConnector,
    private readonly clientOptions: KubernetesClientOptions,
  ) {}

  /**
   * The mapped clusters serving these environments, each with a client (or
   * why it cannot be read). Throws when the Kubernetes backend's proxy
   * cannot be reached (proxy mode).
   */
  async connect(environments: string[]): Promise<MappedCluster[]> {
    const wanted = new Set(environments);
    const mapped = (await this.mapping.get()).filter(c =>
      wanted.has(c.environment),
    );
    if (mapped.length === 0) {
      return [];
    }
    const clusters = await this.connector.connect(mapped);
    return clusters.map(c => {
      if (!c.transport) {
        return { cluster: c.name, environment: c.environment, error: c.error };
      }
      const transport = c.transport;
      let client: KubernetesClient;
      if ('get' in transport || !transport.serviceAccountToken) {
        // through the proxy (fresh token) or the in-cluster token (may rotate)
        client = new KubernetesClient(transport, this.clientOptions);
      } else {
        client =
          this.directClients.get(c.name) ??
          new KubernetesClient(transport, this.clientOptions);
        this.directClients.set(c.name, client);
      }
      return { cluster: c.name, environment: c.environment, client };
    });
  }
}
