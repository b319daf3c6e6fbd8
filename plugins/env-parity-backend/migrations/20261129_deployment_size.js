// @ts-check

/**
 * Deployments observed in clusters carry workloads and configuration
 * fingerprints, which can outgrow MySQL's TEXT (64 KiB). MEDIUMTEXT holds
 * 16 MiB; PostgreSQL's and SQLite's text have no such limit.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  if (!knex.client.config.client.includes('mysql')) {
    return;
  }
  for (const name of ['env_parity_snapshots', 'env_parity_snapshot_history']) {
    await knex.schema.alterTable(name, table => {
      table.text('deployment', 'mediumtext').nullable().alter();
    });
  }
};

/**
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  if (!knex.client.config.client.includes('mysql')) {
    return;
  }
  for (const name of ['env_parity_snapshots', 'env_parity_snapshot_history']) {
    await knex.schema.alterTable(name, table => {
      table.text('deployment').nullable().alter();
    });
  }
};
