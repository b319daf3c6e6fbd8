// @ts-check

/**
 * The per-user rate limit of the endpoint probe, shared by every backend
 * replica: one row per user and fixed window, counting the probes let
 * through. A probe is counted by one conditional
 * `UPDATE ... SET requests = requests + 1 WHERE ... AND requests < limit`,
 * so concurrent replicas never let more than the limit through.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('env_parity_probe_rate_limits', table => {
    table.comment(
      'Probes let through per user and fixed rate limit window; windows older than the previous one are deleted',
    );
    table
      .string('user_ref', 255)
      .notNullable()
      .comment(
        'User entity ref of the caller (sha256 of it when longer than 255 characters)',
      );
    table
      .bigInteger('window_start')
      .notNullable()
      .comment(
        'Start of the window in milliseconds since the epoch, a multiple of the window length (a number: no time zone or precision conversions)',
      );
    table
      .integer('requests')
      .notNullable()
      .defaultTo(0)
      .comment('Probes let through in this window; never above the limit');
    table.primary(['user_ref', 'window_start']);
    table.index(['window_start'], 'env_parity_probe_rate_limits_window_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('env_parity_probe_rate_limits');
};
