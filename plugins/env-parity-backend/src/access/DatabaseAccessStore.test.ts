import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import {
  AccessRequestRecord,
  DatabaseAccessStore,
} from './DatabaseAccessStore';
import { accessRecord } from './__testUtils__';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

const t = (minutes: number) =>
  new Date(Date.UTC(2026, 10, 28, 9, minutes, 0, 123));

let sequence = 0;
function request(
  fields: Partial<AccessRequestRecord> = {},
): AccessRequestRecord {
  sequence += 1;
  return accessRecord(t(0), {
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    durationMinutes: 60,
    ...fields,
  });
}

describe.each(databases.eachSupportedId())(
  'DatabaseAccessStore on %p',
  databaseId => {
    let knex: Knex;
    let store: DatabaseAccessStore;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      store = await DatabaseAccessStore.create({
        database: mockServices.database.mock({ getClient: async () => knex }),
      });
    });

    it('stores a request with its first event and reads it back', async () => {
      const stored = await store.insert(
        request({ ticket: 'INC-1', breakGlass: false }),
        {
          type: 'requested',
          actor: 'user:default/alice',
          comment: 'why',
          details: { durationMinutes: 60 },
        },
      );
      expect(stored).toMatchObject({
        entityRef: 'component:default/payments',
        status: 'pending',
        version: 1,
        ticket: 'INC-1',
        breakGlass: false,
        reviewRequired: false,
        createdAt: t(0),
        reviewDeadlineAt: t(60),
      });
      expect(stored.expiresAt).toBeUndefined();
      const events = await store.getEvents(stored.id);
      expect(events).toEqual([
        {
          id: expect.any(Number),
          requestId: stored.id,
          type: 'requested',
          actor: 'user:default/alice',
          toStatus: 'pending',
          comment: 'why',
          details: { durationMinutes: 60 },
          at: t(0).toISOString(),
        },
      ]);
    });

    it('moves only from the exact state read: the second writer loses', async () => {
      const stored = await store.insert(request(), {
        type: 'requested',
        actor: 'user:default/alice',
      });
      const approved = await store.transition({
        from: stored,
        to: 'approved',
        set: { approvals: 1, decidedAt: t(1) },
        approval: { approver: 'user:default/bob', decision: 'approve' },
        event: { type: 'approved', actor: 'user:default/bob' },
        at: t(1),
      });
      expect(approved).toMatchObject({
        status: 'approved',
        version: 2,
        approvals: 1,
        decidedAt: t(1),
        updatedAt: t(1),
      });
      // Read before bob's write: pending, version 1.
      const lost = await store.transition({
        from: stored,
        to: 'denied',
        approval: { approver: 'user:default/carol', decision: 'deny' },
        event: { type: 'denied', actor: 'user:default/carol' },
        at: t(2),
      });
      expect(lost).toBeUndefined();
      expect((await store.get(stored.id))!.status).toBe('approved');
      // Nothing of the loser's write remains: no approval, no event.
      expect(await store.getApprovals([stored.id])).toEqual([
        expect.objectContaining({
          approver: 'user:default/bob',
          decision: 'approve',
        }),
      ]);
      expect((await store.getEvents(stored.id)).map(e => e.type)).toEqual([
        'requested',
        'approved',
      ]);
    });

    it('refuses a transition the state machine does not have', async () => {
      const stored = await store.insert(request(), {
        type: 'requested',
        actor: 'user:default/alice',
      });
      const denied = await store.transition({
        from: stored,
        to: 'denied',
        event: { type: 'denied', actor: 'user:default/bob' },
        at: t(1),
      });
      await expect(
        store.transition({
          from: denied!,
          to: 'approved',
          event: { type: 'approved', actor: 'user:default/bob' },
          at: t(2),
        }),
      ).rejects.toThrow('cannot go from denied to approved');
    });

    it('records one decision per reviewer', async () => {
      const stored = await store.insert(request({ requiredApprovals: 2 }), {
        type: 'requested',
        actor: 'user:default/alice',
      });
      const once = await store.transition({
        from: stored,
        to: 'pending',
        set: { approvals: 1 },
        approval: { approver: 'user:default/bob', decision: 'approve' },
        event: { type: 'approved', actor: 'user:default/bob' },
        at: t(1),
      });
      await expect(
        store.transition({
          from: once!,
          to: 'approved',
          set: { approvals: 2 },
          approval: { approver: 'user:default/bob', decision: 'approve' },
          event: { type: 'approved', actor: 'user:default/bob' },
          at: t(2),
        }),
      ).rejects.toThrow(ConflictError);
      const after = await store.get(stored.id);
      expect(after).toMatchObject({ status: 'pending', approvals: 1 });
    });

    it('allows one open request per person, service and environment', async () => {
      const first = await store.insert(request(), {
        type: 'requested',
        actor: 'user:default/alice',
      });
      await expect(
        store.insert(request(), {
          type: 'requested',
          actor: 'user:default/alice',
        }),
      ).rejects.toThrow(/already have an open access request/);
      // Another environment, or another person, is fine.
      await store.insert(request({ environment: 'staging' }), {
        type: 'requested',
        actor: 'user:default/alice',
      });
      await store.insert(request({ requester: 'user:default/mallory' }), {
        type: 'requested',
        actor: 'user:default/mallory',
      });
      // Once final, a new one may be opened.
      await store.transition({
        from: first,
        to: 'withdrawn',
        event: { type: 'withdrawn', actor: 'user:default/alice' },
        at: t(1),
      });
      await store.insert(request(), {
        type: 'requested',
        actor: 'user:default/alice',
      });
    });

    it('finds what the sweep must act on', async () => {
      const now = t(30);
      const make = async (fields: Partial<AccessRequestRecord>) =>
        (
          await store.insert(request(fields), {
            type: 'requested',
            actor: 'user:default/alice',
          })
        ).id;
      const timedOut = await make({
        requester: 'user:default/u1',
        reviewDeadlineAt: t(29),
      });
      await make({ requester: 'user:default/u2', reviewDeadlineAt: t(31) });
      const activate = async (
        requester: string,
        expiresAt: Date,
        warnedAt?: Date,
      ) => {
        const r = await store.insert(
          request({ requester, status: 'approved' }),
          { type: 'break-glass', actor: requester },
        );
        return (await store.transition({
          from: r,
          to: 'active',
          set: { activatedAt: t(0), expiresAt, warnedAt },
          event: { type: 'granted', actor: 'system' },
          at: t(0),
        }))!;
      };
      const overdue = await activate('user:default/u3', t(30));
      const ending = await activate('user:default/u4', t(40));
      await activate('user:default/u5', t(40), t(26));
      await activate('user:default/u6', t(50));
      const stuck = await store.insert(
        request({ requester: 'user:default/u7', status: 'approved' }),
        { type: 'break-glass', actor: 'user:default/u7' },
      );
      const failed = await store.insert(
        request({ requester: 'user:default/u8', status: 'approved' }),
        { type: 'break-glass', actor: 'user:default/u8' },
      );
      await store.transition({
        from: failed,
        to: 'provisioning-failed',
        set: {
          provisioningOperation: 'grant',
          provisioningAttempts: 1,
          provisioningNextAt: t(30),
          expiresAt: t(60),
        },
        event: { type: 'provisioning-failed', actor: 'system' },
        at: t(0),
      });

      const due = await store.due({
        now,
        stuckBefore: t(25),
        warnBefore: t(45),
        limit: 100,
      });
      expect(due.timedOut.map(r => r.id)).toEqual([timedOut]);
      expect(due.overdue.map(r => r.id)).toEqual([overdue.id]);
      expect(due.stuck.map(r => r.id)).toEqual([stuck.id]);
      expect(due.retries.map(r => r.id)).toEqual([failed.id]);
      expect(due.ending.map(r => r.id)).toEqual([ending.id]);

      // Active grants never include one past its end, even before the sweep.
      expect(
        await store.activeGrants({ user: 'user:default/u3', now }),
      ).toEqual([]);
      expect(
        (await store.activeGrants({ user: 'user:default/u6', now })).map(
          r => r.expiresAt,
        ),
      ).toEqual([t(50)]);
      expect(await store.finalIds([timedOut, overdue.id, 'unknown'])).toEqual(
        new Set(),
      );
    });

    it('lists by requester, approver, status and entity, newest first', async () => {
      const a = await store.insert(request({ createdAt: t(1) }), {
        type: 'requested',
        actor: 'user:default/alice',
      });
      const b = await store.insert(
        request({
          requester: 'user:default/mallory',
          createdAt: t(2),
          approverRef: 'group:default/other',
        }),
        { type: 'requested', actor: 'user:default/mallory' },
      );
      const base = { limit: 50, offset: 0 };
      expect((await store.list(base)).map(r => r.id)).toEqual([b.id, a.id]);
      expect(
        (await store.list({ ...base, requester: 'user:default/alice' })).map(
          r => r.id,
        ),
      ).toEqual([a.id]);
      expect(
        (
          await store.list({
            ...base,
            approverRefs: ['group:default/sre'],
            awaitingReview: true,
          })
        ).map(r => r.id),
      ).toEqual([a.id]);
      expect(
        (
          await store.list({
            ...base,
            involving: {
              user: 'user:default/mallory',
              approverRefs: ['group:default/sre'],
            },
          })
        ).map(r => r.id),
      ).toEqual([b.id, a.id]);
      expect(await store.list({ ...base, statuses: ['active'] })).toEqual([]);
      expect(
        (await store.list({ ...base, limit: 1, offset: 1 })).map(r => r.id),
      ).toEqual([a.id]);
    });
  },
);
