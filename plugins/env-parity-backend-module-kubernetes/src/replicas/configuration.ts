import { ReplicaConfigKey } from '@env-parity/plugin-env-parity-common';
import { ReplicaLaunchSpec } from '@env-parity/plugin-env-parity-node';
import { MappedCluster } from '../clusters';
import { KubernetesClient } from '../KubernetesClient';
import { PRODUCTION_NON_SECRET } from './config';
import { SandboxObject } from './SandboxClient';
import { configMapObject, secretObject } from './objects';
import {
  ObservedWorkload,
  readSecretToCopy,
  readSource,
  referencesOf,
} from './production';

/*
 * The ConfigMaps and Secrets of a replica, by policy:
 *
 * - `production-non-secret`: production's ConfigMaps, with the keys of
 *   `envParity.replicas.override` replaced; production's Secrets with every
 *   key EMPTY (their values are never read into anything kept: only key
 *   names), to provide;
 * - `configFrom: <environment>`: that environment's ConfigMaps and Secrets
 *   of the same names, copied from the namespace its workloads of the
 *   service run in (or the service's namespace annotation, or production's
 *   namespace); one it does not have is made as above.
 *
 * Each key is reported with its source, by key name only.
 */

type Cluster = MappedCluster & { client: KubernetesClient };

export interface ReplicaConfiguration {
  objects: SandboxObject[];
  keys: ReplicaConfigKey[];
}

/** Key names a pod template reads from a Secret with `secretKeyRef` (when the Secret cannot be read). */
function secretKeyRefs(workloads: ObservedWorkload[], name: string): string[] {
  const keys = new Set<string>();
  for (const w of workloads) {
    const spec = w.object.spec?.template?.spec ?? {};
    for (const c of [
      ...(spec.containers ?? []),
      ...(spec.initContainers ?? []),
    ]) {
      for (const e of Array.isArray(c?.env) ? c.env : []) {
        const ref = e?.valueFrom?.secretKeyRef;
        if (ref?.name === name && typeof ref.key === 'string')
          keys.add(ref.key);
      }
    }
  }
  return [...keys].sort();
}

export async function replicaConfiguration(options: {
  spec: ReplicaLaunchSpec;
  workloads: ObservedWorkload[];
  production: Cluster[];
  /** `production-non-secret`, or the environment to copy from with its clusters and its workloads of the service. */
  policy:
    | { type: typeof PRODUCTION_NON_SECRET }
    | {
        type: 'environment';
        environment: string;
        clusters: Cluster[];
        workloads: ObservedWorkload[];
        /** The service's namespace annotation. */
        namespace?: string;
      };
  override: Record<string, string>;
  signal: AbortSignal;
}): Promise<ReplicaConfiguration> {
  const { spec, workloads, production, policy, signal } = options;
  const objects: SandboxObject[] = [];
  const keys: ReplicaConfigKey[] = [];
  const done = new Set<string>();
  for (const workload of workloads) {
    const client = production.find(c => c.cluster === workload.cluster)!.client;
    const namespace = workload.object.metadata?.namespace ?? 'default';
    for (const ref of referencesOf(workload.object)) {
      const id = `${ref.type}/${ref.name}`;
      if (done.has(id)) continue;
      done.add(id);

      if (policy.type === 'environment') {
        const copied = await copyFromEnvironment(
          spec,
          ref,
          workload,
          policy,
          signal,
        );
        if (copied) {
          objects.push(copied.object);
          keys.push(...copied.keys);
          continue;
        }
      }

      const source = await readSource(
        client,
        ref.type,
        namespace,
        ref.name,
        signal,
      );
      if (ref.type === 'configmaps') {
        if (!source || source.type !== 'configmaps') continue;
        const data: Record<string, string> = {};
        for (const [key, value] of Object.entries(source.data)) {
          const replaced =
            policy.type === PRODUCTION_NON_SECRET &&
            Object.prototype.hasOwnProperty.call(options.override, key);
          data[key] = replaced ? options.override[key] : value;
          keys.push({
            object: ref.name,
            kind: 'ConfigMap',
            key,
            source: replaced ? 'override' : 'production',
          });
        }
        for (const key of Object.keys(source.binaryData ?? {})) {
          keys.push({
            object: ref.name,
            kind: 'ConfigMap',
            key,
            source: 'production',
          });
        }
        objects.push(configMapObject(spec, ref.name, data, source.binaryData));
      } else {
        const names =
          source && source.type === 'secrets'
            ? source.keys
            : secretKeyRefs(workloads, ref.name);
        if (!source && names.length === 0 && ref.optional) continue;
        // every key EMPTY: production's values are never copied
        objects.push(
          secretObject(
            spec,
            ref.name,
            Object.fromEntries(names.map(k => [k, ''])),
          ),
        );
        for (const key of names) {
          keys.push({ object: ref.name, kind: 'Secret', key, source: 'empty' });
        }
      }
    }
  }
  keys.sort(
    (a, b) =>
      a.kind.localeCompare(b.kind) ||
      a.object.localeCompare(b.object) ||
      a.key.localeCompare(b.key),
  );
  return { objects, keys };
}

async function copyFromEnvironment(
  spec: ReplicaLaunchSpec,
  ref: { type: 'configmaps' | 'secrets'; name: string },
  workload: ObservedWorkload,
  policy: {
    environment: string;
    clusters: Cluster[];
    workloads: ObservedWorkload[];
    namespace?: string;
  },
  signal: AbortSignal,
): Promise<{ object: SandboxObject; keys: ReplicaConfigKey[] } | undefined> {
  const name = workload.object.metadata?.name;
  const same = policy.workloads.find(
    w => w.kind === workload.kind && w.object.metadata?.name === name,
  );
  const candidates = same
    ? [{ cluster: same.cluster, namespace: same.object.metadata?.namespace }]
    : policy.clusters.map(c => ({
        cluster: c.cluster,
        namespace:
          policy.namespace ?? workload.object.metadata?.namespace ?? 'default',
      }));
  for (const candidate of candidates) {
    const client = policy.clusters.find(
      c => c.cluster === candidate.cluster,
    )?.client;
    if (!client || !candidate.namespace) continue;
    if (ref.type === 'configmaps') {
      const source = await readSource(
        client,
        'configmaps',
        candidate.namespace,
        ref.name,
        signal,
      );
      if (source?.type !== 'configmaps') continue;
      return {
        object: configMapObject(spec, ref.name, source.data, source.binaryData),
        keys: [
          ...Object.keys(source.data),
          ...Object.keys(source.binaryData ?? {}),
        ].map(key => ({
          object: ref.name,
          kind: 'ConfigMap' as const,
          key,
          source: policy.environment,
        })),
      };
    }
    const secret = await readSecretToCopy(
      client,
      candidate.namespace,
      ref.name,
      signal,
    );
    if (!secret) continue;
    return {
      object: secretObject(spec, ref.name, secret.data, secret.type),
      keys: Object.keys(secret.data).map(key => ({
        object: ref.name,
        kind: 'Secret' as const,
        key,
        source: policy.environment,
      })),
    };
  }
  return undefined;
}
