// @ts-check

// dateTime rather than timestamp: MySQL's TIMESTAMP ends in 2038. Millisecond
// precision, as MySQL otherwise rounds to whole seconds.
const TIME = { useTz: true, precision: 3 };

/**
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('env_parity_snapshots', table => {
    table.comment(
      'The latest known deployment per entity, environment and provider',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 100).notNullable();
    table.string('provider', 100).notNullable();
    table
      .text('deployment')
      .nullable()
      .comment('JSON of the last good deployment');
    table
      .string('fingerprint', 64)
      .nullable()
      .comment('sha256 of the canonical JSON of the deployment');
    table.text('error').nullable().comment('Error of the latest observation');
    table.dateTime('last_success_at', TIME).nullable();
    table.dateTime('checked_at', TIME).notNullable();
    table
      .dateTime('changed_at', TIME)
      .nullable()
      .comment('When the deployment fingerprint last changed');
    table.primary(['entity_ref', 'environment', 'provider']);
  });

  await knex.schema.createTable('env_parity_snapshot_history', table => {
    table.comment('Every change of deployment');
    table.increments('id');
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 100).notNullable();
    table.string('provider', 100).notNullable();
    table
      .text('deployment')
      .nullable()
      .comment('JSON of the deployment, null when it disappeared');
    table.string('fingerprint', 64).nullable();
    table.dateTime('changed_at', TIME).notNullable();
    table.index(
      ['entity_ref', 'environment', 'changed_at'],
      'env_parity_snapshot_history_entity_idx',
    );
  });

  await knex.schema.createTable('env_parity_collection_runs', table => {
    table.comment('Completed collection passes over every tracked entity');
    table.increments('id');
    table.dateTime('started_at', TIME).notNullable();
    table.dateTime('finished_at', TIME).notNullable();
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('env_parity_collection_runs');
  await knex.schema.dropTable('env_parity_snapshot_history');
  await knex.schema.dropTable('env_parity_snapshots');
};
