import {
  AccessApproverSource,
  AccessRequestStatus,
} from '@env-parity/plugin-env-parity-common';
import { createHash } from 'node:crypto';
import { DbTime, optional, toDate } from '../database/rows';
import { AccessRequestRecord, AccessRequestUpdate } from './records';

/* The access tables' rows, and how they map to records. */

export const REQUESTS = 'env_parity_access_requests';
export const APPROVALS = 'env_parity_access_approvals';
export const EVENTS = 'env_parity_access_events';

export interface RequestRow {
  id: string;
  entity_ref: string;
  environment: string;
  requester: string;
  reason: string;
  ticket: string | null;
  duration_minutes: number;
  break_glass: boolean | number;
  status: AccessRequestStatus;
  version: number;
  open_key: string | null;
  approver_ref: string;
  approver_source: AccessApproverSource;
  required_approvals: number;
  approvals: number;
  provisioner: string;
  grant_metadata: string | null;
  instructions: string | null;
  provisioning_operation: 'grant' | 'revoke' | null;
  provisioning_target: 'expired' | 'revoked' | null;
  provisioning_attempts: number;
  provisioning_next_at: DbTime | null;
  provisioning_error: string | null;
  review_required: boolean | number;
  reviewed_by: string | null;
  reviewed_at: DbTime | null;
  review_comment: string | null;
  created_at: DbTime;
  updated_at: DbTime;
  review_deadline_at: DbTime;
  decided_at: DbTime | null;
  activated_at: DbTime | null;
  expires_at: DbTime | null;
  warned_at: DbTime | null;
  resolved_at: DbTime | null;
}

export function fromRow(row: RequestRow): AccessRequestRecord {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    environment: row.environment,
    requester: row.requester,
    reason: row.reason,
    ticket: optional(row.ticket),
    durationMinutes: Number(row.duration_minutes),
    breakGlass: Boolean(row.break_glass),
    status: row.status,
    version: Number(row.version),
    approverRef: row.approver_ref,
    approverSource: row.approver_source,
    requiredApprovals: Number(row.required_approvals),
    approvals: Number(row.approvals),
    provisioner: row.provisioner,
    grantMetadata: row.grant_metadata
      ? JSON.parse(row.grant_metadata)
      : undefined,
    instructions: optional(row.instructions),
    provisioningOperation: optional(row.provisioning_operation),
    provisioningTarget: optional(row.provisioning_target),
    provisioningAttempts: Number(row.provisioning_attempts),
    provisioningNextAt: toDate(row.provisioning_next_at),
    provisioningError: optional(row.provisioning_error),
    reviewRequired: Boolean(row.review_required),
    reviewedBy: optional(row.reviewed_by),
    reviewedAt: toDate(row.reviewed_at),
    reviewComment: optional(row.review_comment),
    createdAt: toDate(row.created_at)!,
    updatedAt: toDate(row.updated_at)!,
    reviewDeadlineAt: toDate(row.review_deadline_at)!,
    decidedAt: toDate(row.decided_at),
    activatedAt: toDate(row.activated_at),
    expiresAt: toDate(row.expires_at),
    warnedAt: toDate(row.warned_at),
    resolvedAt: toDate(row.resolved_at),
  };
}

const COLUMNS: Record<keyof AccessRequestUpdate, keyof RequestRow> = {
  approvals: 'approvals',
  grantMetadata: 'grant_metadata',
  instructions: 'instructions',
  provisioningOperation: 'provisioning_operation',
  provisioningTarget: 'provisioning_target',
  provisioningAttempts: 'provisioning_attempts',
  provisioningNextAt: 'provisioning_next_at',
  provisioningError: 'provisioning_error',
  reviewedBy: 'reviewed_by',
  reviewedAt: 'reviewed_at',
  reviewComment: 'review_comment',
  decidedAt: 'decided_at',
  activatedAt: 'activated_at',
  expiresAt: 'expires_at',
  warnedAt: 'warned_at',
  resolvedAt: 'resolved_at',
};

/** `undefined` in an update means "set to null"; absent keys are left alone. */
export function toColumns(update: AccessRequestUpdate): Partial<RequestRow> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(update)) {
    const column = COLUMNS[key as keyof AccessRequestUpdate];
    if (!column) {
      throw new Error(`Unknown access request field ${key}`);
    }
    if (key === 'grantMetadata') {
      result[column] = value === undefined ? null : JSON.stringify(value);
    } else {
      result[column] = value === undefined ? null : value;
    }
  }
  return result as Partial<RequestRow>;
}

/** One open request per requester, service and environment. */
export function openKey(
  requester: string,
  entityRef: string,
  environment: string,
) {
  return createHash('sha256')
    .update(JSON.stringify([requester, entityRef, environment]))
    .digest('hex');
}
