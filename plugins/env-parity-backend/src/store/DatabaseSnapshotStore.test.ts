import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Deployment } from '@env-parity/plugin-env-parity-common';
import { Knex } from 'knex';
import { DatabaseSnapshotStore } from './DatabaseSnapshotStore';
import { ObservationWrite } from './SnapshotStore';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

const ref = 'component:default/api';
const t = (n: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, n, 123));
const v1: Deployment = { version: '1.0.0', revision: 'aaa' };
const v2: Deployment = { version: '1.1.0', revision: 'bbb' };

function obs(
  fields: Partial<ObservationWrite> & Pick<ObservationWrite, 'environment'>,
): ObservationWrite {
  return { entityRef: ref, provider: 'argocd', ...fields };
}

describe.each(databases.eachSupportedId())(
  'DatabaseSnapshotStore on %p',
  databaseId => {
    let knex: Knex;
    let store: DatabaseSnapshotStore;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseSnapshotStore.create({
        database: mockServices.database.mock({ getClient: async () => knex }),
      });
    });

    it('writes an unchanged observation only once', async () => {
      const batch = [obs({ environment: 'prod', deployment: v1 })];
      await expect(store.applyObservations(batch, t(1))).resolves.toEqual({
        written: 1,
      });
      await expect(store.applyObservations(batch, t(2))).resolves.toEqual({
        written: 0,
      });

      await expect(store.getSnapshots(ref)).resolves.toEqual([
        {
          entityRef: ref,
          environment: 'prod',
          provider: 'argocd',
          deployment: v1,
          observedAt: t(1).toISOString(),
          checkedAt: t(1).toISOString(),
          changedAt: t(1).toISOString(),
        },
      ]);
      await expect(store.getHistory(ref)).resolves.toEqual([
        {
          entityRef: ref,
          environment: 'prod',
          provider: 'argocd',
          deployment: v1,
          changedAt: t(1).toISOString(),
        },
      ]);
    });

    it('keeps a deployment with a large configuration whole', async () => {
      // 2000 keys: about 170 KiB of JSON, more than MySQL's TEXT holds
      const config = Object.fromEntries(
        Array.from({ length: 2000 }, (_, i) => [
          `configmap/api-config.KEY_${i}`,
          { hash: `${i}`.padStart(32, '0') },
        ]),
      );
      const big: Deployment = { version: '2.0.0', config };
      expect(JSON.stringify(big).length).toBeGreaterThan(100_000);
      await store.applyObservations(
        [obs({ environment: 'prod', deployment: big })],
        t(1),
      );
      const [snapshot] = await store.getSnapshots(ref);
      expect(snapshot.deployment).toEqual(big);
      const [history] = await store.getHistory(ref);
      expect(history.deployment).toEqual(big);
    });

    it('writes a changed deployment and its history', async () => {
      await store.applyObservations(
        [obs({ environment: 'prod', deployment: v1 })],
        t(1),
      );
      await expect(
        store.applyObservations(
          [obs({ environment: 'prod', deployment: v2 })],
          t(2),
        ),
      ).resolves.toEqual({ written: 1 });

      const [snapshot] = await store.getSnapshots(ref);
      expect(snapshot).toMatchObject({
        deployment: v2,
        observedAt: t(2).toISOString(),
        changedAt: t(2).toISOString(),
      });
      const history = await store.getHistory(ref);
      expect(history.map(h => h.deployment)).toEqual([v2, v1]);
    });

    it('keeps the last good deployment on failure', async () => {
      await store.applyObservations(
        [obs({ environment: 'prod', deployment: v1 })],
        t(1),
      );
      const failure = [obs({ environment: 'prod', error: 'timeout' })];
      await expect(store.applyObservations(failure, t(2))).resolves.toEqual({
        written: 1,
      });
      await expect(store.applyObservations(failure, t(3))).resolves.toEqual({
        written: 0,
      });

      await expect(store.getSnapshots(ref)).resolves.toEqual([
        {
          entityRef: ref,
          environment: 'prod',
          provider: 'argocd',
          deployment: v1,
          error: 'timeout',
          observedAt: t(1).toISOString(),
          checkedAt: t(2).toISOString(),
          changedAt: t(1).toISOString(),
        },
      ]);
      await expect(
        store.applyObservations(
          [obs({ environment: 'prod', error: 'forbidden' })],
          t(4),
        ),
      ).resolves.toEqual({ written: 1 });
      const [snapshot] = await store.getSnapshots(ref);
      expect(snapshot).toMatchObject({
        error: 'forbidden',
        checkedAt: t(4).toISOString(),
      });
      expect(await store.getHistory(ref)).toHaveLength(1);
    });

    it('stores a failure without any deployment', async () => {
      await expect(
        store.applyObservations(
          [obs({ environment: 'prod', error: 'no access' })],
          t(1),
        ),
      ).resolves.toEqual({ written: 1 });
      await expect(store.getSnapshots(ref)).resolves.toEqual([
        {
          entityRef: ref,
          environment: 'prod',
          provider: 'argocd',
          error: 'no access',
          checkedAt: t(1).toISOString(),
        },
      ]);
      await expect(store.getHistory(ref)).resolves.toEqual([]);
    });

    it('clears the error on recovery', async () => {
      await store.applyObservations(
        [obs({ environment: 'prod', deployment: v1 })],
        t(1),
      );
      await store.applyObservations(
        [obs({ environment: 'prod', error: 'timeout' })],
        t(2),
      );
      await expect(
        store.applyObservations(
          [obs({ environment: 'prod', deployment: v1 })],
          t(3),
        ),
      ).resolves.toEqual({ written: 1 });

      const [snapshot] = await store.getSnapshots(ref);
      expect(snapshot.error).toBeUndefined();
      expect(snapshot).toMatchObject({
        deployment: v1,
        observedAt: t(3).toISOString(),
        checkedAt: t(3).toISOString(),
        changedAt: t(1).toISOString(),
      });
      expect(await store.getHistory(ref)).toHaveLength(1);
    });

    it('deletes on an empty observation', async () => {
      await store.applyObservations(
        [
          obs({ environment: 'prod', deployment: v1 }),
          obs({ environment: 'dev', deployment: v2 }),
        ],
        t(1),
      );
      const empty = [obs({ environment: 'prod' })];
      await expect(store.applyObservations(empty, t(2))).resolves.toEqual({
        written: 1,
      });
      await expect(store.applyObservations(empty, t(3))).resolves.toEqual({
        written: 0,
      });

      const snapshots = await store.getSnapshots(ref);
      expect(snapshots.map(s => s.environment)).toEqual(['dev']);
      const history = await store.getHistory(ref, { environment: 'prod' });
      expect(history).toEqual([
        {
          entityRef: ref,
          environment: 'prod',
          provider: 'argocd',
          changedAt: t(2).toISOString(),
        },
        expect.objectContaining({ deployment: v1 }),
      ]);
    });

    it('updates the times of unchanged rows when touched', async () => {
      await store.applyObservations(
        [
          obs({ environment: 'prod', deployment: v1 }),
          obs({ environment: 'dev', error: 'timeout' }),
        ],
        t(1),
      );
      await expect(
        store.applyObservations(
          [
            obs({ environment: 'prod', deployment: v1 }),
            obs({ environment: 'dev', error: 'timeout' }),
          ],
          t(2),
          { touch: true },
        ),
      ).resolves.toEqual({ written: 2 });

      const [dev, prod] = await store.getSnapshots(ref);
      expect(prod).toMatchObject({
        observedAt: t(2).toISOString(),
        checkedAt: t(2).toISOString(),
        changedAt: t(1).toISOString(),
      });
      expect(dev).toMatchObject({ checkedAt: t(2).toISOString() });
      expect(dev.observedAt).toBeUndefined();
      expect(await store.getHistory(ref)).toHaveLength(1);
    });

    it('advances effective times with completed runs', async () => {
      await store.applyObservations(
        [
          obs({ environment: 'prod', deployment: v1 }),
          obs({ environment: 'dev', error: 'timeout' }),
        ],
        t(1),
      );
      await store.recordCompletedRun(t(2));
      await expect(
        store.applyObservations(
          [
            obs({ environment: 'prod', deployment: v1 }),
            obs({ environment: 'dev', error: 'timeout' }),
          ],
          t(3),
        ),
      ).resolves.toEqual({ written: 0 });

      let [dev, prod] = await store.getSnapshots(ref);
      expect(prod).toMatchObject({
        observedAt: t(2).toISOString(),
        checkedAt: t(2).toISOString(),
        changedAt: t(1).toISOString(),
      });
      expect(dev.observedAt).toBeUndefined();
      expect(dev.checkedAt).toBe(t(2).toISOString());

      // A failure keeps the success time the completed run stood for.
      await store.applyObservations(
        [obs({ environment: 'prod', error: 'timeout' })],
        t(4),
      );
      await store.recordCompletedRun(t(5));
      [dev, prod] = await store.getSnapshots(ref);
      expect(prod).toMatchObject({
        error: 'timeout',
        observedAt: t(2).toISOString(),
        checkedAt: t(5).toISOString(),
      });
    });

    it('keeps the newest 100 runs', async () => {
      for (let i = 0; i < 105; i++) {
        await store.recordCompletedRun(t(i));
      }
      const [{ count }] = await knex('env_parity_collection_runs').count({
        count: '*',
      });
      expect(Number(count)).toBe(100);
      const { min } = (await knex('env_parity_collection_runs')
        .min({ min: 'started_at' })
        .first())!;
      expect(new Date(min).toISOString()).toBe(t(5).toISOString());
    });

    it('handles batches of a thousand observations and more', async () => {
      const refs = Array.from(
        { length: 1200 },
        (_, i) => `component:default/service-${i}`,
      );
      const batch = refs.map(entityRef =>
        obs({ entityRef, environment: 'prod', deployment: v1 }),
      );
      await expect(store.applyObservations(batch, t(1))).resolves.toEqual({
        written: 1200,
      });
      await expect(store.applyObservations(batch, t(2))).resolves.toEqual({
        written: 0,
      });
      await expect(
        store.applyObservations(
          batch
            .slice(0, 1000)
            .map((o, i) => (i % 2 ? o : { ...o, deployment: v2 })),
          t(3),
        ),
      ).resolves.toEqual({ written: 500 });

      const snapshots = await store.getSnapshotsForEntities([
        ...refs,
        'component:default/unknown',
      ]);
      expect(snapshots).toHaveLength(1200);
      expect(
        snapshots.filter(s => s.deployment?.version === '1.1.0'),
      ).toHaveLength(500);
      await expect(store.getSnapshotsForEntities([])).resolves.toEqual([]);
    });

    it('deletes entities not kept', async () => {
      await store.applyObservations(
        ['a', 'b', 'c'].map(name =>
          obs({
            entityRef: `component:default/${name}`,
            environment: 'prod',
            deployment: v1,
          }),
        ),
        t(1),
      );
      // Only history is left of d.
      await store.applyObservations(
        [
          obs({
            entityRef: 'component:default/d',
            environment: 'prod',
            deployment: v1,
          }),
        ],
        t(1),
      );
      await store.applyObservations(
        [obs({ entityRef: 'component:default/d', environment: 'prod' })],
        t(2),
      );

      await expect(
        store.deleteEntitiesExcept(
          new Set(['component:default/a', 'component:default/x']),
        ),
      ).resolves.toBe(3);

      const snapshots = await store.getSnapshotsForEntities(
        ['a', 'b', 'c', 'd'].map(name => `component:default/${name}`),
      );
      expect(snapshots.map(s => s.entityRef)).toEqual(['component:default/a']);
      expect(await store.getHistory('component:default/a')).toHaveLength(1);
      expect(await store.getHistory('component:default/b')).toEqual([]);
      expect(await store.getHistory('component:default/d')).toEqual([]);
      await expect(
        store.deleteEntitiesExcept(new Set(['component:default/a'])),
      ).resolves.toBe(0);
    });

    it('round-trips config fingerprints with secret flags', async () => {
      const deployment: Deployment = {
        ...v1,
        config: {
          DATABASE_PASSWORD: { hash: 'h1', secret: true },
          LOG_LEVEL: { hash: 'h2', value: 'info' },
        },
        links: [{ title: 'Build', url: 'https://ci.example.com/1' }],
      };
      await store.applyObservations(
        [obs({ environment: 'prod', deployment })],
        t(1),
      );
      const [snapshot] = await store.getSnapshots(ref);
      expect(snapshot.deployment).toEqual(deployment);

      // Key order and undefined fields do not make a change.
      const reordered: Deployment = {
        links: deployment.links,
        config: {
          LOG_LEVEL: { value: 'info', hash: 'h2' },
          DATABASE_PASSWORD: { secret: true, hash: 'h1' },
        },
        revision: 'aaa',
        version: '1.0.0',
        url: undefined,
      };
      await expect(
        store.applyObservations(
          [obs({ environment: 'prod', deployment: reordered })],
          t(2),
        ),
      ).resolves.toEqual({ written: 0 });

      const flipped: Deployment = {
        ...deployment,
        config: {
          ...deployment.config,
          LOG_LEVEL: { hash: 'h2', secret: true },
        },
      };
      await expect(
        store.applyObservations(
          [obs({ environment: 'prod', deployment: flipped })],
          t(3),
        ),
      ).resolves.toEqual({ written: 1 });
      const [history] = await store.getHistory(ref);
      expect(history.deployment).toEqual(flipped);
    });

    it('returns history newest first, by environment and limited', async () => {
      const versions = ['1', '2', '3', '4', '5'];
      for (const [i, version] of versions.entries()) {
        await store.applyObservations(
          [
            obs({ environment: 'prod', deployment: { version } }),
            obs({
              environment: 'dev',
              deployment: { version: `${version}-dev` },
            }),
          ],
          t(i),
        );
      }

      const all = await store.getHistory(ref);
      expect(all).toHaveLength(10);
      expect(all.map(h => h.changedAt)).toEqual(
        [...all.map(h => h.changedAt)].sort().reverse(),
      );

      const prod = await store.getHistory(ref, {
        environment: 'prod',
        limit: 3,
      });
      expect(prod.map(h => [h.deployment?.version, h.changedAt])).toEqual([
        ['5', t(4).toISOString()],
        ['4', t(3).toISOString()],
        ['3', t(2).toISOString()],
      ]);
    });

    describe('history retention', () => {
      const day = (n: number) => new Date(Date.UTC(2026, 0, 1 + n, 12));

      /** History rows as the store writes them, straight into the table. */
      async function insertHistory(
        count: number,
        changedAt: (i: number) => Date,
        entityRef = ref,
      ) {
        const rows = Array.from({ length: count }, (_, i) => ({
          entity_ref: entityRef,
          environment: `env-${i}`,
          provider: 'kubernetes',
          deployment: JSON.stringify({ version: `${i}` }),
          fingerprint: null,
          changed_at: changedAt(i),
        }));
        for (let i = 0; i < rows.length; i += 500) {
          await knex('env_parity_snapshot_history').insert(
            rows.slice(i, i + 500),
          );
        }
      }

      async function historyBefore(cutoff: Date) {
        const [{ count }] = await knex('env_parity_snapshot_history')
          .where('changed_at', '<', cutoff)
          .count({ count: '*' });
        return Number(count);
      }

      it('deletes history older than the cutoff and keeps the rest', async () => {
        for (const [n, deployment] of [v1, v2, v1, v2].entries()) {
          await store.applyObservations(
            [obs({ environment: 'prod', deployment })],
            day(n * 10),
          );
        }
        expect(await store.getHistory(ref)).toHaveLength(4);

        // Strictly older: the row at the cutoff stays.
        await expect(store.deleteHistoryBefore(day(20))).resolves.toBe(2);
        expect(
          (await store.getHistory(ref)).map(h => [
            h.deployment?.version,
            h.changedAt,
          ]),
        ).toEqual([
          ['1.1.0', day(30).toISOString()],
          ['1.0.0', day(20).toISOString()],
        ]);
        await expect(store.deleteHistoryBefore(day(20))).resolves.toBe(0);

        // By age only: the newest change goes too, the snapshot stays.
        await expect(store.deleteHistoryBefore(day(31))).resolves.toBe(2);
        await expect(store.getHistory(ref)).resolves.toEqual([]);
        expect(await store.getSnapshots(ref)).toMatchObject([
          { deployment: v2, changedAt: day(30).toISOString() },
        ]);
      });

      it('deletes at most 5,000 rows per statement, a few statements per call', async () => {
        // One collection batch shares its changed_at: all tied.
        await insertHistory(5_100, () => day(0));
        await insertHistory(30, () => day(100), 'component:default/recent');

        await expect(
          store.deleteHistoryBefore(day(50), { maxBatches: 1 }),
        ).resolves.toBe(5_000);
        expect(await historyBefore(day(50))).toBe(100);

        await expect(store.deleteHistoryBefore(day(50))).resolves.toBe(100);
        expect(await historyBefore(day(50))).toBe(0);
        expect(
          await store.getHistory('component:default/recent', { limit: 1000 }),
        ).toHaveLength(30);
      });

      it('deletes the oldest rows first, stopping after the last batch', async () => {
        // 25 old rows at three times, in an id order unlike their time order
        const times = [day(3), day(1), day(2)];
        await insertHistory(25, i => times[i % 3]);
        await insertHistory(5, () => day(40), 'component:default/recent');

        await expect(
          store.deleteHistoryBefore(day(10), { batchSize: 4, maxBatches: 3 }),
        ).resolves.toBe(12);
        const left = await knex('env_parity_snapshot_history')
          .where('entity_ref', ref)
          .select('changed_at');
        // day 1 has 8 rows and day 2 has 8: 4 of day 2 are left, and day 3
        expect(
          left.map(r => new Date(r.changed_at).toISOString()).sort(),
        ).toEqual([
          ...Array(4).fill(day(2).toISOString()),
          ...Array(9).fill(day(3).toISOString()),
        ]);

        await expect(
          store.deleteHistoryBefore(day(10), { batchSize: 4, maxBatches: 10 }),
        ).resolves.toBe(13);
        expect(await historyBefore(day(10))).toBe(0);
        expect(await historyBefore(day(50))).toBe(5);
      });

      it('has an index on changed_at for the delete', async () => {
        const client = knex.client.config.client as string;
        let names: string[];
        if (client.includes('pg')) {
          const { rows } = await knex.raw(
            "select indexname as name from pg_indexes where tablename = 'env_parity_snapshot_history'",
          );
          names = rows.map((r: { name: string }) => r.name);
        } else if (client.includes('mysql')) {
          const [rows] = await knex.raw(
            'show index from env_parity_snapshot_history where Seq_in_index = 1 and Column_name = ?',
            ['changed_at'],
          );
          names = rows.map((r: { Key_name: string }) => r.Key_name);
        } else {
          const rows = await knex.raw(
            "select name from pragma_index_info('env_parity_snapshot_history_changed_idx') where seqno = 0 and name = 'changed_at'",
          );
          names = rows.length
            ? ['env_parity_snapshot_history_changed_idx']
            : [];
        }
        expect(names).toContain('env_parity_snapshot_history_changed_idx');
      });
    });
  },
);
