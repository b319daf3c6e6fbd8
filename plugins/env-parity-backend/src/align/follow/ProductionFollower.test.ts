import knexFactory, { Knex } from 'knex';
import {
  ALICE,
  as,
  BOB,
  databases,
  Receiver,
  reviewer,
  startReceiver,
} from '../__testUtils__';
import {
  build,
  digestOf,
  FOLLOWER,
  MINUTE,
  rollOut,
  Running,
  setupFollowing,
} from './__testUtils__';
import { component } from '../../testUtils';

jest.setTimeout(90_000);

// Long before the collections' own (real) observation times, so that every
// observation counts as made after any alignment was dispatched.
const T0 = Date.UTC(2020, 0, 6, 9, 0, 0);
const WEB = 'component:default/checkout-web';

describe.each(databases.eachSupportedId())(
  'following production on %p',
  databaseId => {
    let knex: Knex;
    let receiver: Receiver;
    let clock: { now: number };
    let running: Running;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      receiver = await startReceiver();
      clock = { now: T0 };
      running = {
        'checkout-web': {
          production: build('checkout-web', 1),
          staging: build('checkout-web', 1),
        },
      };
    });

    afterEach(async () => {
      await receiver.close();
    });

    it('aligns staging once per production change, only after approval, verified by the next collection, never looping', async () => {
      const s = await setupFollowing({
        knex,
        receiver,
        clock,
        running,
        services: ['checkout-web'],
        follow: { environments: { staging: {} } },
      });

      // in sync: nothing to do, remembered
      await s.collect();
      expect(await s.alignments()).toHaveLength(0);

      // a new production build
      running['checkout-web'].production = build('checkout-web', 2);
      clock.now += MINUTE;
      await s.collect();
      let rows = await s.alignments();
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({
        entity_ref: WEB,
        environment: 'staging',
        status: 'pending-approval',
        requester: FOLLOWER,
        reason: `Production changed to 1.2.0 (${digestOf('checkout-web', 2)})`,
        target_digest: digestOf('checkout-web', 2),
        approver_ref: 'group:default/sre',
      });
      // no deployer call before approval, however many collections
      await s.collect();
      await s.collect();
      expect(await s.alignments()).toHaveLength(1);
      expect(receiver.calls).toHaveLength(0);

      clock.now += MINUTE;
      const approved = await s.service.approve(reviewer(BOB), rows[0].id, {});
      expect(approved.status).toBe('dispatched');
      await s.service.settled();
      expect(receiver.calls).toHaveLength(1);
      expect(JSON.parse(receiver.calls[0].body)).toMatchObject({
        entity: WEB,
        environment: 'staging',
        digest: digestOf('checkout-web', 2),
        requester: FOLLOWER,
      });
      expect(
        (await s.service.get(as(BOB, { admin: true }), rows[0].id)).status,
      ).toBe('verifying');

      // the delivery system rolls it out; the next collection verifies it
      // (no sweep is run here)
      rollOut(receiver, running);
      await s.collect();
      rows = await s.alignments();
      expect(rows.map(r => r.status)).toEqual(['aligned']);

      // staging changed, by the alignment and then by hand: no new alignment
      await s.collect();
      running['checkout-web'].staging = build('checkout-web', 9);
      await s.collect();
      expect(await s.alignments()).toHaveLength(1);

      // production changes again: followed again
      running['checkout-web'].production = build('checkout-web', 3);
      await s.collect();
      rows = await s.alignments();
      expect(rows).toHaveLength(2);
      expect(rows[1]).toMatchObject({
        status: 'pending-approval',
        target_digest: digestOf('checkout-web', 3),
      });
      expect(receiver.calls).toHaveLength(1);
    });

    it('follows a change once even when its alignment is denied, and a refresh of one service follows too', async () => {
      const s = await setupFollowing({
        knex,
        receiver,
        clock,
        running,
        services: ['checkout-web'],
        follow: { environments: { staging: {} } },
      });
      await s.collect();
      running['checkout-web'].production = build('checkout-web', 2);
      // a refresh (one entity) is a collection too
      await s.collector.collectEntity(component('checkout-web'));
      await s.service.settled();
      let rows = await s.alignments();
      expect(rows).toHaveLength(1);
      await s.service.deny(reviewer(BOB), rows[0].id, {
        comment: 'Not during the sale',
      });
      await s.collect();
      await s.collect();
      rows = await s.alignments();
      expect(rows.map(r => r.status)).toEqual(['denied']);
      expect(receiver.calls).toHaveLength(0);
    });

    it('creates at most maxPerCollection alignments per collection; the rest wait for the next one, logged', async () => {
      const names = ['a-svc', 'b-svc', 'c-svc', 'd-svc', 'e-svc'];
      for (const name of names) {
        running[name] = { production: build(name, 2), staging: build(name, 1) };
      }
      const s = await setupFollowing({
        knex,
        receiver,
        clock,
        running,
        services: names,
        follow: { maxPerCollection: 2, environments: { staging: {} } },
        // without approval: each one is a deployer call at once
        policy: { approval: undefined },
      });
      await s.collect();
      expect(await s.alignments()).toHaveLength(2);
      expect(receiver.calls).toHaveLength(2);
      expect(
        s.lines.filter(l =>
          l.includes('3 environments wait for the next collection'),
        ),
      ).toHaveLength(1);
      await s.collect();
      expect(await s.alignments()).toHaveLength(4);
      await s.collect();
      expect(await s.alignments()).toHaveLength(5);
      await s.collect();
      expect(await s.alignments()).toHaveLength(5);
      expect(receiver.calls).toHaveLength(5);
      // each deployed production's build of its own service
      expect(receiver.calls.map(c => JSON.parse(c.body).digest).sort()).toEqual(
        names.map(n => digestOf(n, 2)).sort(),
      );
    });

    it('is off with enabled: false, and only follows the listed services', async () => {
      running.orders = {
        production: build('orders', 2),
        staging: build('orders', 1),
      };
      running['checkout-web'].production = build('checkout-web', 2);
      const off = await setupFollowing({
        knex,
        receiver,
        clock,
        running,
        services: ['checkout-web', 'orders'],
        follow: { enabled: false, environments: { staging: {} } },
      });
      await off.collect();
      await off.collect();
      expect(await off.alignments()).toHaveLength(0);
      expect(await knex('env_parity_align_follow').select()).toHaveLength(0);

      const listed = await setupFollowing({
        knex,
        receiver,
        clock,
        running,
        services: ['checkout-web', 'orders'],
        follow: { environments: { staging: { entities: ['orders'] } } },
      });
      await listed.collect();
      const rows = await listed.alignments();
      expect(rows.map(r => r.entity_ref)).toEqual(['component:default/orders']);
      expect(receiver.calls).toHaveLength(0);
    });

    it('follows the first observation too, waits for an open alignment to end, then follows what production runs then', async () => {
      running['checkout-web'].staging = build('checkout-web', 0);
      const s = await setupFollowing({
        knex,
        receiver,
        clock,
        running,
        services: ['checkout-web'],
        follow: { environments: { staging: {} } },
      });
      await s.collect();
      const [first] = await s.alignments();
      expect(first).toMatchObject({
        requester: FOLLOWER,
        target_digest: digestOf('checkout-web', 1),
      });
      await s.service.deny(reviewer(BOB), first.id, { comment: 'Not now' });
      // (later, so that the alignments' order by creation is certain)
      clock.now += MINUTE;
      // Alice asks to align staging (with build 1, as last collected)
      const asked = await s.service.create(as(ALICE), {
        entityRef: WEB,
        environment: 'staging',
        reason: 'Reproduce the checkout bug on this build',
      });

      running['checkout-web'].production = build('checkout-web', 2);
      await s.collect();
      // Alice's alignment is open: the follower waits
      expect((await s.alignments()).map(r => r.requester)).toEqual([
        FOLLOWER,
        ALICE,
      ]);
      await s.service.cancel(as(ALICE), asked.id, {
        comment: 'Not needed after all',
      });
      clock.now += MINUTE;
      await s.collect();
      const rows = await s.alignments();
      expect(rows.map(r => [r.requester, r.status])).toEqual([
        [FOLLOWER, 'denied'],
        [ALICE, 'cancelled'],
        [FOLLOWER, 'pending-approval'],
      ]);
      expect(rows[2].target_digest).toBe(digestOf('checkout-web', 2));
      const [followed] = await knex('env_parity_align_follow').select();
      expect(followed).toMatchObject({
        entity_ref: WEB,
        environment: 'staging',
        target_key: digestOf('checkout-web', 2),
        outcome: 'created',
        alignment_id: rows[2].id,
      });
      // the injected clock
      expect(new Date(followed.followed_at).getTime()).toBe(clock.now);
      expect(receiver.calls).toHaveLength(0);
    });

    it('remembers a refusal and does not ask again until production changes', async () => {
      const s = await setupFollowing({
        knex,
        receiver,
        clock,
        running,
        services: ['checkout-web'],
        follow: { environments: { staging: {} } },
        // longer than the follower's reason: every request is refused
        align: { minReasonLength: 200 },
      });
      running['checkout-web'].production = build('checkout-web', 2);
      await s.collect();
      await s.collect();
      expect(await s.alignments()).toHaveLength(0);
      const refusals = () => s.lines.filter(l => l.includes('was refused'));
      expect(refusals()).toHaveLength(1);
      expect(await knex('env_parity_align_follow').select()).toEqual([
        expect.objectContaining({
          outcome: 'refused',
          detail: 'reason must be at least 200 characters',
        }),
      ]);
      running['checkout-web'].production = build('checkout-web', 3);
      await s.collect();
      expect(refusals()).toHaveLength(2);
    });

    it('is not held back by maxOpenPerUser: the follower has its own cap', async () => {
      const names = Array.from({ length: 12 }, (_, i) => `svc-${i}`);
      for (const name of names) {
        running[name] = { production: build(name, 2), staging: build(name, 1) };
      }
      const s = await setupFollowing({
        knex,
        receiver,
        clock,
        running,
        services: names,
        follow: { maxPerCollection: 50, environments: { staging: {} } },
      });
      await s.collect();
      // maxOpenPerUser is 10; twelve are pending approval
      expect(await s.alignments()).toHaveLength(12);
    });

    it('creates one alignment when two replicas collect the same change at once', async () => {
      const other =
        databaseId === 'SQLITE_3' ? knex : knexFactory(knex.client.config);
      try {
        const options = {
          receiver,
          clock,
          running,
          services: ['checkout-web'],
          follow: { environments: { staging: {} } },
        };
        const a = await setupFollowing({ ...options, knex });
        const b = await setupFollowing({ ...options, knex: other });
        await a.collect();
        running['checkout-web'].production = build('checkout-web', 2);
        await Promise.all([a.collect(), b.collect(), a.collect()]);
        await Promise.all([a.collect(), b.collect()]);
        const rows = await a.alignments();
        expect(rows).toHaveLength(1);
        expect(rows[0].target_digest).toBe(digestOf('checkout-web', 2));
        expect(receiver.calls).toHaveLength(0);
      } finally {
        if (other !== knex) {
          await other.destroy();
        }
      }
    });
  },
);
