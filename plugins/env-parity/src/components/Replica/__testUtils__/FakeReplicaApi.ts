import {
  isActiveReplicaStatus,
  Replica,
  ReplicaRequestBody,
  ReplicaSettings,
  ReplicaStatus,
  ReplicaStep,
  replicaEnvironmentName,
} from '@env-parity/plugin-env-parity-common';
import { EnvParityApi } from '../../../api';
import { accessError } from '../../Access/__testUtils__/FakeAccessApi';

/** The replica methods of the API. */
export type ReplicaApi = Pick<
  EnvParityApi,
  | 'getReplicaSettings'
  | 'listReplicas'
  | 'launchReplica'
  | 'getReplica'
  | 'extendReplica'
  | 'deleteReplica'
>;

const MINUTE = 60_000;

/** What a ready replica of payments holds, as the Kubernetes driver reports it. */
export const readyParts: Pick<
  Replica,
  'workloads' | 'config' | 'endpoints' | 'roleBinding'
> = {
  workloads: [
    {
      kind: 'Deployment',
      name: 'payments',
      containers: [
        {
          name: 'app',
          image: `ghcr.io/acme/payments@sha256:${'a1'.repeat(32)}`,
          digest: `sha256:${'a1'.repeat(32)}`,
        },
      ],
    },
  ],
  config: [
    {
      object: 'payments-config',
      kind: 'ConfigMap',
      key: 'LOG_LEVEL',
      source: 'production',
    },
    {
      object: 'payments-config',
      kind: 'ConfigMap',
      key: 'PAYMENTS_PROVIDER_URL',
      source: 'override',
    },
    {
      object: 'payments-secrets',
      kind: 'Secret',
      key: 'DB_PASSWORD',
      source: 'empty',
    },
  ],
  endpoints: [
    {
      service: 'payments',
      port: 8080,
      command:
        'kubectl --context sandbox -n envp-payments-1a2b3c4d port-forward svc/payments 8080:8080',
    },
  ],
  roleBinding: 'env-parity-guest (view)',
};

/**
 * An in-memory stand-in for the replica part of the env-parity backend: the
 * same refusals (with the backend's wording) and lifecycle, for one
 * signed-in user. Not enabled unless a test sets `settings.enabled`.
 */
export class FakeReplicaApi implements ReplicaApi {
  settings: ReplicaSettings = {
    enabled: false,
    cluster: 'sandbox',
    defaultLifetimeMinutes: 240,
    maxLifetimeMinutes: 480,
    perUserLimit: 2,
    globalLimit: 20,
  };
  /** The signed-in user. */
  user = 'user:default/guest';
  /** The workloads production runs, which an override may name. */
  workloads = ['payments'];
  readonly replicas = new Map<string, Replica>();
  readonly calls: Array<{ method: keyof ReplicaApi; args: unknown[] }> = [];
  private nextId = 1;
  private failures: Array<{ method: keyof ReplicaApi; error: Error }> = [];

  /** The next call of `method` fails with `error`. */
  failNext(method: keyof ReplicaApi, error: Error) {
    this.failures.push({ method, error });
  }

  callsOf(method: keyof ReplicaApi) {
    return this.calls.filter(c => c.method === method).map(c => c.args);
  }

  private async enter(method: keyof ReplicaApi, args: unknown[]) {
    this.calls.push({ method, args });
    const index = this.failures.findIndex(f => f.method === method);
    if (index >= 0) {
      const [failure] = this.failures.splice(index, 1);
      throw failure.error;
    }
  }

  private step(r: Replica, type: ReplicaStep['type'], comment?: string) {
    r.timeline.push({
      type,
      actor: type === 'requested' || type === 'deleted' ? this.user : 'system',
      ...(comment && { comment }),
      at: new Date().toISOString(),
    });
    r.updatedAt = new Date().toISOString();
  }

  /** Adds a replica as if the user had launched it; returns it. */
  seed(partial: Partial<Replica> & Pick<Replica, 'entityRef'>): Replica {
    const now = Date.now();
    const id = `1a2b3c${String(this.nextId++).padStart(
      2,
      '0',
    )}-4a3e-4d8e-9d0e-3f6a1c2b9e11`;
    const name = partial.entityRef.split('/').pop()!;
    const replica: Replica = {
      id,
      environment: replicaEnvironmentName(id),
      requester: this.user,
      reason: 'Reproduce the refund bug',
      status: 'creating',
      cluster: this.settings.cluster ?? 'sandbox',
      namespace: `envp-${name}-${id.slice(0, 8)}`,
      configPolicy: 'production-non-secret',
      workloads: [],
      config: [],
      endpoints: [],
      timeline: [],
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(
        now + this.settings.defaultLifetimeMinutes * MINUTE,
      ).toISOString(),
      updatedAt: new Date(now).toISOString(),
      ...partial,
    };
    if (!partial.timeline) {
      this.step(replica, 'requested', replica.reason);
    }
    this.replicas.set(id, replica);
    return clone(replica);
  }

  /** Moves a replica on as the sweep would: `ready` fills in what it holds. */
  advance(id: string, to: ReplicaStatus, reason?: string) {
    const r = this.replicas.get(id)!;
    r.status = to;
    if (to === 'ready') {
      Object.assign(r, clone(readyParts), {
        readyAt: new Date().toISOString(),
      });
    }
    if (to === 'failed') {
      r.statusReason = reason;
    }
    if (to === 'expired' || to === 'deleted') {
      r.endedAt = new Date().toISOString();
    }
    this.step(r, to as ReplicaStep['type'], reason);
  }

  async getReplicaSettings() {
    await this.enter('getReplicaSettings', []);
    return clone(this.settings);
  }

  async listReplicas(entityRef?: string) {
    await this.enter('listReplicas', [entityRef]);
    const items = [...this.replicas.values()]
      .filter(r => r.requester === this.user)
      .filter(r => !entityRef || r.entityRef === entityRef)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    // as the backend: the list carries no timeline, `getReplica` does
    return { items: items.map(r => ({ ...clone(r), timeline: [] })) };
  }

  async launchReplica(body: ReplicaRequestBody) {
    await this.enter('launchReplica', [body]);
    if (!body.reason?.trim()) {
      throw await accessError(
        400,
        'InputError',
        'reason is required: say why you need a replica',
      );
    }
    const max = this.settings.maxLifetimeMinutes;
    if (body.lifetimeMinutes !== undefined && body.lifetimeMinutes > max) {
      throw await accessError(
        400,
        'InputError',
        `lifetimeMinutes must be at most ${max} (envParity.replicas.maxTtl)`,
      );
    }
    if (body.override && !this.workloads.includes(body.override.workload)) {
      throw await accessError(
        400,
        'InputError',
        `override.workload ${body.override.workload} is not a workload production runs`,
      );
    }
    const active = [...this.replicas.values()].filter(
      r => r.requester === this.user && isActiveReplicaStatus(r.status),
    );
    if (active.length >= this.settings.perUserLimit) {
      throw await accessError(
        409,
        'ConflictError',
        `You already have ${active.length} active replicas, the most allowed per user (envParity.replicas.perUserLimit); delete one first`,
      );
    }
    const lifetime =
      body.lifetimeMinutes ?? this.settings.defaultLifetimeMinutes;
    return this.seed({
      entityRef: body.entityRef,
      reason: body.reason.trim(),
      expiresAt: new Date(Date.now() + lifetime * MINUTE).toISOString(),
      ...(body.override && { override: body.override }),
    });
  }

  private async find(id: string) {
    const r = this.replicas.get(id);
    if (!r || r.requester !== this.user) {
      throw await accessError(404, 'NotFoundError', `No replica ${id}`);
    }
    return r;
  }

  async getReplica(id: string) {
    await this.enter('getReplica', [id]);
    return clone(await this.find(id));
  }

  async extendReplica(id: string, lifetimeMinutes: number) {
    await this.enter('extendReplica', [id, lifetimeMinutes]);
    const r = await this.find(id);
    if (!isActiveReplicaStatus(r.status)) {
      throw await accessError(
        409,
        'ConflictError',
        `Replica ${id} is ${r.status}; only an active replica can be extended`,
      );
    }
    const cap =
      Date.parse(r.createdAt) + this.settings.maxLifetimeMinutes * MINUTE;
    r.expiresAt = new Date(
      Math.min(Date.now() + lifetimeMinutes * MINUTE, cap),
    ).toISOString();
    this.step(r, 'extended', r.expiresAt);
    return clone(r);
  }

  async deleteReplica(id: string) {
    await this.enter('deleteReplica', [id]);
    const r = await this.find(id);
    if (r.status === 'expired' || r.status === 'deleted') {
      throw await accessError(
        409,
        'ConflictError',
        `Replica ${id} is ${r.status} already`,
      );
    }
    r.status = 'deleted';
    r.statusReason = `deleted by ${this.user}`;
    r.endedAt = new Date().toISOString();
    this.step(r, 'deleted');
    return clone(r);
  }
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
