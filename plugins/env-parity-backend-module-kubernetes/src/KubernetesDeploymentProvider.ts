import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  ConfigFingerprint,
  Deployment,
  DeploymentFinding,
  RunningResource,
} from '@env-parity/plugin-env-parity-common';
import {
  ConfigFingerprinter,
  configFingerprinterFromConfig,
  DeploymentProvider,
  ObserveRequest,
  ProviderObservation,
} from '@env-parity/plugin-env-parity-node';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { createHash } from 'node:crypto';
import { ClusterEnvironment, ClusterEnvironments } from './ClusterEnvironments';
import {
  BEARER_AUTH_PROVIDERS,
  ClusterDefinition,
  CONFIG_KEY,
  ConfigNotice,
  ENVIRONMENT_ANNOTATION,
  KubernetesProviderOptions,
  LOCATORS_KEY,
  proxyAuthWarning,
  readKubernetesProviderOptions,
  WORKLOAD_KINDS,
  WorkloadKind,
} from './config';
import {
  KubeObject,
  KubernetesApiError,
  KubernetesClient,
  KubernetesClientOptions,
  RESOURCES,
  resourceName,
} from './KubernetesClient';
import { KubernetesProxyConnection, KubernetesTransport } from './transports';
import {
  checkLabelSelector,
  isLabelValue,
  isNamespace,
  matchesSelector,
  parseLabelSelector,
} from './selectors';
import {
  ClusterInventory,
  EnvRecord,
  KIND_RESOURCES,
  KubernetesCaches,
  keptFingerprint,
  listInventory,
  PodRecord,
  RecordPool,
  Reference,
  SourceRecord,
  WorkloadRecord,
  podRecord,
  workloadRecord,
  waitFor,
} from './inventory';

export { runningDigest } from './inventory';

/** The Kubernetes plugin's annotations, reused as they are. */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION =
  'backstage.io/kubernetes-label-selector';
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';

/** ConfigMaps and Secrets read at once per cluster. */
const GET_CONCURRENCY = 8;

/** One container of a workload as observed, values already fingerprinted. */
interface ContainerInfo {
  name: string;
  image: string;
  /** Running digest (`sha256:...`) to the number of pods running it. */
  digests: Map<string, number>;
  /** `requests.cpu` etc. to the quantity. */
  resources: Array<[string, string]>;
  env: Array<[string, ConfigFingerprint]>;
}

interface WorkloadInfo {
  kind: WorkloadKind;
  name: string;
  namespace?: string;
  cluster: string;
  version?: string;
  /** Desired replicas; undefined for DaemonSets (set by the node count). */
  specReplicas?: number;
  replicas: { desired: number; ready: number };
  status?: string;
  containers: ContainerInfo[];
}

interface ClusterResult {
  cluster: string;
  workloads: WorkloadInfo[];
  /** The `configmap/…` and `secret/…` keys; a key may come more than once (names alike once Kustomize suffixes are stripped, or in two namespaces). */
  config: Array<[string, ConfigFingerprint]>;
  findings: DeploymentFinding[];
}

/**
 * Kustomize's content-hash suffix of the ConfigMaps and Secrets it
 * generates: `-` and 10 characters of the alphabet of its encoded hash.
 */
const KUSTOMIZE_HASH_SUFFIX = /^(.+)-[2456789bcdfghkmt]{10}$/;

/**
 * A ConfigMap's or Secret's name as it appears in configuration keys:
 * without a Kustomize content-hash suffix (`api-config-7f9h2k8g5m` →
 * `api-config`), so that one changed key does not make the whole object
 * look removed and added across environments. Requests use the real name.
 */
export function configSourceName(name: string): string {
  return KUSTOMIZE_HASH_SUFFIX.exec(name)?.[1] ?? name;
}

/** A key taken from a Secret that could not be read: never compared. */
function unknownSecret(): ConfigFingerprint {
  return { hash: '', secret: true, unknown: true };
}

/**
 * One fingerprint for a key seen more than once (in two clusters of one
 * environment, or twice in one cluster): itself when every known hash
 * agrees; otherwise a hash of the sorted distinct hashes, with no value
 * and no name of where each came from. Unknown fingerprints count only
 * when nothing else is known.
 */
function combineFingerprints(fingerprints: ConfigFingerprint[]): {
  fingerprint: ConfigFingerprint;
  differs: boolean;
} {
  const known = fingerprints.filter(f => !f.unknown);
  if (known.length === 0) {
    return { fingerprint: { ...fingerprints[0] }, differs: false };
  }
  const hashes = [...new Set(known.map(f => f.hash))].sort();
  if (hashes.length === 1) {
    return { fingerprint: { ...known[0] }, differs: false };
  }
  const hash = createHash('sha256')
    .update(`combined:${hashes.join(',')}`, 'utf8')
    .digest('hex')
    .slice(0, 32);
  return {
    fingerprint: {
      hash,
      ...(known.some(f => f.secret) ? { secret: true } : {}),
    },
    differs: true,
  };
}

/** Adds a key's fingerprint to the ones seen for it. */
function collect(
  into: Map<string, ConfigFingerprint[]>,
  key: string,
  fingerprint: ConfigFingerprint,
) {
  const seen = into.get(key);
  if (seen) {
    seen.push(fingerprint);
  } else {
    into.set(key, [fingerprint]);
  }
}

/** The label selector and namespace an entity's annotations ask for. */
export interface KubernetesTarget {
  labelSelector: string;
  namespace?: string;
  /** Names a primary container may have: the entity name and the kubernetes-id. */
  names: string[];
}

/**
 * Reads the label selector and namespace from an entity's annotations,
 * as the Kubernetes plugin does; throws an Error naming the bad annotation.
 */
export function kubernetesTarget(entity: Entity): KubernetesTarget {
  const annotations = entity.metadata.annotations ?? {};
  const id = annotations[KUBERNETES_ID_ANNOTATION]?.trim();
  const selector = annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION];
  const namespace = annotations[KUBERNETES_NAMESPACE_ANNOTATION]?.trim();
  let labelSelector: string;
  if (selector !== undefined && selector.trim() !== '') {
    try {
      labelSelector = checkLabelSelector(selector);
    } catch (error) {
      throw new Error(
        `annotation ${KUBERNETES_LABEL_SELECTOR_ANNOTATION} is malformed: ${
          (error as Error).message
        }`,
      );
    }
  } else if (id) {
    if (!isLabelValue(id)) {
      throw new Error(
        `annotation ${KUBERNETES_ID_ANNOTATION} "${id}" is not a valid label value (at most 63 letters, digits, -, _ or ., starting and ending with a letter or digit)`,
      );
    }
    labelSelector = `${KUBERNETES_ID_ANNOTATION}=${id}`;
  } else {
    throw new Error(
      `the entity has neither ${KUBERNETES_LABEL_SELECTOR_ANNOTATION} nor ${KUBERNETES_ID_ANNOTATION}`,
    );
  }
  if (namespace !== undefined && namespace !== '' && !isNamespace(namespace)) {
    throw new Error(
      `annotation ${KUBERNETES_NAMESPACE_ANNOTATION} "${namespace}" is not a valid namespace name`,
    );
  }
  return {
    labelSelector,
    namespace: namespace || undefined,
    names: [entity.metadata.name, ...(id ? [id] : [])],
  };
}

/** An image reference without any `@digest`. */
export function withoutDigest(image: string): string {
  const at = image.indexOf('@');
  return at === -1 ? image : image.slice(0, at);
}

function shortDigest(digest: string) {
  return digest.slice(0, 'sha256:'.length + 12);
}

/** Digests by the number of pods running them, most first. */
function byPods(digests: Map<string, number>): Array<[string, number]> {
  return [...digests.entries()].sort(
    (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
  );
}

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

/** An error as shown for a cluster: KubernetesApiError messages name the cluster and carry no body or token. */
function errorMessage(cluster: { name: string }, error: unknown): string {
  return error instanceof KubernetesApiError
    ? error.message
    : `cluster ${cluster.name}: ${String((error as Error)?.message ?? error)}`;
}

/** The ConfigMaps and Secrets of one cluster's workloads, by `type/namespace/name`. */
interface Sources {
  /** The fingerprinted keys of those read. */
  keys: Map<string, Map<string, ConfigFingerprint>>;
  /** Secrets that could not be read (403). */
  forbidden: Set<string>;
}

/** A mapped cluster as one observation reads it. */
interface ObservedCluster {
  name: string;
  environment: string;
  /** How it is reached: a transport, or directly by its definition. */
  transport?: KubernetesTransport | ClusterDefinition;
  /** Why it cannot be read. */
  error?: string;
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
  private readonly logger: LoggerService;
  private readonly clientOptions?: Partial<KubernetesClientOptions>;
  private readonly mapping: ClusterEnvironments;
  private readonly proxy?: { auth: AuthService; discovery: DiscoveryService };
  /** The inventories and ConfigMap/Secret fingerprints; undefined with the inventory off. */
  private readonly caches?: KubernetesCaches;
  /** Catalog-mapped clusters already warned about (proxy mode, auth without a bearer token). */
  private readonly authWarned = new Set<string>();

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
    this.logger = options.logger;
    this.clientOptions = options.client;
    this.mapping =
      options.mapping ??
      new ClusterEnvironments({
        config: options.configMapping,
        logger: options.logger,
      });
    this.proxy = options.proxy;
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
    const annotations = entity.metadata.annotations ?? {};
    return Boolean(
      annotations[KUBERNETES_LABEL_SELECTOR_ANNOTATION]?.trim() ||
        annotations[KUBERNETES_ID_ANNOTATION]?.trim(),
    );
  }

  async observe(request: ObserveRequest): Promise<ProviderObservation[]> {
    const wanted = new Set(request.environments.map(e => e.name));
    const mapped = (await this.mapping.get()).filter(c =>
      wanted.has(c.environment),
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

    let clusters: ObservedCluster[];
    try {
      clusters = await this.connect(mapped);
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
      clusters.map(async cluster => {
        if (!cluster.transport) {
          return { cluster, error: cluster.error! };
        }
        try {
          const result = await this.observeCluster(
            cluster,
            new KubernetesClient(cluster.transport, {
              timeoutMs: this.options.timeoutMs,
              ...this.clientOptions,
            }),
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
      const deployment = this.combine(
        environment,
        mine.map(r => r.result!),
        target,
      );
      if (deployment) {
        observations.push({ environment, deployment });
      }
    }
    return observations;
  }

  /**
   * How each mapped cluster is reached: through the Kubernetes backend
   * (proxy mode; one connection, with a fresh token, per observation), or
   * directly when `kubernetes.clusterLocatorMethods` defines it. A cluster
   * the annotation maps but direct mode cannot read gets an error naming
   * the problem; one the config maps was warned about at startup and is
   * left out.
   */
  private async connect(
    mapped: ClusterEnvironment[],
  ): Promise<ObservedCluster[]> {
    if (this.options.mode === 'proxy') {
      const connection = await KubernetesProxyConnection.open({
        ...this.proxy!,
        timeoutMs: this.options.timeoutMs,
        maxBodyBytes: this.clientOptions?.maxBodyBytes,
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
    this.logger.warn(proxyAuthWarning(c.cluster, authProvider));
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
    const key = KubernetesCaches.sourceKey(
      cluster.name,
      ref.type,
      ref.namespace,
      ref.name,
    );
    return waitFor(
      this.caches.sources.get(key, () => this.loadSource(client, ref)),
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
        return { found: false, forbidden: true };
      }
      throw error;
    }
    if (!object) {
      return { found: false };
    }
    const keys = new Map<string, ConfigFingerprint>();
    if (ref.type === 'secrets') {
      for (const [key, encoded] of Object.entries(object.data ?? {})) {
        const value =
          typeof encoded === 'string'
            ? Buffer.from(encoded, 'base64').toString('utf8')
            : '';
        keys.set(
          key,
          keptFingerprint(
            this.fingerprinter.fingerprint(value, { secret: true }),
          ),
        );
      }
      // the secret object goes out of scope here: only fingerprints remain
    } else {
      for (const field of ['data', 'binaryData'] as const) {
        for (const [key, value] of Object.entries(object[field] ?? {})) {
          if (typeof value === 'string') {
            keys.set(
              key,
              keptFingerprint(
                this.fingerprinter.fingerprint(value, {
                  show: this.options.showConfigMapValues,
                }),
              ),
            );
          }
        }
      }
    }
    return { found: true, keys };
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
      if (!source.found) {
        if ('forbidden' in source) {
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
      sources.keys.set(id, source.keys);
      const prefix = ref.type === 'secrets' ? 'secret' : 'configmap';
      for (const [key, fingerprint] of source.keys) {
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
        env: c.env.map(e => [e.name, this.envFingerprint(e, ns, sources)]),
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

  private envFingerprint(
    e: EnvRecord,
    namespace: string,
    sources: Sources,
  ): ConfigFingerprint {
    if ('fingerprint' in e) {
      return { ...e.fingerprint };
    }
    const id = `${e.from}/${namespace}/${e.ref}`;
    const known = sources.keys.get(id)?.get(e.key as string);
    if (known) {
      // the value's own fingerprint, as under configmap/… and secret/…
      return { ...known };
    }
    if (sources.forbidden.has(id)) {
      // the Secret could not be read: the value is unknown, not different
      return unknownSecret();
    }
    // the Secret or ConfigMap, or its key, does not exist: a fingerprint
    // of the reference (without a Kustomize suffix, as in the keys)
    const name = configSourceName(e.ref);
    if (e.from === 'secrets') {
      return this.fingerprinter.fingerprint(`secretKeyRef:${name}.${e.key}`, {
        secret: true,
      });
    }
    return this.fingerprinter.fingerprint(
      `configMapKeyRef ${name}.${e.key} (missing)`,
      { show: true },
    );
  }

  /**
   * Combines what the clusters of one environment run into one deployment.
   * A configuration key the clusters disagree on (same-named workloads or
   * ConfigMaps with different contents) gets one combined fingerprint and
   * an info finding, rather than the last cluster's.
   */
  private combine(
    environment: string,
    results: ClusterResult[],
    target: KubernetesTarget,
  ): Deployment | undefined {
    const kindOrder = (k: WorkloadKind) => WORKLOAD_KINDS.indexOf(k);
    const workloads = results
      .flatMap(r => r.workloads)
      .sort(
        (a, b) =>
          kindOrder(a.kind) - kindOrder(b.kind) ||
          a.name.localeCompare(b.name) ||
          a.cluster.localeCompare(b.cluster),
      );
    if (workloads.length === 0) {
      return undefined;
    }

    // the primary container: named like the entity, else the first one
    let primary:
      | { workload: WorkloadInfo; container: ContainerInfo }
      | undefined;
    for (const name of target.names) {
      for (const workload of workloads) {
        const container = workload.containers.find(c => c.name === name);
        if (container) {
          primary = { workload, container };
          break;
        }
      }
      if (primary) break;
    }
    if (!primary) {
      const workload = workloads.find(w => w.containers.length > 0);
      if (workload) {
        primary = { workload, container: workload.containers[0] };
      }
    }
    const isPrimary = (w: WorkloadInfo, c: ContainerInfo) =>
      primary !== undefined &&
      w.kind === primary.workload.kind &&
      w.name === primary.workload.name &&
      c.name === primary.container.name;

    const deployment: Deployment = {};
    if (primary) {
      const digests = new Map<string, number>();
      for (const w of workloads) {
        for (const c of w.containers) {
          if (isPrimary(w, c)) {
            for (const [d, n] of c.digests) {
              digests.set(d, (digests.get(d) ?? 0) + n);
            }
          }
        }
      }
      const [top] = byPods(digests);
      const image = primary.container.image;
      if (image) {
        deployment.artifact = top ? `${withoutDigest(image)}@${top[0]}` : image;
      }
      if (primary.workload.version) {
        deployment.version = primary.workload.version;
      }
    }

    /** Per cluster, every fingerprint seen for each key. */
    const perCluster = new Map<string, Map<string, ConfigFingerprint[]>>(
      results.map(r => [r.cluster, new Map()]),
    );
    const clusterConfig = (cluster: string) => {
      let keys = perCluster.get(cluster);
      if (!keys) {
        keys = new Map();
        perCluster.set(cluster, keys);
      }
      return keys;
    };
    const findings: DeploymentFinding[] = [];
    const resources: RunningResource[] = [];
    for (const w of workloads) {
      const prefix = `${w.kind.toLowerCase()}/${w.name}`;
      const keys = clusterConfig(w.cluster);
      const resource = { kind: w.kind, name: w.name, location: w.cluster };
      if (w.specReplicas !== undefined) {
        collect(
          keys,
          `${prefix}.replicas`,
          this.fingerprinter.fingerprint(String(w.specReplicas), {
            show: true,
          }),
        );
      }
      for (const c of w.containers) {
        const at = `${prefix}/${c.name}`;
        if (!isPrimary(w, c)) {
          collect(
            keys,
            `${at}.image`,
            this.fingerprinter.fingerprint(c.image, { show: true }),
          );
        }
        for (const [key, quantity] of c.resources) {
          collect(
            keys,
            `${at}.resources.${key}`,
            this.fingerprinter.fingerprint(quantity, { show: true }),
          );
        }
        for (const [name, fingerprint] of c.env) {
          collect(keys, `${at}.env.${name}`, fingerprint);
        }
        if (c.digests.size > 1) {
          const counts = byPods(c.digests).map(
            ([d, n], i) =>
              `${shortDigest(d)} on ${n}${
                i === 0 ? ` pod${n === 1 ? '' : 's'}` : ''
              }`,
          );
          findings.push({
            type: 'mixed-digests',
            severity: 'warning',
            message: `${w.kind} ${w.name} on ${w.cluster}: pods of container ${
              c.name
            } run ${c.digests.size} different digests (${counts.join(
              ', ',
            )}): a rollout in progress or stuck.`,
            resource,
          });
        }
      }
      resources.push({
        kind: w.kind,
        name: w.name,
        ...(w.namespace ? { namespace: w.namespace } : {}),
        location: w.cluster,
        replicas: w.replicas,
        ...(w.status ? { status: w.status } : {}),
        images: w.containers.map(c => ({
          container: c.name,
          image: c.image,
          digests: [...c.digests.keys()].sort(),
        })),
      });
    }
    for (const r of results) {
      const keys = clusterConfig(r.cluster);
      for (const [key, fingerprint] of r.config) {
        collect(keys, key, fingerprint);
      }
      findings.push(...r.findings);
    }

    // one fingerprint per key and cluster, then per key across the clusters
    const across = new Map<string, ConfigFingerprint[]>();
    for (const keys of perCluster.values()) {
      for (const [key, fingerprints] of keys) {
        collect(across, key, combineFingerprints(fingerprints).fingerprint);
      }
    }
    const config: Record<string, ConfigFingerprint> = {};
    const differing: string[] = [];
    for (const [key, fingerprints] of across) {
      const { fingerprint, differs } = combineFingerprints(fingerprints);
      config[key] = fingerprint;
      if (differs) {
        differing.push(key);
      }
    }
    if (differing.length) {
      differing.sort();
      const n = differing.length;
      const shown = differing.slice(0, 3).join(', ');
      findings.push({
        type: 'clusters-differ',
        severity: 'info',
        message: `${n} configuration key${
          n === 1 ? ' differs' : 's differ'
        } between the clusters of environment ${environment} (${[
          ...perCluster.keys(),
        ]
          .sort()
          .join(', ')}): ${shown}${
          n > 3 ? `, …` : ''
        }. Each is compared as one combined fingerprint of the clusters' values.`,
      });
    }
    deployment.config = Object.fromEntries(
      Object.entries(config).sort(([a], [b]) => a.localeCompare(b)),
    );
    deployment.resources = resources;
    if (findings.length) {
      deployment.findings = findings;
    }
    return deployment;
  }
}
