import { readFileSync } from 'node:fs';
import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';

/** The config key this module reads. */
export const CONFIG_KEY = 'envParity.kubernetes';
/** The Kubernetes plugin's own cluster configuration, read as is. */
export const LOCATORS_KEY = 'kubernetes.clusterLocatorMethods';
/** Where a pod finds its own service account token. */
export const IN_CLUSTER_TOKEN_PATH =
  '/var/run/secrets/kubernetes.io/serviceaccount/token';

export type WorkloadKind =
  | 'Deployment'
  | 'StatefulSet'
  | 'DaemonSet'
  | 'Rollout';
export const WORKLOAD_KINDS: readonly WorkloadKind[] = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Rollout',
];

/**
 * One cluster of `kubernetes.clusterLocatorMethods` (type `config`).
 *
 * @public
 */
export interface ClusterDefinition {
  name: string;
  /** The API server URL, possibly with a path prefix. */
  url: string;
  /** The bearer token from config; undefined: the in-cluster token file, if any. */
  serviceAccountToken?: string;
  /** PEM certificates, decoded from `caData`. */
  ca?: string;
  skipTLSVerify: boolean;
}

/**
 * How the module reaches the clusters: `direct` calls each API server of
 * `kubernetes.clusterLocatorMethods` (type config, serviceAccount) itself;
 * `proxy` goes through the installed Kubernetes backend's proxy endpoint.
 */
export type KubernetesMode = 'direct' | 'proxy';
export const MODES: readonly KubernetesMode[] = ['direct', 'proxy'];

/** The annotation on a kubernetes-cluster Resource naming its environment. */
export const ENVIRONMENT_ANNOTATION = 'env-parity/environment';

export interface KubernetesProviderOptions {
  mode: KubernetesMode;
  /** `envParity.kubernetes.clusters`: cluster name → environment, in config order. */
  configMapping: Map<string, string>;
  /**
   * Direct mode: the usable clusters of `kubernetes.clusterLocatorMethods`
   * (type config, authProvider serviceAccount) by name. Empty in proxy
   * mode, which reads no cluster URL or credential.
   */
  definitions: Map<string, ClusterDefinition>;
  /**
   * Proxy mode: the `authProvider` of each cluster of
   * `kubernetes.clusterLocatorMethods` (type config) by name, to warn about
   * clusters the Kubernetes backend would pass env-parity's own Backstage
   * token to. Empty in direct mode.
   */
  proxyAuthProviders: Map<string, string>;
  /** Also map clusters by the `env-parity/environment` annotation of kubernetes-cluster Resources. Off by default. */
  clustersFromCatalog: boolean;
  timeoutMs: number;
  workloadKinds: WorkloadKind[];
  showConfigMapValues: boolean;
  /** `envParity.kubernetes.inventory`: list each cluster once per `maxAgeMs`, not per entity. */
  inventory: InventoryOptions;
}

/** How the per-cluster inventory is kept. */
export interface InventoryOptions {
  /** List workloads and pods cluster-wide once per maxAge (true), or per entity with its label selector (false). */
  enabled: boolean;
  /** How long an inventory, and a ConfigMap's or Secret's fingerprints, are reused. */
  maxAgeMs: number;
  /**
   * How old an inventory may still be served, while a new one is listed in
   * the background; at least `maxAgeMs` (equal: observations wait for the
   * new listing).
   */
  maxStaleMs: number;
  /** Items per page of the cluster-wide lists. */
  pageSize: number;
}

/**
 * What reading the configuration found worth telling the operator.
 *
 * @public
 */
export interface ConfigNotice {
  level: 'info' | 'warn';
  message: string;
}

/**
 * The Kubernetes backend's auth providers that put a bearer token of their
 * own into the `Authorization` header of a proxied request. With any other
 * (`x509`, `localKubectlProxy`, none) the proxy forwards the request's own
 * `Authorization` header — env-parity's Backstage service token — to the
 * API server.
 */
export const BEARER_AUTH_PROVIDERS: readonly string[] = [
  'serviceAccount',
  'google',
  'googleServiceAccount',
  'aws',
  'azure',
  'oidc',
];

/** The warning for a cluster read through the proxy whose auth yields no bearer token. */
export function proxyAuthWarning(
  cluster: string,
  authProvider: string | undefined,
): string {
  return `${CONFIG_KEY}.mode is proxy, but cluster "${cluster}" uses authProvider "${
    authProvider || '(none)'
  }" in ${LOCATORS_KEY}, which gives the Kubernetes backend no bearer token to replace the request's Authorization header with: env-parity's Backstage service token reaches that cluster's API server, and whoever can read requests there could call the Kubernetes backend as env-parity until the token expires. Give that cluster an auth provider that yields a bearer token (${BEARER_AUTH_PROVIDERS.join(
    ', ',
  )}), or use ${CONFIG_KEY}.mode direct with a service account token for env-parity`;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_INVENTORY_MAX_AGE_MS = 2 * 60_000;
export const DEFAULT_INVENTORY_PAGE_SIZE = 500;
/** `inventory.maxStale` defaults to this many times `inventory.maxAge`. */
export const DEFAULT_INVENTORY_MAX_STALE_FACTOR = 3;

/**
 * Reads `envParity.kubernetes` and, in direct mode, the clusters of
 * `kubernetes.clusterLocatorMethods`; undefined when `envParity.kubernetes`
 * is absent (the module is enabled by its presence). Problems that disable
 * a cluster are returned as notices rather than thrown; a malformed value
 * (bad URL, unknown mode or workload kind) throws.
 */
export function readKubernetesProviderOptions(root: Config):
  | {
      options: KubernetesProviderOptions;
      notices: ConfigNotice[];
    }
  | undefined {
  if (!root.has(CONFIG_KEY)) {
    return undefined;
  }
  const config = root.getConfig(CONFIG_KEY);
  const notices: ConfigNotice[] = [];

  const modeValue = config.getOptionalString('mode') ?? 'direct';
  const mode = MODES.find(m => m === modeValue);
  if (!mode) {
    throw new Error(
      `${CONFIG_KEY}.mode: unknown mode "${modeValue}"; use direct or proxy`,
    );
  }

  const configMapping = new Map<string, string>();
  const mapping = config.getOptionalConfig('clusters');
  for (const name of mapping?.keys() ?? []) {
    configMapping.set(name, mapping!.getString(name).trim());
  }

  const definitions =
    mode === 'direct'
      ? readClusters(root, notices)
      : new Map<string, ClusterDefinition>();
  const proxyAuthProviders =
    mode === 'proxy' ? readAuthProviders(root) : new Map<string, string>();
  for (const [name] of configMapping) {
    if (
      proxyAuthProviders.has(name) &&
      !BEARER_AUTH_PROVIDERS.includes(proxyAuthProviders.get(name)!)
    ) {
      notices.push({
        level: 'warn',
        message: proxyAuthWarning(name, proxyAuthProviders.get(name)),
      });
    }
  }
  if (mode === 'direct') {
    for (const [name, environment] of configMapping) {
      if (!definitions.has(name)) {
        notices.push({
          level: 'warn',
          message: `${CONFIG_KEY}.clusters maps cluster "${name}" to environment "${environment}", but ${LOCATORS_KEY} has no usable cluster of that name (type config, authProvider serviceAccount); it is not read`,
        });
      }
    }
  }

  const kinds = config.getOptionalStringArray('workloadKinds');
  const workloadKinds = kinds
    ? kinds.map(kind => {
        const known = WORKLOAD_KINDS.find(
          k => k.toLowerCase() === kind.toLowerCase(),
        );
        if (!known) {
          throw new Error(
            `${CONFIG_KEY}.workloadKinds: unknown kind "${kind}"; use ${WORKLOAD_KINDS.join(
              ', ',
            )}`,
          );
        }
        return known;
      })
    : [...WORKLOAD_KINDS];

  return {
    options: {
      mode,
      configMapping,
      definitions,
      proxyAuthProviders,
      clustersFromCatalog:
        config.getOptionalBoolean('clustersFromCatalog') ?? false,
      timeoutMs: config.has('timeout')
        ? durationToMilliseconds(
            readDurationFromConfig(config, { key: 'timeout' }),
          )
        : DEFAULT_TIMEOUT_MS,
      workloadKinds: [...new Set(workloadKinds)],
      showConfigMapValues:
        config.getOptionalBoolean('showConfigMapValues') ?? false,
      inventory: readInventoryOptions(config),
    },
    notices,
  };
}

function readInventoryOptions(config: Config): InventoryOptions {
  const inventory = config.getOptionalConfig('inventory');
  const maxAgeMs = inventory?.has('maxAge')
    ? durationToMilliseconds(
        readDurationFromConfig(inventory, { key: 'maxAge' }),
      )
    : DEFAULT_INVENTORY_MAX_AGE_MS;
  if (!Number.isFinite(maxAgeMs) || maxAgeMs < 0) {
    throw new Error(
      `${CONFIG_KEY}.inventory.maxAge must be a duration of zero or more`,
    );
  }
  const maxStaleMs = inventory?.has('maxStale')
    ? durationToMilliseconds(
        readDurationFromConfig(inventory, { key: 'maxStale' }),
      )
    : maxAgeMs * DEFAULT_INVENTORY_MAX_STALE_FACTOR;
  if (!Number.isFinite(maxStaleMs) || maxStaleMs < maxAgeMs) {
    throw new Error(
      `${CONFIG_KEY}.inventory.maxStale must be a duration of at least inventory.maxAge`,
    );
  }
  const pageSize =
    inventory?.getOptionalNumber('pageSize') ?? DEFAULT_INVENTORY_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new Error(
      `${CONFIG_KEY}.inventory.pageSize must be a positive integer`,
    );
  }
  return {
    enabled: inventory?.getOptionalBoolean('enabled') ?? true,
    maxAgeMs,
    maxStaleMs,
    pageSize,
  };
}

/**
 * Proxy mode: the auth provider of every cluster of
 * `kubernetes.clusterLocatorMethods` of type config, by name (`''` when it
 * has none); nothing else of the Kubernetes backend's config is read, and
 * nothing there is validated: that is the Kubernetes backend's job.
 */
function readAuthProviders(root: Config): Map<string, string> {
  const providers = new Map<string, string>();
  let methods: Config[];
  try {
    methods = root.getOptionalConfigArray(LOCATORS_KEY) ?? [];
  } catch {
    return providers;
  }
  for (const method of methods) {
    if (method.getOptional('type') !== 'config') continue;
    let clusters: Config[];
    try {
      clusters = method.getOptionalConfigArray('clusters') ?? [];
    } catch {
      continue;
    }
    for (const cluster of clusters) {
      const name = cluster.getOptional('name');
      const authProvider = cluster.getOptional('authProvider');
      if (typeof name === 'string') {
        providers.set(
          name,
          typeof authProvider === 'string' ? authProvider : '',
        );
      }
    }
  }
  return providers;
}

export function readClusters(
  root: Config,
  notices: ConfigNotice[],
): Map<string, ClusterDefinition> {
  const clusters = new Map<string, ClusterDefinition>();
  const methods = root.getOptionalConfigArray(LOCATORS_KEY) ?? [];
  for (const method of methods) {
    const type = method.getString('type');
    if (type !== 'config') {
      notices.push({
        level: 'info',
        message: `${LOCATORS_KEY}: cluster locator type "${type}" is not supported by env-parity; only type config is read`,
      });
      continue;
    }
    for (const cluster of method.getOptionalConfigArray('clusters') ?? []) {
      const name = cluster.getString('name');
      const authProvider = cluster.getString('authProvider');
      if (authProvider !== 'serviceAccount') {
        notices.push({
          level: 'warn',
          message: `${LOCATORS_KEY}: cluster "${name}" uses authProvider "${authProvider}"; env-parity supports only serviceAccount and skips this cluster`,
        });
        continue;
      }
      const url = cluster.getString('url');
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new Error(
          `${LOCATORS_KEY}: cluster "${name}" has an invalid url "${url}"`,
        );
      }
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
        throw new Error(
          `${LOCATORS_KEY}: cluster "${name}" url must be http: or https:`,
        );
      }
      const caData = cluster.getOptionalString('caData');
      const caFile = cluster.getOptionalString('caFile');
      clusters.set(name, {
        name,
        url: url.replace(/\/+$/, ''),
        serviceAccountToken:
          cluster.getOptionalString('serviceAccountToken') || undefined,
        ca: caData
          ? Buffer.from(caData, 'base64').toString('utf8')
          : readCaFile(name, caFile),
        skipTLSVerify: cluster.getOptionalBoolean('skipTLSVerify') ?? false,
      });
    }
  }
  return clusters;
}

function readCaFile(cluster: string, file: string | undefined) {
  if (!file) {
    return undefined;
  }
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(
      `${LOCATORS_KEY}: cluster "${cluster}" caFile ${file} cannot be read: ${
        (error as Error).message
      }`,
    );
  }
}
