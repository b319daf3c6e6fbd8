import { Replica, ReplicaStep } from '@env-parity/plugin-env-parity-common';
import { ReplicaRecord } from './records';

/** A replica as the API shows it. */
export function toReplica(
  record: ReplicaRecord,
  timeline: ReplicaStep[] = [],
): Replica {
  const launch = record.launch;
  return {
    id: record.id,
    entityRef: record.entityRef,
    environment: record.environment,
    requester: record.requester,
    reason: record.reason,
    status: record.status,
    ...(record.statusReason && { statusReason: record.statusReason }),
    cluster: record.cluster,
    namespace: record.namespace,
    ...(launch?.configPolicy && { configPolicy: launch.configPolicy }),
    ...(record.override && { override: record.override }),
    workloads: launch?.workloads ?? [],
    config: launch?.config ?? [],
    endpoints: launch?.endpoints ?? [],
    ...(launch?.roleBinding && { roleBinding: launch.roleBinding }),
    timeline,
    createdAt: record.createdAt.toISOString(),
    ...(record.readyAt && { readyAt: record.readyAt.toISOString() }),
    expiresAt: record.expiresAt.toISOString(),
    ...(record.endedAt && { endedAt: record.endedAt.toISOString() }),
    updatedAt: record.updatedAt.toISOString(),
  };
}
