// @ts-check

/**
 * The drift notifications sent to services' owners: one row per drift (a
 * service's environment, from the time it started to differ from the
 * reference) and kind of notification. A notification is sent only after
 * its row was inserted, so no drift is notified twice of the same thing,
 * whichever replica collects it; the times of the rows let a new drift of
 * an environment notified shortly before be left unnotified (flapping).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('env_parity_drift_notifications', table => {
    table.comment(
      'Drift notifications sent to service owners, at most one per drift and kind',
    );
    table
      .string('entity_ref', 255)
      .notNullable()
      .comment('The service, e.g. component:default/payments');
    table
      .string('environment', 100)
      .notNullable()
      .comment('The environment that drifts from the reference');
    table
      .bigInteger('drift_since')
      .notNullable()
      .comment(
        'When the drift started, in milliseconds since the epoch (the scorecard row drift_since)',
      );
    table
      .string('kind', 32)
      .notNullable()
      .comment('drift-started or drift-aged');
    table
      .bigInteger('notified_at')
      .notNullable()
      .comment('When it was sent, in milliseconds since the epoch');
    table.primary(['entity_ref', 'environment', 'drift_since', 'kind']);
    table.index(
      ['entity_ref', 'environment', 'notified_at'],
      'env_parity_drift_notifications_recent_idx',
    );
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('env_parity_drift_notifications');
};
