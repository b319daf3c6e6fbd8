import type { FakeKubernetes, KubeObject } from './FakeKubernetes';

/*
 * A finished rollout of a new image in a fake cluster, as the demo's
 * delivery systems (Argo CD, a GitHub deployment) would leave it: every
 * Deployment, ReplicaSet and Pod of a workload runs the image, with its
 * digest, every pod ready.
 */

/** What to roll out, and to which workload. */
export interface KubernetesRollout {
  namespace: string;
  /** Labels the workload's objects all carry, e.g. `app.kubernetes.io/name`. */
  labels: Record<string, string>;
  /** The container that runs the image. */
  container: string;
  /** The image as the pod spec names it, e.g. `ghcr.io/acme/api:1.4.2`. */
  image: string;
  /** What the pods report running, `<repository>@sha256:...`. */
  imageID: string;
  now?: Date;
}

function matches(object: KubeObject, rollout: KubernetesRollout): boolean {
  const labels = (object.metadata.labels ?? {}) as Record<string, string>;
  return (
    object.metadata.namespace === rollout.namespace &&
    Object.entries(rollout.labels).every(([k, v]) => labels[k] === v)
  );
}

function setImage(spec: any, rollout: KubernetesRollout) {
  for (const c of spec?.containers ?? []) {
    if (c.name === rollout.container) c.image = rollout.image;
  }
}

/** Applies a finished rollout; returns how many objects changed. */
export function rollOutImage(
  fake: FakeKubernetes,
  rollout: KubernetesRollout,
): number {
  const now = `${(rollout.now ?? new Date()).toISOString().slice(0, 19)}Z`;
  let changed = 0;
  for (const object of fake.stored('deployments')) {
    if (!matches(object, rollout)) continue;
    const o = object as any;
    setImage(o.spec?.template?.spec, rollout);
    const replicas = o.spec?.replicas ?? o.status?.replicas ?? 1;
    o.status = {
      ...o.status,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: replicas,
      availableReplicas: replicas,
      conditions: (o.status?.conditions ?? []).map((c: any) =>
        c.type === 'Progressing'
          ? {
              ...c,
              status: 'True',
              reason: 'NewReplicaSetAvailable',
              lastUpdateTime: now,
            }
          : c,
      ),
    };
    delete o.status.unavailableReplicas;
    changed++;
  }
  for (const object of fake.stored('replicasets')) {
    if (!matches(object, rollout)) continue;
    const o = object as any;
    setImage(o.spec?.template?.spec, rollout);
    changed++;
  }
  for (const object of fake.stored('pods')) {
    if (!matches(object, rollout)) continue;
    const o = object as any;
    setImage(o.spec, rollout);
    o.status = {
      ...o.status,
      phase: 'Running',
      conditions: (o.status?.conditions ?? []).map((c: any) =>
        c.type === 'Ready' || c.type === 'ContainersReady'
          ? { ...c, status: 'True' }
          : c,
      ),
      containerStatuses: (o.status?.containerStatuses ?? []).map((s: any) =>
        s.name === rollout.container
          ? {
              ...s,
              image: rollout.image,
              imageID: rollout.imageID,
              ready: true,
              started: true,
              restartCount: 0,
              state: { running: { startedAt: now } },
              lastState: {},
            }
          : s,
      ),
    };
    changed++;
  }
  return changed;
}
