// @ts-check

// As in the init migration: dateTime with time zone and millisecond precision.
const TIME = { useTz: true, precision: 3 };

/**
 * Temporary read-only access requests, their approvals and their append-only
 * timeline.
 *
 * Every status change is one `UPDATE ... WHERE id = ? AND status = ? AND
 * version = ?`; a writer that changes no row lost a race.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('env_parity_access_requests', table => {
    table.comment('Requests for temporary read-only access to a service');
    table.string('id', 36).primary().comment('UUID');
    table.string('entity_ref', 255).notNullable();
    table.string('environment', 100).notNullable();
    table
      .string('requester', 255)
      .notNullable()
      .comment('User entity ref of the requester');
    table.text('reason').notNullable();
    table.string('ticket', 255).nullable();
    table.integer('duration_minutes').notNullable();
    table.boolean('break_glass').notNullable().defaultTo(false);
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
        'sha256 of requester, entity and environment while the request is open; null once final. Unique: one open request per person, service and environment',
      );
    table
      .string('approver_ref', 255)
      .notNullable()
      .comment('Group or user whose members approve');
    table.string('approver_source', 32).notNullable();
    table.integer('required_approvals').notNullable().defaultTo(1);
    table.integer('approvals').notNullable().defaultTo(0);
    table.string('provisioner', 100).notNullable();
    table
      .text('grant_metadata')
      .nullable()
      .comment('JSON the provisioner returned on grant');
    table.text('instructions').nullable();
    table
      .string('provisioning_operation', 16)
      .nullable()
      .comment('grant or revoke, while failing');
    table
      .string('provisioning_target', 32)
      .nullable()
      .comment('The final status a failing revoke leads to');
    table.integer('provisioning_attempts').notNullable().defaultTo(0);
    table.dateTime('provisioning_next_at', TIME).nullable();
    table.text('provisioning_error').nullable();
    table.boolean('review_required').notNullable().defaultTo(false);
    table.string('reviewed_by', 255).nullable();
    table.dateTime('reviewed_at', TIME).nullable();
    table.text('review_comment').nullable();
    table.dateTime('created_at', TIME).notNullable();
    table.dateTime('updated_at', TIME).notNullable();
    table.dateTime('review_deadline_at', TIME).notNullable();
    table.dateTime('decided_at', TIME).nullable();
    table.dateTime('activated_at', TIME).nullable();
    table.dateTime('expires_at', TIME).nullable();
    table.dateTime('warned_at', TIME).nullable();
    table.dateTime('resolved_at', TIME).nullable();
    table.unique(['open_key'], {
      indexName: 'env_parity_access_requests_open_key_uq',
    });
    table.index(['status'], 'env_parity_access_requests_status_idx');
    table.index(['requester'], 'env_parity_access_requests_requester_idx');
    table.index(
      ['entity_ref', 'environment'],
      'env_parity_access_requests_entity_idx',
    );
    table.index(['approver_ref'], 'env_parity_access_requests_approver_idx');
  });

  await knex.schema.createTable('env_parity_access_approvals', table => {
    table.comment('One decision per reviewer per request');
    table.increments('id');
    table
      .string('request_id', 36)
      .notNullable()
      .references('id')
      .inTable('env_parity_access_requests');
    table.string('approver', 255).notNullable();
    table.string('decision', 16).notNullable().comment('approve or deny');
    table.text('comment').nullable();
    table.dateTime('decided_at', TIME).notNullable();
    table.unique(['request_id', 'approver'], {
      indexName: 'env_parity_access_approvals_uq',
    });
  });

  await knex.schema.createTable('env_parity_access_events', table => {
    table.comment(
      'Append-only timeline of every access request: never updated, never deleted',
    );
    table.increments('id');
    table
      .string('request_id', 36)
      .notNullable()
      .references('id')
      .inTable('env_parity_access_requests');
    table.string('type', 32).notNullable();
    table
      .string('actor', 255)
      .notNullable()
      .comment('User entity ref, or system');
    table.string('from_status', 32).nullable();
    table.string('to_status', 32).nullable();
    table.text('comment').nullable();
    table.text('details').nullable().comment('JSON');
    table.dateTime('at', TIME).notNullable();
    table.index(['request_id'], 'env_parity_access_events_request_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('env_parity_access_events');
  await knex.schema.dropTable('env_parity_access_approvals');
  await knex.schema.dropTable('env_parity_access_requests');
};
