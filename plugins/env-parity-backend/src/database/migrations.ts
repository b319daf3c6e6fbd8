import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@env-parity/plugin-env-parity-backend',
  'migrations',
);

// one run per client: the snapshot, access and probe stores share a client
const applied = new WeakMap<Knex, Promise<void>>();

/**
 * The plugin's database client with its migrations applied, unless the
 * database service or the caller says to skip them. Every store creates
 * itself through this, and the migrations run once per client.
 */
export async function migratedClient(
  database: DatabaseService,
  skipMigrations?: boolean,
): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip && !skipMigrations) {
    let done = applied.get(client);
    if (!done) {
      done = client.migrate
        .latest({ directory: migrationsDir })
        .then(() => undefined);
      // a failed run is not remembered: the next store tries again
      done.catch(() => applied.delete(client));
      applied.set(client, done);
    }
    await done;
  }
  return client;
}
