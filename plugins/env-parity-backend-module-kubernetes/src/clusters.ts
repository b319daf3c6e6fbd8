import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { ClusterEnvironment, ClusterEnvironments } from './ClusterEnvironments';
import {
  ClusterDefinition,
  CONFIG_KEY,
  ConfigNotice,
  readKubernetesProviderOptions,
} from './config';
import { ClusterConnector } from './connection';
import { KubernetesClient, KubernetesClientOptions } from './KubernetesClient';
import { KubernetesTransport } from './transports';

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
 * through the Kubernetes backend's proxy: the same clusters, mapping and
 * outbound guard as this module, for other modules reading Kubernetes
 * objects (e.g. Flux).
 *
 * @public
 */
export interface KubernetesClusters {
  /**
   * The mapped clusters serving these environments, each with a client (or
   * why it cannot be read). Throws when the Kubernetes backend's proxy
   * cannot be reached (proxy mode).
   */
  connect(environments: string[]): Promise<MappedCluster[]>;
}

/** The mapping, the connection and the clients of the mapped clusters. */
export class ClusterAccess implements KubernetesClusters {
  /** Clients of clusters read directly with a token from the config, by cluster definition. */
  private readonly directClients = new WeakMap<
    ClusterDefinition,
    KubernetesClient
  >();

  constructor(
    private readonly mapping: ClusterEnvironments,
    private readonly connector: ClusterConnector,
    private readonly clientOptions: KubernetesClientOptions,
  ) {}

  async connect(environments: string[]): Promise<MappedCluster[]> {
    const mapped = await this.mapped(environments);
    return mapped.length ? this.connectMapped(mapped) : [];
  }

  /** The mapped clusters serving these environments. */
  async mapped(environments: string[]): Promise<ClusterEnvironment[]> {
    const wanted = new Set(environments);
    return (await this.mapping.get()).filter(c => wanted.has(c.environment));
  }

  /** Each mapped cluster with its client, or why it cannot be read. */
  async connectMapped(mapped: ClusterEnvironment[]): Promise<MappedCluster[]> {
    const clusters = await this.connector.connect(mapped);
    return clusters.map(c =>
      c.transport
        ? {
            cluster: c.name,
            environment: c.environment,
            client: this.client(c.transport),
          }
        : { cluster: c.name, environment: c.environment, error: c.error },
    );
  }

  /**
   * The client of a cluster for one observation. A cluster read directly
   * with the token of its config gets one client, reused by every
   * observation (its outbound guard and host rules are set up once); one
   * read with the in-cluster token gets a new client each time, so that
   * a rotated token is read again; one read through the proxy gets the
   * connection's fresh token.
   */
  private client(
    transport: KubernetesTransport | ClusterDefinition,
  ): KubernetesClient {
    const create = () => new KubernetesClient(transport, this.clientOptions);
    if ('get' in transport || !transport.serviceAccountToken) {
      return create();
    }
    let client = this.directClients.get(transport);
    if (!client) {
      client = create();
      this.directClients.set(transport, client);
    }
    return client;
  }
}

/**
 * The clusters configured by `envParity.kubernetes` (and, in direct mode,
 * `kubernetes.clusterLocatorMethods`); `clusters` is undefined when
 * `envParity.kubernetes` is absent. Proxy mode needs `auth` and
 * `discovery`; the catalog mapping (`clustersFromCatalog`) needs `catalog`
 * and `auth`. The notices are those the Kubernetes module logs.
 *
 * @public
 */
export function kubernetesClustersFromConfig(
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
    clusters: new ClusterAccess(mapping, connector, {
      timeoutMs: read.options.timeoutMs,
      ...options.client,
    }),
    notices: read.notices,
  };
}
