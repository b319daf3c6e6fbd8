import { parseEntityRef } from '@backstage/catalog-model';
import {
  AccessRequest,
  AccessRequestActions,
  AccessRequestStatus,
} from '@env-parity/plugin-env-parity-common';
import { AccessApprovalRecord, AccessRequestRecord } from './records';

/* How a stored request is shown: its status as of now, the JSON the API
 * returns, and what the caller may do with it. Pure. */

/** Statuses in which access is (or may still be) granted, so can be revoked. */
export const REVOCABLE: readonly AccessRequestStatus[] = [
  'approved',
  'active',
  'provisioning-failed',
];

/**
 * The status a request has now: a pending request past its review deadline
 * is timed out and an active one past its end expired, even before the
 * sweep has written it.
 */
export function effectiveStatus(
  record: AccessRequestRecord,
  now: Date,
): AccessRequestStatus {
  if (record.status === 'pending' && record.reviewDeadlineAt <= now) {
    return 'timed-out';
  }
  if (
    record.status === 'active' &&
    record.expiresAt &&
    record.expiresAt <= now
  ) {
    return 'expired';
  }
  return record.status;
}

/** The request as the API returns it. */
export function toAccessRequest(
  r: AccessRequestRecord,
  approvals: AccessApprovalRecord[],
  now: Date,
): AccessRequest {
  const status = effectiveStatus(r, now);
  return {
    id: r.id,
    entityRef: r.entityRef,
    environment: r.environment,
    requester: r.requester,
    reason: r.reason,
    ...(r.ticket && { ticket: r.ticket }),
    durationMinutes: r.durationMinutes,
    breakGlass: r.breakGlass,
    status,
    version: r.version,
    approverRef: r.approverRef,
    approverSource: r.approverSource,
    requiredApprovals: r.requiredApprovals,
    approvals: approvals.map(a => ({
      approver: a.approver,
      decision: a.decision,
      ...(a.comment && { comment: a.comment }),
      at: a.decidedAt.toISOString(),
    })),
    provisioner: r.provisioner,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    reviewDeadline: r.reviewDeadlineAt.toISOString(),
    ...(r.activatedAt && { activatedAt: r.activatedAt.toISOString() }),
    ...(r.activatedAt &&
      r.expiresAt && { expiresAt: r.expiresAt.toISOString() }),
    ...(r.resolvedAt && { resolvedAt: r.resolvedAt.toISOString() }),
    ...(r.provisioningOperation && {
      provisioning: {
        operation: r.provisioningOperation,
        attempts: r.provisioningAttempts,
        ...(r.provisioningNextAt && {
          nextAttemptAt: r.provisioningNextAt.toISOString(),
        }),
        ...(r.provisioningError && { lastError: r.provisioningError }),
      },
    }),
    ...(r.reviewRequired && {
      review: {
        required: true,
        ...(r.reviewedBy && { reviewedBy: r.reviewedBy }),
        ...(r.reviewedAt && { reviewedAt: r.reviewedAt.toISOString() }),
        ...(r.reviewComment && { comment: r.reviewComment }),
      },
    }),
    ...(status === 'active' &&
      r.instructions && { instructions: r.instructions }),
  };
}

/** Nothing: what a service principal, or anyone on a final request, may do. */
export const NO_ACTIONS: AccessRequestActions = {
  approve: false,
  deny: false,
  withdraw: false,
  revoke: false,
  review: false,
};

/** What the caller may do with a request, from who they are to it. */
export function actionsOf(options: {
  record: AccessRequestRecord;
  status: AccessRequestStatus;
  isRequester: boolean;
  /** A current approver allowed to review (and not the requester). */
  isApprover: boolean;
  /** The caller already approved or denied it. */
  decided: boolean;
  admin: boolean;
}): AccessRequestActions {
  const { record, status, isRequester, isApprover, decided, admin } = options;
  return {
    approve: status === 'pending' && isApprover && !decided,
    deny: status === 'pending' && isApprover && !decided,
    withdraw: status === 'pending' && isRequester,
    revoke: REVOCABLE.includes(status) && (isRequester || isApprover || admin),
    review:
      record.reviewRequired &&
      !record.reviewedAt &&
      !isRequester &&
      (isApprover || admin),
  };
}

/** "payments in production", for notification titles. */
export function describeRequest(record: AccessRequestRecord): string {
  return `${parseEntityRef(record.entityRef).name} in ${record.environment}`;
}

/** "30 minutes", "1 hour", "8 hours". */
export function minutes(n: number): string {
  if (n % 60 === 0) {
    return `${n / 60} hour${n === 60 ? '' : 's'}`;
  }
  return `${n} minute${n === 1 ? '' : 's'}`;
}
