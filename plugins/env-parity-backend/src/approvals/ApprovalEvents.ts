import {
  AuditorService,
  AuditorServiceEventSeverityLevel,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  NotificationSendOptions,
  NotificationService,
} from '@backstage/plugin-notifications-node';
import { JsonObject } from '@backstage/types';
import { logSafeJson } from '../http';

function errorMessage(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * What the outside world hears of a feature that asks for approval, the
 * plumbing every such feature shares: one audit event per transition and
 * fire-and-forget notifications, neither ever failing the request; and the
 * work left running in the background (notifications, calls to outside
 * systems), so shutting down and tests can wait for it. A feature extends
 * it with what it says.
 */
export class ApprovalEvents {
  private readonly background = new Set<Promise<unknown>>();
  private notificationsWarned = false;

  constructor(
    protected readonly base: {
      logger: LoggerService;
      auditor?: AuditorService;
      notifications?: NotificationService;
      /** For the warning when notifications fail, e.g. `an access`. */
      noun: string;
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

  /**
   * One audit event that has already happened (no request: the actor is in
   * `meta`, whose values are made log-safe); a failing auditor is logged
   * with `what`, e.g. `Could not audit ...`.
   */
  protected async auditTransition(options: {
    eventId: string;
    severityLevel: AuditorServiceEventSeverityLevel;
    meta: JsonObject;
    what: string;
  }): Promise<void> {
    const auditor = this.base.auditor;
    if (!auditor) {
      return;
    }
    try {
      const event = await auditor.createEvent({
        eventId: options.eventId,
        severityLevel: options.severityLevel,
        meta: logSafeJson(options.meta),
      });
      await event.success();
    } catch (error) {
      this.base.logger.error(`${options.what}: ${errorMessage(error)}`);
    }
  }

  /**
   * Fire and forget: sends what `build` returns (nothing when it returns
   * undefined); a missing notifications backend never fails a request, and
   * is warned of once.
   */
  protected send(
    build: () => Promise<NotificationSendOptions | undefined>,
  ): void {
    const notifications = this.base.notifications;
    if (!notifications) {
      return;
    }
    this.track(
      build()
        .then(options => options && notifications.send(options))
        .catch(error => {
          const message = `Could not send ${
            this.base.noun
          } notification (is the notifications backend installed?): ${errorMessage(
            error,
          )}`;
          if (this.notificationsWarned) {
            this.base.logger.debug(message);
          } else {
            this.notificationsWarned = true;
            this.base.logger.warn(message);
          }
        }),
    );
  }
}
