import {
  AccessApproverSource,
  AccessEventType,
  AccessRequestStatus,
} from '@env-parity/plugin-env-parity-common';
import { StateMachine } from '../approvals';

/*
 * What the access store keeps, as the service sees it: requests, the
 * decisions on them, and the state machine every write follows.
 */

/** A stored access request, with times as Dates. */
export interface AccessRequestRecord {
  id: string;
  entityRef: string;
  environment: string;
  requester: string;
  reason: string;
  ticket?: string;
  durationMinutes: number;
  breakGlass: boolean;
  status: AccessRequestStatus;
  version: number;
  approverRef: string;
  approverSource: AccessApproverSource;
  requiredApprovals: number;
  approvals: number;
  provisioner: string;
  grantMetadata?: Record<string, string>;
  instructions?: string;
  provisioningOperation?: 'grant' | 'revoke';
  provisioningTarget?: 'expired' | 'revoked';
  provisioningAttempts: number;
  provisioningNextAt?: Date;
  provisioningError?: string;
  reviewRequired: boolean;
  reviewedBy?: string;
  reviewedAt?: Date;
  reviewComment?: string;
  createdAt: Date;
  updatedAt: Date;
  reviewDeadlineAt: Date;
  decidedAt?: Date;
  activatedAt?: Date;
  expiresAt?: Date;
  warnedAt?: Date;
  resolvedAt?: Date;
}

export interface AccessApprovalRecord {
  requestId: string;
  approver: string;
  decision: 'approve' | 'deny';
  comment?: string;
  decidedAt: Date;
}

/** The fields a transition may set besides the status. */
export type AccessRequestUpdate = Partial<
  Pick<
    AccessRequestRecord,
    | 'approvals'
    | 'grantMetadata'
    | 'instructions'
    | 'provisioningOperation'
    | 'provisioningTarget'
    | 'provisioningAttempts'
    | 'provisioningNextAt'
    | 'provisioningError'
    | 'reviewedBy'
    | 'reviewedAt'
    | 'reviewComment'
    | 'decidedAt'
    | 'activatedAt'
    | 'expiresAt'
    | 'warnedAt'
    | 'resolvedAt'
  >
>;

export interface NewAccessEvent {
  type: AccessEventType;
  actor: string;
  comment?: string;
  details?: Record<string, unknown>;
}

/**
 * The state machine of an access request: which status may follow which. A
 * status may follow itself where a write records something without
 * changing the status (a partial approval, a failed retry, an expiry
 * warning).
 */
export const ACCESS_TRANSITIONS: Record<
  AccessRequestStatus,
  readonly AccessRequestStatus[]
> = {
  pending: ['pending', 'approved', 'denied', 'withdrawn', 'timed-out'],
  approved: ['active', 'provisioning-failed', 'revoked'],
  active: ['active', 'expired', 'revoked', 'provisioning-failed'],
  'provisioning-failed': [
    'provisioning-failed',
    'active',
    'expired',
    'revoked',
  ],
  expired: [],
  revoked: [],
  denied: [],
  withdrawn: [],
  'timed-out': [],
};

/** {@link ACCESS_TRANSITIONS} as the approval machine's state machine. */
export const accessStateMachine = new StateMachine<AccessRequestStatus>(
  'Access request',
  ACCESS_TRANSITIONS,
);
