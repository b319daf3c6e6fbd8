import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AlignmentStatus,
  EnvironmentDefinition,
} from '@env-parity/plugin-env-parity-common';
import { EnvParityDeployer } from '@env-parity/plugin-env-parity-node';
import { SweepPass } from '../approvals';
import { logSafe } from '../http';
import { AlignOptions } from './config';
import { AlignmentEvents } from './AlignmentEvents';
import { DatabaseAlignmentStore } from './DatabaseAlignmentStore';
import { AlignmentRecord, AlignmentUpdate, NewAlignmentStep } from './records';
import { AlignmentReports, observedRunning } from './verification';

/** The actor of what the system does on its own. */
export const SYSTEM = 'system';

/** The default of `envParity.align.reviewTimeout`: 24 hours. */
export const DEFAULT_ALIGN_REVIEW_TIMEOUT_MS = 24 * 60 * 60_000;

/**
 * `reviewTimeout` of the `envParity.align` section (a duration; default
 * 24 hours) in milliseconds: an alignment pending approval longer than this
 * ends `timed-out`.
 */
export function readAlignReviewTimeout(align: Config): number {
  if (!align.has('reviewTimeout')) {
    return DEFAULT_ALIGN_REVIEW_TIMEOUT_MS;
  }
  const ms = durationToMilliseconds(
    readDurationFromConfig(align, { key: 'reviewTimeout' }),
  );
  if (ms < 60_000) {
    throw new InputError(
      'envParity.align.reviewTimeout must be at least a minute',
    );
  }
  return ms;
}

/** `24 hours`, `90 minutes`. */
function humanDuration(ms: number): string {
  const hours = ms / 3_600_000;
  return Number.isInteger(hours)
    ? `${hours} hour${hours === 1 ? '' : 's'}`
    : `${Math.round(ms / 60_000)} minutes`;
}

/** Alignments of each kind handled per sweep; the next sweep takes the rest. */
const SWEEP_BATCH = 100;

function errorMessage(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * What happens to an alignment after approval, without anyone acting:
 * the one deployer call, verification by observation, the time-out, and the
 * sweep that resumes all of it after a restart. Every change is a
 * conditional write; a write lost to another replica is left to the winner.
 */
export class AlignmentLifecycle {
  private readonly pass = new SweepPass(() => this.sweepOnce());

  constructor(
    private readonly deps: {
      store: DatabaseAlignmentStore;
      deployers: EnvParityDeployer[];
      reports: AlignmentReports;
      catalog: CatalogService;
      auth: AuthService;
      environments: { list(): Promise<EnvironmentDefinition[]> };
      events: AlignmentEvents;
      logger: LoggerService;
      options: AlignOptions;
      now: () => Date;
    },
  ) {}

  deployer(id: string): EnvParityDeployer | undefined {
    return this.deps.deployers.find(d => d.id === id);
  }

  /**
   * Calls the deployer for an alignment this replica just moved to
   * `dispatched` (only the winner of that conditional write calls this),
   * in the background; the outcome is written as `verifying` or `failed`.
   */
  dispatchInBackground(record: AlignmentRecord): void {
    this.deps.events.track(
      this.dispatch(record).catch(error =>
        this.deps.logger.error(
          `Dispatching alignment ${record.id} failed: ${errorMessage(error)}`,
        ),
      ),
    );
  }

  private async dispatch(record: AlignmentRecord): Promise<void> {
    const { options, logger } = this.deps;
    const deployer = this.deployer(record.deployer);
    if (!deployer) {
      await this.move(record, 'failed', {
        set: {
          failureReason: `The deployer ${record.deployer} is not installed`,
        },
        step: {
          type: 'failed',
          actor: SYSTEM,
          comment: `The deployer ${record.deployer} is not installed`,
        },
      });
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(
      () => controller.abort(),
      options.dispatchTimeoutMs,
    );
    let outcome:
      | { ok: true; reference?: string; message: string }
      | { ok: false; reason: string };
    try {
      const context = await this.contextOf(record);
      const result = await deployer.dispatch(
        {
          alignmentId: record.id,
          entityRef: record.entityRef,
          environment: record.environment,
          target: record.target,
          requester: record.requester,
        },
        { idempotencyKey: record.id, signal: controller.signal, context },
      );
      outcome = { ok: true, ...result };
    } catch (error) {
      const reason = controller.signal.aborted
        ? `the deployer did not answer within ${Math.round(
            options.dispatchTimeoutMs / 1000,
          )} s`
        : errorMessage(error);
      outcome = {
        ok: false,
        reason: logSafe(`${deployer.id}: ${reason}`).slice(0, 2000),
      };
      logger.warn(`Alignment ${record.id} failed: ${outcome.reason}`);
    } finally {
      clearTimeout(timer);
    }
    if (outcome.ok) {
      await this.move(record, 'verifying', {
        set: {
          ...(outcome.reference && { deployerReference: outcome.reference }),
          deployerMessage: outcome.message,
        },
        step: {
          type: 'verifying',
          actor: SYSTEM,
          comment: outcome.message,
          ...(outcome.reference && {
            details: { reference: outcome.reference },
          }),
        },
      });
    } else {
      await this.move(record, 'failed', {
        set: { failureReason: outcome.reason },
        step: { type: 'failed', actor: SYSTEM, comment: outcome.reason },
      });
    }
  }

  /**
   * One pass: alignments pending approval past the review timeout end
   * `timed-out`; alignments left `dispatched` past the lease (the replica
   * calling the deployer stopped) go on to verification (whether the call
   * was made is unknown, so it is never made again: observation decides);
   * verifying ones are checked against the stored report, and time out past
   * their deadline. Safe on several replicas at once. Calls while a pass
   * runs share it.
   */
  sweep(): Promise<void> {
    return this.pass.run();
  }

  settled(): Promise<void> {
    return this.pass.settled();
  }

  private async sweepOnce(): Promise<void> {
    const { store, options, logger } = this.deps;
    const now = this.deps.now();
    const { reviewTimeoutMs } = options;
    const due = await store.due({
      stuckBefore: new Date(now.getTime() - options.dispatchLeaseMs),
      unreviewedBefore: new Date(now.getTime() - reviewTimeoutMs),
      limit: SWEEP_BATCH,
    });
    for (const record of due.unreviewed) {
      const reason = `Nobody decided on aligning ${
        record.environment
      } within ${humanDuration(
        reviewTimeoutMs,
      )} (envParity.align.reviewTimeout); ask again if it is still needed`;
      try {
        await this.move(record, 'timed-out', {
          set: { failureReason: reason },
          step: {
            type: 'timed-out',
            actor: SYSTEM,
            comment: reason,
            details: {
              approvals: record.approvals,
              requiredApprovals: record.requiredApprovals,
            },
          },
        });
      } catch (error) {
        logger.error(
          `Alignment sweep could not time out ${record.id}: ${errorMessage(
            error,
          )}`,
        );
      }
    }
    for (const record of due.stuck) {
      try {
        await this.move(record, 'verifying', {
          step: {
            type: 'verifying',
            actor: SYSTEM,
            comment:
              'The backend stopped while the deployer was being called; whether it acted is verified by observation',
          },
        });
      } catch (error) {
        logger.error(
          `Alignment sweep could not resume ${record.id}: ${errorMessage(
            error,
          )}`,
        );
      }
    }
    for (const record of due.verifying) {
      try {
        await this.verify(record);
      } catch (error) {
        logger.error(
          `Alignment sweep could not verify ${record.id}: ${errorMessage(
            error,
          )}`,
        );
      }
    }
  }

  /**
   * Whether an alignment pending approval is past its review timeout (the
   * sweep has not ended it yet): nobody may decide on it any more. The sweep
   * is started in the background to write it.
   */
  reviewTimedOut(record: AlignmentRecord): boolean {
    const timedOut =
      record.status === 'pending-approval' &&
      this.deps.now().getTime() >=
        record.createdAt.getTime() + this.deps.options.reviewTimeoutMs;
    if (timedOut) {
      this.deps.events.track(this.sweep());
    }
    return timedOut;
  }

  /** Checks one verifying alignment against the stored report. */
  async verify(record: AlignmentRecord): Promise<AlignmentRecord | undefined> {
    const entity = await this.entityOf(record);
    if (entity) {
      const report = await this.deps.reports.current(entity);
      const environment = report.environments.find(
        e => e.name === record.environment,
      );
      if (
        observedRunning(
          environment,
          record.target,
          record.dispatchedAt ?? record.createdAt,
        )
      ) {
        return this.move(record, 'aligned', {
          step: {
            type: 'aligned',
            actor: SYSTEM,
            comment: `Observed ${record.environment} running ${
              record.target.digest ?? record.target.revision
            }`,
            details: { observedAt: environment!.observedAt },
          },
        });
      }
    }
    const now = this.deps.now();
    if (record.verifyDeadlineAt && now >= record.verifyDeadlineAt) {
      const reason = `${record.environment} was not observed running ${
        record.target.digest ?? record.target.revision
      } within ${Math.round(record.verifyTimeoutMs / 60_000)} minutes`;
      return this.move(record, 'timed-out', {
        set: { failureReason: reason },
        step: { type: 'timed-out', actor: SYSTEM, comment: reason },
      });
    }
    return undefined;
  }

  /** A system transition, audited; undefined when another writer won. */
  private async move(
    record: AlignmentRecord,
    to: AlignmentStatus,
    change: { set?: AlignmentUpdate; step: NewAlignmentStep },
  ): Promise<AlignmentRecord | undefined> {
    const at = this.deps.now();
    const set: AlignmentUpdate = { ...change.set };
    if (to === 'verifying' && !record.verifyDeadlineAt) {
      const start = record.dispatchedAt ?? at;
      set.verifyDeadlineAt = new Date(start.getTime() + record.verifyTimeoutMs);
    }
    const result = await this.deps.store.transition({
      from: record,
      to,
      set,
      step: change.step,
      at,
    });
    if (result) {
      await this.deps.events.audited(result, record.status, SYSTEM);
      this.deps.events.notify(result, SYSTEM);
    }
    return result;
  }

  private async entityOf(record: AlignmentRecord): Promise<Entity | undefined> {
    return this.deps.catalog.getEntityByRef(record.entityRef, {
      credentials: await this.deps.auth.getOwnServiceCredentials(),
    });
  }

  private async contextOf(record: AlignmentRecord) {
    const entity = await this.entityOf(record);
    if (!entity) {
      throw new Error(`${record.entityRef} is no longer in the catalog`);
    }
    const environment = (await this.deps.environments.list()).find(
      e => e.name === record.environment,
    );
    if (!environment) {
      throw new Error(`Environment ${record.environment} is no longer known`);
    }
    return { entity, environment, target: record.target };
  }
}
