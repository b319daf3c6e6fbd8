// @ts-check

// As in the init migration: dateTime with time zone and millisecond precision.
const TIME = { useTz: true, precision: 3 };

/**
 * Following production (`envParity.align.follow`): per service and
 * environment, the production target (artifact digest, or revision where no
 * digest is known) that was last followed, so that each production change
 * is followed once, whatever happened to the alignment it created.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('env_parity_align_follow', table => {
    table.comment(
      'The production target last followed per service and environment',
    );
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 100).notNullable();
    table
      .string('target_key', 300)
      .notNullable()
      .comment('Production artifact digest, or revision:<sha> without one');
    table.text('target').notNullable().comment('JSON AlignmentTarget');
    table
      .string('outcome', 32)
      .notNullable()
      .comment('created, in-sync or refused');
    table
      .string('alignment_id', 36)
      .nullable()
      .comment('The alignment created, when one was');
    table.text('detail').nullable().comment('Why it was refused');
    table.dateTime('followed_at', TIME).notNullable();
    table.primary(['entity_ref', 'environment'], 'env_parity_align_follow_pk');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('env_parity_align_follow');
};
