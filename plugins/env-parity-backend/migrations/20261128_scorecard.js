// @ts-check

// As in 20261127_init.js: dateTime with millisecond precision.
const TIME = { useTz: true, precision: 3 };

/**
 * The catalog-wide drift scorecard: one row per tracked entity, kept current
 * by the collector, and one row per day and owner written by a daily task.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('env_parity_entity_reports', table => {
    table.comment(
      'Per tracked entity: the tracked environment compared with the reference, written only when it changes',
    );
    table.string('entity_ref', 255).notNullable().primary();
    table.string('kind', 63).notNullable().comment('Lowercase');
    table.string('namespace', 63).notNullable().comment('Lowercase');
    table.string('name', 255).notNullable();
    table.string('title', 255).nullable();
    table
      .string('owner', 255)
      .nullable()
      .comment('Full ref of spec.owner, lowercase, e.g. group:default/team-a');
    table
      .string('spec_owner', 255)
      .nullable()
      .comment('spec.owner as written, lowercase (HAS_SPEC rules)');
    table
      .string('system', 255)
      .nullable()
      .comment('Full ref of spec.system, lowercase');
    table
      .string('spec_system', 255)
      .nullable()
      .comment('spec.system as written, lowercase (HAS_SPEC rules)');
    table.string('lifecycle', 63).nullable().comment('Lowercase');
    table.string('spec_type', 63).nullable().comment('Lowercase');
    table
      .string('search_text', 1024)
      .notNullable()
      .comment('Lowercase name, title, ref, owner and system for free text');
    table.string('reference_environment', 100).notNullable();
    table.string('reference_version', 255).nullable();
    table.string('reference_revision', 64).nullable();
    table.string('compared_environment', 100).notNullable();
    table.string('compared_version', 255).nullable();
    table.string('compared_revision', 64).nullable();
    table
      .string('revision_status', 16)
      .nullable()
      .comment(
        'What a revision comparer said about the revision pair: identical, ahead, behind, diverged or none; null when not asked yet',
      );
    table.integer('commits_ahead').nullable();
    table.integer('commits_behind').nullable();
    table.string('verdict', 20).notNullable();
    table.integer('score').notNullable();
    table
      .dateTime('drift_since', TIME)
      .nullable()
      .comment('When the tracked environment last left in-sync; null in sync');
    table
      .boolean('observation_failed')
      .notNullable()
      .defaultTo(false)
      .comment('The latest observation of either environment failed');
    table
      .dateTime('observed_at', TIME)
      .nullable()
      .comment(
        'When both environments were observed, as of the last write; completed collection runs count as later observations',
      );
    table.dateTime('updated_at', TIME).notNullable();
    table.index(
      ['owner', 'score', 'entity_ref'],
      'env_parity_reports_owner_idx',
    );
    table.index(['score', 'entity_ref'], 'env_parity_reports_score_idx');
    table.index(['verdict', 'score'], 'env_parity_reports_verdict_idx');
    table.index(['drift_since'], 'env_parity_reports_drift_idx');
    table.index(['system'], 'env_parity_reports_system_idx');
  });

  await knex.schema.createTable('env_parity_scorecard_daily', table => {
    table.comment(
      'Daily scorecard aggregates per owner, and for the whole catalog (owner empty)',
    );
    table
      .string('day', 10)
      .notNullable()
      .comment('UTC day, YYYY-MM-DD (text: no time zone conversions)');
    table
      .string('owner', 255)
      .notNullable()
      .comment('Full owner ref, lowercase; empty for the whole catalog');
    table.integer('tracked').notNullable();
    table.integer('in_parity').notNullable();
    table.float('median_score').nullable();
    table.float('median_drift_age_days').nullable();
    table.integer('behind').notNullable();
    table.integer('tag_mismatch').notNullable();
    table.dateTime('recorded_at', TIME).notNullable();
    table.primary(['day', 'owner']);
    table.index(['owner', 'day'], 'env_parity_daily_owner_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('env_parity_scorecard_daily');
  await knex.schema.dropTable('env_parity_entity_reports');
};
