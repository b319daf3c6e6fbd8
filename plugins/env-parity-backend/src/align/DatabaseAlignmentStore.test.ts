import { mockServices } from '@backstage/backend-test-utils';
import { DatabaseAlignmentStore } from './DatabaseAlignmentStore';
import { AlignmentRecord } from './records';
import {
  ALICE,
  alignmentTestbed,
  BOB,
  databases,
  DIGEST,
} from './__testUtils__';

jest.setTimeout(60_000);

const T0 = new Date(Date.UTC(2026, 11, 3, 9, 0, 0));

function alignment(n: number, requester = ALICE): AlignmentRecord {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    entityRef: `component:default/service-${n}`,
    environment: 'staging',
    reference: 'production',
    target: { digest: DIGEST },
    deployer: 'webhook',
    requester,
    reason: 'Staging runs an old build',
    status: 'pending-approval',
    version: 1,
    approverRef: 'group:default/sre',
    approverSource: 'environment-owner',
    requiredApprovals: 1,
    approvals: 0,
    verifyTimeoutMs: 60_000,
    createdAt: T0,
    updatedAt: T0,
  };
}

describe.each(databases.eachSupportedId())(
  'DatabaseAlignmentStore on %p',
  databaseId => {
    const t = alignmentTestbed(databaseId, T0.getTime());

    /** `count` stores on their own connection pools, as replicas have (SQLite in memory has one). */
    async function replicas(count: number) {
      const stores: DatabaseAlignmentStore[] = [];
      for (let i = 0; i < count; i++) {
        const client = i === 0 ? t.knex : t.secondConnection();
        const database = mockServices.database.mock({
          getClient: async () => client,
        });
        stores.push(await DatabaseAlignmentStore.create({ database }));
      }
      return stores;
    }

    it('keeps the per-user limit of open alignments under concurrent requests on several replicas', async () => {
      const stores = await replicas(4);
      const step = { type: 'requested' as const, actor: ALICE };
      const results = await Promise.allSettled(
        Array.from({ length: 12 }, (_, n) =>
          stores[n % stores.length].insert(alignment(n), step, {
            maxOpenPerRequester: 3,
          }),
        ),
      );
      const refused = results.filter(
        (r): r is PromiseRejectedResult => r.status === 'rejected',
      );
      expect(refused).toHaveLength(9);
      for (const r of refused) {
        expect(r.reason).toMatchObject({
          name: 'ConflictError',
          message: expect.stringMatching(
            /^You have 3 open alignments, the most allowed \(envParity\.align\.maxOpenPerUser\)/,
          ),
        });
      }
      const [store] = stores;
      expect(await store.countOpenBy(ALICE)).toBe(3);
      // another user has a limit of their own
      await expect(
        store.insert(
          alignment(100, BOB),
          { ...step, actor: BOB },
          {
            maxOpenPerRequester: 3,
          },
        ),
      ).resolves.toMatchObject({ requester: BOB });

      // an alignment that ends makes room for one more
      const [open] = await store.list({
        requester: ALICE,
        limit: 1,
        offset: 0,
      });
      await store.transition({
        from: open,
        to: 'cancelled',
        step: { type: 'cancelled', actor: ALICE },
        at: T0,
      });
      await expect(
        store.insert(alignment(200), step, { maxOpenPerRequester: 3 }),
      ).resolves.toMatchObject({ status: 'pending-approval' });
      await expect(
        store.insert(alignment(201), step, { maxOpenPerRequester: 3 }),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      expect(await store.countOpenBy(ALICE)).toBe(3);
    });

    it('stores decisions and the timeline with each transition', async () => {
      const [store] = await replicas(1);
      const created = await store.insert(alignment(1), {
        type: 'requested',
        actor: ALICE,
        comment: 'please',
        details: { n: 1 },
      });
      const denied = await store.transition({
        from: created,
        to: 'denied',
        decision: { reviewer: BOB, decision: 'deny', comment: 'not now' },
        step: { type: 'denied', actor: BOB, comment: 'not now' },
        at: new Date(T0.getTime() + 1000),
      });
      expect(denied).toMatchObject({ status: 'denied', version: 2 });
      expect(denied!.finishedAt).toEqual(new Date(T0.getTime() + 1000));
      expect(await store.getDecisions([created.id])).toEqual([
        {
          alignmentId: created.id,
          reviewer: BOB,
          decision: 'deny',
          comment: 'not now',
          decidedAt: new Date(T0.getTime() + 1000),
        },
      ]);
      expect(await store.getSteps(created.id)).toEqual([
        {
          type: 'requested',
          actor: ALICE,
          toStatus: 'pending-approval',
          comment: 'please',
          details: { n: 1 },
          at: T0.toISOString(),
        },
        {
          type: 'denied',
          actor: BOB,
          fromStatus: 'pending-approval',
          toStatus: 'denied',
          comment: 'not now',
          at: new Date(T0.getTime() + 1000).toISOString(),
        },
      ]);
      // a transition from a stale read loses
      expect(
        await store.transition({
          from: created,
          to: 'cancelled',
          step: { type: 'cancelled', actor: ALICE },
          at: T0,
        }),
      ).toBeUndefined();
    });
  },
);
