import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Deployment } from '@env-parity/plugin-env-parity-common';
import { ConfigFingerprinter } from '@env-parity/plugin-env-parity-node';
import { ClusterDefinition } from '../config';
import { unknownSecret } from '../fingerprints';
import { runningDigest } from '../inventory';
import { KubernetesDeploymentProvider } from '../KubernetesDeploymentProvider';
import { matchesSelector } from '../selectors';
import { KUBERNETES_NAMESPACE_ANNOTATION } from '../target';
import {
  CONFIG_POLICY_ANNOTATION,
  OVERRIDE_ANNOTATION,
  PRODUCTION_IMAGES_ANNOTATION,
  PRODUCTION_NON_SECRET,
} from './config';
import {
  SANDBOX_RESOURCES,
  SandboxApiError,
  SandboxClient,
  SandboxObject,
} from './SandboxClient';

const R = SANDBOX_RESOURCES;
/** The environment name the sandbox is observed under (never shown: the backend names the replica's). */
const REPLICA_ENVIRONMENT = 'env-parity-replica';
const PULL_FAILURES = [
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'ErrImageNeverPull',
];

/**
 * Observes a replica namespace: whether every pod is ready and runs the
 * pinned digests, or why it never will; and what runs there in the shape
 * the Kubernetes provider reports (through the provider itself, reading
 * the sandbox), so that the report compares it with production.
 */
export class ReplicaObserver {
  private readonly provider: KubernetesDeploymentProvider;

  constructor(
    private readonly deps: {
      cluster: ClusterDefinition;
      client: SandboxClient;
      fingerprinter: ConfigFingerprinter;
      showConfigMapValues: boolean;
      logger: LoggerService;
      timeoutMs: number;
    },
  ) {
    this.provider = new KubernetesDeploymentProvider({
      mode: 'direct',
      configMapping: new Map([[deps.cluster.name, REPLICA_ENVIRONMENT]]),
      definitions: new Map([[deps.cluster.name, deps.cluster]]),
      proxyAuthProviders: new Map(),
      clustersFromCatalog: false,
      timeoutMs: deps.timeoutMs,
      workloadKinds: ['Deployment', 'StatefulSet'],
      showConfigMapValues: deps.showConfigMapValues,
      inventory: { enabled: false, maxAgeMs: 0, maxStaleMs: 0, pageSize: 500 },
      fingerprinter: deps.fingerprinter,
      logger: deps.logger,
    });
  }

  async observe(
    replica: { namespace: string; entity: Entity; replicaId: string },
    signal: AbortSignal,
  ): Promise<{
    state: 'creating' | 'ready' | 'failed';
    reason?: string;
    deployment?: Deployment;
  }> {
    const { client } = this.deps;
    const { namespace } = replica;
    let ns: SandboxObject | undefined;
    let workloads: SandboxObject[];
    let pods: SandboxObject[];
    try {
      ns = await client.get(R.namespaces, undefined, namespace, signal);
      if (!ns) {
        return {
          state: 'failed',
          reason: `namespace ${namespace} no longer exists in cluster ${client.clusterName}`,
        };
      }
      const [deployments, statefulsets, podList] = await Promise.all([
        client.list(R.deployments, { namespace }, signal),
        client.list(R.statefulsets, { namespace }, signal),
        client.list(R.pods, { namespace }, signal),
      ]);
      workloads = [
        ...deployments.map(d => ({ ...d, kind: 'Deployment' })),
        ...statefulsets.map(d => ({ ...d, kind: 'StatefulSet' })),
      ];
      pods = podList;
    } catch (error) {
      if (error instanceof SandboxApiError) {
        return { state: 'creating', reason: error.message };
      }
      throw error;
    }
    const status = this.state(workloads, pods);
    const deployment = await this.deployment(replica, ns, signal);
    if (deployment && status.state === 'ready') {
      this.asProductionNamesImages(deployment, workloads);
    }
    return { ...status, ...(deployment ? { deployment } : {}) };
  }

  /**
   * Every pod of a ready replica runs the digest its container is pinned
   * to, the digest production's pods run: such a container's image is
   * reported as production's spec names it (a tag, say), so that the same
   * image is not drift merely for being pinned.
   */
  private asProductionNamesImages(
    deployment: Deployment,
    workloads: SandboxObject[],
  ) {
    const config = deployment.config;
    if (!config) {
      return;
    }
    for (const workload of workloads) {
      let images: Record<string, unknown>;
      try {
        images = JSON.parse(
          (workload.metadata as any)?.annotations?.[
            PRODUCTION_IMAGES_ANNOTATION
          ] ?? '{}',
        );
      } catch {
        continue;
      }
      const prefix = `${String(workload.kind).toLowerCase()}/${
        workload.metadata?.name
      }`;
      for (const [container, image] of Object.entries(images)) {
        const key = `${prefix}/${container}.image`;
        if (config[key] && typeof image === 'string' && image) {
          config[key] = this.deps.fingerprinter.fingerprint(image, {
            show: true,
          });
        }
      }
    }
  }

  private state(
    workloads: SandboxObject[],
    pods: SandboxObject[],
  ): { state: 'creating' | 'ready' | 'failed'; reason?: string } {
    if (workloads.length === 0) {
      return { state: 'creating', reason: 'no workload created yet' };
    }
    const waiting: string[] = [];
    for (const workload of workloads) {
      const what = `${workload.kind ?? 'workload'} ${workload.metadata?.name}`;
      const failure = (workload.status?.conditions ?? []).find(
        (c: any) => c?.type === 'ReplicaFailure' && c?.status === 'True',
      );
      if (failure && /exceeded quota/.test(String(failure.message ?? ''))) {
        return {
          state: 'failed',
          reason: `${what}: the namespace's ResourceQuota refused its pods (exceeded quota)`,
        };
      }
      const mine = pods.filter(
        p =>
          matchesSelector(workload.spec?.selector, p.metadata?.labels) &&
          p.status?.phase !== 'Succeeded' &&
          p.status?.phase !== 'Failed',
      );
      const pinned = new Map<string, string | undefined>();
      const overridden = (workload.metadata as any)?.annotations?.[
        OVERRIDE_ANNOTATION
      ];
      for (const c of workload.spec?.template?.spec?.containers ?? []) {
        pinned.set(
          c.name,
          c.name === overridden
            ? undefined
            : /@(sha256:[a-f0-9]{64})$/.exec(String(c.image))?.[1],
        );
      }
      if (mine.length === 0) {
        waiting.push(`${what}: no pod yet`);
        continue;
      }
      for (const pod of mine) {
        for (const s of pod.status?.containerStatuses ?? []) {
          const reason = s?.state?.waiting?.reason;
          if (PULL_FAILURES.includes(reason)) {
            return {
              state: 'failed',
              reason: `${what}: container ${s.name} cannot pull image ${s.image} (${reason})`,
            };
          }
        }
        const ready = (pod.status?.conditions ?? []).some(
          (c: any) => c?.type === 'Ready' && c?.status === 'True',
        );
        if (!ready) {
          waiting.push(`${what}: pod ${pod.metadata?.name} not ready`);
          continue;
        }
        for (const [container, digest] of pinned) {
          const s = (pod.status?.containerStatuses ?? []).find(
            (x: any) => x?.name === container,
          );
          const running = runningDigest(s?.imageID);
          if (!running || (digest && running !== digest)) {
            waiting.push(
              `${what}: pod ${pod.metadata?.name} container ${container} runs ${
                running ?? 'no known digest'
              }, not the pinned ${digest}`,
            );
          }
        }
      }
    }
    return waiting.length
      ? { state: 'creating', reason: waiting.slice(0, 3).join('; ') }
      : { state: 'ready' };
  }

  /**
   * What runs in the namespace, as the provider reports it. Secret keys
   * created empty by policy are left uncompared (unknown), as the
   * provider does for Secrets it may not read: their values are not
   * production's on purpose.
   */
  private async deployment(
    replica: { namespace: string; entity: Entity },
    ns: SandboxObject,
    signal: AbortSignal,
  ): Promise<Deployment | undefined> {
    const entity: Entity = {
      ...replica.entity,
      metadata: {
        ...replica.entity.metadata,
        annotations: {
          ...replica.entity.metadata.annotations,
          [KUBERNETES_NAMESPACE_ANNOTATION]: replica.namespace,
        },
      },
    };
    let observations;
    try {
      observations = await this.provider.observe({
        entity,
        environments: [
          {
            name: REPLICA_ENVIRONMENT,
            title: 'Replica',
            reference: false,
            source: 'config',
          },
        ],
        signal,
      });
    } catch (error) {
      this.deps.logger.debug(
        `could not observe replica namespace ${replica.namespace}: ${
          (error as Error)?.message
        }`,
      );
      return undefined;
    }
    const deployment = observations.find(
      o => o.environment === REPLICA_ENVIRONMENT,
    )?.deployment;
    if (!deployment) {
      return undefined;
    }
    const policy = (ns.metadata as any)?.annotations?.[
      CONFIG_POLICY_ANNOTATION
    ];
    if (policy === PRODUCTION_NON_SECRET && deployment.config) {
      const empty = this.deps.fingerprinter.fingerprint('', {
        secret: true,
      }).hash;
      for (const [key, fingerprint] of Object.entries(deployment.config)) {
        if (fingerprint.secret && fingerprint.hash === empty) {
          deployment.config[key] = unknownSecret();
        }
      }
    }
    return deployment;
  }
}
