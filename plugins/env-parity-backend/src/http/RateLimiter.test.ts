import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import { DatabaseRateLimiter } from './RateLimiter';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

const TABLE = 'env_parity_probe_rate_limits';
const MINUTE = 60_000;
/** 2026-01-01T10:00:00Z, the start of a one-minute window. */
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);

describe.each(databases.eachSupportedId())(
  'DatabaseRateLimiter on %p',
  databaseId => {
    let knex: Knex;
    let now: number;
    const others: Knex[] = [];

    /** A limiter as one replica would create it, on the test database. */
    function replica(
      options: {
        requests?: number;
        windowMs?: number;
        db?: Knex;
        scope?: string;
      } = {},
    ) {
      const { db = knex, ...limits } = options;
      return DatabaseRateLimiter.create({
        database: mockServices.database.mock({ getClient: async () => db }),
        requests: 2,
        windowMs: MINUTE,
        now: () => now,
        ...limits,
      });
    }

    /**
     * A second connection pool to the same database, as another replica
     * has; SQLite in memory has only the one.
     */
    function secondConnection(): Knex {
      if (databaseId === 'SQLITE_3') {
        return knex;
      }
      const other = knexFactory(knex.client.config);
      others.push(other);
      return other;
    }

    async function rows() {
      const all = await knex(TABLE)
        .select('user_ref', 'window_start', 'requests')
        .orderBy(['user_ref', 'window_start']);
      return all.map(r => ({
        user: r.user_ref,
        window: Number(r.window_start),
        requests: Number(r.requests),
      }));
    }

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      now = T0;
    });

    afterEach(async () => {
      await Promise.all(others.splice(0).map(o => o.destroy()));
    });

    it('allows the limit per user, then tells when the window ends', async () => {
      const limiter = await replica();
      now = T0 + 5_000;
      await expect(limiter.take('user:default/alice')).resolves.toEqual({
        allowed: true,
      });
      now = T0 + 15_000;
      await expect(limiter.take('user:default/alice')).resolves.toEqual({
        allowed: true,
      });
      now = T0 + 20_000;
      await expect(limiter.take('user:default/alice')).resolves.toEqual({
        allowed: false,
        retryAfterMs: 40_000,
      });
      // refused requests are not counted
      now = T0 + 59_999;
      await expect(limiter.take('user:default/alice')).resolves.toEqual({
        allowed: false,
        retryAfterMs: 1,
      });
      // another user has a limit of their own
      await expect(limiter.take('user:default/bob')).resolves.toEqual({
        allowed: true,
      });
      expect(await rows()).toEqual([
        { user: 'user:default/alice', window: T0, requests: 2 },
        { user: 'user:default/bob', window: T0, requests: 1 },
      ]);
    });

    it('allows again in the next window', async () => {
      const limiter = await replica({ requests: 1 });
      await expect(limiter.take('user:default/alice')).resolves.toEqual({
        allowed: true,
      });
      await expect(limiter.take('user:default/alice')).resolves.toMatchObject({
        allowed: false,
      });
      now = T0 + MINUTE;
      await expect(limiter.take('user:default/alice')).resolves.toEqual({
        allowed: true,
      });
      await expect(limiter.take('user:default/alice')).resolves.toEqual({
        allowed: false,
        retryAfterMs: MINUTE,
      });
    });

    it('shares the count between replicas on one database', async () => {
      const a = await replica({ requests: 3 });
      const b = await replica({ requests: 3, db: secondConnection() });
      now = T0 + 30_000;
      await expect(a.take('user:default/alice')).resolves.toEqual({
        allowed: true,
      });
      await expect(b.take('user:default/alice')).resolves.toEqual({
        allowed: true,
      });
      await expect(a.take('user:default/alice')).resolves.toEqual({
        allowed: true,
      });
      // the limit of 3 is spent on both
      await expect(b.take('user:default/alice')).resolves.toEqual({
        allowed: false,
        retryAfterMs: 30_000,
      });
      await expect(a.take('user:default/alice')).resolves.toEqual({
        allowed: false,
        retryAfterMs: 30_000,
      });
      now = T0 + MINUTE;
      await expect(b.take('user:default/alice')).resolves.toEqual({
        allowed: true,
      });
    });

    it('lets exactly the limit through when requests race', async () => {
      const a = await replica({ requests: 5 });
      const b = await replica({ requests: 5, db: secondConnection() });
      // 20 at once, on two replicas, all in a window with no row yet
      const decisions = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).take('user:default/alice'),
        ),
      );
      expect(decisions.filter(d => d.allowed)).toHaveLength(5);
      expect(decisions.filter(d => !d.allowed)).toHaveLength(15);
      expect(await rows()).toEqual([
        { user: 'user:default/alice', window: T0, requests: 5 },
      ]);

      // and again with the row already there
      now = T0 + MINUTE;
      await a.take('user:default/alice');
      const more = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).take('user:default/alice'),
        ),
      );
      expect(more.filter(d => d.allowed)).toHaveLength(4);
    });

    it('deletes rows of windows older than the previous one', async () => {
      const limiter = await replica();
      for (const user of ['a', 'b', 'c']) {
        await limiter.take(`user:default/${user}`);
      }
      now = T0 + MINUTE;
      await limiter.take('user:default/a');
      now = T0 + 2 * MINUTE + 1;
      // another replica's row in this window stays too
      await knex(TABLE).insert({
        user_ref: 'user:default/z',
        window_start: T0 + 2 * MINUTE,
        requests: 1,
      });
      await limiter.take('user:default/b');
      expect(await rows()).toEqual([
        { user: 'user:default/a', window: T0 + MINUTE, requests: 1 },
        { user: 'user:default/b', window: T0 + 2 * MINUTE, requests: 1 },
        { user: 'user:default/z', window: T0 + 2 * MINUTE, requests: 1 },
      ]);
    });

    it('deletes a backlog of old rows in bounded batches', async () => {
      const batched = await DatabaseRateLimiter.create({
        database: mockServices.database.mock({ getClient: async () => knex }),
        requests: 100,
        windowMs: MINUTE,
        now: () => now,
        sweepLimit: 2,
      });
      await knex(TABLE).insert(
        Array.from({ length: 5 }, (_, i) => ({
          user_ref: `user:default/old-${i}`,
          window_start: T0 - 10 * MINUTE,
          requests: 1,
        })),
      );
      const old = async () =>
        (await rows()).filter(r => r.user.includes('old')).length;
      await batched.take('user:default/alice');
      expect(await old()).toBe(3);
      await batched.take('user:default/alice');
      expect(await old()).toBe(1);
      await batched.take('user:default/alice');
      expect(await old()).toBe(0);
      // nothing left: no more sweeps until the next window
      await knex(TABLE).insert({
        user_ref: 'user:default/old-late',
        window_start: T0 - 10 * MINUTE,
        requests: 1,
      });
      await batched.take('user:default/alice');
      expect(await old()).toBe(1);
      now = T0 + MINUTE;
      await batched.take('user:default/alice');
      expect(await old()).toBe(0);
    });

    it('counts user refs longer than the column by their hash', async () => {
      const limiter = await replica({ requests: 1 });
      const long = `user:default/${'x'.repeat(300)}`;
      const longer = `${long}y`;
      await expect(limiter.take(long)).resolves.toEqual({ allowed: true });
      await expect(limiter.take(long)).resolves.toMatchObject({
        allowed: false,
      });
      await expect(limiter.take(longer)).resolves.toEqual({ allowed: true });
      expect((await rows()).map(r => r.user)).toEqual([
        expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      ]);
    });

    it('counts the budgets of different scopes apart', async () => {
      const probe = await replica({ requests: 1 });
      const refresh = await replica({ requests: 1, scope: 'refresh' });
      expect(await probe.take('user:default/alice')).toEqual({
        allowed: true,
      });
      expect(await refresh.take('user:default/alice')).toEqual({
        allowed: true,
      });
      expect((await probe.take('user:default/alice')).allowed).toBe(false);
      expect((await refresh.take('user:default/alice')).allowed).toBe(false);
      // the probe's rows are stored as they always were
      expect((await rows()).map(r => r.user)).toEqual([
        'refresh:user:default/alice',
        'user:default/alice',
      ]);
    });

    it("never deletes the rows of a longer window's scope that are still current", async () => {
      const hourly = await replica({
        requests: 1,
        windowMs: 60 * MINUTE,
        scope: 'refresh',
      });
      const minutely = await replica({ requests: 5 });
      expect((await hourly.take('user:default/alice')).allowed).toBe(true);
      // ten minutes later, in the same hour: the minute limiter sweeps
      now += 10 * MINUTE;
      expect((await minutely.take('user:default/bob')).allowed).toBe(true);
      expect((await hourly.take('user:default/alice')).allowed).toBe(false);
      // two hours later the hour's row is old for anyone
      now += 120 * MINUTE;
      expect((await minutely.take('user:default/bob')).allowed).toBe(true);
      expect((await rows()).map(r => r.user)).toEqual(['user:default/bob']);
    });
  },
);
