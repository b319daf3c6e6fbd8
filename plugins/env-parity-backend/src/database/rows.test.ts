import { TestDatabases } from '@backstage/backend-test-utils';
import { chunks, isRolledBackRace, optional, toDate } from './rows';

describe('chunks', () => {
  it.each([
    { items: [], size: 2, expected: [] },
    { items: [1], size: 2, expected: [[1]] },
    { items: [1, 2], size: 2, expected: [[1, 2]] },
    { items: [1, 2, 3, 4, 5], size: 2, expected: [[1, 2], [3, 4], [5]] },
  ])('splits $items in slices of $size', ({ items, size, expected }) => {
    expect(chunks(items, size)).toEqual(expected);
  });

  it('slices at 500 by default', () => {
    const slices = chunks(Array.from({ length: 1001 }, (_, i) => i));
    expect(slices.map(s => s.length)).toEqual([500, 500, 1]);
  });

  it.each([0, -1, 1.5, NaN])('refuses a size of %p', size => {
    expect(() => chunks([1], size)).toThrow(/whole number above 0/);
  });
});

describe('optional', () => {
  it.each([
    { value: null, expected: undefined },
    { value: undefined, expected: undefined },
    { value: '', expected: '' },
    { value: 0, expected: 0 },
    { value: false, expected: false },
  ])('reads $value as $expected', ({ value, expected }) => {
    expect(optional(value)).toBe(expected);
  });
});

describe('toDate', () => {
  const at = new Date('2026-11-28T10:00:00.000Z');
  it.each([
    { value: null, expected: undefined },
    { value: undefined, expected: undefined },
    { value: at, expected: at },
    { value: at.getTime(), expected: at },
    { value: at.toISOString(), expected: at },
  ])('reads $value', ({ value, expected }) => {
    expect(toDate(value)).toEqual(expected);
  });

  const databases = TestDatabases.create({
    ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
  });

  it.each(databases.eachSupportedId())(
    'reads back the time a row holds on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      await knex.schema.createTable('times', table => {
        table.increments('id');
        table.timestamp('at', { precision: 3 }).notNullable();
      });
      await knex('times').insert({ at });
      const row = await knex('times').first();
      expect(toDate(row.at)).toEqual(at);
    },
  );
});

describe('isRolledBackRace', () => {
  it.each([
    [{ code: 'ER_LOCK_DEADLOCK' }, true],
    [{ errno: 1213 }, true],
    [{ errno: 1205 }, true],
    [{ code: '40P01' }, true],
    [{ code: '40001' }, true],
    [{ code: 'SQLITE_BUSY' }, true],
    [{ code: '23505' }, false],
    [new Error('boom'), false],
    [undefined, false],
  ])('%p is a lost race: %p', (error, expected) => {
    expect(isRolledBackRace(error)).toBe(expected);
  });
});
