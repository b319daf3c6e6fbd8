import {
  Deployment,
  ReplicaOverride,
  ReplicaStatus,
  ReplicaStep,
} from '@env-parity/plugin-env-parity-common';
import { ReplicaLaunchResult } from '@env-parity/plugin-env-parity-node';
import { StateMachine } from '../approvals';

/*
 * What the replica store keeps, as the service sees it, and the state
 * machine every write follows.
 */

/** A stored replica, with times as Dates. */
export interface ReplicaRecord {
  id: string;
  entityRef: string;
  /** Its environment name in the parity report (`replicaEnvironmentName`). */
  environment: string;
  requester: string;
  reason: string;
  status: ReplicaStatus;
  version: number;
  statusReason?: string;
  /** The driver's id. */
  driver: string;
  /** The sandbox, e.g. the cluster's name. */
  cluster: string;
  namespace: string;
  override?: ReplicaOverride;
  /** What the driver created; undefined until it has. */
  launch?: ReplicaLaunchResult;
  /** What the driver last observed running there. */
  observation?: {
    deployment?: Deployment;
    error?: string;
    observedAt?: Date;
    checkedAt: Date;
  };
  /** The expiry its requester was last warned of. */
  expiryNoticeFor?: Date;
  createdAt: Date;
  updatedAt: Date;
  launchedAt?: Date;
  readyAt?: Date;
  expiresAt: Date;
  endedAt?: Date;
}

/** The fields a write may set besides the status. */
export type ReplicaUpdate = Partial<
  Pick<
    ReplicaRecord,
    | 'statusReason'
    | 'launch'
    | 'observation'
    | 'expiryNoticeFor'
    | 'launchedAt'
    | 'readyAt'
    | 'expiresAt'
    | 'endedAt'
  >
>;

/** A step to append with a write. */
export type NewReplicaStep = Pick<ReplicaStep, 'type' | 'actor' | 'comment'>;

/**
 * Which status may follow which. `creating` and `ready` follow themselves
 * for writes that change no status (the driver's result, an extension, the
 * expiry warning); `failed` is kept until deleted (its namespace is removed
 * at once).
 */
export const replicaStateMachine = new StateMachine<ReplicaStatus>('Replica', {
  creating: ['creating', 'ready', 'failed', 'expired', 'deleted'],
  ready: ['ready', 'expired', 'deleted'],
  failed: ['deleted'],
  expired: [],
  deleted: [],
});
