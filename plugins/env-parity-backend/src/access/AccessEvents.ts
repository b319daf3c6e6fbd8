import {
  AuditorService,
  AuditorServiceEventSeverityLevel,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { NotificationSeverity } from '@backstage/plugin-notifications-common';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  AccessEventType,
  AccessRequestStatus,
} from '@env-parity/plugin-env-parity-common';
import { AccessRequestRecord } from './records';

function errorMessage(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * What the outside world hears of access requests: an audit event per
 * transition and notifications to requesters and approvers. Neither ever
 * fails a request. Also tracks the work left running in the background
 * (notifications, ending access on read), so shutting down can wait for it.
 */
export class AccessEvents {
  private readonly background = new Set<Promise<unknown>>();
  private notificationsWarned = false;

  constructor(
    private readonly deps: {
      logger: LoggerService;
      auditor?: AuditorService;
      notifications?: NotificationService;
    },
  ) {}

  /** Keeps `work` until it settles; its failure is the caller's to handle. */
  track(work: Promise<unknown>): void {
    const tracked = work
      .catch(() => undefined)
      .finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }

  /** Resolves once no tracked work is left. */
  async settled(): Promise<void> {
    while (this.background.size) {
      await Promise.allSettled([...this.background]);
    }
  }

  /** Audits one transition of a request; a failing auditor is logged. */
  async audited(
    record: AccessRequestRecord,
    from: AccessRequestStatus | undefined,
    type: AccessEventType,
    actor: string,
    extra?: Record<string, string>,
  ): Promise<void> {
    const auditor = this.deps.auditor;
    if (!auditor) {
      return;
    }
    let severityLevel: AuditorServiceEventSeverityLevel = 'medium';
    if (type === 'break-glass') {
      severityLevel = 'critical';
    } else if (
      ['granted', 'revoked', 'expired', 'provisioning-failed'].includes(type)
    ) {
      severityLevel = 'high';
    }
    try {
      const event = await auditor.createEvent({
        eventId: 'access-transition',
        severityLevel,
        meta: {
          action: type,
          requestId: record.id,
          entityRef: record.entityRef,
          environment: record.environment,
          requester: record.requester,
          actor,
          ...(from && { fromStatus: from }),
          toStatus: record.status,
          ...extra,
        },
      });
      await event.success();
    } catch (error) {
      this.deps.logger.error(
        `Could not audit ${type} of access request ${record.id}: ${errorMessage(
          error,
        )}`,
      );
    }
  }

  /** Fire and forget: a missing notifications backend never fails a request. */
  notify(options: {
    request: AccessRequestRecord;
    to: string[];
    exclude?: string[];
    severity: NotificationSeverity;
    title: string;
    description: string;
  }): void {
    const notifications = this.deps.notifications;
    if (!notifications) {
      return;
    }
    const entity = parseEntityRef(options.request.entityRef);
    this.track(
      notifications
        .send({
          recipients: {
            type: 'entity',
            entityRef: options.to,
            ...(options.exclude && { excludeEntityRef: options.exclude }),
          },
          payload: {
            title: options.title,
            description: options.description,
            link: `/catalog/${entity.namespace}/${entity.kind}/${entity.name}/parity?accessRequest=${options.request.id}`,
            severity: options.severity,
            topic: 'env-parity-access',
            scope: `env-parity-access:${options.request.id}`,
          },
        })
        .catch(error => {
          const message = `Could not send an access notification (is the notifications backend installed?): ${errorMessage(
            error,
          )}`;
          if (this.notificationsWarned) {
            this.deps.logger.debug(message);
          } else {
            this.notificationsWarned = true;
            this.deps.logger.warn(message);
          }
        }),
    );
  }
}
