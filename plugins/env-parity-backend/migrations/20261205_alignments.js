// @ts-check

// As in the init migration: dateTime with time zone and millisecond precision.
const TIME = { useTz: true, precision: 3 };

/**
 * Alignments (deploying production's artifact to another environment),
 * their reviewers' decisions and their append-only timeline.
 *
 * Every status change is one `UPDATE ... WHERE id = ? AND status = ? AND
 * version = ?`; a writer that changes no row lost a race. The deployer is
 * called only by the writer that moved an alignment to `dispatched`.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('env_parity_alignments', table => {
    table.comment('Requests to align an environment with production');
    table.string('id', 36).primary().comment('UUID; the idempotency key');
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 100).notNullable();
    table.string('reference', 100).notNullable();
    table.string('target_version', 255).nullable();
    table.string('target_revision', 255).nullable();
    table.text('target_artifact').nullable();
    table.string('target_digest', 100).nullable();
    table.string('deployer', 100).notNullable();
    table.string('requester', 255).notNullable();
    table.text('reason').notNullable();
    table.string('status', 32).notNullable();
    table
      .integer('version')
      .notNullable()
      .defaultTo(1)
      .comment('Increased by every write; compared by every write');
    table
      .string('open_key', 64)
      .nullable()
      .comment(
        'sha256 of entity and environment while open; null once final. Unique: one open alignment per service and environment',
      );
    table
      .string('approver_ref', 255)
      .nullable()
      .comment('Group or user whose members approve; null: no approval');
    table.string('approver_source', 32).nullable();
    table.integer('required_approvals').notNullable().defaultTo(1);
    table.integer('approvals').notNullable().defaultTo(0);
    table.integer('verify_timeout_ms').notNullable();
    table.string('deployer_reference', 500).nullable();
    table.text('deployer_message').nullable();
    table.text('failure_reason').nullable();
    table.dateTime('created_at', TIME).notNullable();
    table.dateTime('updated_at', TIME).notNullable();
    table.dateTime('dispatched_at', TIME).nullable();
    table.dateTime('verify_deadline_at', TIME).nullable();
    table.dateTime('finished_at', TIME).nullable();
    table.unique(['open_key'], {
      indexName: 'env_parity_alignments_open_key_uq',
    });
    table.index(['status'], 'env_parity_alignments_status_idx');
    table.index(['requester'], 'env_parity_alignments_requester_idx');
    table.index(
      ['entity_ref', 'environment'],
      'env_parity_alignments_entity_idx',
    );
    table.index(['approver_ref'], 'env_parity_alignments_approver_idx');
  });

  await knex.schema.createTable('env_parity_alignment_decisions', table => {
    table.comment('One decision per reviewer per alignment');
    table.increments('id');
    table
      .string('alignment_id', 36)
      .notNullable()
      .references('id')
      .inTable('env_parity_alignments');
    table.string('reviewer', 255).notNullable();
    table.string('decision', 16).notNullable().comment('approve or deny');
    table.text('comment').nullable();
    table.dateTime('decided_at', TIME).notNullable();
    table.unique(['alignment_id', 'reviewer'], {
      indexName: 'env_parity_alignment_decisions_uq',
    });
  });

  await knex.schema.createTable('env_parity_alignment_steps', table => {
    table.comment(
      'Append-only timeline of every alignment: never updated, never deleted',
    );
    table.increments('id');
    table
      .string('alignment_id', 36)
      .notNullable()
      .references('id')
      .inTable('env_parity_alignments');
    table.string('type', 32).notNullable();
    table
      .string('actor', 255)
      .notNullable()
      .comment('User entity ref, or system');
    table.string('from_status', 32).nullable();
    table.string('to_status', 32).notNullable();
    table.text('comment').nullable();
    table.text('details').nullable().comment('JSON');
    table.dateTime('at', TIME).notNullable();
    table.index(['alignment_id'], 'env_parity_alignment_steps_alignment_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('env_parity_alignment_steps');
  await knex.schema.dropTable('env_parity_alignment_decisions');
  await knex.schema.dropTable('env_parity_alignments');
};
