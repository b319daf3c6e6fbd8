// @ts-check

/**
 * The rate limit table now holds the budgets of several features (the
 * probe's, the refresh's), each with its own window length, so a limiter can
 * no longer tell from its own window which rows are old. Each row records
 * when it may be deleted (the end of the window after its own); rows written
 * before have none and are deleted as before.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('env_parity_probe_rate_limits', table => {
    table
      .bigInteger('expires_at')
      .nullable()
      .comment(
        'When the row may be deleted, in milliseconds since the epoch: the end of the window after its own',
      );
    table.index(['expires_at'], 'env_parity_probe_rate_limits_expiry_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('env_parity_probe_rate_limits', table => {
    table.dropIndex(['expires_at'], 'env_parity_probe_rate_limits_expiry_idx');
    table.dropColumn('expires_at');
  });
};
