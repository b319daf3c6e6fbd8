import { Verdict, VERDICTS } from '@env-parity/plugin-env-parity-common';
import { Knex } from 'knex';
import { DbTime, toDate } from '../database/rows';
import { EntityReport } from './rows';
import type { StoredReport } from './ScorecardStore';
import { Predicate } from './visibility';

/*
 * How the scorecard store maps rows to columns and builds its SQL pieces:
 * the row shape, the selected columns, catalog conditions as SQL, LIKE
 * patterns and verdict counts.
 */

/** A row of the scorecard's table. */
export interface ReportRow {
  entity_ref: string;
  scope: string;
  kind: string;
  namespace: string;
  name: string;
  title: string | null;
  owner: string | null;
  spec_owner: string | null;
  system: string | null;
  spec_system: string | null;
  lifecycle: string | null;
  spec_type: string | null;
  search_text: string;
  reference_environment: string;
  reference_version: string | null;
  reference_revision: string | null;
  compared_environment: string;
  compared_version: string | null;
  compared_revision: string | null;
  revision_status: string | null;
  commits_ahead: number | null;
  commits_behind: number | null;
  verdict: string;
  score: number;
  unknown_reason: string | null;
  drift_since: DbTime | null;
  observation_failed: boolean | number;
  observed_at: DbTime | null;
  updated_at: DbTime;
}

/** A stored time, or null. */
export function toDateOrNull(value: DbTime | null | undefined): Date | null {
  return toDate(value) ?? null;
}

export function toNumber(value: unknown): number {
  return value === null || value === undefined ? 0 : Number(value);
}

export function optionalNumber(value: unknown): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

export function toRow(r: EntityReport): ReportRow {
  return {
    entity_ref: r.entityRef,
    scope: r.scope,
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    title: r.title,
    owner: r.owner,
    spec_owner: r.specOwner,
    system: r.system,
    spec_system: r.specSystem,
    lifecycle: r.lifecycle,
    spec_type: r.specType,
    search_text: r.searchText,
    reference_environment: r.referenceEnvironment,
    reference_version: r.referenceVersion,
    reference_revision: r.referenceRevision,
    compared_environment: r.comparedEnvironment,
    compared_version: r.comparedVersion,
    compared_revision: r.comparedRevision,
    revision_status: r.revisionStatus,
    commits_ahead: r.commitsAhead,
    commits_behind: r.commitsBehind,
    verdict: r.verdict,
    score: r.score,
    unknown_reason: r.unknownReason,
    drift_since: r.driftSince,
    observation_failed: r.observationFailed,
    observed_at: r.observedAt,
    updated_at: r.updatedAt,
  };
}

export function fromRow(row: ReportRow): EntityReport {
  return {
    entityRef: row.entity_ref,
    scope: row.scope,
    kind: row.kind,
    namespace: row.namespace,
    name: row.name,
    title: row.title,
    owner: row.owner,
    specOwner: row.spec_owner,
    system: row.system,
    specSystem: row.spec_system,
    lifecycle: row.lifecycle,
    specType: row.spec_type,
    searchText: row.search_text,
    referenceEnvironment: row.reference_environment,
    referenceVersion: row.reference_version,
    referenceRevision: row.reference_revision,
    comparedEnvironment: row.compared_environment,
    comparedVersion: row.compared_version,
    comparedRevision: row.compared_revision,
    revisionStatus: row.revision_status,
    commitsAhead: row.commits_ahead === null ? null : Number(row.commits_ahead),
    commitsBehind:
      row.commits_behind === null ? null : Number(row.commits_behind),
    verdict: row.verdict as Verdict,
    score: Number(row.score),
    unknownReason: (row.unknown_reason ??
      null) as EntityReport['unknownReason'],
    driftSince: toDateOrNull(row.drift_since),
    observationFailed: Boolean(row.observation_failed),
    observedAt: toDateOrNull(row.observed_at),
    updatedAt: toDate(row.updated_at)!,
  };
}

export const SELECTED: (keyof ReportRow)[] = [
  'entity_ref',
  'scope',
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
  'unknown_reason',
  'drift_since',
  'observation_failed',
  'observed_at',
  'updated_at',
];

/** A predicate as SQL; every leaf is true or false, never NULL. */
export function compilePredicate(p: Predicate): {
  sql: string;
  bindings: Knex.Value[];
} {
  switch (p.type) {
    case 'const':
      return { sql: p.value ? '1 = 1' : '1 = 0', bindings: [] };
    case 'present':
      return { sql: '?? is not null', bindings: [p.column] };
    case 'in': {
      if (p.values.length === 0) {
        return { sql: '1 = 0', bindings: [] };
      }
      const column = p.lower ? 'lower(??)' : '??';
      return {
        sql: `(?? is not null and ${column} in (${p.values
          .map(() => '?')
          .join(', ')}))`,
        bindings: [p.column, p.column, ...p.values],
      };
    }
    case 'not': {
      const inner = compilePredicate(p.item);
      return { sql: `not (${inner.sql})`, bindings: inner.bindings };
    }
    case 'and':
    case 'or': {
      if (p.items.length === 0) {
        return { sql: p.type === 'and' ? '1 = 1' : '1 = 0', bindings: [] };
      }
      const parts = p.items.map(compilePredicate);
      return {
        sql: `(${parts.map(x => x.sql).join(` ${p.type} `)})`,
        bindings: parts.flatMap(x => x.bindings),
      };
    }
    default:
      throw new Error(`Unknown predicate ${JSON.stringify(p)}`);
  }
}

/** Escapes LIKE wildcards; `\` is the escape character. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, c => `\\${c}`)}%`;
}

/** SQL: the row's verdict is known (unknown is not bad parity). */
export const KNOWN = "verdict <> 'unknown'";

/** SQL: the average score of the known verdicts, null when none. */
export const KNOWN_AVERAGE = `avg(case when ${KNOWN} then score end)`;

export function verdictSums(db: Knex): Knex.Raw[] {
  return VERDICTS.map((verdict, i) =>
    db.raw(`sum(case when verdict = ? then 1 else 0 end) as ??`, [
      verdict,
      `v${i}`,
    ]),
  );
}

export function verdictCounts(
  row: Record<string, unknown>,
): Record<Verdict, number> {
  return Object.fromEntries(
    VERDICTS.map((verdict, i) => [verdict, toNumber(row[`v${i}`])]),
  ) as Record<Verdict, number>;
}

export function markCertain(certain?: Predicate) {
  return (row: ReportRow & { certain?: number | boolean }): StoredReport => ({
    ...fromRow(row),
    certain: certain ? Boolean(Number(row.certain)) : true,
  });
}
