import { InputError } from '@backstage/errors';
import {
  parseArtifact,
  ReplicaContainer,
  ReplicaOverride,
} from '@env-parity/plugin-env-parity-common';
import { ReplicaLaunchSpec } from '@env-parity/plugin-env-parity-node';
import {
  CONFIG_POLICY_ANNOTATION,
  ENTITY_REF_ANNOTATION,
  EXPIRES_AT_ANNOTATION,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  OVERRIDE_ANNOTATION,
  PRODUCTION_IMAGES_ANNOTATION,
  REPLICA_ID_LABEL,
  ReplicaOptions,
  REQUESTER_ANNOTATION,
  SOURCE_ANNOTATION,
} from './config';
import { SandboxObject } from './SandboxClient';
import { ObservedWorkload } from './production';

/*
 * The objects of a replica namespace, built from production's workloads:
 * pure functions, no I/O.
 */

const VERSION_LABEL = 'app.kubernetes.io/version';
const DNS_1035 = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** The labels on every object of a replica. */
export function replicaLabels(replicaId: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, [REPLICA_ID_LABEL]: replicaId };
}

function meta(spec: ReplicaLaunchSpec, name: string, extra: object = {}) {
  return {
    name,
    namespace: spec.namespace,
    labels: replicaLabels(spec.replicaId),
    ...extra,
  };
}

export function namespaceObject(
  spec: ReplicaLaunchSpec,
  configPolicy: string,
): SandboxObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: spec.namespace,
      labels: replicaLabels(spec.replicaId),
      annotations: {
        [EXPIRES_AT_ANNOTATION]: spec.expiresAt,
        [ENTITY_REF_ANNOTATION]: spec.entityRef,
        [REQUESTER_ANNOTATION]: spec.requester,
        [CONFIG_POLICY_ANNOTATION]: configPolicy,
        ...(spec.override
          ? {
              'env-parity.io/override': `${spec.override.workload}=${spec.override.image}`,
            }
          : {}),
      },
    },
  };
}

export function resourceQuotaObject(
  spec: ReplicaLaunchSpec,
  options: ReplicaOptions,
): SandboxObject {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: meta(spec, 'env-parity-replica'),
    spec: { hard: { ...options.quota } },
  };
}

export function limitRangeObject(
  spec: ReplicaLaunchSpec,
  options: ReplicaOptions,
): SandboxObject {
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: meta(spec, 'env-parity-replica'),
    spec: {
      limits: [
        {
          type: 'Container',
          default: { ...options.limitRange.default },
          defaultRequest: { ...options.limitRange.defaultRequest },
        },
      ],
    },
  };
}

/**
 * Default-deny egress: DNS (53 UDP and TCP), the replica's own pods, and
 * the CIDRs of `allowEgress` only, so that a replica cannot reach
 * production's databases by accident.
 */
export function networkPolicyObject(
  spec: ReplicaLaunchSpec,
  options: ReplicaOptions,
): SandboxObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(spec, 'env-parity-default-deny-egress'),
    spec: {
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [
        {
          ports: [
            { protocol: 'UDP', port: 53 },
            { protocol: 'TCP', port: 53 },
          ],
        },
        { to: [{ podSelector: {} }] },
        ...(options.allowEgress.length
          ? [{ to: options.allowEgress.map(cidr => ({ ipBlock: { cidr } })) }]
          : []),
      ],
    },
  };
}

export function configMapObject(
  spec: ReplicaLaunchSpec,
  name: string,
  data: Record<string, string>,
  binaryData?: Record<string, string>,
): SandboxObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: meta(spec, name),
    data,
    ...(binaryData && Object.keys(binaryData).length ? { binaryData } : {}),
  };
}

/** A Secret; `data` base64-encoded (empty strings for keys to provide). */
export function secretObject(
  spec: ReplicaLaunchSpec,
  name: string,
  data: Record<string, string>,
  type = 'Opaque',
): SandboxObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: meta(spec, name),
    type,
    data,
  };
}

export function roleBindingObject(
  spec: ReplicaLaunchSpec,
  subject: { name: string; kind: 'User' | 'Group' },
): SandboxObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: meta(spec, 'env-parity-replica-viewer', {
      annotations: { [REQUESTER_ANNOTATION]: spec.requester },
    }),
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'view',
    },
    subjects: [
      {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: subject.kind,
        name: subject.name,
      },
    ],
  };
}

/** `docker.io/library/x` and `docker.io/x` are `x`'s repository as Docker names it. */
function normaliseRepository(repository: string): string {
  return repository
    .replace(/^(?:index\.)?docker\.io\/library\//, '')
    .replace(/^(?:index\.)?docker\.io\//, '')
    .replace(/^library\//, '');
}

/** An image reference's repository (no tag, no digest). */
export function repositoryOf(image: string): string {
  try {
    return parseArtifact(image).repository;
  } catch {
    return image.replace(/@.*$/, '').replace(/:[^:/]*$/, '');
  }
}

/**
 * The image an override asks for: a tag or digest of production's
 * repository, or a full reference of that same repository. Throws an
 * InputError for another repository or a malformed reference.
 */
export function overrideImage(productionImage: string, image: string): string {
  const repository = repositoryOf(productionImage);
  const value = image.trim();
  if (/^sha256:[a-f0-9]{64}$/.test(value)) {
    return `${repository}@${value}`;
  }
  if (/^[\w][\w.-]{0,127}$/.test(value)) {
    return `${repository}:${value}`;
  }
  let parsed;
  try {
    parsed = parseArtifact(value);
  } catch (error) {
    throw new InputError(`override image: ${(error as Error).message}`);
  }
  if (!parsed.tag && !parsed.digest) {
    throw new InputError(
      `override image ${value} names no tag or digest; give one of ${repository}`,
    );
  }
  if (
    normaliseRepository(parsed.repository) !== normaliseRepository(repository)
  ) {
    throw new InputError(
      `override image ${value} is not of production's repository ${repository}: a replica runs another build of the same repository only`,
    );
  }
  return value;
}

/** The container whose image an override replaces: named like the entity, else the first. */
export function primaryContainer(
  object: SandboxObject,
  names: string[],
): string | undefined {
  const containers: any[] = object.spec?.template?.spec?.containers ?? [];
  for (const name of names) {
    if (containers.some(c => c?.name === name)) return name;
  }
  return containers[0]?.name;
}

/**
 * Every container of a workload pinned to the digest production's pods
 * run (the override's container to the override image). Throws an
 * InputError for a container production's pods report no digest for.
 */
export function pinnedContainers(
  workload: ObservedWorkload,
  override?: { container: string; image: string },
): ReplicaContainer[] {
  const spec = workload.object.spec?.template?.spec ?? {};
  const all: any[] = [
    ...(Array.isArray(spec.initContainers) ? spec.initContainers : []),
    ...(Array.isArray(spec.containers) ? spec.containers : []),
  ];
  return all.map(c => {
    const name = String(c?.name);
    if (override && override.container === name) {
      const digest = /@(sha256:[a-f0-9]{64})$/.exec(override.image)?.[1];
      return {
        name,
        image: override.image,
        ...(digest ? { digest } : {}),
        overridden: true,
      };
    }
    const digest = workload.digests.get(name);
    if (!digest) {
      throw new InputError(
        `${workload.kind} ${workload.object.metadata?.name} on ${workload.cluster}: no pod of production reports the digest container ${name} runs, so its image cannot be pinned`,
      );
    }
    return {
      name,
      image: `${repositoryOf(String(c?.image ?? ''))}@${digest}`,
      digest,
    };
  });
}

const DROPPED_POD_FIELDS = [
  'nodeName',
  'nodeSelector',
  'affinity',
  'tolerations',
  'topologySpreadConstraints',
  'priorityClassName',
  'priority',
  'serviceAccountName',
  'serviceAccount',
  'imagePullSecrets',
  'schedulerName',
  'runtimeClassName',
  'hostNetwork',
  'hostPID',
  'hostIPC',
];

/**
 * A copy of a production workload for the sandbox: one replica, every
 * image pinned, production's node placement, service account, pull
 * secrets and host access dropped, volumes of PersistentVolumeClaims
 * replaced by emptyDir, labelled as the replica's.
 */
export function workloadObject(
  spec: ReplicaLaunchSpec,
  workload: ObservedWorkload,
  containers: ReplicaContainer[],
): SandboxObject {
  const source = workload.object;
  const ours = replicaLabels(spec.replicaId);
  const images = new Map(containers.map(c => [c.name, c.image]));
  const productionImages: Record<string, string> = {};
  const overridden = containers.find(c => c.overridden);
  const template = structuredClone(source.spec?.template ?? {});
  const podSpec = template.spec ?? {};
  for (const field of DROPPED_POD_FIELDS) {
    delete podSpec[field];
  }
  podSpec.automountServiceAccountToken = false;
  for (const list of [podSpec.containers, podSpec.initContainers]) {
    for (const c of Array.isArray(list) ? list : []) {
      if (!containers.some(p => p.name === c.name && p.overridden)) {
        productionImages[c.name] = String(c.image ?? '');
      }
      c.image = images.get(c.name) ?? c.image;
    }
  }
  if (Array.isArray(podSpec.volumes)) {
    podSpec.volumes = podSpec.volumes.map((v: any) =>
      v?.persistentVolumeClaim ? { name: v.name, emptyDir: {} } : v,
    );
  }
  const labels = (value: unknown) => {
    const result: Record<string, string> = {
      ...((value as Record<string, string>) ?? {}),
      ...ours,
    };
    if (overridden) {
      const tag = (() => {
        try {
          return parseArtifact(overridden.image).tag;
        } catch {
          return undefined;
        }
      })();
      if (tag) result[VERSION_LABEL] = tag;
      else delete result[VERSION_LABEL];
    }
    return result;
  };
  const selector = structuredClone(source.spec?.selector ?? {});
  for (const key of Object.keys(ours)) {
    if (selector.matchLabels?.[key] !== undefined) {
      selector.matchLabels[key] = ours[key];
    }
  }
  template.metadata = {
    ...(template.metadata ?? {}),
    labels: labels(template.metadata?.labels),
  };
  template.spec = podSpec;
  const name = String(source.metadata?.name);
  const copy: SandboxObject = {
    apiVersion: 'apps/v1',
    kind: workload.kind,
    metadata: {
      name,
      namespace: spec.namespace,
      labels: labels(source.metadata?.labels),
      annotations: {
        [SOURCE_ANNOTATION]: `${workload.cluster}/${
          source.metadata?.namespace ?? ''
        }/${workload.kind}/${name}`,
        ...(overridden ? { [OVERRIDE_ANNOTATION]: overridden.name } : {}),
        [PRODUCTION_IMAGES_ANNOTATION]: JSON.stringify(productionImages),
      },
    },
    spec: {
      replicas: 1,
      selector,
      template,
    },
  };
  if (workload.kind === 'StatefulSet') {
    copy.spec.serviceName = source.spec?.serviceName ?? name;
    if (Array.isArray(source.spec?.volumeClaimTemplates)) {
      copy.spec.volumeClaimTemplates = source.spec.volumeClaimTemplates.map(
        (t: any) => ({
          metadata: { name: t?.metadata?.name, labels: ours },
          spec: structuredClone(t?.spec ?? {}),
        }),
      );
    }
  } else if (source.spec?.strategy?.type === 'Recreate') {
    copy.spec.strategy = { type: 'Recreate' };
  }
  return copy;
}

/** A name usable for a Service (a DNS-1035 label). */
export function serviceName(name: string): string {
  if (DNS_1035.test(name)) return name;
  const cleaned = name
    .toLowerCase()
    .replace(/[^-a-z0-9]/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return cleaned || 'workload';
}

/** A Service for a workload's container ports; undefined when it has none. */
export function serviceObject(
  spec: ReplicaLaunchSpec,
  workload: SandboxObject,
  name: string,
): SandboxObject | undefined {
  const seen = new Set<string>();
  const ports: Array<{
    name: string;
    port: number;
    targetPort: number;
    protocol: string;
  }> = [];
  for (const c of workload.spec?.template?.spec?.containers ?? []) {
    for (const p of Array.isArray(c?.ports) ? c.ports : []) {
      const port = Number(p?.containerPort);
      const protocol = typeof p?.protocol === 'string' ? p.protocol : 'TCP';
      if (!Number.isInteger(port) || port < 1 || port > 65535) continue;
      if (seen.has(`${port}/${protocol}`)) continue;
      seen.add(`${port}/${protocol}`);
      const wanted =
        typeof p?.name === 'string' &&
        /^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/.test(p.name)
          ? p.name
          : `port-${port}`;
      const portName = ports.some(x => x.name === wanted)
        ? `port-${port}-${protocol.toLowerCase()}`
        : wanted;
      ports.push({ name: portName, port, targetPort: port, protocol });
    }
  }
  if (ports.length === 0) {
    return undefined;
  }
  const selector =
    workload.spec?.selector?.matchLabels &&
    !workload.spec?.selector?.matchExpressions?.length
      ? workload.spec.selector.matchLabels
      : workload.spec?.template?.metadata?.labels;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(spec, name),
    spec: { type: 'ClusterIP', selector: { ...selector }, ports },
  };
}

/** The override's workload and container, checked against production's workloads. */
export function resolveOverride(
  override: ReplicaOverride | undefined,
  workloads: ObservedWorkload[],
  names: string[],
):
  | { workload: ObservedWorkload; container: string; image: string }
  | undefined {
  if (!override) {
    return undefined;
  }
  const workload = workloads.find(
    w => w.object.metadata?.name === override.workload,
  );
  if (!workload) {
    throw new InputError(
      `override: production has no Deployment or StatefulSet named ${override.workload}`,
    );
  }
  const container = primaryContainer(workload.object, names);
  if (!container) {
    throw new InputError(`override: ${override.workload} has no container`);
  }
  const productionImage = String(
    (workload.object.spec?.template?.spec?.containers ?? []).find(
      (c: any) => c?.name === container,
    )?.image ?? '',
  );
  return {
    workload,
    container,
    image: overrideImage(productionImage, override.image),
  };
}
