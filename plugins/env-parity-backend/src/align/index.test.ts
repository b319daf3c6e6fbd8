import { JsonObject } from '@backstage/types';
import { setupMocks } from '../approvals/__testUtils__/testbed';
import { ParityReportBuilder } from '../report';
import { createAlignments } from '.';
import { databases, ENVIRONMENTS } from './__testUtils__';

jest.setTimeout(60_000);

async function create(align?: JsonObject) {
  const knex = await databases.init('SQLITE_3');
  const deps = setupMocks(knex, { ...(align && { align }) }, ENVIRONMENTS);
  await createAlignments({
    ...deps,
    snapshots: { getSnapshots: async () => [] },
    builder: new ParityReportBuilder({
      providers: [],
      comparers: [],
      logger: deps.logger,
    }),
    deployers: [],
  });
  return { scheduler: deps.scheduler, lifecycle: deps.lifecycle, knex };
}

describe('createAlignments', () => {
  it('schedules nothing without envParity.align', async () => {
    const { scheduler, lifecycle } = await create();
    expect(scheduler.scheduleTask).not.toHaveBeenCalled();
    expect(lifecycle.addStartupHook).not.toHaveBeenCalled();
    expect(lifecycle.addShutdownHook).not.toHaveBeenCalled();
  });

  it('schedules the sweep once configured, and runs it at start-up', async () => {
    const { scheduler, lifecycle } = await create({
      environments: { staging: { deployer: 'webhook' } },
      webhook: { url: 'https://deploy.example.com/hook', secret: 's3cret' },
      sweepInterval: { seconds: 30 },
    });
    expect(scheduler.scheduleTask).toHaveBeenCalledWith(
      expect.objectContaining({
        id: 'env-parity-align-sweep',
        scope: 'global',
        frequency: { milliseconds: 30_000 },
      }),
    );
    expect(lifecycle.addStartupHook).toHaveBeenCalledTimes(1);
    expect(lifecycle.addShutdownHook).toHaveBeenCalledTimes(1);
  });
});
