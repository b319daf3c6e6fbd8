import { LoggerService } from '@backstage/backend-plugin-api';
import { AccessProvisioner } from '@env-parity/plugin-env-parity-node';
import { SweepPass } from '../approvals';
import { AccessLifecycle, SYSTEM } from './AccessLifecycle';
import { AccessOptions } from './config';
import { DatabaseAccessStore } from './DatabaseAccessStore';
import { AccessRequestRecord } from './records';

/** Requests of each kind handled per pass; the next pass takes the rest. */
const SWEEP_BATCH = 100;

function errorMessage(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The sweep that makes time-based rules hold even when nobody reads a
 * request: it runs every minute (scope global), at start-up, and on demand.
 */
export class AccessSweep {
  private readonly pass = new SweepPass(() => this.sweepOnce());

  constructor(
    private readonly deps: {
      store: DatabaseAccessStore;
      lifecycle: AccessLifecycle;
      provisioners: AccessProvisioner[];
      options: AccessOptions;
      logger: LoggerService;
      now: () => Date;
    },
  ) {}

  /**
   * One pass: time out unreviewed requests, revoke what expired, grant what
   * was approved but never granted, retry failed provisioning that is due,
   * warn of access ending soon, and let provisioners repair drift. Safe to
   * run on several replicas at once: each change is a conditional write.
   * Calls while a pass runs share it.
   */
  run(): Promise<void> {
    return this.pass.run();
  }

  /** Resolves once the pass under way, if any, has ended. */
  settled(): Promise<void> {
    return this.pass.settled();
  }

  private async sweepOnce() {
    const { options, store, logger, lifecycle } = this.deps;
    const now = this.deps.now();
    const due = await store.due({
      now,
      stuckBefore: new Date(now.getTime() - options.grantLeaseMs),
      warnBefore: new Date(now.getTime() + options.expiryWarningMs),
      limit: SWEEP_BATCH,
    });
    const done = new Set<string>();
    const each = async (
      records: AccessRequestRecord[],
      what: string,
      fn: (r: AccessRequestRecord) => Promise<unknown>,
    ) => {
      for (const record of records) {
        if (done.has(record.id)) {
          continue;
        }
        done.add(record.id);
        try {
          await fn(record);
        } catch (error) {
          logger.error(
            `Access sweep could not ${what} request ${
              record.id
            }: ${errorMessage(error)}`,
          );
        }
      }
    };
    await each(due.timedOut, 'time out', r => lifecycle.timeOut(r));
    await each(due.overdue, 'expire', r =>
      lifecycle.revokeNow(r, 'expired', SYSTEM),
    );
    await each(due.stuck, 'grant', r => lifecycle.grantNow(r));
    await each(due.retries, 'retry provisioning of', r =>
      r.provisioningOperation === 'revoke'
        ? lifecycle.revokeNow(r, r.provisioningTarget ?? 'expired', SYSTEM)
        : lifecycle.grantNow(r),
    );
    await each(due.ending, 'warn about the end of', r => lifecycle.warn(r));

    for (const provisioner of this.deps.provisioners) {
      if (provisioner.reconcile) {
        try {
          await provisioner.reconcile({
            now,
            isFinal: ids => store.finalIds(ids),
          });
        } catch (error) {
          logger.error(
            `Access provisioner ${
              provisioner.name
            } could not reconcile: ${errorMessage(error)}`,
          );
        }
      }
    }
  }
}
