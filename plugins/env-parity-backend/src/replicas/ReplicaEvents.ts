import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { ReplicaStatus } from '@env-parity/plugin-env-parity-common';
import { ApprovalEvents } from '../approvals';
import { ReplicaRecord } from './records';

const nameOf = (ref: string) => {
  try {
    return parseEntityRef(ref).name;
  } catch {
    return ref;
  }
};

/** `15:30 UTC`, or `15:30 UTC on 2026-12-15` when not today. */
export function expiryTime(expiresAt: Date, now: Date): string {
  const iso = expiresAt.toISOString();
  const time = `${iso.slice(11, 16)} UTC`;
  return iso.slice(0, 10) === now.toISOString().slice(0, 10)
    ? time
    : `${time} on ${iso.slice(0, 10)}`;
}

/** What was done to a replica, for its audit event. */
export type ReplicaAction =
  | 'create'
  | 'launched'
  | 'ready'
  | 'fail'
  | 'extend'
  | 'delete'
  | 'expire';

/**
 * What the outside world hears of replicas: one audit event per change
 * (create, extend, delete, expire, and what the system saw: launched,
 * ready, failed) and notifications to the requester (ready, failed, and
 * once before it expires). The plumbing, and the background work it tracks
 * (driver calls, notifications), is {@link ApprovalEvents}'.
 */
export class ReplicaEvents extends ApprovalEvents {
  constructor(deps: {
    logger: LoggerService;
    auditor?: AuditorService;
    notifications?: NotificationService;
  }) {
    super({ ...deps, noun: 'a replica' });
  }

  /** Audits one change; a failing auditor is logged. */
  async audited(
    record: ReplicaRecord,
    action: ReplicaAction,
    from: ReplicaStatus | undefined,
    actor: string,
  ): Promise<void> {
    await this.auditTransition({
      eventId: 'replica-transition',
      severityLevel: action === 'create' ? 'high' : 'medium',
      meta: {
        action,
        replicaId: record.id,
        entityRef: record.entityRef,
        requester: record.requester,
        actor,
        cluster: record.cluster,
        namespace: record.namespace,
        ...(from && { fromStatus: from }),
        toStatus: record.status,
        expiresAt: record.expiresAt.toISOString(),
        ...(record.override && { override: { ...record.override } }),
        ...(record.statusReason && { statusReason: record.statusReason }),
      },
      what: `Could not audit replica ${record.id} (${action})`,
    });
  }

  /** Tells the requester their replica is ready, failed or about to expire. Fire and forget. */
  notify(
    record: ReplicaRecord,
    about: 'ready' | 'failed' | 'expiring',
    now: Date,
  ): void {
    this.send(async () => {
      const entity = parseEntityRef(record.entityRef);
      const of = `${nameOf(record.entityRef)} (${record.namespace})`;
      const message = {
        ready: {
          severity: 'normal' as const,
          title: `Your production replica of ${of} is ready`,
          description: `It runs production's workloads and expires at ${expiryTime(
            record.expiresAt,
            now,
          )}.`,
        },
        failed: {
          severity: 'high' as const,
          title: `Your production replica of ${of} failed`,
          description: record.statusReason ?? 'It could not be created.',
        },
        expiring: {
          severity: 'normal' as const,
          title: `Your production replica of ${of} expires soon`,
          description: `It will be deleted at ${expiryTime(
            record.expiresAt,
            now,
          )}; extend it on the Parity tab if you still need it.`,
        },
      }[about];
      return {
        recipients: { type: 'entity', entityRef: [record.requester] },
        payload: {
          ...message,
          link: `/catalog/${entity.namespace}/${entity.kind}/${entity.name}/parity?replica=${record.id}`,
          topic: 'env-parity-replica',
          scope: `env-parity-replica:${record.id}:${about}`,
        },
      };
    });
  }
}
