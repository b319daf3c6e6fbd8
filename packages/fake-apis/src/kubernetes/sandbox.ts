import type { IncomingMessage } from 'node:http';
import { onRequestBody } from '../http';
import type { KubeObject } from './FakeKubernetes';
import { SandboxPods, WORKLOAD_PLURALS, kubeTime } from './pods';
import { methodNotAllowedBody, statusBody } from './status';

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
 * The pods of the workloads it creates are simulated in pods.ts.
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

/** A served resource type. */
export interface SandboxResource {
  plural: string;
  kind: string;
  apiVersion: string;
  /** API group, '' for the core group. */
  group: string;
  namespaced: boolean;
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

/** The writable side of a fake cluster, with its pods' simulation. */
export class FakeSandbox extends SandboxPods {
  /** Every write, in order. */
  readonly mutations: KubernetesMutation[] = [];

  /** Every object written (created or patched), as stored after the write. */
  written(): KubeObject[] {
    return this.mutations.flatMap(m =>
      m.stored && (m.method === 'POST' || m.method === 'PATCH')
        ? [m.stored]
        : [],
    );
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
    const badRequest = (message: string) =>
      answer(400, statusBody(400, 'BadRequest', message));
    const methodNotAllowed = () => answer(405, methodNotAllowedBody());
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
          methodNotAllowed();
          return;
        }
        if (!isPlainObject(body) || !isPlainObject(body.metadata)) {
          badRequest('the body of the request was in an unknown format');
          return;
        }
        const object = structuredClone(body) as KubeObject;
        if (object.kind !== undefined && object.kind !== resource.kind) {
          badRequest(
            `the API version in the data (${object.apiVersion}) does not match the expected API version (${resource.apiVersion}) or kind ${object.kind} is not ${resource.kind}`,
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
            badRequest(
              'the namespace of the provided object does not match the namespace sent on the request',
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
          this.simulate(stored, resource.plural, now);
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
          badRequest('the body of the request was in an unknown format');
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
          methodNotAllowed();
          return;
        }
        const removed = this.store.remove(resource.plural, namespace, name);
        if (!removed) {
          notFound(name);
          return;
        }
        if (resource.plural === 'namespaces') {
          this.removeNamespaced(name);
          removed.status = { phase: 'Terminating' };
        }
        this.forget(resource.plural, namespace, name);
        answer(200, removed);
        return;
      }
      default:
        methodNotAllowed();
    }
  }
}
