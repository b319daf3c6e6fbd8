/* What the tests of every feature that asks for approval (alignments,
 * replicas) start from: the test databases, a fresh database and a fake
 * clock per test, another backend replica's connection pool, and the
 * plugin's services as mocks for the feature's set-up. */
import {
  mockServices,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';
import knexFactory, { Knex } from 'knex';
import { ApprovalSetupOptions } from '../deps';

export const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

/** A feature's tests' database and clock: see {@link databaseTestbed}. */
export interface DatabaseTestbed {
  knex: Knex;
  /** The fake clock, back at the start time before each test. */
  clock: { now: number };
  /** Another backend replica's connection pool to the same database (SQLite in memory has one). */
  secondConnection(): Knex;
}

/**
 * Registers the set-up and tear-down of each test of the calling
 * `describe`: a fresh `databaseId` database and a clock at `start`; other
 * replicas' pools are closed after each test. The returned object's fields
 * are filled before each test.
 */
export function databaseTestbed<T extends DatabaseTestbed = DatabaseTestbed>(
  databaseId: TestDatabaseId,
  start: number,
): T {
  const others: Knex[] = [];
  const bed = {
    clock: { now: start },
    secondConnection(): Knex {
      if (databaseId === 'SQLITE_3') {
        return bed.knex;
      }
      const other = knexFactory(bed.knex.client.config);
      others.push(other);
      return other;
    },
  } as T;
  beforeEach(async () => {
    bed.knex = await databases.init(databaseId);
    bed.clock.now = start;
  });
  afterEach(async () => {
    await Promise.all(others.splice(0).map(o => o.destroy()));
  });
  return bed;
}

/**
 * What a feature's set-up (`createAlignments`, `createReplicas`) takes
 * from the plugin: `envParity` as the config, a database on `knex`, the
 * other services as mocks (the scheduler, lifecycle and logger to assert
 * on), no catalog.
 */
export function setupMocks(
  knex: Knex,
  envParity: JsonObject,
  environments: EnvironmentDefinition[],
) {
  const scheduler = mockServices.scheduler.mock();
  const lifecycle = mockServices.lifecycle.mock();
  const logger = mockServices.logger.mock();
  return {
    config: mockServices.rootConfig({ data: { envParity } }),
    logger,
    database: mockServices.database.mock({ getClient: async () => knex }),
    scheduler,
    lifecycle,
    auth: mockServices.auth(),
    httpAuth: mockServices.httpAuth(),
    permissions: mockServices.permissions(),
    auditor: mockServices.auditor.mock(),
    catalog: {} as ApprovalSetupOptions['catalog'],
    environments: { list: async () => environments },
  } satisfies ApprovalSetupOptions;
}
