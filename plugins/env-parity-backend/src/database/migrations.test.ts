import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { migratedClient } from './migrations';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** Counts the statements that touch knex's migration bookkeeping. */
function countMigrationQueries(knex: Knex) {
  let count = 0;
  knex.on('query', (query: { sql: string }) => {
    if (query.sql.includes('knex_migrations')) {
      count++;
    }
  });
  return () => count;
}

describe('migratedClient', () => {
  it('applies the migrations once per client, whichever store asks first', async () => {
    const knex = await databases.init('SQLITE_3');
    const migrationQueries = countMigrationQueries(knex);
    const database = mockServices.database.mock({
      getClient: async () => knex,
    });

    const clients = await Promise.all([
      migratedClient(database),
      migratedClient(database),
    ]);
    expect(clients.every(c => c === knex)).toBe(true);
    expect(await knex.schema.hasTable('env_parity_snapshots')).toBe(true);
    expect(await knex.schema.hasTable('env_parity_probe_rate_limits')).toBe(
      true,
    );
    const afterFirst = migrationQueries();
    expect(afterFirst).toBeGreaterThan(0);

    await migratedClient(database);
    expect(migrationQueries()).toBe(afterFirst);
  });

  it('skips them when told to', async () => {
    const knex = await databases.init('SQLITE_3');
    const migrationQueries = countMigrationQueries(knex);

    await migratedClient(
      mockServices.database.mock({ getClient: async () => knex }),
      true,
    );
    await migratedClient(
      mockServices.database.mock({
        getClient: async () => knex,
        migrations: { skip: true },
      }),
    );
    expect(migrationQueries()).toBe(0);
    expect(await knex.schema.hasTable('env_parity_snapshots')).toBe(false);
  });
});
