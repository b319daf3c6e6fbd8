import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  ConfigFingerprint,
  DeploymentFinding,
} from '@env-parity/plugin-env-parity-common';
import {
  ConfigFingerprinter,
  configFingerprinterFromConfig,
  DeploymentProvider,
  ObserveRequest,
  ProviderObservation,
} from '@env-parity/plugin-env-parity-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  KubernetesCaches,
  SOURCE_FORBIDDEN,
  SOURCE_MISSING,
  SourceRecord,
  sourceKeys,
  sourceRecord,
  waitFor,
} from './caches';
import { ClusterEnvironments } from './ClusterEnvironments';
import {
  CONFIG_KEY,
  ConfigNotice,
  KubernetesProviderOptions,
  readKubernetesProviderOptions,
} from './config';
import { ClusterAccess, MappedCluster } from './clusters';
import { ClusterConnector, errorMessage, ObservedCluster } from './connection';
import {
  ClusterResult,
  combineDeployment,
  ContainerInfo,
  WorkloadInfo,
} from './deployment';
import {
  configSourceName,
  envFingerprint,
  rememberingShown,
  sourceFingerprints,
  Sources,
  unknownSecret,
} from './fingerprints';
import {
  ClusterInventory,
  KIND_RESOURCES,
  listInventory,
  PodRecord,
  RecordPool,
  Reference,
  WorkloadRecord,
  podRecord,
  workloadRecord,
} from './inventory';
import {
  KubeObject,
  KubernetesApiError,
  KubernetesClient,
  KubernetesClientOptions,
  RESOURCES,
  resourceName,
} from './KubernetesClient';
import { matchesSelector, parseLabelSelector } from './selectors';
import {
  hasKubernetesAnnotations,
  KubernetesTarget,
  kubernetesTarget,
} from './target';

/** ConfigMaps and Secrets read at once per cluster. */
const GET_CONCURRENCY = 8;

async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]);
      }
    }),
  );
  return results;
}

/**
 * Observes what runs in the Kubernetes clusters mapped to environments
 * (`envParity.kubernetes.clusters` or the `env-parity/environment`
 * annotation of kubernetes-cluster Resources), directly or through the
 * Kubernetes backend's proxy (`envParity.kubernetes.mode`): workloads matching the entity's
 * Kubernetes annotations, their images and running digests, replicas,
 * resources and fingerprints of their configuration.
 *
 * @public
 */
export class KubernetesDeploymentProvider implements DeploymentProvider {
  readonly precedence = 100;

  /**
   * Creates the provider from `envParity.kubernetes` and (direct mode)
   * `kubernetes.clusterLocatorMethods`; `provider` is undefined when
   * `envParity.kubernetes` is absent. Proxy mode needs `auth` and
   * `discovery`; the catalog mapping (`clustersFromCatalog`, on by default)
   * needs `catalog` and `auth`.
   */
  static fromConfig(
    config: Config,
    options: {
      logger: LoggerService;
      auth?: AuthService;
      discovery?: DiscoveryService;
      catalog?: CatalogService;
      client?: Partial<KubernetesClientOptions>;
      /** With the inventory on: the caches to keep it in (tests pass one with their own clock). */
      caches?: KubernetesCaches;
    },
  ): { provider?: KubernetesDeploymentProvider; notices: ConfigNotice[] } {
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
    return {
      provider: new KubernetesDeploymentProvider({
        ...read.options,
        fingerprinter: configFingerprinterFromConfig(config),
        logger,
        client: options.client,
        caches: options.caches,
        mapping,
        proxy: auth && discovery ? { auth, discovery } : undefined,
      }),
      notices: read.notices,
    };
  }

  private readonly options: KubernetesProviderOptions;
  private readonly fingerprinter: ConfigFingerprinter;
  /** For the values deployments show (replicas, resources, images): remembered. */
  private readonly shownFingerprinter: ConfigFingerprinter;
  private readonly logger: LoggerService;
  /** The mapped clusters and their clients. */
  private readonly clusters: ClusterAccess;
  /** The inventories and ConfigMap/Secret fingerprints; undefined with the inventory off. */
  private readonly caches?: KubernetesCaches;

  constructor(
    options: KubernetesProviderOptions & {
      fingerprinter: ConfigFingerprinter;
      logger: LoggerService;
      client?: Partial<KubernetesClientOptions>;
      /** Which cluster serves which environment; by default `configMapping` alone. */
      mapping?: ClusterEnvironments;
      /** Needed in proxy mode. */
      proxy?: { auth: AuthService; discovery: DiscoveryService };
      /** With the inventory on: the caches to keep it in; new ones by default. */
      caches?: KubernetesCaches;
    },
  ) {
    this.options = options;
    this.fingerprinter = options.fingerprinter;
    this.shownFingerprinter = rememberingShown(options.fingerprinter);
    this.logger = options.logger;
    this.clusters = new ClusterAccess(
      options.mapping ??
        new ClusterEnvironments({
          config: options.configMapping,
          logger: options.logger,
        }),
      new ClusterConnector({
        mode: options.mode,
        definitions: options.definitions,
        proxyAuthProviders: options.proxyAuthProviders,
        timeoutMs: options.timeoutMs,
        maxBodyBytes: options.client?.maxBodyBytes,
        logger: options.logger,
        proxy: options.proxy,
      }),
      { timeoutMs: options.timeoutMs, ...options.client },
    );
    this.caches = options.inventory.enabled
      ? options.caches ??
        new KubernetesCaches({
          maxAgeMs: options.inventory.maxAgeMs,
          maxStaleMs: options.inventory.maxStaleMs,
        })
      : undefined;
  }

  getProviderName() {
    return 'kubernetes';
  }

  supports(entity: Entity): boolean {
    return hasKubernetesAnnotations(entity);
  }

  async observe(request: ObserveRequest): Promise<ProviderObservation[]> {
    const mapped = await this.clusters.mapped(
      request.environments.map(e => e.name),
    );
    const environments = [...new Set(mapped.map(c => c.environment))];
    if (mapped.length === 0) {
      return [];
    }
    let target: KubernetesTarget;
    try {
      target = kubernetesTarget(request.entity);
    } catch (error) {
      const message = (error as Error).message;
      return environments.map(environment => ({
        environment,
        error: message,
      }));
    }

    let clusters: MappedCluster[];
    try {
      clusters = await this.clusters.connectMapped(mapped);
    } catch (error) {
      const message = `could not connect to the Kubernetes backend: ${String(
        (error as Error)?.message ?? error,
      )}`;
      this.logger.warn(message);
      return environments.map(environment => ({
        environment,
        error: message,
      }));
    }

    const entityRef = stringifyEntityRef(request.entity);
    const results = await Promise.all(
      clusters.map(async mappedCluster => {
        const cluster: ObservedCluster = {
          name: mappedCluster.cluster,
          environment: mappedCluster.environment,
        };
        if (!mappedCluster.client) {
          return { cluster, error: mappedCluster.error! };
        }
        try {
          const result = await this.observeCluster(
            cluster,
            mappedCluster.client,
            target,
            request.signal,
          );
          this.logger.debug(
            `cluster ${cluster.name}: ${result.workloads.length} workloads of ${entityRef}`,
          );
          return { cluster, result };
        } catch (error) {
          const message = errorMessage(cluster, error);
          this.logger.debug(`could not observe ${entityRef}: ${message}`);
          return { cluster, error: message };
        }
      }),
    );

    const observations: ProviderObservation[] = [];
    for (const environment of environments) {
      const mine = results.filter(r => r.cluster.environment === environment);
      const errors = mine.flatMap(r => (r.error ? [r.error] : []));
      if (errors.length) {
        observations.push({ environment, error: errors.join('; ') });
        continue;
      }
      const deployment = combineDeployment(
        environment,
        mine.map(r => r.result!),
        target,
        this.shownFingerprinter,
      );
      if (deployment) {
        observations.push({ environment, deployment });
      }
    }
    return observations;
  }

  /**
   * The workloads and pods matching the entity in one cluster: from the
   * cluster's inventory (listed cluster-wide at most once per
   * `inventory.maxAge`, shared by every observation; an older one, up to
   * `inventory.maxStale`, is used while a new one is listed in the
   * background), or listed with the entity's label selector when the
   * inventory is off.
   */
  private async select(
    cluster: ObservedCluster,
    client: KubernetesClient,
    target: KubernetesTarget,
    signal?: AbortSignal,
  ): Promise<{ workloads: WorkloadRecord[]; pods: PodRecord[] }> {
    const kinds = this.options.workloadKinds;
    if (!this.caches) {
      const listRequest = {
        labelSelector: target.labelSelector,
        namespace: target.namespace,
        signal,
      };
      const pool = new RecordPool();
      const [pods, ...lists] = await Promise.all([
        client.list(RESOURCES.pods, {
          ...listRequest,
          map: (object: KubeObject) => podRecord(object, pool),
        }),
        ...kinds.map(kind =>
          client.list(RESOURCES[KIND_RESOURCES[kind]], {
            ...listRequest,
            optional: kind === 'Rollout',
            map: (object: KubeObject) =>
              workloadRecord(kind, object, this.fingerprinter, pool),
          }),
        ),
      ]);
      return { workloads: lists.flatMap(l => l ?? []), pods: pods ?? [] };
    }
    const caches = this.caches;
    const inventory = await waitFor(
      caches.inventories.get(cluster.name, async ({ background }) => {
        try {
          // no signal: the listing is shared, and an aborted observation
          // must not cancel it; each request has the client's timeout
          return await this.listInventory(cluster, client, caches.now());
        } catch (error) {
          if (background) {
            // nobody waits for it: the one trace of the failure
            this.logger.warn(
              `${errorMessage(
                cluster,
                error,
              )}; refreshing the inventory of workloads and pods failed, the previous one is used until ${CONFIG_KEY}.inventory.maxStale and the listing retried after ${
                caches.retryDelayMs / 1000
              } seconds`,
            );
          }
          throw error;
        }
      }),
      signal,
      () =>
        new KubernetesApiError(
          `cluster ${cluster.name}: aborted while waiting for the inventory of workloads and pods`,
        ),
    );
    const selector = parseLabelSelector(target.labelSelector);
    return {
      workloads: kinds.flatMap(
        kind =>
          inventory.workloads.get(kind)?.select(selector, target.namespace) ??
          [],
      ),
      pods: inventory.pods.select(selector, target.namespace),
    };
  }

  private async listInventory(
    cluster: ObservedCluster,
    client: KubernetesClient,
    listedAt: number,
  ): Promise<ClusterInventory> {
    const started = Date.now();
    const inventory = await listInventory(client, {
      kinds: this.options.workloadKinds,
      pageSize: this.options.inventory.pageSize,
      fingerprinter: this.fingerprinter,
      listedAt,
    });
    const workloads = [...inventory.workloads.values()].reduce(
      (n, list) => n + (list?.items.length ?? 0),
      0,
    );
    this.logger.debug(
      `cluster ${cluster.name}: inventory of ${workloads} workloads and ${
        inventory.pods.items.length
      } pods listed in ${Date.now() - started} ms`,
    );
    return inventory;
  }

  /**
   * A ConfigMap's or Secret's keys, fingerprinted: read by name, or, with
   * the inventory on, from the cache of the cluster (read at most once per
   * `inventory.maxAge`, shared by every observation).
   */
  private readSource(
    cluster: ObservedCluster,
    client: KubernetesClient,
    ref: Reference & { namespace: string },
    signal?: AbortSignal,
  ): Promise<SourceRecord> {
    if (!this.caches) {
      return this.loadSource(client, ref, signal);
    }
    return waitFor(
      this.caches.source(
        { cluster: cluster.name, type: ref.type, namespace: ref.namespace },
        ref.name,
        () => this.loadSource(client, ref),
      ),
      signal,
      () =>
        new KubernetesApiError(
          `cluster ${cluster.name}: aborted while reading ${resourceName(
            RESOURCES[ref.type],
          )} ${ref.name} in namespace ${ref.namespace}`,
        ),
    );
  }

  private async loadSource(
    client: KubernetesClient,
    ref: Reference & { namespace: string },
    signal?: AbortSignal,
  ): Promise<SourceRecord> {
    let object;
    try {
      object = await client.get(
        RESOURCES[ref.type],
        ref.namespace,
        ref.name,
        signal,
      );
    } catch (error) {
      if (
        ref.type === 'secrets' &&
        error instanceof KubernetesApiError &&
        error.status === 403
      ) {
        return SOURCE_FORBIDDEN;
      }
      throw error;
    }
    if (!object) {
      return SOURCE_MISSING;
    }
    return sourceRecord(
      sourceFingerprints(ref.type, object, this.fingerprinter, {
        showConfigMapValues: this.options.showConfigMapValues,
      }),
    );
  }

  private async observeCluster(
    cluster: ObservedCluster,
    client: KubernetesClient,
    target: KubernetesTarget,
    signal?: AbortSignal,
  ): Promise<ClusterResult> {
    const { workloads: records, pods } = await this.select(
      cluster,
      client,
      target,
      signal,
    );

    // ConfigMaps and Secrets the pod templates refer to, per namespace
    const findings: DeploymentFinding[] = [];
    const config: Array<[string, ConfigFingerprint]> = [];
    const wantedRefs = new Map<
      string,
      Reference & { namespace: string; by: WorkloadRecord[] }
    >();
    for (const record of records) {
      const namespace = record.namespace ?? target.namespace ?? 'default';
      for (const ref of record.references) {
        const id = `${ref.type}/${namespace}/${ref.name}`;
        const known = wantedRefs.get(id);
        if (known) {
          known.optional &&= ref.optional;
          if (!known.by.includes(record)) known.by.push(record);
        } else {
          wantedRefs.set(id, { ...ref, namespace, by: [record] });
        }
      }
    }
    const refs = [...wantedRefs.entries()];
    const read = await mapLimit(refs, GET_CONCURRENCY, ([, ref]) =>
      this.readSource(cluster, client, ref, signal),
    );
    /** Namespaces with Secrets that could not be read (403). */
    const forbiddenNamespaces = new Set<string>();
    /** Keys (fingerprinted) of the ConfigMaps and Secrets read, by `type/namespace/name`. */
    const sources: Sources = { keys: new Map(), forbidden: new Set() };
    refs.forEach(([id, ref], i) => {
      const source = read[i];
      if (typeof source !== 'string') {
        if (source === SOURCE_FORBIDDEN) {
          forbiddenNamespaces.add(ref.namespace);
          sources.forbidden.add(id);
        } else if (!ref.optional) {
          const [only] = ref.by;
          findings.push({
            type: 'missing-reference',
            severity: 'warning',
            message: `${ref.type === 'secrets' ? 'Secret' : 'ConfigMap'} ${
              ref.name
            } on ${cluster.name}, used by ${ref.by
              .map(r => `${r.kind} ${r.name}`)
              .join(', ')}, does not exist.`,
            ...(ref.by.length === 1
              ? {
                  resource: {
                    kind: only.kind,
                    name: only.name,
                    location: cluster.name,
                  },
                }
              : {}),
          });
        }
        return;
      }
      const keys = sourceKeys(source);
      sources.keys.set(id, keys);
      const prefix = ref.type === 'secrets' ? 'secret' : 'configmap';
      for (const [key, fingerprint] of keys) {
        config.push([
          `${prefix}/${configSourceName(ref.name)}.${key}`,
          { ...fingerprint },
        ]);
      }
    });
    // the keys of unreadable Secrets that env vars name are known to
    // exist, their values are not: never compared. The keys of envFrom and
    // volume references cannot be known, and are left out.
    for (const record of records) {
      const namespace = record.namespace ?? target.namespace ?? 'default';
      for (const c of record.containers) {
        for (const e of c.env) {
          if (
            'from' in e &&
            e.from === 'secrets' &&
            typeof e.key === 'string' &&
            sources.forbidden.has(`secrets/${namespace}/${e.ref}`)
          ) {
            config.push([
              `secret/${configSourceName(e.ref)}.${e.key}`,
              unknownSecret(),
            ]);
          }
        }
      }
    }
    for (const namespace of [...forbiddenNamespaces].sort()) {
      findings.push({
        type: 'secrets-unreadable',
        severity: 'info',
        message: `Secrets in namespace ${namespace} on ${cluster.name} could not be read (403 Forbidden): secret keys unknown. Grant the service account get on secrets to compare them.`,
      });
    }

    const workloads = records.map(record =>
      this.workload(cluster, target, record, pods, sources),
    );
    return { cluster: cluster.name, workloads, config, findings };
  }

  private workload(
    cluster: ObservedCluster,
    target: KubernetesTarget,
    record: WorkloadRecord,
    pods: PodRecord[],
    sources: Sources,
  ): WorkloadInfo {
    const namespace = record.namespace ?? target.namespace;
    const ns = namespace ?? 'default';
    const mine = pods.filter(
      p =>
        (p.namespace ?? target.namespace) === namespace &&
        matchesSelector(record.selector, p.labels),
    );
    const containers: ContainerInfo[] = record.containers.map(c => {
      const digests = new Map<string, number>();
      for (const pod of mine) {
        const digest = pod.digests.find(([name]) => name === c.name)?.[1];
        if (digest) {
          digests.set(digest, (digests.get(digest) ?? 0) + 1);
        }
      }
      return {
        name: c.name,
        image: c.image,
        digests,
        resources: c.resources,
        env: c.env.map(e => [
          e.name,
          envFingerprint(e, ns, sources, this.fingerprinter),
        ]),
      };
    });
    return {
      kind: record.kind,
      name: record.name,
      namespace,
      cluster: cluster.name,
      ...(record.version !== undefined ? { version: record.version } : {}),
      specReplicas: record.specReplicas,
      replicas: { ...record.replicas },
      status: record.status,
      containers,
    };
  }
}
