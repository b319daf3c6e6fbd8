import { mockServices } from '@backstage/backend-test-utils';
import { replicaEnvironmentName } from '@env-parity/plugin-env-parity-common';
import { DatabaseReplicaStore } from './DatabaseReplicaStore';
import { ReplicaRecord } from './records';
import {
  ALICE,
  BOB,
  databases,
  HOUR,
  replicaTestbed,
  SERVICE,
} from './__testUtils__';

jest.setTimeout(60_000);

const T0 = new Date(Date.UTC(2026, 11, 14, 9, 0, 0));

function replica(n: number, requester = ALICE): ReplicaRecord {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
  return {
    id,
    entityRef: SERVICE,
    environment: replicaEnvironmentName(id),
    requester,
    reason: 'Reproduce the refund bug',
    status: 'creating',
    version: 1,
    driver: 'recording',
    cluster: 'sandbox-eu',
    namespace: `envp-payments-api-${String(n).padStart(8, '0')}`,
    createdAt: T0,
    updatedAt: T0,
    expiresAt: new Date(T0.getTime() + 4 * HOUR),
  };
}

const users = (n: number) => `user:default/user-${n}`;

describe.each(databases.eachSupportedId())(
  'DatabaseReplicaStore on %p',
  databaseId => {
    const t = replicaTestbed(databaseId, T0.getTime());

    /** `count` stores on their own connection pools, as backend replicas have. */
    async function stores(count: number) {
      const result: DatabaseReplicaStore[] = [];
      for (let i = 0; i < count; i++) {
        const client = i === 0 ? t.knex : t.secondConnection();
        const database = mockServices.database.mock({
          getClient: async () => client,
        });
        result.push(await DatabaseReplicaStore.create({ database }));
      }
      return result;
    }

    const step = (actor: string) => ({ type: 'requested' as const, actor });

    it('lets exactly one of two concurrent launches at a cap win, per user and in all', async () => {
      const [a, b] = await stores(2);
      const caps = { perUser: 2, global: 4 };
      await a.insert(replica(1), step(ALICE), caps);

      // alice has one slot left: two launches at once, exactly one wins
      const mine = await Promise.allSettled([
        a.insert(replica(2), step(ALICE), caps),
        b.insert(replica(3), step(ALICE), caps),
      ]);
      expect(mine.filter(r => r.status === 'fulfilled')).toHaveLength(1);
      const [refusal] = mine.filter(
        (r): r is PromiseRejectedResult => r.status === 'rejected',
      );
      expect(refusal.reason).toMatchObject({
        name: 'ConflictError',
        message:
          'You have 2 active replicas, the most allowed per user (envParity.replicas.perUserLimit); delete one or wait for one to expire',
      });
      expect(await a.countActive(ALICE)).toBe(2);

      // one slot left in all: two other users at once, exactly one wins
      await a.insert(replica(10, BOB), step(BOB), caps);
      const all = await Promise.allSettled([
        a.insert(replica(11, users(1)), step(users(1)), caps),
        b.insert(replica(12, users(2)), step(users(2)), caps),
      ]);
      expect(all.map(r => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      expect(
        all.find((r): r is PromiseRejectedResult => r.status === 'rejected')!
          .reason,
      ).toMatchObject({
        name: 'ConflictError',
        message: expect.stringMatching(
          /^There are 4 active replicas, the most allowed in all \(envParity\.replicas\.globalLimit\)/,
        ),
      });
      expect(await a.countActive()).toBe(4);
    });

    it('never exceeds the caps under many concurrent launches on several backend replicas', async () => {
      const all = await stores(4);
      const caps = { perUser: 2, global: 5 };
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, n) =>
          all[n % all.length].insert(
            replica(n, users(n % 4)),
            step(users(n % 4)),
            caps,
          ),
        ),
      );
      expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(5);
      const [store] = all;
      expect(await store.countActive()).toBe(5);
      for (let u = 0; u < 4; u++) {
        expect(await store.countActive(users(u))).toBeLessThanOrEqual(2);
      }
      // a replica that ends frees its slot
      const [one] = await store.active(1);
      await store.transition({
        from: one,
        to: 'deleted',
        step: { type: 'deleted', actor: one.requester },
        at: T0,
      });
      await expect(
        store.insert(replica(100, one.requester), step(one.requester), caps),
      ).resolves.toMatchObject({ status: 'creating' });
      await expect(
        store.insert(replica(101, users(3)), step(users(3)), caps),
      ).rejects.toMatchObject({ name: 'ConflictError' });
    });

    it('moves only from the state it was read in, along the state machine, with its timeline', async () => {
      const [store] = await stores(1);
      const caps = { perUser: 2, global: 20 };
      const created = await store.insert(
        replica(1),
        { type: 'requested', actor: ALICE, comment: 'please' },
        caps,
      );
      const at = new Date(T0.getTime() + 60_000);
      const launched = await store.transition({
        from: created,
        to: 'creating',
        set: {
          launchedAt: at,
          launch: {
            configPolicy: 'production-non-secret',
            workloads: [],
            config: [],
            endpoints: [],
          },
        },
        step: { type: 'created', actor: 'system' },
        at,
      });
      expect(launched).toMatchObject({
        status: 'creating',
        version: 2,
        launchedAt: at,
        launch: { configPolicy: 'production-non-secret' },
      });
      // a write from a stale read loses
      expect(
        await store.transition({
          from: created,
          to: 'deleted',
          step: { type: 'deleted', actor: ALICE },
          at,
        }),
      ).toBeUndefined();
      // observations survive in the row, without changing the version
      expect(
        await store.recordObservation(created.id, {
          deployment: { version: '2.3.0' },
          observedAt: at,
          checkedAt: at,
        }),
      ).toBe(true);
      const observed = await store.require(created.id);
      expect(observed).toMatchObject({
        version: 2,
        observation: {
          deployment: { version: '2.3.0' },
          observedAt: at,
          checkedAt: at,
        },
      });
      const expired = await store.transition({
        from: observed,
        to: 'expired',
        set: { endedAt: at, statusReason: 'Expired' },
        step: { type: 'expired', actor: 'system' },
        at,
      });
      expect(expired).toMatchObject({ status: 'expired', endedAt: at });
      // final: no more observations, no way back
      expect(await store.recordObservation(created.id, { checkedAt: at })).toBe(
        false,
      );
      await expect(
        store.transition({ from: expired!, to: 'ready', at }),
      ).rejects.toThrow(
        `Replica ${created.id} cannot go from expired to ready`,
      );
      expect(await store.getSteps(created.id)).toEqual([
        {
          type: 'requested',
          actor: ALICE,
          comment: 'please',
          at: T0.toISOString(),
        },
        { type: 'created', actor: 'system', at: at.toISOString() },
        { type: 'expired', actor: 'system', at: at.toISOString() },
      ]);
      expect(await store.active(10)).toEqual([]);
      expect(
        (await store.list({ entityRef: SERVICE, limit: 10 })).map(r => r.id),
      ).toEqual([created.id]);
    });
  },
);
