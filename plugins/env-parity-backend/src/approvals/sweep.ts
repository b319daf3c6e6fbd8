import {
  LifecycleService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';

/**
 * One pass of a sweep at a time on this replica: calls while a pass runs
 * share it; the next call after it ends starts a new one.
 */
export class SweepPass {
  private running?: Promise<void>;

  constructor(private readonly pass: () => Promise<void>) {}

  run(): Promise<void> {
    if (!this.running) {
      this.running = this.pass().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  /** Resolves once the pass under way, if any, has ended. */
  async settled(): Promise<void> {
    await this.running?.catch(() => undefined);
  }
}

/**
 * Schedules the sweep of a feature that asks for approval: every
 * `frequency` (scope global: one replica at a time, each change a
 * conditional write anyway), once at start-up (what came due while the
 * backend was down goes on at once, without waiting for the scheduler to
 * pick this replica), and `close` at shutdown.
 */
export async function scheduleSweep(options: {
  /** The task id, e.g. `env-parity-access-sweep`. */
  id: string;
  /** For the start-up failure, e.g. `Access`. */
  name: string;
  frequency: SchedulerServiceTaskScheduleDefinition['frequency'];
  scheduler: SchedulerService;
  lifecycle: LifecycleService;
  logger: LoggerService;
  sweep: () => Promise<void>;
  close: () => Promise<void>;
}): Promise<void> {
  const { sweep, logger } = options;
  await options.scheduler.scheduleTask({
    id: options.id,
    scope: 'global',
    frequency: options.frequency,
    timeout: { minutes: 5 },
    fn: async () => {
      await sweep();
    },
  });
  options.lifecycle.addStartupHook(() => {
    sweep().catch(error =>
      logger.error(`${options.name} sweep at start-up failed: ${error}`),
    );
  });
  options.lifecycle.addShutdownHook(() => options.close());
}
