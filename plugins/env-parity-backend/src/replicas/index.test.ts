import { JsonObject } from '@backstage/types';
import { setupMocks } from '../approvals/__testUtils__/testbed';
import { createReplicas } from '.';
import {
  databases,
  ENVIRONMENTS,
  RecordingReplicaDriver,
} from './__testUtils__';

jest.setTimeout(60_000);

async function create(replicas?: JsonObject, withDriver = true) {
  const knex = await databases.init('SQLITE_3');
  const deps = setupMocks(
    knex,
    { ...(replicas && { replicas }) },
    ENVIRONMENTS,
  );
  const result = await createReplicas({
    ...deps,
    snapshots: { getSnapshots: async () => [] },
    ...(withDriver && { driver: new RecordingReplicaDriver() }),
  });
  const { scheduler, lifecycle, logger } = deps;
  return { scheduler, lifecycle, logger, result };
}

describe('createReplicas', () => {
  it('schedules nothing and adds nothing to the report without envParity.replicas or a driver', async () => {
    for (const [config, driver] of [
      [undefined, true],
      [{}, false],
    ] as const) {
      const { scheduler, lifecycle, result } = await create(config, driver);
      expect(scheduler.scheduleTask).not.toHaveBeenCalled();
      expect(lifecycle.addStartupHook).not.toHaveBeenCalled();
      expect(result.report).toBeUndefined();
    }
    const { logger } = await create({}, false);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('no replica driver module is installed'),
    );
  });

  it('schedules the sweep (scope global) once configured, and runs it at start-up', async () => {
    const { scheduler, lifecycle, result } = await create({
      sweepInterval: { seconds: 30 },
    });
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'env-parity-replica-sweep',
        scope: 'global',
        frequency: { milliseconds: 30_000 },
      }),
    );
    expect(lifecycle.addStartupHook).toHaveBeenCalledTimes(1);
    expect(lifecycle.addShutdownHook).toHaveBeenCalledTimes(1);
    expect(result.report).toBeDefined();
  });
});
