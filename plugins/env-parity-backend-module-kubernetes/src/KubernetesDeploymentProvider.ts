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
import { ClusterEnvironment, ClusterEnvironments } from './ClusterEnvironments';
import {
  ClusterDefinition,
  CONFIG_KEY,
  ConfigNotice,
  ENVIRONMENT_ANNOTATION,
  KubernetesProviderOptions,
  LOCATORS_KEY,
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
} from './KubernetesClient';
import { KubernetesProxyConnection, KubernetesTransport } from './transports';
import {
  checkLabelSelector,
  isLabelValue,
  isNamespace,
  matchesSelector,
} from './selectors';

/** The Kubernetes plugin's annotations, reused as they are. */
export const KUBERNETES_ID_ANNOTATION = 'backstage.io/kubernetes-id';
export const KUBERNETES_LABEL_SELECTOR_ANNOTATION =
  'backstage.io/kubernetes-label-selector';
export const KUBERNETES_NAMESPACE_ANNOTATION =
  'backstage.io/kubernetes-namespace';

const KIND_RESOURCES: Record<WorkloadKind, keyof typeof RESOURCES> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  Rollout: 'rollouts',
};

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
  workloads: WorkloadInfo[];
  config: Record<string, ConfigFingerprint>;
  findings: DeploymentFinding[];
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

/**
 * Parses a container status `imageID` into a `sha256:` repository digest,
 * or undefined when it holds none: `docker-pullable://repo@sha256:...`,
 * `docker.io/x/y@sha256:...` are digests; a bare `sha256:...` is the local
 * image ID, not a repository digest.
 */
export function runningDigest(imageID: unknown): string | undefined {
  if (typeof imageID !== 'string') {
    return undefined;
  }
  const m = /@(sha256:[a-f0-9]{64})$/.exec(imageID.trim());
  return m?.[1];
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

function int(value: unknown, fallback = 0): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function conditionTrue(object: KubeObject, type: string) {
  const conditions: any[] = Array.isArray(object.status?.conditions)
    ? object.status.conditions
    : [];
  return conditions.find(c => c?.type === type);
}

function workloadStatus(
  kind: WorkloadKind,
  object: KubeObject,
  replicas: { desired: number; ready: number },
): string {
  if (kind === 'Rollout' && typeof object.status?.phase === 'string') {
    return object.status.phase;
  }
  const progressing = conditionTrue(object, 'Progressing');
  if (
    progressing?.status === 'False' &&
    progressing?.reason === 'ProgressDeadlineExceeded'
  ) {
    return 'ProgressDeadlineExceeded';
  }
  const updated =
    kind === 'DaemonSet'
      ? object.status?.updatedNumberScheduled
      : object.status?.updatedReplicas;
  if (
    replicas.ready < replicas.desired ||
    (typeof updated === 'number' && updated < replicas.desired)
  ) {
    return 'Progressing';
  }
  const available = conditionTrue(object, 'Available');
  if (available && available.status !== 'True') {
    return 'Unavailable';
  }
  return 'Available';
}

/** A ConfigMap or Secret a pod template refers to. */
interface Reference {
  type: 'configmaps' | 'secrets';
  name: string;
  optional: boolean;
}

function templateReferences(spec: any): Reference[] {
  const refs: Reference[] = [];
  const add = (type: Reference['type'], source: any) => {
    const name =
      type === 'secrets' ? source?.name ?? source?.secretName : source?.name;
    if (typeof name === 'string' && name) {
      refs.push({ type, name, optional: source?.optional === true });
    }
  };
  const containers = [
    ...(Array.isArray(spec?.containers) ? spec.containers : []),
    ...(Array.isArray(spec?.initContainers) ? spec.initContainers : []),
  ];
  for (const c of containers) {
    for (const from of Array.isArray(c?.envFrom) ? c.envFrom : []) {
      if (from?.configMapRef) add('configmaps', from.configMapRef);
      if (from?.secretRef) add('secrets', from.secretRef);
    }
    for (const e of Array.isArray(c?.env) ? c.env : []) {
      if (e?.valueFrom?.configMapKeyRef)
        add('configmaps', e.valueFrom.configMapKeyRef);
      if (e?.valueFrom?.secretKeyRef) add('secrets', e.valueFrom.secretKeyRef);
    }
  }
  for (const v of Array.isArray(spec?.volumes) ? spec.volumes : []) {
    if (v?.configMap) add('configmaps', v.configMap);
    if (v?.secret) add('secrets', v.secret);
    for (const s of Array.isArray(v?.projected?.sources)
      ? v.projected.sources
      : []) {
      if (s?.configMap) add('configmaps', s.configMap);
      if (s?.secret) add('secrets', s.secret);
    }
  }
  return refs;
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

/** A ConfigMap's or Secret's keys, already fingerprinted; values dropped. */
interface ReadSource {
  /** Key to fingerprint (secrets: `secret: true`, never a value). */
  keys: Map<string, ConfigFingerprint>;
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

  constructor(
    options: KubernetesProviderOptions & {
      fingerprinter: ConfigFingerprinter;
      logger: LoggerService;
      client?: Partial<KubernetesClientOptions>;
      /** Which cluster serves which environment; by default `configMapping` alone. */
      mapping?: ClusterEnvironments;
      /** Needed in proxy mode. */
      proxy?: { auth: AuthService; discovery: DiscoveryService };
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
          const message =
            error instanceof KubernetesApiError
              ? error.message
              : `cluster ${cluster.name}: ${String(
                  (error as Error)?.message ?? error,
                )}`;
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

  private async observeCluster(
    cluster: ObservedCluster,
    client: KubernetesClient,
    target: KubernetesTarget,
    signal?: AbortSignal,
  ): Promise<ClusterResult> {
    const listRequest = {
      labelSelector: target.labelSelector,
      namespace: target.namespace,
      signal,
    };
    const [pods, ...lists] = await Promise.all([
      client.list(RESOURCES.pods, listRequest),
      ...this.options.workloadKinds.map(kind =>
        client.list(RESOURCES[KIND_RESOURCES[kind]], {
          ...listRequest,
          optional: kind === 'Rollout',
        }),
      ),
    ]);
    const livePods = (pods ?? []).filter(
      p => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed',
    );
    const objects: Array<{ kind: WorkloadKind; object: KubeObject }> = [];
    this.options.workloadKinds.forEach((kind, i) => {
      for (const object of lists[i] ?? []) {
        if (typeof object.metadata?.name === 'string') {
          objects.push({ kind, object });
        }
      }
    });

    // ConfigMaps and Secrets the pod templates refer to, per namespace
    const findings: DeploymentFinding[] = [];
    const config: Record<string, ConfigFingerprint> = {};
    const wantedRefs = new Map<
      string,
      Reference & { namespace: string; by: string[] }
    >();
    for (const { kind, object } of objects) {
      const namespace =
        object.metadata?.namespace ?? target.namespace ?? 'default';
      for (const ref of templateReferences(object.spec?.template?.spec)) {
        const id = `${ref.type}/${namespace}/${ref.name}`;
        const known = wantedRefs.get(id);
        const by = `${kind} ${object.metadata!.name}`;
        if (known) {
          known.optional &&= ref.optional;
          if (!known.by.includes(by)) known.by.push(by);
        } else {
          wantedRefs.set(id, { ...ref, namespace, by: [by] });
        }
      }
    }
    const forbiddenSecrets = new Set<string>();
    const sources = new Map<string, ReadSource>();
    /** ConfigMap values, kept during this observation to resolve configMapKeyRef. */
    const configMapValues = new Map<string, Map<string, string>>();
    await mapLimit(
      [...wantedRefs.entries()],
      GET_CONCURRENCY,
      async ([id, ref]) => {
        let object: KubeObject | undefined;
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
            forbiddenSecrets.add(ref.namespace);
            return;
          }
          throw error;
        }
        const kindName = ref.type === 'secrets' ? 'Secret' : 'ConfigMap';
        if (!object) {
          if (!ref.optional) {
            findings.push({
              type: 'missing-reference',
              severity: 'warning',
              message: `${kindName} ${ref.name} on ${
                cluster.name
              }, used by ${ref.by.join(', ')}, does not exist.`,
            });
          }
          return;
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
              this.fingerprinter.fingerprint(value, { secret: true }),
            );
          }
          // the secret object goes out of scope here: only fingerprints remain
        } else {
          const values = new Map<string, string>();
          for (const field of ['data', 'binaryData'] as const) {
            for (const [key, value] of Object.entries(object[field] ?? {})) {
              if (typeof value === 'string') values.set(key, value);
            }
          }
          for (const [key, value] of values) {
            keys.set(
              key,
              this.fingerprinter.fingerprint(value, {
                show: this.options.showConfigMapValues,
              }),
            );
          }
          configMapValues.set(id, values);
        }
        sources.set(id, { keys });
        const prefix = ref.type === 'secrets' ? 'secret' : 'configmap';
        for (const [key, fingerprint] of keys) {
          config[`${prefix}/${ref.name}.${key}`] = fingerprint;
        }
      },
    );
    for (const namespace of [...forbiddenSecrets].sort()) {
      findings.push({
        type: 'secrets-unreadable',
        severity: 'info',
        message: `Secrets in namespace ${namespace} on ${cluster.name} could not be read (403 Forbidden): secret keys unknown. Grant the service account get on secrets to compare them.`,
      });
    }

    const workloads = objects.map(({ kind, object }) =>
      this.workload(cluster, target, kind, object, livePods, {
        sources,
        configMapValues,
        forbiddenSecrets,
      }),
    );
    return { workloads, config, findings };
  }

  private workload(
    cluster: ObservedCluster,
    target: KubernetesTarget,
    kind: WorkloadKind,
    object: KubeObject,
    pods: KubeObject[],
    read: {
      sources: Map<string, ReadSource>;
      configMapValues: Map<string, Map<string, string>>;
      forbiddenSecrets: Set<string>;
    },
  ): WorkloadInfo {
    const name = object.metadata!.name!;
    const namespace = object.metadata?.namespace ?? target.namespace;
    const ns = namespace ?? 'default';
    const mine = pods.filter(
      p =>
        (p.metadata?.namespace ?? target.namespace) === namespace &&
        matchesSelector(object.spec?.selector, p.metadata?.labels),
    );
    const template = object.spec?.template;
    const spec = template?.spec;
    let replicas: { desired: number; ready: number };
    let specReplicas: number | undefined;
    if (kind === 'DaemonSet') {
      replicas = {
        desired: int(object.status?.desiredNumberScheduled),
        ready: int(object.status?.numberReady),
      };
    } else {
      specReplicas = int(object.spec?.replicas, 1);
      replicas = {
        desired: specReplicas,
        ready: int(object.status?.readyReplicas),
      };
    }

    const containers: ContainerInfo[] = (
      Array.isArray(spec?.containers) ? spec.containers : []
    )
      .filter((c: any) => typeof c?.name === 'string')
      .map((c: any) => {
        const digests = new Map<string, number>();
        for (const pod of mine) {
          const status = (
            Array.isArray(pod.status?.containerStatuses)
              ? pod.status.containerStatuses
              : []
          ).find((s: any) => s?.name === c.name);
          const digest = runningDigest(status?.imageID);
          if (digest) {
            digests.set(digest, (digests.get(digest) ?? 0) + 1);
          }
        }
        const resources: Array<[string, string]> = [];
        for (const group of ['requests', 'limits'] as const) {
          for (const [resource, quantity] of Object.entries(
            c.resources?.[group] ?? {},
          )) {
            resources.push([`${group}.${resource}`, String(quantity)]);
          }
        }
        const env: Array<[string, ConfigFingerprint]> = [];
        for (const e of Array.isArray(c.env) ? c.env : []) {
          if (typeof e?.name !== 'string') continue;
          env.push([e.name, this.envFingerprint(e, ns, read)]);
        }
        return {
          name: c.name,
          image: typeof c.image === 'string' ? c.image : '',
          digests,
          resources,
          env,
        };
      });

    const version =
      object.metadata?.labels?.['app.kubernetes.io/version'] ??
      template?.metadata?.labels?.['app.kubernetes.io/version'];
    return {
      kind,
      name,
      namespace,
      cluster: cluster.name,
      ...(typeof version === 'string' ? { version } : {}),
      specReplicas,
      replicas,
      status: workloadStatus(kind, object, replicas),
      containers,
    };
  }

  private envFingerprint(
    e: any,
    namespace: string,
    read: {
      sources: Map<string, ReadSource>;
      configMapValues: Map<string, Map<string, string>>;
      forbiddenSecrets: Set<string>;
    },
  ): ConfigFingerprint {
    const from = e.valueFrom;
    if (!from) {
      return this.fingerprinter.fingerprint(String(e.value ?? ''));
    }
    if (from.secretKeyRef) {
      const { name, key } = from.secretKeyRef;
      const known = read.sources
        .get(`secrets/${namespace}/${name}`)
        ?.keys.get(key);
      // the secret's own fingerprint when it could be read; otherwise one of the reference
      return (
        known ??
        this.fingerprinter.fingerprint(`secretKeyRef:${name}.${key}`, {
          secret: true,
        })
      );
    }
    if (from.configMapKeyRef) {
      const { name, key } = from.configMapKeyRef;
      const value = read.configMapValues
        .get(`configmaps/${namespace}/${name}`)
        ?.get(key);
      if (value !== undefined) {
        return this.fingerprinter.fingerprint(value, {
          show: this.options.showConfigMapValues,
        });
      }
      return this.fingerprinter.fingerprint(
        `configMapKeyRef ${name}.${key} (missing)`,
        { show: true },
      );
    }
    if (from.fieldRef) {
      return this.fingerprinter.fingerprint(
        `fieldRef ${from.fieldRef.fieldPath ?? ''}`,
        { show: true },
      );
    }
    if (from.resourceFieldRef) {
      const r = from.resourceFieldRef;
      return this.fingerprinter.fingerprint(
        `resourceFieldRef ${r.containerName ? `${r.containerName}/` : ''}${
          r.resource ?? ''
        }${r.divisor ? ` / ${r.divisor}` : ''}`,
        { show: true },
      );
    }
    return this.fingerprinter.fingerprint('valueFrom', { show: true });
  }

  /** Combines what the clusters of one environment run into one deployment. */
  private combine(
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

    const config: Record<string, ConfigFingerprint> = {};
    const findings: DeploymentFinding[] = [];
    const resources: RunningResource[] = [];
    for (const w of workloads) {
      const prefix = `${w.kind.toLowerCase()}/${w.name}`;
      if (w.specReplicas !== undefined) {
        config[`${prefix}.replicas`] = this.fingerprinter.fingerprint(
          String(w.specReplicas),
          { show: true },
        );
      }
      for (const c of w.containers) {
        const at = `${prefix}/${c.name}`;
        if (!isPrimary(w, c)) {
          config[`${at}.image`] = this.fingerprinter.fingerprint(c.image, {
            show: true,
          });
        }
        for (const [key, quantity] of c.resources) {
          config[`${at}.resources.${key}`] = this.fingerprinter.fingerprint(
            quantity,
            { show: true },
          );
        }
        for (const [name, fingerprint] of c.env) {
          config[`${at}.env.${name}`] = fingerprint;
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
      Object.assign(config, r.config);
      findings.push(...r.findings);
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
