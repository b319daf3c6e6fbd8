import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Where a temporary access request is in its lifecycle.
 *
 * ```
 * pending ─► approved ─► active ─► expired | revoked
 * pending ─► denied | withdrawn | timed-out
 * approved | active ─► provisioning-failed ─► active | expired | revoked (retried)
 * ```
 *
 * `expired`, `revoked`, `denied`, `withdrawn` and `timed-out` are final.
 *
 * @public
 */
export type AccessRequestStatus =
  | 'pending'
  | 'approved'
  | 'active'
  | 'expired'
  | 'revoked'
  | 'denied'
  | 'withdrawn'
  | 'timed-out'
  | 'provisioning-failed';

/**
 * Every status, in lifecycle order.
 *
 * @public
 */
export const accessRequestStatuses: readonly AccessRequestStatus[] = [
  'pending',
  'approved',
  'active',
  'provisioning-failed',
  'expired',
  'revoked',
  'denied',
  'withdrawn',
  'timed-out',
];

/**
 * The statuses a request can never leave.
 *
 * @public
 */
export const finalAccessRequestStatuses: readonly AccessRequestStatus[] = [
  'expired',
  'revoked',
  'denied',
  'withdrawn',
  'timed-out',
];

/**
 * Whether a request in this status can never change again.
 *
 * @public
 */
export function isFinalAccessRequestStatus(status: AccessRequestStatus) {
  return finalAccessRequestStatuses.includes(status);
}

/**
 * What happened to an access request; one event per transition, plus the
 * events that do not change the status (a partial approval in N-of-M, an
 * expiry warning, a failed provisioning retry, a break-glass review).
 *
 * @public
 */
export type AccessEventType =
  | 'requested'
  | 'break-glass'
  | 'approved'
  | 'denied'
  | 'withdrawn'
  | 'timed-out'
  | 'granted'
  | 'provisioning-failed'
  | 'expiry-warning'
  | 'expired'
  | 'revoked'
  | 'reviewed';

/**
 * One entry of a request's append-only timeline.
 *
 * @public
 */
export interface AccessEvent {
  /** Increases with every event across all requests. */
  id: number;
  requestId: string;
  type: AccessEventType;
  /** User entity ref of whoever acted, or `system` for the sweep and the provisioner. */
  actor: string;
  /** The status before the event. */
  fromStatus?: AccessRequestStatus;
  /** The status after the event; equal to `fromStatus` when the status did not change. */
  toStatus?: AccessRequestStatus;
  comment?: string;
  /** Extra facts, such as the provisioning error or the approval count. */
  details?: Record<string, unknown>;
  /** ISO 8601. */
  at: string;
}

/**
 * One reviewer's decision on a request.
 *
 * @public
 */
export interface AccessApproval {
  /** User entity ref of the reviewer. */
  approver: string;
  decision: 'approve' | 'deny';
  comment?: string;
  /** ISO 8601. */
  at: string;
}

/**
 * Where the approvers of a request come from.
 *
 * @public
 */
export type AccessApproverSource =
  | 'environment-owner'
  | 'service-owner'
  | 'group';

/**
 * A request for temporary read-only access to one service in one environment.
 *
 * @public
 */
export interface AccessRequest {
  /** A UUID. */
  id: string;
  /** The service, e.g. `component:default/payments`. */
  entityRef: string;
  /** The environment name, e.g. `production`. */
  environment: string;
  /** User entity ref of the requester. */
  requester: string;
  reason: string;
  /** Ticket or incident reference, e.g. `INC-1234`. */
  ticket?: string;
  /** How long the access lasts once granted. */
  durationMinutes: number;
  /** Activated without review; reviewed afterwards. */
  breakGlass: boolean;
  /**
   * The effective status: an active grant whose end has passed shows as
   * `expired` (and a pending request past its review deadline as
   * `timed-out`) even before the sweep has recorded it.
   */
  status: AccessRequestStatus;
  /** Increases with every write; what concurrent writers compare and set. */
  version: number;
  /** The user or group whose members may approve, as resolved when the request was made. */
  approverRef: string;
  approverSource: AccessApproverSource;
  /** Approvals needed (N of M). */
  requiredApprovals: number;
  /** Every approval and denial so far. */
  approvals: AccessApproval[];
  /** The provisioner that grants and revokes this access, e.g. `record-only`. */
  provisioner: string;
  /** ISO 8601 times. */
  createdAt: string;
  updatedAt: string;
  /** A pending request not decided by then times out. */
  reviewDeadline: string;
  /** When the access was granted. */
  activatedAt?: string;
  /** When the access ends (set once granted). */
  expiresAt?: string;
  /** When the request reached a final status. */
  resolvedAt?: string;
  /** Present while a grant or revoke is failing and being retried. */
  provisioning?: {
    operation: 'grant' | 'revoke';
    attempts: number;
    nextAttemptAt?: string;
    lastError?: string;
  };
  /** Break-glass requests are reviewed after the fact. */
  review?: {
    required: boolean;
    reviewedBy?: string;
    reviewedAt?: string;
    comment?: string;
  };
  /**
   * How to use the access, rendered from `envParity.access.instructions`
   * and the provisioner's answer. Only while active, and only shown to the
   * requester, the approvers and admins.
   */
  instructions?: string;
}

/**
 * What the current user may do with a request, so a UI shows only the
 * buttons that will work.
 *
 * @public
 */
export interface AccessRequestActions {
  approve: boolean;
  deny: boolean;
  withdraw: boolean;
  revoke: boolean;
  review: boolean;
}

/**
 * A request with its timeline, as answered by `GET /access/requests/:id`.
 *
 * @public
 */
export interface AccessRequestDetails extends AccessRequest {
  /** Oldest first. */
  events: AccessEvent[];
  /** What the caller may do now. */
  actions: AccessRequestActions;
}

/**
 * The body of `POST /access/requests`.
 *
 * @public
 */
export interface CreateAccessRequestBody {
  /** The service, e.g. `component:default/payments`. */
  entityRef: string;
  /** Defaults to the reference environment (production). */
  environment?: string;
  /** Why access is needed; at least `envParity.access.minReasonLength` characters. */
  reason: string;
  /** Ticket or incident reference; must match `envParity.access.ticketPattern` when configured. */
  ticket?: string;
  /** Whole minutes, from 1 up to `envParity.access.maxDuration`. */
  durationMinutes: number;
  /** Activate now, without review, when `envParity.access.breakGlass.enabled`. */
  breakGlass?: boolean;
}

/**
 * The body of the approve, deny, withdraw, revoke and review endpoints.
 * Denying needs a comment.
 *
 * @public
 */
export interface AccessDecisionBody {
  comment?: string;
}

/**
 * The rules a request form needs, as answered by `GET /access/settings`.
 *
 * @public
 */
export interface AccessSettings {
  maxDurationMinutes: number;
  minReasonLength: number;
  maxReasonLength: number;
  ticketPattern?: string;
  ticketRequired: boolean;
  breakGlassEnabled: boolean;
  requiredApprovals: number;
  reviewTimeoutMinutes: number;
  defaultEnvironment: string;
  provisioner: string;
}

/**
 * An active grant, as answered by `GET /access/grants/active` for other
 * systems to check.
 *
 * @public
 */
export interface AccessGrant {
  requestId: string;
  user: string;
  entityRef: string;
  environment: string;
  activatedAt: string;
  expiresAt: string;
  breakGlass: boolean;
}

/**
 * Ask for temporary read-only access to a service in an environment.
 *
 * @public
 */
export const envParityAccessCreatePermission = createPermission({
  name: 'env-parity.access.create',
  attributes: { action: 'create' },
});

/**
 * Approve or deny access requests. Being allowed is not enough: the
 * reviewer must also be one of the request's approvers in the catalog.
 *
 * @public
 */
export const envParityAccessReviewPermission = createPermission({
  name: 'env-parity.access.review',
  attributes: { action: 'update' },
});

/**
 * See every access request and revoke anyone's access.
 *
 * @public
 */
export const envParityAccessAdminPermission = createPermission({
  name: 'env-parity.access.admin',
  attributes: { action: 'update' },
});

/**
 * The access permissions, for registration.
 *
 * @public
 */
export const envParityAccessPermissions = [
  envParityAccessCreatePermission,
  envParityAccessReviewPermission,
  envParityAccessAdminPermission,
];
