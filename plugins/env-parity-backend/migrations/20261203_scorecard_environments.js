// @ts-check

// As in 20261127_init.js: dateTime with millisecond precision.
const TIME = { useTz: true, precision: 3 };

const OLD_REPORTS = 'env_parity_entity_reports';
const OLD_DAILY = 'env_parity_scorecard_daily';
const ROWS = 'env_parity_scorecard_rows';
const DAYS = 'env_parity_scorecard_days';

/** Columns the old and new row tables share, in order. */
const REPORT_COLUMNS = [
  'entity_ref',
  'kind',
  'namespace',
  'name',
  'title',
  'owner',
  'spec_owner',
  'system',
  'spec_system',
  'lifecycle',
  'spec_type',
  'search_text',
  'reference_environment',
  'reference_version',
  'reference_revision',
  'compared_environment',
  'compared_version',
  'compared_revision',
  'revision_status',
  'commits_ahead',
  'commits_behind',
  'verdict',
  'score',
  'drift_since',
  'observation_failed',
  'observed_at',
  'updated_at',
];

const DAILY_COLUMNS = [
  'day',
  'owner',
  'tracked',
  'in_parity',
  'median_score',
  'median_drift_age_days',
  'behind',
  'tag_mismatch',
  'recorded_at',
];

/**
 * `insert into <to> (<columns>, scope) select <columns>, <scope> from <from>`
 * with identifiers quoted by knex; the scope is a column of `from` or a value.
 *
 * @param {import('knex').Knex} knex
 * @param {{ to: string; from: string; columns: string[]; scopeColumn?: string; scope?: string }} o
 */
async function copy(knex, o) {
  const list = o.columns.map(() => '??').join(', ');
  await knex.raw(
    `insert into ?? (${list}, ??) select ${list}, ${
      o.scopeColumn ? '??' : '?'
    } from ??`,
    [
      o.to,
      ...o.columns,
      'scope',
      ...o.columns,
      o.scopeColumn ?? o.scope ?? '',
      o.from,
    ],
  );
}

/**
 * Scorecard rows per environment: one row per tracked entity and scope (a
 * non-reference environment, or `worst` for each service's worst
 * environment), and daily aggregates per scope and owner. Existing rows
 * become rows of the environment they compared; existing daily aggregates
 * become those of the environment the existing rows compared (none is
 * recorded in them; without rows they get scope '' and no longer show).
 * `worst` rows appear with the next collection.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable(ROWS, table => {
    table.comment(
      'Per tracked entity and scope (a non-reference environment, or worst): that environment compared with the reference, written only when it changes',
    );
    table.string('entity_ref', 255).notNullable();
    table
      .string('scope', 100)
      .notNullable()
      .comment(
        'The environment the row is for, or "worst" for the service\'s worst environment (then compared_environment names it)',
      );
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
      .comment('When the environment last left in-sync; null in sync');
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
    table.primary(['entity_ref', 'scope']);
    // every query reads one scope
    table.index(
      ['scope', 'owner', 'score', 'entity_ref'],
      'env_parity_sc_rows_owner_idx',
    );
    table.index(
      ['scope', 'score', 'entity_ref'],
      'env_parity_sc_rows_score_idx',
    );
    table.index(
      ['scope', 'verdict', 'score'],
      'env_parity_sc_rows_verdict_idx',
    );
    table.index(['scope', 'drift_since'], 'env_parity_sc_rows_drift_idx');
    table.index(['scope', 'system'], 'env_parity_sc_rows_system_idx');
    table.index(['scope', 'name'], 'env_parity_sc_rows_name_idx');
  });

  await knex.schema.createTable(DAYS, table => {
    table.comment(
      'Daily scorecard aggregates per scope (environment or worst) and owner, and per scope for the whole catalog (owner empty)',
    );
    table
      .string('day', 10)
      .notNullable()
      .comment('UTC day, YYYY-MM-DD (text: no time zone conversions)');
    table
      .string('scope', 100)
      .notNullable()
      .comment('The environment, or "worst"');
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
    table.primary(['day', 'scope', 'owner']);
    table.index(['scope', 'owner', 'day'], 'env_parity_sc_days_owner_idx');
  });

  await copy(knex, {
    to: ROWS,
    from: OLD_REPORTS,
    columns: REPORT_COLUMNS,
    scopeColumn: 'compared_environment',
  });
  /** @type {{ compared_environment?: string } | undefined} */
  const compared = /** @type {any} */ (
    await knex(OLD_REPORTS)
      .select('compared_environment')
      .count({ n: '*' })
      .groupBy('compared_environment')
      .orderBy('n', 'desc')
      .first()
  );
  await copy(knex, {
    to: DAYS,
    from: OLD_DAILY,
    columns: DAILY_COLUMNS,
    scope: String(compared?.compared_environment ?? ''),
  });
  await knex.schema.dropTable(OLD_DAILY);
  await knex.schema.dropTable(OLD_REPORTS);
};

/**
 * Back to one row per entity: the rows and history of one environment are
 * kept (the first by name), the rest is lost.
 *
 * @param {import('knex').Knex} knex
 */
exports.down = async function down(knex) {
  // the tables of 20261128_scorecard.js and 20261129 (no later changes)
  const scorecard = require('./20261128_scorecard.js');
  await scorecard.up(knex);
  const first = await knex(ROWS)
    .whereNot('scope', 'worst')
    .min({ scope: 'scope' })
    .first();
  const scope = first?.scope;
  if (scope) {
    const list = REPORT_COLUMNS.map(() => '??').join(', ');
    await knex.raw(
      `insert into ?? (${list}) select ${list} from ?? where ?? = ?`,
      [OLD_REPORTS, ...REPORT_COLUMNS, ...REPORT_COLUMNS, ROWS, 'scope', scope],
    );
    const daily = DAILY_COLUMNS.map(() => '??').join(', ');
    await knex.raw(
      `insert into ?? (${daily}) select ${daily} from ?? where ?? = ?`,
      [OLD_DAILY, ...DAILY_COLUMNS, ...DAILY_COLUMNS, DAYS, 'scope', scope],
    );
  }
  await knex.schema.dropTable(DAYS);
  await knex.schema.dropTable(ROWS);
};
