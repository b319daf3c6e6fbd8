// @ts-check

// As in the init migration: dateTime with time zone and millisecond precision.
const TIME = { useTz: true, precision: 3 };

/**
 * Production replicas (a private, expiring copy of what production runs, in
 * a sandbox) and their append-only timeline.
 *
 * Every status change is one `UPDATE ... WHERE id = ? AND status = ? AND
 * version = ?`; a writer that changes no row lost a race. The driver is
 * asked to launch only by the writer of the row's insert, which checked the
 * per-user and global caps of active replicas behind the lock rows of
 * `env_parity_approval_locks` (one per requester, one for everyone).
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('env_parity_replicas', table => {
    table.comment('Production replicas launched in a sandbox');
    table.string('id', 36).primary().comment('UUID');
    table.string('entity_ref', 255).notNullable();
    table
      .string('environment', 100)
      .notNullable()
      .comment('Its environment name in the parity report, replica-<8 hex>');
    table.string('requester', 255).notNullable();
    table.text('reason').notNullable();
    table
      .string('status', 32)
      .notNullable()
      .comment('creating, ready, failed, expired or deleted');
    table
      .integer('version')
      .notNullable()
      .defaultTo(1)
      .comment('Increased by every write; compared by every write');
    table
      .text('status_reason')
      .nullable()
      .comment('Why it failed, or who deleted it');
    table.string('driver', 100).notNullable();
    table.string('cluster', 255).notNullable().comment('The sandbox');
    table.string('namespace', 63).notNullable();
    table.string('override_workload', 255).nullable();
    table.text('override_image').nullable();
    table
      .text('launch_result')
      .nullable()
      .comment(
        'JSON: what the driver created (config policy, workloads, key names and their sources, endpoints, role binding); never a value',
      );
    table
      .text('observation')
      .nullable()
      .comment('JSON: the deployment the driver last observed running there');
    table.text('observation_error').nullable();
    table.dateTime('observed_at', TIME).nullable();
    table.dateTime('checked_at', TIME).nullable();
    table
      .dateTime('expiry_notice_for', TIME)
      .nullable()
      .comment('The expiry its requester was last warned of');
    table.dateTime('created_at', TIME).notNullable();
    table.dateTime('updated_at', TIME).notNullable();
    table
      .dateTime('launched_at', TIME)
      .nullable()
      .comment('When the driver finished creating it');
    table.dateTime('ready_at', TIME).nullable();
    table.dateTime('expires_at', TIME).notNullable();
    table.dateTime('ended_at', TIME).nullable();
    table.index(['status'], 'env_parity_replicas_status_idx');
    table.index(['requester'], 'env_parity_replicas_requester_idx');
    table.index(['entity_ref'], 'env_parity_replicas_entity_idx');
  });

  await knex.schema.createTable('env_parity_replica_steps', table => {
    table.comment(
      'Append-only timeline of every replica: never updated, never deleted',
    );
    table.increments('id');
    table
      .string('replica_id', 36)
      .notNullable()
      .references('id')
      .inTable('env_parity_replicas');
    table.string('type', 32).notNullable();
    table
      .string('actor', 255)
      .notNullable()
      .comment('User entity ref, or system');
    table.string('from_status', 32).nullable();
    table.string('to_status', 32).notNullable();
    table.text('comment').nullable();
    table.dateTime('at', TIME).notNullable();
    table.index(['replica_id'], 'env_parity_replica_steps_replica_idx');
  });
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  await knex.schema.dropTable('env_parity_replica_steps');
  await knex.schema.dropTable('env_parity_replicas');
};
