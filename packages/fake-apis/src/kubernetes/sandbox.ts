import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { onRequestBody } from '../http';
import type { KubeObject } from './FakeKubernetes';

/*
 * The writes of a writable fake cluster (a sandbox), answered as
 * kube-apiserver does:
 *
 * - `POST <collection>` → 201 and the object as stored (uid,
 *   resourceVersion, creationTimestamp); 409 AlreadyExists; 404 NotFound
 *   when its namespace does not exist; 400 BadRequest for a body of
 *   another kind or namespace; 422 Invalid without `metadata.name`;
 * - `PATCH <object>` (`application/merge-patch+json`, and
 *   `application/strategic-merge-patch+json` treated as a merge patch) →
 *   200; 404 NotFound; 415 for a JSON patch;
 * - `DELETE <object>` → 200 and the object; 404 NotFound. Deleting a
 *   Namespace deletes everything in it at once (no Terminating phase);
 *   deleting a Deployment or StatefulSet deletes its pods.
 *
 * A created Deployment or StatefulSet gets its pods at once (one per
 * replica, no ReplicaSet), labelled like its pod template. Each becomes
 * ready `readyAfterMs` after its creation, running every container's image
 * with the digest it resolves to (`imageID` `<repository>@sha256:…`); a
 * container whose image does not resolve waits with ErrImagePull. The
 * status is computed whenever the fake answers a GET, so no timer runs.
 */

/** One write the fake accepted (or refused), with its body as received. */
export interface KubernetesMutation {
  method: string;
  path: string;
  /** The HTTP status answered. */
  status: number;
  body?: unknown;
  /** The object as stored after a successful write. */
  stored?: KubeObject;
}

/** What the writes need of the fake holding the objects. */
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

/** A served resource type. */
export interface SandboxResource {
  plural: string;
  kind: string;
  apiVersion: string;
  /** API group, '' for the core group. */
  group: string;
  namespaced: boolean;
}

const WORKLOAD_PLURALS = ['deployments', 'statefulsets'];

/** A made-up but stable digest of a string. */
export function fakeImageDigest(image: string): string {
  return `sha256:${createHash('sha256').update(image).digest('hex')}`;
}

function kubeTime(ms: number) {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) {
    return patch;
  }
  const result: Record<string, unknown> = isPlainObject(target)
    ? { ...target }
    : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else {
      result[key] = mergePatch(result[key], value);
    }
  }
  return result;
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

/** The writable side of a fake cluster, with its pods' simulation. */
export class FakeSandbox {
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
  /** Every write, in order. */
  readonly mutations: KubernetesMutation[] = [];
  /** Pod name → when it was created (ms). */
  private readonly podCreated = new Map<string, number>();
  private podCounter = 0;
  /** `plural/namespace/name` of the workloads created through the API. */
  private readonly simulated = new Set<string>();

  constructor(
    private readonly store: SandboxStore,
    private readonly now: () => number = Date.now,
  ) {}

  /** Makes an image resolvable (to `digest`, by default a made-up one). */
  knowImage(image: string, digest = fakeImageDigest(image)): this {
    this.knownImages.set(image, digest);
    return this;
  }

  /** Every object written (created or patched), as stored after the write. */
  written(): KubeObject[] {
    return this.mutations.flatMap(m =>
      m.stored && (m.method === 'POST' || m.method === 'PATCH')
        ? [m.stored]
        : [],
    );
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

  /** Answers a POST, PATCH or DELETE of an object or collection. */
  write(
    req: IncomingMessage,
    send: (code: number, body: unknown) => void,
    target: {
      path: string;
      resource: SandboxResource;
      namespace?: string;
      name?: string;
    },
  ): void {
    onRequestBody(req, body => {
      const mutation: KubernetesMutation = {
        method: req.method ?? '',
        path: target.path,
        status: 0,
        body,
      };
      this.mutations.push(mutation);
      const answer = (code: number, answerBody: unknown) => {
        mutation.status = code;
        if (code < 300 && isPlainObject(answerBody)) {
          mutation.stored = structuredClone(answerBody) as KubeObject;
        }
        send(code, answerBody);
      };
      try {
        this.apply(req, body, target, answer);
      } catch (error) {
        answer(500, statusBody(500, 'InternalError', (error as Error).message));
      }
    });
  }

  private apply(
    req: IncomingMessage,
    body: unknown,
    target: {
      resource: SandboxResource;
      namespace?: string;
      name?: string;
    },
    answer: (code: number, body: unknown) => void,
  ) {
    const { resource, namespace, name } = target;
    const what = resource.group
      ? `${resource.plural}.${resource.group}`
      : resource.plural;
    const details = (n: string) => ({
      name: n,
      group: resource.group,
      kind: resource.plural,
    });
    const notFound = (n: string) =>
      answer(
        404,
        statusBody(404, 'NotFound', `${what} "${n}" not found`, details(n)),
      );
    if (
      resource.namespaced &&
      namespace &&
      !this.store.find('namespaces', undefined, namespace)
    ) {
      answer(
        404,
        statusBody(404, 'NotFound', `namespaces "${namespace}" not found`, {
          name: namespace,
          kind: 'namespaces',
        }),
      );
      return;
    }

    switch (req.method) {
      case 'POST': {
        if (name) {
          answer(
            405,
            statusBody(
              405,
              'MethodNotAllowed',
              'the server does not allow this method on the requested resource',
            ),
          );
          return;
        }
        if (!isPlainObject(body) || !isPlainObject(body.metadata)) {
          answer(
            400,
            statusBody(
              400,
              'BadRequest',
              'the body of the request was in an unknown format',
            ),
          );
          return;
        }
        const object = structuredClone(body) as KubeObject;
        if (object.kind !== undefined && object.kind !== resource.kind) {
          answer(
            400,
            statusBody(
              400,
              'BadRequest',
              `the API version in the data (${object.apiVersion}) does not match the expected API version (${resource.apiVersion}) or kind ${object.kind} is not ${resource.kind}`,
            ),
          );
          return;
        }
        const objectName = object.metadata.name;
        if (
          typeof objectName !== 'string' ||
          !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(objectName)
        ) {
          answer(
            422,
            statusBody(
              422,
              'Invalid',
              `${resource.kind} "${
                objectName ?? ''
              }" is invalid: metadata.name: Required value: name or generateName is required`,
              { kind: resource.kind },
            ),
          );
          return;
        }
        if (resource.namespaced) {
          if (
            object.metadata.namespace !== undefined &&
            object.metadata.namespace !== namespace
          ) {
            answer(
              400,
              statusBody(
                400,
                'BadRequest',
                'the namespace of the provided object does not match the namespace sent on the request',
              ),
            );
            return;
          }
          object.metadata.namespace = namespace;
        } else {
          delete object.metadata.namespace;
        }
        if (this.store.find(resource.plural, namespace, objectName)) {
          answer(
            409,
            statusBody(
              409,
              'AlreadyExists',
              `${what} "${objectName}" already exists`,
              details(objectName),
            ),
          );
          return;
        }
        if (
          WORKLOAD_PLURALS.includes(resource.plural) &&
          this.quotaRefusal === 'create'
        ) {
          answer(
            403,
            statusBody(
              403,
              'Forbidden',
              `${what} "${objectName}" is forbidden: exceeded quota: replica-quota, requested: requests.cpu=250m, used: requests.cpu=0, limited: requests.cpu=100m`,
              details(objectName),
            ),
          );
          return;
        }
        const now = this.now();
        object.apiVersion = resource.apiVersion;
        object.kind = resource.kind;
        object.metadata = {
          ...object.metadata,
          creationTimestamp: kubeTime(now),
        };
        delete object.metadata.resourceVersion;
        delete object.metadata.uid;
        if (resource.plural === 'namespaces') {
          object.spec = { finalizers: ['kubernetes'] };
          object.status = { phase: 'Active' };
        }
        this.store.add(object);
        const stored = this.store.find(resource.plural, namespace, objectName)!;
        if (WORKLOAD_PLURALS.includes(resource.plural)) {
          this.simulated.add(`${resource.plural}/${namespace}/${objectName}`);
          this.createPods(stored, resource.plural, now);
          this.refresh();
        }
        answer(201, stored);
        return;
      }
      case 'PATCH': {
        const type = String(req.headers['content-type'] ?? '')
          .split(';')[0]
          .trim();
        if (
          type === 'application/json-patch+json' ||
          !type.endsWith('patch+json')
        ) {
          answer(
            415,
            statusBody(
              415,
              'UnsupportedMediaType',
              `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json`,
            ),
          );
          return;
        }
        const existing = name
          ? this.store.find(resource.plural, namespace, name)
          : undefined;
        if (!name || !existing) {
          notFound(name ?? '');
          return;
        }
        if (!isPlainObject(body)) {
          answer(
            400,
            statusBody(
              400,
              'BadRequest',
              'the body of the request was in an unknown format',
            ),
          );
          return;
        }
        const patched = mergePatch(existing, body) as KubeObject;
        patched.metadata = {
          ...patched.metadata,
          name,
          ...(resource.namespaced ? { namespace } : {}),
          uid: existing.metadata.uid,
        };
        delete patched.metadata.resourceVersion;
        this.store.add(patched);
        answer(200, this.store.find(resource.plural, namespace, name)!);
        return;
      }
      case 'DELETE': {
        if (!name) {
          answer(
            405,
            statusBody(
              405,
              'MethodNotAllowed',
              'the server does not allow this method on the requested resource',
            ),
          );
          return;
        }
        const removed = this.store.remove(resource.plural, namespace, name);
        if (!removed) {
          notFound(name);
          return;
        }
        if (resource.plural === 'namespaces') {
          for (const plural of this.store.plurals()) {
            for (const object of [...this.store.stored(plural)]) {
              if (object.metadata.namespace === name) {
                this.store.remove(plural, name, object.metadata.name);
                this.simulated.delete(
                  `${plural}/${name}/${object.metadata.name}`,
                );
                this.podCreated.delete(`${name}/${object.metadata.name}`);
              }
            }
          }
          removed.status = { phase: 'Terminating' };
        }
        this.simulated.delete(`${resource.plural}/${namespace}/${name}`);
        if (WORKLOAD_PLURALS.includes(resource.plural)) {
          for (const pod of [...this.store.stored('pods')]) {
            if (
              pod.metadata.namespace === namespace &&
              (pod.metadata.ownerReferences as any[] | undefined)?.some(
                o => o.name === name,
              )
            ) {
              this.store.remove('pods', namespace, pod.metadata.name);
              this.podCreated.delete(`${namespace}/${pod.metadata.name}`);
            }
          }
        }
        answer(200, removed);
        return;
      }
      default:
        answer(
          405,
          statusBody(
            405,
            'MethodNotAllowed',
            'the server does not allow this method on the requested resource',
          ),
        );
    }
  }

  private createPods(workload: KubeObject, plural: string, now: number) {
    if (this.quotaRefusal === 'pods') {
      return;
    }
    const replicas =
      typeof workload.spec?.replicas === 'number' ? workload.spec.replicas : 1;
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
      if (!digest) {
        return {
          name: c.name,
          image,
          imageID: '',
          ready: false,
          started: false,
          restartCount: 0,
          state: {
            waiting: {
              reason: 'ErrImagePull',
              message: `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": not found`,
            },
          },
        };
      }
      if (!started) {
        return {
          name: c.name,
          image,
          imageID: '',
          ready: false,
          started: false,
          restartCount: 0,
          state: { waiting: { reason: 'ContainerCreating' } },
        };
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
    const replicas =
      typeof workload.spec?.replicas === 'number' ? workload.spec.replicas : 1;
    const pods = this.store
      .stored('pods')
      .filter(
        p =>
          p.metadata.namespace === workload.metadata.namespace &&
          (p.metadata.ownerReferences as any[] | undefined)?.some(
            o => o.name === workload.metadata.name && o.kind === workload.kind,
          ),
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

/** A Status object as kube-apiserver answers failures. */
export function statusBody(
  code: number,
  reason: string,
  message: string,
  details?: Record<string, unknown>,
) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}
