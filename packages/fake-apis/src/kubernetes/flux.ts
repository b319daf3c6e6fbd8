import type { KubeObject } from './FakeKubernetes';

/*
 * Flux objects as the Flux controllers leave them: a GitRepository with
 * its fetched artifact, a Kustomization and a HelmRelease with their
 * Ready conditions, applied revisions and (HelmRelease) release history.
 * Used by the Flux module's tests and by the demo's clusters.
 */

/** A Flux `Ready` condition. */
export interface FluxReady {
  /** `True`, `False` or `Unknown` (reconciling). */
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

const READY: FluxReady = {
  status: 'True',
  reason: 'ReconciliationSucceeded',
  message: 'Applied revision',
};

function conditions(ready: FluxReady, at: string) {
  const list: Array<Record<string, string>> = [
    {
      type: 'Ready',
      status: ready.status,
      reason: ready.reason ?? READY.reason!,
      message: ready.message ?? '',
      lastTransitionTime: at,
    },
  ];
  if (ready.status === 'Unknown') {
    list.push({
      type: 'Reconciling',
      status: 'True',
      reason: 'Progressing',
      message: ready.message ?? 'Reconciliation in progress',
      lastTransitionTime: at,
    });
  }
  return list;
}

/** A Flux GitRepository whose artifact is `branch@sha1:<commit>`. */
export function fluxGitRepository(options: {
  namespace: string;
  name: string;
  url: string;
  branch?: string;
  commit: string;
  at?: string;
}): KubeObject {
  const branch = options.branch ?? 'main';
  const at = options.at ?? '2026-01-10T09:00:00Z';
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: options.name, namespace: options.namespace },
    spec: { url: options.url, interval: '1m', ref: { branch } },
    status: {
      observedGeneration: 1,
      conditions: conditions(
        {
          status: 'True',
          reason: 'Succeeded',
          message: `stored artifact for revision '${branch}@sha1:${options.commit}'`,
        },
        at,
      ),
      artifact: {
        path: `gitrepository/${options.namespace}/${options.name}/${options.commit}.tar.gz`,
        revision: `${branch}@sha1:${options.commit}`,
        lastUpdateTime: at,
      },
    },
  };
}

/** A Flux Kustomization applying a path of a source. */
export function fluxKustomization(options: {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  source: { kind?: string; name: string; namespace?: string };
  path?: string;
  /** The last applied revision, e.g. `main@sha1:<commit>`. */
  revision?: string;
  ready?: FluxReady;
  suspend?: boolean;
  at?: string;
}): KubeObject {
  const at = options.at ?? '2026-01-10T09:01:00Z';
  const ready = options.ready ?? {
    ...READY,
    message: `Applied revision: ${options.revision ?? ''}`,
  };
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      ...(options.labels ? { labels: options.labels } : {}),
    },
    spec: {
      interval: '10m',
      path: options.path ?? './',
      prune: true,
      sourceRef: {
        kind: options.source.kind ?? 'GitRepository',
        name: options.source.name,
        ...(options.source.namespace
          ? { namespace: options.source.namespace }
          : {}),
      },
      ...(options.suspend ? { suspend: true } : {}),
    },
    status: {
      observedGeneration: 1,
      conditions: conditions(ready, at),
      ...(options.revision
        ? {
            lastAppliedRevision: options.revision,
            lastAttemptedRevision: options.revision,
          }
        : {}),
    },
  };
}

/** A Flux HelmRelease of a chart from a HelmRepository or GitRepository. */
export function fluxHelmRelease(options: {
  namespace: string;
  name: string;
  labels?: Record<string, string>;
  chart: string;
  version: string;
  source: { kind?: string; name: string; namespace?: string };
  values?: Record<string, unknown>;
  /** The chart version applied last; `version` by default. */
  appliedVersion?: string;
  appVersion?: string;
  ready?: FluxReady;
  suspend?: boolean;
  at?: string;
}): KubeObject {
  const at = options.at ?? '2026-01-10T09:02:00Z';
  const applied = options.appliedVersion ?? options.version;
  const ready = options.ready ?? {
    ...READY,
    reason: 'UpgradeSucceeded',
    message: `Helm upgrade succeeded for release ${options.namespace}/${options.name}.v3 with chart ${options.chart}@${applied}`,
  };
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      ...(options.labels ? { labels: options.labels } : {}),
    },
    spec: {
      interval: '5m',
      chart: {
        spec: {
          chart: options.chart,
          version: options.version,
          sourceRef: {
            kind: options.source.kind ?? 'HelmRepository',
            name: options.source.name,
            ...(options.source.namespace
              ? { namespace: options.source.namespace }
              : {}),
          },
        },
      },
      ...(options.values ? { values: options.values } : {}),
      ...(options.suspend ? { suspend: true } : {}),
    },
    status: {
      observedGeneration: 1,
      conditions: conditions(ready, at),
      lastAppliedRevision: applied,
      lastAttemptedRevision: applied,
      history: [
        {
          chartName: options.chart,
          chartVersion: applied,
          ...(options.appVersion ? { appVersion: options.appVersion } : {}),
          name: options.name,
          namespace: options.namespace,
          status: ready.status === 'False' ? 'failed' : 'deployed',
          version: 3,
          firstDeployed: '2026-01-02T10:00:00Z',
          lastDeployed: at,
          digest:
            'sha256:4b2a0a8d9e3c1f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a',
        },
      ],
    },
  };
}
