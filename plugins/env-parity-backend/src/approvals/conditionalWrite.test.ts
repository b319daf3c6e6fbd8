import { TestDatabases } from '@backstage/backend-test-utils';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import { compareAndSet, onLatest } from './conditionalWrite';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

/** A table like any feature's requests: an id, a status and a version. */
async function requestsTable(knex: Knex) {
  await knex.schema.createTable('alignments', table => {
    table.string('id').primary();
    table.string('status').notNullable();
    table.integer('version').notNullable();
    table.index(['status']);
  });
  await knex.schema.createTable('alignment_events', table => {
    table.increments('id');
    table.string('alignment_id').notNullable();
    table.string('to_status').notNullable();
  });
  await knex('alignments').insert({
    id: 'a1',
    status: 'pending-approval',
    version: 1,
  });
}

describe.each(databases.eachSupportedId())('compareAndSet on %p', id => {
  let knex: Knex;
  beforeEach(async () => {
    knex = await databases.init(id);
    await requestsTable(knex);
  });

  const move = (
    to: string,
    expected = { status: 'pending-approval', version: 1 },
  ) =>
    compareAndSet(knex, {
      table: 'alignments',
      id: 'a1',
      expected,
      update: { status: to, version: expected.version + 1 },
      alsoWrite: async tx => {
        await tx('alignment_events').insert({
          alignment_id: 'a1',
          to_status: to,
        });
      },
    });

  it('lets exactly one of two writers from the same state win, with its event', async () => {
    const results = await Promise.all([move('dispatched'), move('denied')]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const row = await knex('alignments').where('id', 'a1').first();
    const winner = results[0] ? 'dispatched' : 'denied';
    expect(row).toMatchObject({ status: winner, version: 2 });
    expect(
      (await knex('alignment_events').select('to_status')).map(
        e => e.to_status,
      ),
    ).toEqual([winner]);
  });

  it('loses when the row moved on since it was read', async () => {
    expect(await move('dispatched')).toBe(true);
    expect(await move('denied')).toBe(false);
    expect(await move('verifying', { status: 'dispatched', version: 2 })).toBe(
      true,
    );
  });

  it('rolls the status back when the extra write fails', async () => {
    await expect(
      compareAndSet(knex, {
        table: 'alignments',
        id: 'a1',
        expected: { status: 'pending-approval', version: 1 },
        update: { status: 'dispatched', version: 2 },
        alsoWrite: async () => {
          throw new Error('event table unavailable');
        },
      }),
    ).rejects.toThrow('event table unavailable');
    expect(await knex('alignments').where('id', 'a1').first()).toMatchObject({
      status: 'pending-approval',
      version: 1,
    });
  });
});

describe('onLatest', () => {
  it('reads again after a lost race and returns the first win', async () => {
    const reads: number[] = [];
    let version = 0;
    const result = await onLatest({
      read: async () => {
        version += 1;
        reads.push(version);
        return version;
      },
      attempt: async latest => (latest >= 3 ? latest : undefined),
      name: 'Alignment a1',
    });
    expect(result).toBe(3);
    expect(reads).toEqual([1, 2, 3]);
  });

  it('gives up with a ConflictError when the request keeps changing', async () => {
    let attempts = 0;
    await expect(
      onLatest({
        read: async () => 'latest',
        attempt: async () => {
          attempts += 1;
          return undefined;
        },
        name: 'Alignment a1',
        maxRetries: 2,
      }),
    ).rejects.toEqual(
      new ConflictError('Alignment a1 is changing too often; try again'),
    );
    expect(attempts).toBe(3);
  });
});
