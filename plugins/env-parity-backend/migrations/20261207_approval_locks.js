// @ts-check

/**
 * One row per requester and feature (its key a SHA-256 of the feature's
 * table and the requester), locked while a new request or alignment checks
 * the requester's limit of open ones, so that concurrent creates on any
 * number of replicas cannot exceed it. Rows hold nothing else.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('env_parity_approval_locks', table => {
    table.comment(
      'Lock rows serializing per-requester limit checks of the approval machine',
    );
    table.string('lock_key', 64).primary().comment('SHA-256 hex');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('env_parity_approval_locks');
};
