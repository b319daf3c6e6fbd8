// @ts-check

/**
 * Unknown is not bad parity: a scorecard row says why its verdict is
 * unknown, and the daily aggregates count unknown services, so that shares
 * and medians can leave them out.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('env_parity_scorecard_rows', table => {
    table
      .string('unknown_reason', 32)
      .nullable()
      .comment(
        'Why the verdict is unknown (provider-error, not-deployed, ...); null for known verdicts and rows written before',
      );
  });
  await knex.schema.alterTable('env_parity_scorecard_days', table => {
    table
      .integer('unknown')
      .notNullable()
      .defaultTo(0)
      .comment('Services with an unknown verdict, counted in tracked');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.alterTable('env_parity_scorecard_days', table => {
    table.dropColumn('unknown');
  });
  await knex.schema.alterTable('env_parity_scorecard_rows', table => {
    table.dropColumn('unknown_reason');
  });
};
