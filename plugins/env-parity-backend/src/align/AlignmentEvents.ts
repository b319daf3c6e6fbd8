import { AuditorService, LoggerService } from '@backstage/backend-plugin-api';
import { AlignmentStatus } from '@env-parity/plugin-env-parity-common';
import { logSafeJson } from '../http';
import { AlignmentRecord } from './records';

/**
 * What the outside world hears of alignments: one audit event per
 * transition (never failing the alignment), and the work left running in the
 * background (deployer calls), so shutting down and tests can wait for it.
 */
export class AlignmentEvents {
  private readonly background = new Set<Promise<unknown>>();

  constructor(
    private readonly deps: { logger: LoggerService; auditor?: AuditorService },
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

  /** Audits one transition; a failing auditor is logged. */
  async audited(
    record: AlignmentRecord,
    from: AlignmentStatus | undefined,
    actor: string,
  ): Promise<void> {
    const auditor = this.deps.auditor;
    if (!auditor) {
      return;
    }
    const severityLevel = ['dispatched', 'aligned', 'failed'].includes(
      record.status,
    )
      ? 'high'
      : 'medium';
    try {
      const event = await auditor.createEvent({
        eventId: 'alignment-transition',
        severityLevel,
        meta: logSafeJson({
          alignmentId: record.id,
          entityRef: record.entityRef,
          environment: record.environment,
          deployer: record.deployer,
          requester: record.requester,
          actor,
          ...(from && { fromStatus: from }),
          toStatus: record.status,
          ...(record.failureReason && { failureReason: record.failureReason }),
        }),
      });
      await event.success();
    } catch (error) {
      this.deps.logger.error(
        `Could not audit alignment ${record.id} becoming ${record.status}: ${error}`,
      );
    }
  }
}
