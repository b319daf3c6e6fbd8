import {
  coreServices,
  createServiceFactory,
  SchedulerService,
  SchedulerServiceTaskFunction,
} from '@backstage/backend-plugin-api';

/**
 * A scheduler whose tasks the test runs itself, when it wants: install
 * `factory` in the test backend, then `run(taskId)`.
 *
 * @public
 */
export function manualScheduler() {
  const tasks = new Map<string, SchedulerServiceTaskFunction>();
  const scheduler: Partial<SchedulerService> = {
    async scheduleTask(task) {
      tasks.set(task.id, task.fn);
    },
    createScheduledTaskRunner: () => ({
      run: async task => {
        tasks.set(task.id, task.fn);
      },
    }),
    async getScheduledTasks() {
      return [];
    },
  };
  return {
    factory: createServiceFactory({
      service: coreServices.scheduler,
      deps: {},
      factory: () => scheduler as SchedulerService,
    }),
    run: (id: string) => tasks.get(id)!(new AbortController().signal),
  };
}

/**
 * Waits until `condition` holds, checking every 50 ms; throws after
 * `timeoutMs`.
 *
 * @public
 */
export async function waitForCondition(
  condition: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const start = performance.now();
  while (!(await condition())) {
    if (performance.now() - start > timeoutMs) {
      throw new Error('Timed out waiting for a condition');
    }
    await new Promise(r => setTimeout(r, 50));
  }
}
