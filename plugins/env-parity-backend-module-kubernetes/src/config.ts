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

/** One cluster of `kubernetes.clusterLocatorMethods` (type `config`). */
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

/** A cluster mapped to an environment. */
export interface MappedCluster extends ClusterDefinition {
  environment: string;
}

export interface KubernetesProviderOptions {
  clusters: MappedCluster[];
  timeoutMs: number;
  workloadKinds: WorkloadKind[];
  showConfigMapValues: boolean;
}

/** What reading the configuration found worth telling the operator. */
export interface ConfigNotice {
  level: 'info' | 'warn';
  message: string;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Reads `envParity.kubernetes` and the clusters of
 * `kubernetes.clusterLocatorMethods`; undefined when
 * `envParity.kubernetes.clusters` is absent. Problems that disable a
 * cluster are returned as notices rather than thrown; a malformed value
 * (bad URL, unknown workload kind) throws.
 */
export function readKubernetesProviderOptions(root: Config):
  | {
      options: KubernetesProviderOptions;
      notices: ConfigNotice[];
    }
  | undefined {
  const config = root.getOptionalConfig(CONFIG_KEY);
  const mapping = config?.getOptionalConfig('clusters');
  if (!config || !mapping) {
    return undefined;
  }
  const notices: ConfigNotice[] = [];
  const defined = readClusters(root, notices);

  const clusters: MappedCluster[] = [];
  for (const name of mapping.keys()) {
    const environment = mapping.getString(name);
    const cluster = defined.get(name);
    if (!cluster) {
      notices.push({
        level: 'warn',
        message: `${CONFIG_KEY}.clusters maps cluster "${name}" to environment "${environment}", but ${LOCATORS_KEY} has no usable cluster of that name (type config, authProvider serviceAccount); it is not read`,
      });
      continue;
    }
    clusters.push({ ...cluster, environment });
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
      clusters,
      timeoutMs: config.has('timeout')
        ? durationToMilliseconds(
            readDurationFromConfig(config, { key: 'timeout' }),
          )
        : DEFAULT_TIMEOUT_MS,
      workloadKinds: [...new Set(workloadKinds)],
      showConfigMapValues:
        config.getOptionalBoolean('showConfigMapValues') ?? false,
    },
    notices,
  };
}

function readClusters(
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
