import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Where a production replica (a private, expiring copy of what production
 * runs, in a sandbox cluster) is in its lifecycle.
 *
 * ```
 * creating ─► ready ─► expired | deleted
 * creating ─► failed ─► deleted (its namespace removed)
 * creating ─► expired | deleted
 * ```
 *
 * `expired` and `deleted` are final; a `failed` replica keeps its reason
 * until it is deleted (its namespace is removed at once).
 *
 * @public
 */
export type ReplicaStatus =
  | 'creating'
  | 'ready'
  | 'failed'
  | 'expired'
  | 'deleted';

/**
 * Every replica status, in lifecycle order.
 *
 * @public
 */
export const replicaStatuses: readonly ReplicaStatus[] = [
  'creating',
  'ready',
  'failed',
  'expired',
  'deleted',
];

/**
 * The statuses that count against the per-user and global caps and appear
 * on the Parity tab as an environment.
 *
 * @public
 */
export const activeReplicaStatuses: readonly ReplicaStatus[] = [
  'creating',
  'ready',
];

/**
 * Whether a replica in this status is active (creating or ready).
 *
 * @public
 */
export function isActiveReplicaStatus(status: ReplicaStatus): boolean {
  return activeReplicaStatuses.includes(status);
}

/**
 * "Production plus my change": one workload's image replaced by another
 * build of the same repository; everything else is production's.
 *
 * @public
 */
export interface ReplicaOverride {
  /** The workload (Deployment or StatefulSet name) whose image is replaced. */
  workload: string;
  /**
   * The image: a full reference of the same repository as production's
   * (`ghcr.io/acme/web:1.5.0` or `ghcr.io/acme/web@sha256:...`), or just a
   * tag (`1.5.0`) or digest (`sha256:...`) of production's repository.
   */
  image: string;
}

/**
 * One container of a replica's workload.
 *
 * @public
 */
export interface ReplicaContainer {
  name: string;
  /** The image the replica runs, pinned to a digest where one is known. */
  image: string;
  /** The `sha256:` digest it is pinned to. */
  digest?: string;
  /** True for the container whose image is the override. */
  overridden?: boolean;
}

/**
 * One workload of a replica: a copy, one replica each, of a workload
 * observed in production.
 *
 * @public
 */
export interface ReplicaWorkload {
  kind: 'Deployment' | 'StatefulSet';
  name: string;
  containers: ReplicaContainer[];
}

/**
 * Where one configuration key of a replica came from, by key name only.
 *
 * @public
 */
export interface ReplicaConfigKey {
  /** The ConfigMap or Secret holding it, in the replica's namespace. */
  object: string;
  kind: 'ConfigMap' | 'Secret';
  key: string;
  /**
   * `production` (a non-secret ConfigMap value of production),
   * `override` (`envParity.replicas.override`), `empty` (a Secret key
   * created empty: to provide), or the name of the environment it was
   * copied from (`configFrom`).
   */
  source: string;
}

/**
 * How to reach one port of a replica's Service.
 *
 * @public
 */
export interface ReplicaEndpoint {
  service: string;
  port: number;
  /** e.g. `kubectl --context sandbox -n envp-web-1a2b port-forward svc/web 8080:8080`. */
  command: string;
}

/**
 * One step of a replica's append-only timeline.
 *
 * @public
 */
export interface ReplicaStep {
  type:
    | 'requested'
    | 'created'
    | 'ready'
    | 'failed'
    | 'extended'
    | 'expiring'
    | 'expired'
    | 'deleted';
  /** User entity ref of whoever acted, or `system`. */
  actor: string;
  /** A reason, or what changed. */
  comment?: string;
  /** ISO 8601. */
  at: string;
}

/**
 * A production replica as the API shows it.
 *
 * @public
 */
export interface Replica {
  /** UUID. */
  id: string;
  /** e.g. `component:default/payments-api`. */
  entityRef: string;
  /**
   * The environment name it appears under in the parity report, e.g.
   * `replica-1a2b3c4d`.
   */
  environment: string;
  /** User entity ref of whoever launched it. */
  requester: string;
  /** Why, in the requester's words. */
  reason: string;
  status: ReplicaStatus;
  /** Why it failed, or who deleted it. */
  statusReason?: string;
  /** The sandbox cluster's name. */
  cluster: string;
  /** Its namespace there. */
  namespace: string;
  /** The configuration policy applied: `production-non-secret` or `configFrom:<environment>`. */
  configPolicy?: string;
  override?: ReplicaOverride;
  /** Filled in once the driver created them. */
  workloads: ReplicaWorkload[];
  config: ReplicaConfigKey[];
  endpoints: ReplicaEndpoint[];
  /** The RoleBinding granting the requester read access, when one was created. */
  roleBinding?: string;
  timeline: ReplicaStep[];
  /** ISO 8601. */
  createdAt: string;
  readyAt?: string;
  expiresAt: string;
  endedAt?: string;
  updatedAt: string;
}

/**
 * The body of `POST /replicas`.
 *
 * @public
 */
export interface ReplicaRequestBody {
  entityRef: string;
  /** Why; required. */
  reason: string;
  /** Lifetime in minutes; the configured default (4 hours) without it, at most `envParity.replicas.maxTtl`. */
  lifetimeMinutes?: number;
  override?: ReplicaOverride;
}

/**
 * What `GET /replicas/settings` tells the UI.
 *
 * @public
 */
export interface ReplicaSettings {
  /** False when `envParity.replicas` is not configured. */
  enabled: boolean;
  cluster?: string;
  defaultLifetimeMinutes: number;
  maxLifetimeMinutes: number;
  perUserLimit: number;
  globalLimit: number;
}

/**
 * The report environment name of a replica.
 *
 * @public
 */
export function replicaEnvironmentName(replicaId: string): string {
  return `replica-${replicaId.replace(/-/g, '').slice(0, 8)}`;
}

/**
 * Launch a production replica of an entity. A resource permission on the
 * catalog entity; the entity must also be visible to the caller.
 *
 * @public
 */
export const envParityReplicaCreatePermission = createPermission({
  name: 'env-parity.replica.create',
  attributes: { action: 'create' },
  // RESOURCE_TYPE_CATALOG_ENTITY of @backstage/plugin-catalog-common
  resourceType: 'catalog-entity',
});

/**
 * See, extend and delete anyone's replicas.
 *
 * @public
 */
export const envParityReplicaAdminPermission = createPermission({
  name: 'env-parity.replica.admin',
  attributes: { action: 'update' },
});
