// @ts-check

/**
 * The deployment history is deleted by age (`envParity.historyRetention`), in
 * batches of the oldest rows: the collector finds the last row of a batch in
 * `(changed_at, id)` order and deletes up to it. The index serves both the
 * lookup and the delete as range scans; the entity index from the init
 * migration starts with `entity_ref` and cannot.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('env_parity_snapshot_history', table => {
    table.index(
      ['changed_at', 'id'],
      'env_parity_snapshot_history_changed_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('env_parity_snapshot_history', table => {
    table.dropIndex(
      ['changed_at', 'id'],
      'env_parity_snapshot_history_changed_idx',
    );
  });
};
