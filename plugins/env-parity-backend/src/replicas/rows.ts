import {
  Deployment,
  ReplicaStatus,
} from '@env-parity/plugin-env-parity-common';
import { ReplicaLaunchResult } from '@env-parity/plugin-env-parity-node';
import { DbTime, optional, toDate } from '../database/rows';
import { ReplicaRecord, ReplicaUpdate } from './records';

/* The replica tables' rows and their mapping to records. */

export const REPLICAS = 'env_parity_replicas';
export const STEPS = 'env_parity_replica_steps';

export interface ReplicaRow {
  id: string;
  entity_ref: string;
  environment: string;
  requester: string;
  reason: string;
  status: ReplicaStatus;
  version: number;
  status_reason: string | null;
  driver: string;
  cluster: string;
  namespace: string;
  override_workload: string | null;
  override_image: string | null;
  launch_result: string | null;
  observation: string | null;
  observation_error: string | null;
  observed_at: DbTime | null;
  checked_at: DbTime | null;
  expiry_notice_for: DbTime | null;
  created_at: DbTime;
  updated_at: DbTime;
  launched_at: DbTime | null;
  ready_at: DbTime | null;
  expires_at: DbTime;
  ended_at: DbTime | null;
}

/** Longest reason kept in a row (the message of a failure, say). */
const MAX_REASON_LENGTH = 2000;

function json<T>(text: string | null): T | undefined {
  return text === null ? undefined : (JSON.parse(text) as T);
}

/** Every nullable column a new row leaves empty. */
const nullColumns = {
  status_reason: null,
  launch_result: null,
  observation: null,
  observation_error: null,
  observed_at: null,
  checked_at: null,
  expiry_notice_for: null,
  launched_at: null,
  ready_at: null,
  ended_at: null,
};

export function toRow(record: ReplicaRecord): ReplicaRow {
  return {
    id: record.id,
    entity_ref: record.entityRef,
    environment: record.environment,
    requester: record.requester,
    reason: record.reason,
    status: record.status,
    version: record.version,
    driver: record.driver,
    cluster: record.cluster,
    namespace: record.namespace,
    override_workload: record.override?.workload ?? null,
    override_image: record.override?.image ?? null,
    created_at: record.createdAt,
    updated_at: record.updatedAt,
    expires_at: record.expiresAt,
    ...nullColumns,
    ...toColumns(record),
  };
}

export function fromRow(row: ReplicaRow): ReplicaRecord {
  const checkedAt = toDate(row.checked_at);
  const deployment = json<Deployment>(row.observation);
  return {
    id: row.id,
    entityRef: row.entity_ref,
    environment: row.environment,
    requester: row.requester,
    reason: row.reason,
    status: row.status,
    version: Number(row.version),
    statusReason: optional(row.status_reason),
    driver: row.driver,
    cluster: row.cluster,
    namespace: row.namespace,
    ...(row.override_workload !== null && {
      override: {
        workload: row.override_workload,
        image: row.override_image ?? '',
      },
    }),
    launch: json<ReplicaLaunchResult>(row.launch_result),
    ...(checkedAt && {
      observation: {
        ...(deployment && { deployment }),
        ...(row.observation_error !== null && {
          error: row.observation_error,
        }),
        observedAt: toDate(row.observed_at),
        checkedAt,
      },
    }),
    expiryNoticeFor: toDate(row.expiry_notice_for),
    createdAt: toDate(row.created_at)!,
    updatedAt: toDate(row.updated_at)!,
    launchedAt: toDate(row.launched_at),
    readyAt: toDate(row.ready_at),
    expiresAt: toDate(row.expires_at)!,
    endedAt: toDate(row.ended_at),
  };
}

/** The columns of an update (only the fields it sets). */
export function toColumns(set: ReplicaUpdate): Partial<ReplicaRow> {
  const columns: Partial<ReplicaRow> = {};
  if (set.statusReason !== undefined)
    columns.status_reason = set.statusReason.slice(0, MAX_REASON_LENGTH);
  if (set.launch !== undefined)
    columns.launch_result = JSON.stringify(set.launch);
  if (set.observation !== undefined) {
    const o = set.observation;
    columns.observation = o.deployment ? JSON.stringify(o.deployment) : null;
    columns.observation_error = o.error?.slice(0, MAX_REASON_LENGTH) ?? null;
    columns.observed_at = o.observedAt ?? null;
    columns.checked_at = o.checkedAt;
  }
  if (set.expiryNoticeFor !== undefined)
    columns.expiry_notice_for = set.expiryNoticeFor;
  if (set.launchedAt !== undefined) columns.launched_at = set.launchedAt;
  if (set.readyAt !== undefined) columns.ready_at = set.readyAt;
  if (set.expiresAt !== undefined) columns.expires_at = set.expiresAt;
  if (set.endedAt !== undefined) columns.ended_at = set.endedAt;
  return columns;
}
