import { ScorecardRow } from '@env-parity/plugin-env-parity-common';

/**
 * Text a spreadsheet may run as a formula: starting with a tab, CR or LF, or
 * with `=`, `+`, `-`, `@` or their full-width forms (`＝＋－＠`, which some
 * spreadsheets fold to ASCII) after any leading spaces, including no-break,
 * ideographic and zero-width ones (spreadsheets trim those before parsing).
 */
const FORMULA_LIKE =
  /^[\t\r\n]|^[\s\u200b\u180e]*[=+\-@\uff1d\uff0b\uff0d\uff20]/;

/**
 * One CSV field, RFC 4180: quoted when it holds a quote, comma, CR or LF,
 * with quotes doubled. Text that a spreadsheet would run as a formula (see
 * `FORMULA_LIKE`) gets a leading `'`, so it shows as text. Numbers and
 * booleans are written as they are.
 */
export function csvField(value: string | number | boolean | undefined): string {
  if (value === undefined) {
    return '';
  }
  if (typeof value !== 'string') {
    return String(value);
  }
  let text = value;
  if (FORMULA_LIKE.test(text)) {
    text = `'${text}`;
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record with its CRLF line end. */
export function csvLine(
  values: (string | number | boolean | undefined)[],
): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/** The export's columns, in order: header and value of a row. */
export const SCORECARD_CSV_COLUMNS: [
  string,
  (row: ScorecardRow) => string | number | boolean | undefined,
][] = [
  ['entity_ref', r => r.entityRef],
  ['title', r => r.title],
  ['owner', r => r.owner],
  ['system', r => r.system],
  ['kind', r => r.kind],
  ['lifecycle', r => r.lifecycle],
  ['reference_environment', r => r.referenceEnvironment],
  ['reference_version', r => r.referenceVersion],
  ['compared_environment', r => r.comparedEnvironment],
  ['compared_version', r => r.comparedVersion],
  ['verdict', r => r.verdict],
  // unknown is not a score of 0: left empty, with the reason at the end
  ['score', r => (r.verdict === 'unknown' ? undefined : r.score)],
  ['commits_ahead', r => r.commitsAhead],
  ['commits_behind', r => r.commitsBehind],
  ['drift_since', r => r.driftSince],
  ['drift_age_days', r => r.driftAgeDays],
  ['last_observed_at', r => r.lastObservedAt],
  ['observation_failed', r => r.observationFailed],
  ['unknown_reason', r => r.unknownReason],
];

export function csvHeader(): string {
  return csvLine(SCORECARD_CSV_COLUMNS.map(([name]) => name));
}

export function csvRow(row: ScorecardRow): string {
  return csvLine(SCORECARD_CSV_COLUMNS.map(([, value]) => value(row)));
}
