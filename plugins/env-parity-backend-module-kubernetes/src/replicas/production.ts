import { InputError, ServiceUnavailableError } from '@backstage/errors';
import { ClusterAccess, MappedCluster } from '../clusters';
import { runningDigest, templateReferences } from '../inventory';
import {
  KubeObject,
  KubernetesApiError,
  KubernetesClient,
  RESOURCES,
} from '../KubernetesClient';
import { matchesSelector } from '../selectors';
import { KubernetesTarget } from '../target';

/*
 * What production runs, read as the provider reads it: the workloads of an
 * entity (Deployments and StatefulSets matching its Kubernetes
 * annotations) in the clusters mapped to an environment, the digest each
 * container's pods run, and the ConfigMaps and Secrets their pod templates
 * refer to. Secrets are reduced to their key names as they are read: no
 * value of theirs is kept.
 */

/** A workload as read in an environment, with the digests its pods run. */
export interface ObservedWorkload {
  kind: 'Deployment' | 'StatefulSet';
  cluster: string;
  /** As the API returned it (a Deployment or StatefulSet holds no Secret value). */
  object: KubeObject;
  /** Container name (containers and init containers) → the digest most of its pods run. */
  digests: Map<string, string>;
}

/** A ConfigMap's data, or a Secret's key names only. */
export type ReadSource =
  | {
      type: 'configmaps';
      name: string;
      data: Record<string, string>;
      binaryData?: Record<string, string>;
    }
  | { type: 'secrets'; name: string; keys: string[]; secretType?: string };

const KINDS = [
  { kind: 'Deployment' as const, type: RESOURCES.deployments },
  { kind: 'StatefulSet' as const, type: RESOURCES.statefulsets },
];

function errorOf(error: unknown): Error {
  if (error instanceof KubernetesApiError) {
    return new ServiceUnavailableError(error.message);
  }
  return error as Error;
}

/** The clusters mapped to an environment, each with a client; refuses when one cannot be read. */
export async function environmentClusters(
  access: ClusterAccess,
  environment: string,
): Promise<Array<MappedCluster & { client: KubernetesClient }>> {
  let clusters: MappedCluster[];
  try {
    clusters = await access.connect([environment]);
  } catch (error) {
    throw new ServiceUnavailableError(
      `could not connect to the clusters of ${environment}: ${
        (error as Error)?.message ?? error
      }`,
    );
  }
  const broken = clusters.find(c => !c.client);
  if (broken) {
    throw new ServiceUnavailableError(
      broken.error ?? `cluster ${broken.cluster} cannot be read`,
    );
  }
  return clusters as Array<MappedCluster & { client: KubernetesClient }>;
}

/** The digest most of the pods run for each container of a workload. */
function digestsOf(
  object: KubeObject,
  pods: KubeObject[],
): Map<string, string> {
  const selector = object.spec?.selector;
  const namespace = object.metadata?.namespace;
  const counts = new Map<string, Map<string, number>>();
  for (const pod of pods) {
    if (
      pod.metadata?.namespace !== namespace ||
      !selector ||
      !matchesSelector(selector, pod.metadata?.labels) ||
      pod.status?.phase === 'Succeeded' ||
      pod.status?.phase === 'Failed'
    ) {
      continue;
    }
    for (const status of [
      ...(Array.isArray(pod.status?.containerStatuses)
        ? pod.status.containerStatuses
        : []),
      ...(Array.isArray(pod.status?.initContainerStatuses)
        ? pod.status.initContainerStatuses
        : []),
    ]) {
      const digest = runningDigest(status?.imageID);
      if (typeof status?.name !== 'string' || !digest) continue;
      const byDigest = counts.get(status.name) ?? new Map<string, number>();
      byDigest.set(digest, (byDigest.get(digest) ?? 0) + 1);
      counts.set(status.name, byDigest);
    }
  }
  const digests = new Map<string, string>();
  for (const [name, byDigest] of counts) {
    const [top] = [...byDigest.entries()].sort(
      (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
    );
    digests.set(name, top[0]);
  }
  return digests;
}

/**
 * The Deployments and StatefulSets of an entity in the clusters mapped to
 * an environment, with the digests their pods run.
 */
export async function readWorkloads(
  clusters: Array<MappedCluster & { client: KubernetesClient }>,
  target: KubernetesTarget,
  signal: AbortSignal,
): Promise<ObservedWorkload[]> {
  const request = {
    labelSelector: target.labelSelector,
    namespace: target.namespace,
    signal,
  };
  try {
    const perCluster = await Promise.all(
      clusters.map(async ({ cluster, client }) => {
        const [pods, ...lists] = await Promise.all([
          client.list(RESOURCES.pods, request),
          ...KINDS.map(k => client.list(k.type, request)),
        ]);
        return KINDS.flatMap(({ kind }, i) =>
          (lists[i] ?? []).map(object => ({
            kind,
            cluster,
            object,
            digests: digestsOf(object, pods ?? []),
          })),
        );
      }),
    );
    return perCluster.flat();
  } catch (error) {
    throw errorOf(error);
  }
}

/** The ConfigMaps and Secrets a workload's pod template refers to. */
export function referencesOf(object: KubeObject) {
  return templateReferences(object.spec?.template?.spec);
}

/**
 * Reads a ConfigMap (its data) or a Secret (its key names only: the values
 * are dropped as the object is read); undefined when it does not exist,
 * or, for a Secret, when it may not be read.
 */
export async function readSource(
  client: KubernetesClient,
  type: 'configmaps' | 'secrets',
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<ReadSource | undefined> {
  let object: KubeObject | undefined;
  try {
    object = await client.get(RESOURCES[type], namespace, name, signal);
  } catch (error) {
    if (
      type === 'secrets' &&
      error instanceof KubernetesApiError &&
      error.status === 403
    ) {
      return undefined;
    }
    throw errorOf(error);
  }
  if (!object) {
    return undefined;
  }
  if (type === 'secrets') {
    const keys = Object.keys(object.data ?? {}).concat(
      Object.keys(object.stringData ?? {}),
    );
    return {
      type,
      name,
      keys: [...new Set(keys)].sort(),
      ...(typeof object.type === 'string' ? { secretType: object.type } : {}),
    };
  }
  const strings = (value: unknown) =>
    Object.fromEntries(
      Object.entries(
        typeof value === 'object' && value !== null ? value : {},
      ).filter(([, v]) => typeof v === 'string'),
    ) as Record<string, string>;
  return {
    type,
    name,
    data: strings(object.data),
    ...(object.binaryData ? { binaryData: strings(object.binaryData) } : {}),
  };
}

/**
 * Reads a Secret to copy it whole (`configFrom` a pre-production
 * environment): its data as the API returned it (base64). Never called for
 * the reference environment.
 */
export async function readSecretToCopy(
  client: KubernetesClient,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<{ data: Record<string, string>; type?: string } | undefined> {
  let object: KubeObject | undefined;
  try {
    object = await client.get(RESOURCES.secrets, namespace, name, signal);
  } catch (error) {
    throw errorOf(error);
  }
  if (!object) {
    return undefined;
  }
  const data: Record<string, string> = {};
  for (const [key, value] of Object.entries(object.data ?? {})) {
    if (typeof value === 'string') data[key] = value;
  }
  return {
    data,
    ...(typeof object.type === 'string' ? { type: object.type } : {}),
  };
}

/** Refuses an entity with no Deployment or StatefulSet observed in production. */
export function requireWorkloads(
  workloads: ObservedWorkload[],
  reference: string,
  entityRef: string,
) {
  if (workloads.length === 0) {
    throw new InputError(
      `no Deployment or StatefulSet of ${entityRef} is observed in ${reference}: nothing to replicate`,
    );
  }
}
