// @ts-check

/**
 * The weekly drift digests sent to teams: one row per recipient with the
 * time of its latest digest. A digest is sent only after its recipient's
 * row was inserted or moved forward by a conditional update (its time at
 * least the minimum gap old), so a team gets one digest per period,
 * whichever replica runs the digest task and however often.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('env_parity_notify_digests', table => {
    table.comment('Drift digests sent, the latest one per recipient');
    table
      .string('recipient', 255)
      .notNullable()
      .comment('The team told, e.g. group:default/payments-team');
    table
      .bigInteger('sent_at')
      .notNullable()
      .comment(
        'When its latest digest was claimed, in milliseconds since the epoch',
      );
    table
      .integer('services')
      .notNullable()
      .comment('How many drifting services that digest listed');
    table.primary(['recipient']);
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('env_parity_notify_digests');
};
