import {
  ConfigFingerprint,
  Deployment,
  DeploymentFinding,
  RunningResource,
} from '@env-parity/plugin-env-parity-common';
import { ConfigFingerprinter } from '@env-parity/plugin-env-parity-node';
import { WORKLOAD_KINDS, WorkloadKind } from './config';
import { collect, combineFingerprints } from './fingerprints';
import { KubernetesTarget } from './target';

/*
 * What the clusters of one environment run, combined into one deployment:
 * the primary container's artifact, the resources, the configuration keys
 * and the findings.
 */

/** One container of a workload as observed, values already fingerprinted. */
export interface ContainerInfo {
  name: string;
  image: string;
  /** Running digest (`sha256:...`) to the number of pods running it. */
  digests: Map<string, number>;
  /** `requests.cpu` etc. to the quantity. */
  resources: Array<[string, string]>;
  env: Array<[string, ConfigFingerprint]>;
}

export interface WorkloadInfo {
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

export interface ClusterResult {
  cluster: string;
  workloads: WorkloadInfo[];
  /** The `configmap/…` and `secret/…` keys; a key may come more than once (names alike once Kustomize suffixes are stripped, or in two namespaces). */
  config: Array<[string, ConfigFingerprint]>;
  findings: DeploymentFinding[];
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

/**
 * Combines what the clusters of one environment run into one deployment.
 * A configuration key the clusters disagree on (same-named workloads or
 * ConfigMaps with different contents) gets one combined fingerprint and
 * an info finding, rather than the last cluster's.
 */
export function combineDeployment(
  environment: string,
  results: ClusterResult[],
  target: KubernetesTarget,
  fingerprinter: ConfigFingerprinter,
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
  let primary: { workload: WorkloadInfo; container: ContainerInfo } | undefined;
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
        fingerprinter.fingerprint(String(w.specReplicas), {
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
          fingerprinter.fingerprint(c.image, { show: true }),
        );
      }
      for (const [key, quantity] of c.resources) {
        collect(
          keys,
          `${at}.resources.${key}`,
          fingerprinter.fingerprint(quantity, { show: true }),
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
