import { AlignmentStatus } from '@env-parity/plugin-env-parity-common';
import { createHash } from 'node:crypto';
import { ApproverSource } from '../approvals';
import { DbTime, optional, toDate } from '../database/rows';
import { AlignmentRecord, AlignmentUpdate } from './records';

/* The alignment tables' rows and their mapping to records. */

export const ALIGNMENTS = 'env_parity_alignments';
export const DECISIONS = 'env_parity_alignment_decisions';
export const STEPS = 'env_parity_alignment_steps';

export interface AlignmentRow {
  id: string;
  entity_ref: string;
  environment: string;
  reference: string;
  target_version: string | null;
  target_revision: string | null;
  target_artifact: string | null;
  target_digest: string | null;
  deployer: string;
  requester: string;
  reason: string;
  status: AlignmentStatus;
  version: number;
  open_key: string | null;
  approver_ref: string | null;
  approver_source: ApproverSource | null;
  required_approvals: number;
  approvals: number;
  verify_timeout_ms: number;
  deployer_reference: string | null;
  deployer_message: string | null;
  failure_reason: string | null;
  created_at: DbTime;
  updated_at: DbTime;
  dispatched_at: DbTime | null;
  verify_deadline_at: DbTime | null;
  finished_at: DbTime | null;
}

/** One open alignment per service and environment, whatever the case of the ref. */
export function openKey(entityRef: string, environment: string): string {
  return createHash('sha256')
    .update(`${entityRef.toLocaleLowerCase('en-US')}\n${environment}`)
    .digest('hex');
}

export function toRow(record: AlignmentRecord, open: boolean): AlignmentRow {
  return {
    id: record.id,
    entity_ref: record.entityRef,
    environment: record.environment,
    reference: record.reference,
    target_version: record.target.version ?? null,
    target_revision: record.target.revision ?? null,
    target_artifact: record.target.artifact ?? null,
    target_digest: record.target.digest ?? null,
    deployer: record.deployer,
    requester: record.requester,
    reason: record.reason,
    status: record.status,
    version: record.version,
    open_key: open ? openKey(record.entityRef, record.environment) : null,
    approver_ref: record.approverRef ?? null,
    approver_source: record.approverSource ?? null,
    required_approvals: record.requiredApprovals,
    approvals: record.approvals,
    verify_timeout_ms: record.verifyTimeoutMs,
    deployer_reference: record.deployerReference ?? null,
    deployer_message: record.deployerMessage ?? null,
    failure_reason: record.failureReason ?? null,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    dispatched_at: record.dispatchedAt ?? null,
    verify_deadline_at: record.verifyDeadlineAt ?? null,
    finished_at: record.finishedAt ?? null,
  };
}

export function fromRow(row: AlignmentRow): AlignmentRecord {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    environment: row.environment,
    reference: row.reference,
    target: {
      ...(row.target_version !== null && { version: row.target_version }),
      ...(row.target_revision !== null && { revision: row.target_revision }),
      ...(row.target_artifact !== null && { artifact: row.target_artifact }),
      ...(row.target_digest !== null && { digest: row.target_digest }),
    },
    deployer: row.deployer,
    requester: row.requester,
    reason: row.reason,
    status: row.status,
    version: Number(row.version),
    approverRef: optional(row.approver_ref),
    approverSource: optional(row.approver_source),
    requiredApprovals: Number(row.required_approvals),
    approvals: Number(row.approvals),
    verifyTimeoutMs: Number(row.verify_timeout_ms),
    deployerReference: optional(row.deployer_reference),
    deployerMessage: optional(row.deployer_message),
    failureReason: optional(row.failure_reason),
    createdAt: toDate(row.created_at)!,
    updatedAt: toDate(row.updated_at)!,
    dispatchedAt: toDate(row.dispatched_at),
    verifyDeadlineAt: toDate(row.verify_deadline_at),
    finishedAt: toDate(row.finished_at),
  };
}

/** The columns of an update. */
export function toColumns(set: AlignmentUpdate): Partial<AlignmentRow> {
  const columns: Partial<AlignmentRow> = {};
  if (set.approvals !== undefined) columns.approvals = set.approvals;
  if (set.deployerReference !== undefined)
    columns.deployer_reference = set.deployerReference;
  if (set.deployerMessage !== undefined)
    columns.deployer_message = set.deployerMessage;
  if (set.failureReason !== undefined)
    columns.failure_reason = set.failureReason;
  if (set.dispatchedAt !== undefined) columns.dispatched_at = set.dispatchedAt;
  if (set.verifyDeadlineAt !== undefined)
    columns.verify_deadline_at = set.verifyDeadlineAt;
  if (set.finishedAt !== undefined) columns.finished_at = set.finishedAt;
  return columns;
}
