import {
  AlignmentStatus,
  AlignmentStep,
  AlignmentTarget,
} from '@env-parity/plugin-env-parity-common';
import { ApproverSource, StateMachine } from '../approvals';

/*
 * What the alignment store keeps, as the service sees it, and the state
 * machine every write follows.
 */

/** A stored alignment, with times as Dates. */
export interface AlignmentRecord {
  id: string;
  entityRef: string;
  environment: string;
  /** The reference environment the target was read from. */
  reference: string;
  target: AlignmentTarget;
  deployer: string;
  requester: string;
  reason: string;
  status: AlignmentStatus;
  version: number;
  /** Undefined when the environment's rule needs no approval. */
  approverRef?: string;
  approverSource?: ApproverSource;
  requiredApprovals: number;
  approvals: number;
  verifyTimeoutMs: number;
  deployerReference?: string;
  deployerMessage?: string;
  failureReason?: string;
  createdAt: Date;
  updatedAt: Date;
  dispatchedAt?: Date;
  verifyDeadlineAt?: Date;
  finishedAt?: Date;
}

/** One reviewer's decision as stored. */
export interface AlignmentDecisionRecord {
  alignmentId: string;
  reviewer: string;
  decision: 'approve' | 'deny';
  comment?: string;
  decidedAt: Date;
}

/** The fields a transition may set besides the status. */
export type AlignmentUpdate = Partial<
  Pick<
    AlignmentRecord,
    | 'approvals'
    | 'deployerReference'
    | 'deployerMessage'
    | 'failureReason'
    | 'dispatchedAt'
    | 'verifyDeadlineAt'
    | 'finishedAt'
  >
>;

/** A step to append with a transition. */
export type NewAlignmentStep = Pick<
  AlignmentStep,
  'type' | 'actor' | 'comment' | 'details'
>;

/**
 * Which status may follow which. `pending-approval` follows itself for a
 * partial approval (N of M), and ends `timed-out` when nobody decided within
 * the review timeout; `dispatched` is written only by the approval
 * (or, without approval, the request) whose writer then calls the deployer.
 */
export const alignmentStateMachine = new StateMachine<AlignmentStatus>(
  'Alignment',
  {
    'pending-approval': [
      'pending-approval',
      'dispatched',
      'denied',
      'cancelled',
      'timed-out',
    ],
    dispatched: ['verifying', 'failed'],
    verifying: ['aligned', 'timed-out'],
    aligned: [],
    denied: [],
    cancelled: [],
    failed: [],
    'timed-out': [],
  },
);
