import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import {
  DeploymentProvider,
  ObserveRequest,
  ProviderObservation,
} from '@env-parity/plugin-env-parity-node';
import { EnvironmentRegistry } from '../environments';
import { AnnotationDeploymentProvider } from '../providers/AnnotationDeploymentProvider';
import { DatabaseSnapshotStore } from '../store/DatabaseSnapshotStore';
import { component, createTestCatalog } from '../testUtils';
import {
  DeploymentCollector,
  readCollectorOptions,
} from './DeploymentCollector';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** A provider that reports a version per entity name, and fails for some. */
class ScriptedProvider implements DeploymentProvider {
  calls: string[] = [];
  active = 0;
  maxActive = 0;
  constructor(
    private readonly name: string,
    public answer: (entity: Entity) => ProviderObservation[],
    readonly concurrency?: number,
    private readonly delayMs = 0,
  ) {}
  getProviderName() {
    return this.name;
  }
  supports() {
    return true;
  }
  async observe({ entity }: ObserveRequest) {
    this.calls.push(entity.metadata.name);
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      await new Promise(r => setTimeout(r, this.delayMs));
      return this.answer(entity);
    } finally {
      this.active -= 1;
    }
  }
}

async function setup(
  entities: Entity[],
  providers: DeploymentProvider[],
  collectorConfig: object = {},
  envParityConfig: object = {},
) {
  const knex = await databases.init('SQLITE_3');
  const store = await DatabaseSnapshotStore.create({
    database: mockServices.database({ knex }),
  });
  const config = new ConfigReader({
    envParity: {
      environments: [
        { name: 'staging' },
        { name: 'production', reference: true },
      ],
      environmentsFromCatalog: false,
      collector: collectorConfig,
      ...envParityConfig,
    },
  });
  const { catalog } = createTestCatalog(entities);
  const auth = mockServices.auth();
  const logger = mockServices.logger.mock();
  const collector = new DeploymentCollector({
    store,
    providers,
    environments: EnvironmentRegistry.fromConfig(config, {
      catalog,
      auth,
      logger,
    }),
    catalog,
    auth,
    logger,
    options: readCollectorOptions(config),
  });
  return { store, collector, logger, knex };
}

const versioned = (version: string) => (entity: Entity) =>
  [
    {
      environment: 'staging',
      deployment: { version: `${version}-${entity.metadata.name}` },
    },
    { environment: 'production', deployment: { version: '1.0.0' } },
  ];

describe('DeploymentCollector', () => {
  it('tells its listeners of each collection and each stored batch, a failing listener failing nothing', async () => {
    const entities = Array.from({ length: 5 }, (_, i) => component(`svc-${i}`));
    const provider = new ScriptedProvider('scripted', versioned('2.0.0'));
    const { collector, logger } = await setup(entities, [provider], {
      batchSize: 2,
    });
    const heard: Array<{
      run: number;
      refresh: boolean;
      entities: string[];
      staging: string[];
      written: number;
    }> = [];
    let runs = 0;
    collector.addListener({
      collectionStarted() {
        const run = ++runs;
        return {
          async batchStored(batch) {
            heard.push({
              run,
              refresh: batch.refresh,
              entities: batch.entities.map(e => e.metadata.name),
              staging: batch.snapshots
                .filter(s => s.environment === 'staging')
                .map(s => s.deployment!.version!),
              written: batch.written,
            });
          },
        };
      },
    });
    collector.addListener({
      collectionStarted: () => ({
        batchStored: async () => {
          throw new Error('listener broke');
        },
      }),
    });

    await expect(collector.collectAll()).resolves.toMatchObject({
      entities: 5,
      written: 10,
    });
    // what the batch stored, read after its write
    expect(heard).toEqual([
      {
        run: 1,
        refresh: false,
        entities: ['svc-0', 'svc-1'],
        staging: ['2.0.0-svc-0', '2.0.0-svc-1'],
        written: 4,
      },
      {
        run: 1,
        refresh: false,
        entities: ['svc-2', 'svc-3'],
        staging: ['2.0.0-svc-2', '2.0.0-svc-3'],
        written: 4,
      },
      {
        run: 1,
        refresh: false,
        entities: ['svc-4'],
        staging: ['2.0.0-svc-4'],
        written: 2,
      },
    ]);
    expect(logger.error).toHaveBeenCalledWith(
      expect.stringContaining('listener broke'),
    );

    heard.length = 0;
    provider.answer = versioned('2.1.0');
    await collector.collectEntity(entities[4]);
    expect(heard).toEqual([
      {
        run: 2,
        refresh: true,
        entities: ['svc-4'],
        staging: ['2.1.0-svc-4'],
        // a refresh touches every row
        written: 2,
      },
    ]);
  });

  it('collects every entity in batches and writes nothing when nothing changed', async () => {
    const entities = Array.from({ length: 25 }, (_, i) =>
      component(`svc-${i}`),
    );
    const provider = new ScriptedProvider('scripted', versioned('2.0.0'), 3, 5);
    const { store, collector } = await setup(entities, [provider], {
      batchSize: 10,
    });

    const first = await collector.collectAll();
    expect(first).toEqual({
      entities: 25,
      written: 50,
      failures: 0,
      removed: 0,
      historyDeleted: 0,
    });
    expect(provider.calls).toHaveLength(25);
    expect(provider.maxActive).toBeLessThanOrEqual(3);
    expect(provider.maxActive).toBeGreaterThan(1);

    const second = await collector.collectAll();
    expect(second.written).toBe(0);
    expect(provider.calls).toHaveLength(50);

    provider.answer = entity =>
      entity.metadata.name === 'svc-3'
        ? versioned('2.1.0')(entity)
        : versioned('2.0.0')(entity);
    const third = await collector.collectAll();
    expect(third.written).toBe(1);
    const snapshots = await store.getSnapshots('component:default/svc-3');
    const staging = snapshots.find(s => s.environment === 'staging');
    expect(staging?.deployment?.version).toBe('2.1.0-svc-3');
    const history = await store.getHistory('component:default/svc-3', {
      environment: 'staging',
    });
    expect(history.map(h => h.deployment?.version)).toEqual([
      '2.1.0-svc-3',
      '2.0.0-svc-3',
    ]);
  });

  it('contains a failing provider: its entity keeps the last good data, marked with the error', async () => {
    const entities = [component('good'), component('flaky')];
    let failing = false;
    const flaky = new ScriptedProvider('scripted', entity => {
      if (failing && entity.metadata.name === 'flaky') {
        throw new Error('connection refused');
      }
      return versioned('2.0.0')(entity);
    });
    const { store, collector, logger } = await setup(entities, [flaky]);
    await collector.collectAll();

    failing = true;
    const result = await collector.collectAll();
    expect(result.failures).toBe(1);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining(
        'Provider scripted failed for component:default/flaky: connection refused',
      ),
    );
    const snapshots = await store.getSnapshots('component:default/flaky');
    expect(
      snapshots.map(s => [s.environment, s.deployment?.version, s.error]),
    ).toEqual([
      ['production', '1.0.0', 'connection refused'],
      ['staging', '2.0.0-flaky', 'connection refused'],
    ]);
    const good = await store.getSnapshots('component:default/good');
    expect(good.every(s => !s.error)).toBe(true);

    // the same failure again is no change
    expect((await collector.collectAll()).written).toBe(0);
  });

  it('gives up on a provider that takes too long, for that entity only', async () => {
    const slow = new ScriptedProvider(
      'slow',
      versioned('2.0.0'),
      undefined,
      500,
    );
    const { store, collector } = await setup([component('slowpoke')], [slow], {
      providerTimeout: { milliseconds: 50 },
    });
    const result = await collector.collectAll();
    expect(result.failures).toBe(1);
    const snapshots = await store.getSnapshots('component:default/slowpoke');
    expect(snapshots.map(s => s.error)).toEqual([
      'timed out after 50 ms',
      'timed out after 50 ms',
    ]);
  });

  it('forgets environments a provider stops reporting and entities that left the catalog', async () => {
    const entities = [
      component('api', {
        'env-parity/staging.version': '2.0.0',
        'env-parity/production.version': '1.0.0',
      }),
      component('gone', { 'env-parity/production.version': '1.0.0' }),
      component('bare'),
    ];
    const { store, collector } = await setup(entities, [
      new AnnotationDeploymentProvider(),
    ]);
    const first = await collector.collectAll();
    expect(first.entities).toBe(2);

    delete entities[0].metadata.annotations!['env-parity/staging.version'];
    entities.splice(1, 1);
    const second = await collector.collectAll();
    expect(second).toMatchObject({ entities: 1, written: 1, removed: 1 });
    expect(
      (await store.getSnapshots('component:default/api')).map(
        s => s.environment,
      ),
    ).toEqual(['production']);
    expect(await store.getSnapshots('component:default/gone')).toEqual([]);
  });

  it('records the observation time of an explicit refresh even when nothing changed', async () => {
    const provider = new ScriptedProvider('scripted', versioned('2.0.0'));
    const entity = component('api');
    const { store, collector } = await setup([entity], [provider]);
    await collector.collectEntity(entity);
    const [before] = await store.getSnapshots('component:default/api');
    await new Promise(r => setTimeout(r, 20));
    await collector.collectEntity(entity);
    const [after] = await store.getSnapshots('component:default/api');
    expect(Date.parse(after.observedAt!)).toBeGreaterThan(
      Date.parse(before.observedAt!),
    );
    expect(after.changedAt).toBe(before.changedAt);
  });

  describe('history retention', () => {
    const DAY = 24 * 60 * 60 * 1000;
    const daysAgo = (days: number) => new Date(Date.now() - days * DAY);
    const apiRef = 'component:default/api';

    /** Old changes of api's staging deployment, as the store wrote them. */
    async function insertHistory(
      knex: Awaited<ReturnType<typeof setup>>['knex'],
      ages: number[],
    ) {
      await knex('env_parity_snapshot_history').insert(
        ages.map(age => ({
          entity_ref: apiRef,
          environment: 'staging',
          provider: 'scripted',
          deployment: JSON.stringify({ version: `${age}-days-ago` }),
          fingerprint: null,
          changed_at: daysAgo(age),
        })),
      );
    }

    const versions = async (store: DatabaseSnapshotStore) =>
      (await store.getHistory(apiRef, { environment: 'staging' })).map(
        h => h.deployment?.version,
      );

    it('deletes history past envParity.historyRetention after a full run', async () => {
      const provider = new ScriptedProvider('scripted', versioned('2.0.0'));
      const { store, collector, knex } = await setup(
        [component('api')],
        [provider],
        {},
        { historyRetention: { days: 7 } },
      );
      await insertHistory(knex, [8, 6]);

      const result = await collector.collectAll();
      expect(result.historyDeleted).toBe(1);
      expect(await versions(store)).toEqual(['2.0.0-api', '6-days-ago']);
      // the snapshots are untouched
      expect(await store.getSnapshots(apiRef)).toHaveLength(2);
    });

    it('keeps 90 days by default', async () => {
      const provider = new ScriptedProvider('scripted', versioned('2.0.0'));
      const { store, collector, knex } = await setup(
        [component('api')],
        [provider],
      );
      await insertHistory(knex, [91, 89]);

      expect((await collector.collectAll()).historyDeleted).toBe(1);
      expect(await versions(store)).toEqual(['2.0.0-api', '89-days-ago']);
    });

    it('deletes nothing in a run stopped early or a single refresh', async () => {
      const provider = new ScriptedProvider('scripted', versioned('2.0.0'));
      const entity = component('api');
      const { store, collector, knex } = await setup([entity], [provider]);
      await insertHistory(knex, [100]);

      const controller = new AbortController();
      controller.abort();
      expect(
        (await collector.collectAll(controller.signal)).historyDeleted,
      ).toBe(0);
      await collector.collectEntity(entity);
      expect(await versions(store)).toEqual(['2.0.0-api', '100-days-ago']);
    });

    it('logs a failed delete without failing the run', async () => {
      const provider = new ScriptedProvider('scripted', versioned('2.0.0'));
      const { store, collector, logger } = await setup(
        [component('api')],
        [provider],
      );
      const spy = jest
        .spyOn(store, 'deleteHistoryBefore')
        .mockRejectedValue(new Error('lock wait timeout'));

      const before = Date.now();
      const result = await collector.collectAll();
      expect(result).toMatchObject({ entities: 1, historyDeleted: 0 });
      expect(logger.error).toHaveBeenCalledWith(
        expect.stringContaining('lock wait timeout'),
      );
      // the cutoff is the run's start less 90 days
      const cutoff = spy.mock.calls[0][0].getTime();
      expect(cutoff).toBeGreaterThanOrEqual(before - 90 * DAY);
      expect(cutoff).toBeLessThanOrEqual(Date.now() - 90 * DAY);
    });

    it('refuses a retention that is not positive', () => {
      const read = (historyRetention: object) =>
        readCollectorOptions(
          new ConfigReader({ envParity: { historyRetention } }),
        );
      expect(read({ days: 30 }).historyRetentionMs).toBe(30 * DAY);
      expect(() => read({ days: 0 })).toThrow(
        'envParity.historyRetention must be a positive duration',
      );
    });
  });
});

describe('DeploymentCollector.collectEntity', () => {
  it('shares one collection among concurrent calls for one entity', async () => {
    let release!: () => void;
    const gate = new Promise<void>(resolve => {
      release = resolve;
    });
    const provider = new ScriptedProvider('scripted', versioned('2.0.0'));
    const answer = provider.answer;
    provider.answer = entity => answer(entity);
    const gated: DeploymentProvider = {
      getProviderName: () => 'scripted',
      supports: () => true,
      observe: async request => {
        await gate;
        return provider.observe(request);
      },
    };
    const payments = component('payments');
    const ledger = component('ledger');
    const { collector, store } = await setup([payments, ledger], [gated]);

    const calls = [
      ...Array.from({ length: 10 }, () => collector.collectEntity(payments)),
      collector.collectEntity(ledger),
    ];
    release();
    await Promise.all(calls);
    // one collection per entity, not one per call
    expect(provider.calls.sort()).toEqual(['ledger', 'payments']);
    expect(
      (await store.getSnapshots('component:default/payments')).length,
    ).toBeGreaterThan(0);

    // once it has settled, the next call collects anew
    await collector.collectEntity(payments);
    expect(provider.calls.sort()).toEqual(['ledger', 'payments', 'payments']);
  });
});
