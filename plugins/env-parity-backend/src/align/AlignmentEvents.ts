import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  AlignmentStatus,
  EnvironmentDefinition,
} from '@env-parity/plugin-env-parity-common';
import { ApprovalEvents } from '../approvals';
import { AlignmentRecord } from './records';

const nameOf = (ref: string) => {
  try {
    return parseEntityRef(ref).name;
  } catch {
    return ref;
  }
};

/** `staging of checkout-web`. */
const describe = (record: AlignmentRecord) =>
  `${record.environment} of ${nameOf(record.entityRef)}`;

/** What is deployed, in a notification: `1.4.2 (sha256:…)`. */
const what = (record: AlignmentRecord) => {
  const { version, digest, revision } = record.target;
  const pinned = digest ?? revision?.slice(0, 12);
  return version ? `${version} (${pinned})` : `${pinned}`;
};

/**
 * What the outside world hears of alignments: one audit event per
 * transition and notifications to approvers, the requester and the
 * environment's owners (the plumbing, and the background work it tracks:
 * deployer calls, notifications, in {@link ApprovalEvents}).
 */
export class AlignmentEvents extends ApprovalEvents {
  constructor(
    private readonly deps: {
      logger: LoggerService;
      auditor?: AuditorService;
      notifications?: NotificationService;
      environments: { list(): Promise<EnvironmentDefinition[]> };
    },
  ) {
    super({ ...deps, noun: 'an alignment' });
  }

  /**
   * Notifies whoever the new status concerns: the approvers of a new
   * request, the requester of each decision and of the outcome, and the
   * environment's owners once it runs what production runs. Fire and
   * forget.
   */
  notify(record: AlignmentRecord, actor: string, comment?: string): void {
    this.send(async () => {
      const message = await this.messageFor(record, actor, comment);
      if (!message) {
        return undefined;
      }
      const entity = parseEntityRef(record.entityRef);
      return {
        recipients: {
          type: 'entity',
          entityRef: message.to,
          excludeEntityRef: actor === 'system' ? [] : [actor],
        },
        payload: {
          title: message.title,
          description: message.description,
          link: `/catalog/${entity.namespace}/${entity.kind}/${entity.name}/parity?alignment=${record.id}`,
          severity: message.severity,
          topic: 'env-parity-align',
          scope: `env-parity-align:${record.id}`,
        },
      };
    });
  }

  private async messageFor(
    record: AlignmentRecord,
    actor: string,
    comment?: string,
  ) {
    const by = nameOf(actor);
    switch (record.status) {
      case 'pending-approval':
        return record.approverRef && record.approvals === 0
          ? {
              to: [record.approverRef],
              severity: 'high' as const,
              title: `Alignment requested: ${describe(record)}`,
              description: `${nameOf(record.requester)} asks to deploy ${
                record.reference
              }'s ${what(record)} to ${describe(record)}: ${record.reason}`,
            }
          : undefined;
      case 'dispatched':
        return actor === record.requester
          ? undefined
          : {
              to: [record.requester],
              severity: 'normal' as const,
              title: `Alignment approved: ${describe(record)}`,
              description: `${by} approved deploying ${what(
                record,
              )} to ${describe(record)}. It is being deployed now.`,
            };
      case 'denied':
        return {
          to: [record.requester],
          severity: 'normal' as const,
          title: `Alignment denied: ${describe(record)}`,
          description: `${by} denied deploying ${what(record)} to ${describe(
            record,
          )}${comment ? `: ${comment}` : '.'}`,
        };
      case 'aligned': {
        const owner = (await this.deps.environments.list()).find(
          e => e.name === record.environment,
        )?.owner;
        return {
          to: [record.requester, ...(owner ? [owner] : [])],
          severity: 'normal' as const,
          title: `Aligned with ${record.reference}: ${describe(record)}`,
          description: `${describe(record)} was observed running ${
            record.reference
          }'s ${what(record)}.`,
        };
      }
      case 'failed':
      case 'timed-out':
        return {
          to: [record.requester],
          severity: 'high' as const,
          title: `Alignment ${record.status}: ${describe(record)}`,
          description: record.failureReason ?? record.status,
        };
      default:
        return undefined;
    }
  }

  /** Audits one transition; a failing auditor is logged. */
  async audited(
    record: AlignmentRecord,
    from: AlignmentStatus | undefined,
    actor: string,
  ): Promise<void> {
    await this.auditTransition({
      eventId: 'alignment-transition',
      severityLevel: ['dispatched', 'aligned', 'failed'].includes(record.status)
        ? 'high'
        : 'medium',
      meta: {
        alignmentId: record.id,
        entityRef: record.entityRef,
        environment: record.environment,
        deployer: record.deployer,
        requester: record.requester,
        actor,
        ...(from && { fromStatus: from }),
        toStatus: record.status,
        ...(record.failureReason && { failureReason: record.failureReason }),
      },
      what: `Could not audit alignment ${record.id} becoming ${record.status}`,
    });
  }
}
