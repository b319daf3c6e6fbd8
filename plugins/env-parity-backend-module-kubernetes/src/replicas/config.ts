import { Config } from '@backstage/config';
import {
  ClusterDefinition,
  CONFIG_KEY,
  LOCATORS_KEY,
  readClusters,
} from '../config';

/** The config key of production replicas. */
export const REPLICAS_KEY = 'envParity.replicas';

/** The configuration policy copying production's ConfigMaps, with Secret keys empty. */
export const PRODUCTION_NON_SECRET = 'production-non-secret';

/** A service's own configuration policy, overriding `envParity.replicas.configFrom`. */
export const CONFIG_FROM_ANNOTATION = 'env-parity/replica-config-from';

/** Labels and annotations of every object a replica consists of. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'env-parity';
export const REPLICA_ID_LABEL = 'env-parity.io/replica-id';
export const EXPIRES_AT_ANNOTATION = 'env-parity.io/expires-at';
export const ENTITY_REF_ANNOTATION = 'env-parity.io/entity-ref';
export const REQUESTER_ANNOTATION = 'env-parity.io/requester';
export const CONFIG_POLICY_ANNOTATION = 'env-parity.io/config-policy';
/** On a workload: where in production it was copied from. */
export const SOURCE_ANNOTATION = 'env-parity.io/source';
/** On a workload: the container whose image is the override. */
export const OVERRIDE_ANNOTATION = 'env-parity.io/override-container';
/**
 * On a workload: each pinned container's image as production's spec names
 * it (JSON, container name to image), so that a replica running that
 * image's digest reports the image as production does.
 */
export const PRODUCTION_IMAGES_ANNOTATION = 'env-parity.io/production-images';

/** Defaults of `quota` and `limitRange`: a small replica. */
export const DEFAULT_QUOTA: Record<string, string> = {
  'requests.cpu': '2',
  'requests.memory': '4Gi',
  'limits.memory': '8Gi',
  pods: '20',
  services: '20',
  persistentvolumeclaims: '5',
  'requests.storage': '20Gi',
};
export const DEFAULT_LIMIT_RANGE = {
  default: { cpu: '500m', memory: '512Mi' } as Record<string, string>,
  defaultRequest: { cpu: '100m', memory: '128Mi' } as Record<string, string>,
};

/** `envParity.replicas` as the Kubernetes module reads it. */
export interface ReplicaOptions {
  /** The sandbox cluster, as `kubernetes.clusterLocatorMethods` defines it. */
  cluster: ClusterDefinition;
  kubectlContext: string;
  quota: Record<string, string>;
  limitRange: {
    default: Record<string, string>;
    defaultRequest: Record<string, string>;
  };
  allowEgress: string[];
  override: Record<string, string>;
  /** `production-non-secret` or an environment name. */
  configFrom: string;
  /** The reference environment's name (production). */
  reference: string;
  /** User → Kubernetes subject, from `envParity.access.kubernetes`; none: no RoleBinding. */
  subjects?: { template: string; kind: 'User' | 'Group' };
}

const CIDR = /^(?:(?:\d{1,3}\.){3}\d{1,3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;
const QUANTITY =
  /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+|[KMGTPE]i?|[munkMGTPE])?$/;

/** A map of strings (keys may hold dots, like `requests.cpu`). */
function stringMap(
  config: Config,
  key: string,
  check?: (value: string, name: string) => void,
): Record<string, string> | undefined {
  if (!config.has(key)) {
    return undefined;
  }
  const raw = config.getOptional(key);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`${REPLICAS_KEY}.${key} must be a map of strings`);
  }
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new Error(
        `${REPLICAS_KEY}.${key}.${name} must be a string or a number`,
      );
    }
    check?.(String(value), name);
    result[name] = String(value);
  }
  return result;
}

function quantity(key: string) {
  return (value: string, name: string) => {
    if (!QUANTITY.test(value)) {
      throw new Error(
        `${REPLICAS_KEY}.${key}.${name}: "${value}" is not a Kubernetes quantity`,
      );
    }
  };
}

/** The reference environment of `envParity.environments`, as the backend reads it. */
export function referenceEnvironment(config: Config): string {
  const list = config.getOptionalConfigArray('envParity.environments') ?? [];
  if (list.length === 0) {
    return 'production';
  }
  const marked = list.find(c => c.getOptionalBoolean('reference'));
  return (marked ?? list[list.length - 1]).getString('name');
}

/**
 * Reads `envParity.replicas` for the Kubernetes module; undefined when it
 * has no `cluster`. Throws, with a message naming the key, when the
 * sandbox is not a usable cluster of `kubernetes.clusterLocatorMethods`
 * or is mapped to the reference environment.
 */
export function readReplicaOptions(config: Config): ReplicaOptions | undefined {
  const replicas = config.getOptionalConfig(REPLICAS_KEY);
  const name = replicas?.getOptionalString('cluster');
  if (!replicas || !name) {
    return undefined;
  }
  const reference = referenceEnvironment(config);
  const mapping = config.getOptionalConfig(`${CONFIG_KEY}.clusters`);
  const mapped = mapping?.keys().includes(name)
    ? mapping.getString(name).trim()
    : undefined;
  if (mapped === reference) {
    throw new Error(
      `${REPLICAS_KEY}.cluster is "${name}", which ${CONFIG_KEY}.clusters maps to the reference environment ${reference}: production replicas are never created in a cluster serving production. Choose a sandbox cluster of its own.`,
    );
  }
  const definitions = readClusters(config, []);
  const cluster = definitions.get(name);
  if (!cluster) {
    throw new Error(
      `${REPLICAS_KEY}.cluster is "${name}", but ${LOCATORS_KEY} has no cluster of that name with type config and authProvider serviceAccount (the module writes to the sandbox directly, with that cluster's serviceAccountToken)`,
    );
  }
  const allowEgress = replicas.getOptionalStringArray('allowEgress') ?? [];
  for (const cidr of allowEgress) {
    if (!CIDR.test(cidr)) {
      throw new Error(
        `${REPLICAS_KEY}.allowEgress: "${cidr}" is not a CIDR such as 10.20.0.0/16`,
      );
    }
  }
  const configFrom =
    replicas.getOptionalString('configFrom')?.trim() || PRODUCTION_NON_SECRET;
  if (configFrom === reference) {
    throw new Error(
      `${REPLICAS_KEY}.configFrom may not be the reference environment ${reference}: its Secrets are never copied. Use ${PRODUCTION_NON_SECRET} or a pre-production environment.`,
    );
  }
  const limitRange = replicas.getOptionalConfig('limitRange');
  const kubectlContext = replicas.getOptionalString('kubectlContext') ?? name;
  if (!/^[\w.:@/-]+$/.test(kubectlContext)) {
    throw new Error(
      `${REPLICAS_KEY}.kubectlContext "${kubectlContext}" may hold letters, digits and . _ - : @ / only`,
    );
  }
  const access = config.getOptionalConfig('envParity.access.kubernetes');
  const subjectKind = access?.getOptionalString('subjectKind') ?? 'User';
  if (subjectKind !== 'User' && subjectKind !== 'Group') {
    throw new Error(
      `envParity.access.kubernetes.subjectKind must be User or Group`,
    );
  }
  return {
    cluster,
    kubectlContext,
    quota: stringMap(replicas, 'quota', quantity('quota')) ?? DEFAULT_QUOTA,
    limitRange: {
      default:
        (limitRange &&
          stringMap(limitRange, 'default', quantity('limitRange.default'))) ??
        DEFAULT_LIMIT_RANGE.default,
      defaultRequest:
        (limitRange &&
          stringMap(
            limitRange,
            'defaultRequest',
            quantity('limitRange.defaultRequest'),
          )) ??
        DEFAULT_LIMIT_RANGE.defaultRequest,
    },
    allowEgress,
    override: stringMap(replicas, 'override') ?? {},
    configFrom,
    reference,
    ...(access
      ? {
          subjects: {
            template:
              access.getOptionalString('subjectTemplate') ?? '{{ user.name }}',
            kind: subjectKind,
          },
        }
      : {}),
  };
}
