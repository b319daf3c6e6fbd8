import { createExtensionPoint } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  Deployment,
  ReplicaConfigKey,
  ReplicaEndpoint,
  ReplicaOverride,
  ReplicaWorkload,
} from '@env-parity/plugin-env-parity-common';

/**
 * What a replica driver is asked to create: production's workloads of one
 * service, in a namespace of their own in the sandbox.
 *
 * @public
 */
export interface ReplicaLaunchSpec {
  /** The replica's id (a UUID); label the objects with it. */
  replicaId: string;
  /** The service, as the catalog has it. */
  entity: Entity;
  /** e.g. `component:default/payments-api`. */
  entityRef: string;
  /** User entity ref of whoever launched it. */
  requester: string;
  /** The namespace to create, chosen by the backend (a DNS label). */
  namespace: string;
  /** ISO 8601; label or annotate the namespace with it so a sweep can find it even without the database row. */
  expiresAt: string;
  /** The one workload image replaced, when launched with a change. */
  override?: ReplicaOverride;
}

/**
 * What a driver created: shown to the user, by key name only.
 *
 * @public
 */
export interface ReplicaLaunchResult {
  /** The configuration policy applied: `production-non-secret` or `configFrom:<environment>`. */
  configPolicy: string;
  workloads: ReplicaWorkload[];
  config: ReplicaConfigKey[];
  endpoints: ReplicaEndpoint[];
  /** The RoleBinding granting the requester read access, when one was created. */
  roleBinding?: string;
}

/**
 * What a driver observes of a replica it created.
 *
 * @public
 */
export interface ReplicaObservation {
  /**
   * `ready` only when every pod is ready and runs the pinned digests;
   * `failed` when it never will be (image pull failure, quota exceeded).
   */
  state: 'creating' | 'ready' | 'failed';
  /** Why it is not ready yet, or why it failed; safe to show. */
  reason?: string;
  /**
   * What runs there, in the shape deployment providers report it, for the
   * replica's row on the Parity tab (its verdict is computed against
   * production by the one report path).
   */
  deployment?: Deployment;
}

/**
 * A replica namespace the driver finds in the sandbox, for the
 * self-healing sweep (one past its expiry is deleted even when no
 * database row names it).
 *
 * @public
 */
export interface ReplicaNamespace {
  namespace: string;
  replicaId?: string;
  /** ISO 8601, from the namespace's label or annotation. */
  expiresAt?: string;
}

/**
 * Creates production replicas in a sandbox: a Kubernetes namespace holding
 * production's workloads pinned to production's digests, or anything else a
 * module offers. Never copies a secret value of production.
 *
 * Every method fails by throwing an error of `@backstage/errors`
 * (`InputError` for what cannot be launched, e.g. no production workloads
 * observed or an override of another repository; `NotAllowedError` for a
 * refused quota; `ServiceUnavailableError` when the sandbox cannot be
 * reached) whose message is shown to users and carries no secret.
 *
 * @public
 */
export interface EnvParityReplicaDriver {
  /** e.g. `kubernetes`. */
  readonly id: string;
  /** The sandbox's name, e.g. the cluster's. */
  readonly sandbox: string;
  /**
   * The deployment provider whose shape `observe` reports a replica in,
   * e.g. `kubernetes`: a replica is compared with production as that
   * provider observed production, not with what other providers add (a
   * Git revision, Helm values of a GitOps tool).
   */
  readonly provider?: string;
  /**
   * Creates the namespace and everything in it. Called once per replica by
   * the backend replica whose conditional write claimed it; creating an
   * object that already exists (a retry) is not an error.
   */
  launch(
    spec: ReplicaLaunchSpec,
    options: { signal: AbortSignal },
  ): Promise<ReplicaLaunchResult>;
  /** Observes a replica it launched. */
  observe(
    replica: { namespace: string; entity: Entity; replicaId: string },
    options: { signal: AbortSignal },
  ): Promise<ReplicaObservation>;
  /** Moves the expiry recorded on the namespace (extend). */
  setExpiry(
    namespace: string,
    expiresAt: string,
    options: { signal: AbortSignal },
  ): Promise<void>;
  /** Deletes the namespace and all in it; one already gone is not an error. */
  remove(namespace: string, options: { signal: AbortSignal }): Promise<void>;
  /** Every replica namespace it labelled, for the self-healing sweep. */
  listNamespaces(options: { signal: AbortSignal }): Promise<ReplicaNamespace[]>;
}

/**
 * Lets a backend module supply the replica driver.
 *
 * @public
 */
export interface EnvParityReplicaDriverExtensionPoint {
  /** Sets the driver; a second one is refused with an error. */
  setDriver(driver: EnvParityReplicaDriver): void;
}

/**
 * The extension point for the production replica driver (the Kubernetes
 * module supplies one when `envParity.replicas.cluster` is configured).
 *
 * @public
 */
export const envParityReplicaDriverExtensionPoint =
  createExtensionPoint<EnvParityReplicaDriverExtensionPoint>({
    id: 'env-parity.replica-driver',
  });
