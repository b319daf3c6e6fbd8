import { createHash } from 'node:crypto';
import type { KubeObject } from './FakeKubernetes';

/*
 * The pods of a writable fake cluster (a sandbox). A Deployment or
 * StatefulSet created through the API gets its pods at once (one per
 * replica, no ReplicaSet), labelled like its pod template. Each becomes
 * ready `readyAfterMs` after its creation, running every container's image
 * with the digest it resolves to (`imageID` `<repository>@sha256:…`); a
 * container whose image does not resolve waits with ErrImagePull. The
 * status is computed whenever the fake answers a GET, so no timer runs.
 */

/** What the writes and the pods' simulation need of the fake holding the objects. */
export interface SandboxStore {
  find(
    plural: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
  add(...objects: KubeObject[]): unknown;
  remove(
    plural: string,
    namespace: string | undefined,
    name: string,
  ): KubeObject | undefined;
  stored(plural: string): KubeObject[];
  /** Every plural the fake holds objects of. */
  plurals(): string[];
}

/** The plurals whose objects get simulated pods. */
export const WORKLOAD_PLURALS = ['deployments', 'statefulsets'];

/** A made-up but stable digest of a string. */
export function fakeImageDigest(image: string): string {
  return `sha256:${createHash('sha256').update(image).digest('hex')}`;
}

/** A timestamp as the API server writes one (seconds, UTC). */
export function kubeTime(ms: number) {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Repository and digest or tag of an image reference. */
function splitImage(image: string): {
  repository: string;
  tag?: string;
  digest?: string;
} {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, tag, digest };
}

function replicasOf(workload: KubeObject): number {
  return typeof workload.spec?.replicas === 'number'
    ? workload.spec.replicas
    : 1;
}

/** The simulated pods of a sandbox and the images they resolve. */
export class SandboxPods {
  /** Time from a pod's creation to its readiness (0: ready at once). */
  readyAfterMs = 0;
  /**
   * Images the fake's registry knows, as `repository:tag` or
   * `repository@sha256:…`, to the digest they resolve to.
   */
  readonly knownImages = new Map<string, string>();
  /**
   * Only `knownImages` resolve. False (the default): any image resolves
   * (a digest to itself, a tag to a made-up digest of its own) unless its
   * name contains `does-not-exist`.
   */
  onlyKnownImages = false;
  /**
   * A ResourceQuota refusal: `create` answers 403 `exceeded quota` to the
   * creation of a Deployment or StatefulSet; `pods` accepts it but creates
   * no pod, reporting the refusal in a `ReplicaFailure` condition, as the
   * ReplicaSet controller does.
   */
  quotaRefusal?: 'create' | 'pods';
  /** Pod name → when it was created (ms). */
  private readonly podCreated = new Map<string, number>();
  private podCounter = 0;
  /** `plural/namespace/name` of the workloads created through the API. */
  private readonly simulated = new Set<string>();

  constructor(
    protected readonly store: SandboxStore,
    protected readonly now: () => number = Date.now,
  ) {}

  /** Makes an image resolvable (to `digest`, by default a made-up one). */
  knowImage(image: string, digest = fakeImageDigest(image)): this {
    this.knownImages.set(image, digest);
    return this;
  }

  /** The digest an image resolves to, or undefined when it cannot be pulled. */
  resolve(image: string): string | undefined {
    if (image.includes('does-not-exist')) {
      return undefined;
    }
    const known = this.knownImages.get(image);
    if (known) {
      return known;
    }
    const { digest } = splitImage(image);
    if (this.onlyKnownImages) {
      return digest && [...this.knownImages.values()].includes(digest)
        ? digest
        : undefined;
    }
    return digest ?? fakeImageDigest(image);
  }

  /** Brings the simulated pods and their workloads' status up to date. */
  refresh(): void {
    const now = this.now();
    for (const pod of this.store.stored('pods')) {
      const created = this.podCreated.get(
        `${pod.metadata.namespace}/${pod.metadata.name}`,
      );
      if (created !== undefined) {
        pod.status = this.podStatus(pod, created, now);
      }
    }
    for (const plural of WORKLOAD_PLURALS) {
      for (const workload of this.store.stored(plural)) {
        if (
          this.simulated.has(
            `${plural}/${workload.metadata.namespace}/${workload.metadata.name}`,
          )
        ) {
          this.workloadStatus(workload);
        }
      }
    }
  }

  /** Starts simulating a workload just created through the API: its pods, at once. */
  protected simulate(workload: KubeObject, plural: string, now: number) {
    this.simulated.add(
      `${plural}/${workload.metadata.namespace}/${workload.metadata.name}`,
    );
    this.createPods(workload, plural, now);
    this.refresh();
  }

  /** Forgets an object deleted through the API; a workload's pods go with it. */
  protected forget(
    plural: string,
    namespace: string | undefined,
    name: string,
  ) {
    this.simulated.delete(`${plural}/${namespace}/${name}`);
    if (WORKLOAD_PLURALS.includes(plural)) {
      for (const pod of this.ownedPods(namespace, name)) {
        this.store.remove('pods', namespace, pod.metadata.name);
        this.podCreated.delete(`${namespace}/${pod.metadata.name}`);
      }
    }
  }

  /** Removes everything in a deleted namespace at once (no Terminating phase). */
  protected removeNamespaced(namespace: string) {
    for (const plural of this.store.plurals()) {
      for (const object of [...this.store.stored(plural)]) {
        if (object.metadata.namespace === namespace) {
          this.store.remove(plural, namespace, object.metadata.name);
          this.simulated.delete(
            `${plural}/${namespace}/${object.metadata.name}`,
          );
          this.podCreated.delete(`${namespace}/${object.metadata.name}`);
        }
      }
    }
  }

  /** The pods naming a workload as their owner (of that kind, when given). */
  private ownedPods(
    namespace: string | undefined,
    name: string,
    kind?: string,
  ): KubeObject[] {
    return this.store
      .stored('pods')
      .filter(
        p =>
          p.metadata.namespace === namespace &&
          (p.metadata.ownerReferences as any[] | undefined)?.some(
            o => o.name === name && (kind === undefined || o.kind === kind),
          ),
      );
  }

  private createPods(workload: KubeObject, plural: string, now: number) {
    if (this.quotaRefusal === 'pods') {
      return;
    }
    const replicas = replicasOf(workload);
    const template = workload.spec?.template ?? {};
    const stateful = plural === 'statefulsets';
    for (let i = 0; i < replicas; i++) {
      const suffix = stateful
        ? String(i)
        : createHash('sha256')
            .update(
              `${workload.metadata.namespace}/${workload.metadata.name}/${++this
                .podCounter}`,
            )
            .digest('hex')
            .slice(0, 5);
      const podName = `${workload.metadata.name}-${suffix}`;
      this.store.add({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name: podName,
          namespace: workload.metadata.namespace,
          labels: { ...(template.metadata?.labels ?? {}) },
          ...(template.metadata?.annotations
            ? { annotations: { ...template.metadata.annotations } }
            : {}),
          creationTimestamp: kubeTime(now),
          ownerReferences: [
            {
              apiVersion: workload.apiVersion,
              kind: workload.kind,
              name: workload.metadata.name,
              uid: workload.metadata.uid,
              controller: true,
            },
          ],
        },
        spec: structuredClone(template.spec ?? {}),
        status: { phase: 'Pending' },
      });
      this.podCreated.set(`${workload.metadata.namespace}/${podName}`, now);
    }
  }

  private podStatus(pod: KubeObject, created: number, now: number) {
    const containers: any[] = Array.isArray(pod.spec?.containers)
      ? pod.spec.containers
      : [];
    const started = now >= created + this.readyAfterMs;
    const statuses = containers.map(c => {
      const image = String(c.image ?? '');
      const digest = this.resolve(image);
      const waiting = (state: Record<string, string>) => ({
        name: c.name,
        image,
        imageID: '',
        ready: false,
        started: false,
        restartCount: 0,
        state: { waiting: state },
      });
      if (!digest) {
        return waiting({
          reason: 'ErrImagePull',
          message: `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": not found`,
        });
      }
      if (!started) {
        return waiting({ reason: 'ContainerCreating' });
      }
      return {
        name: c.name,
        image,
        imageID: `${splitImage(image).repository}@${digest}`,
        ready: true,
        started: true,
        restartCount: 0,
        state: {
          running: { startedAt: kubeTime(created + this.readyAfterMs) },
        },
      };
    });
    const ready = statuses.length > 0 && statuses.every(s => s.ready);
    return {
      phase: ready ? 'Running' : 'Pending',
      conditions: [
        { type: 'PodScheduled', status: 'True' },
        { type: 'Initialized', status: 'True' },
        { type: 'ContainersReady', status: ready ? 'True' : 'False' },
        { type: 'Ready', status: ready ? 'True' : 'False' },
      ],
      startTime: kubeTime(created),
      containerStatuses: statuses,
    };
  }

  private workloadStatus(workload: KubeObject) {
    const replicas = replicasOf(workload);
    const pods = this.ownedPods(
      workload.metadata.namespace,
      workload.metadata.name,
      workload.kind,
    );
    const ready = pods.filter(p => p.status?.phase === 'Running').length;
    const conditions: any[] = [
      {
        type: 'Available',
        status: ready >= replicas ? 'True' : 'False',
        reason:
          ready >= replicas
            ? 'MinimumReplicasAvailable'
            : 'MinimumReplicasUnavailable',
      },
      {
        type: 'Progressing',
        status: 'True',
        reason:
          ready >= replicas ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated',
      },
    ];
    if (this.quotaRefusal === 'pods' && pods.length < replicas) {
      conditions.push({
        type: 'ReplicaFailure',
        status: 'True',
        reason: 'FailedCreate',
        message: `pods "${workload.metadata.name}-" is forbidden: exceeded quota: replica-quota, requested: requests.cpu=250m, used: requests.cpu=0, limited: requests.cpu=100m`,
      });
    }
    workload.status = {
      observedGeneration: 1,
      replicas: pods.length,
      updatedReplicas: pods.length,
      readyReplicas: ready,
      availableReplicas: ready,
      ...(workload.kind === 'StatefulSet'
        ? { currentReplicas: pods.length }
        : {}),
      ...(workload.kind === 'Deployment' ? { conditions } : {}),
    };
  }
}
