import { DatabaseService } from '@backstage/backend-plugin-api';
import { Verdict, VERDICTS } from '@env-parity/plugin-env-parity-common';
import { Knex } from 'knex';
import { migratedClient } from '../database/migrations';
import { chunks, DbTime, toDate } from '../database/rows';
import { EntityReport } from './rows';
import {
  compilePredicate,
  fromRow,
  KNOWN,
  KNOWN_AVERAGE,
  likePattern,
  markCertain,
  optionalNumber,
  ReportRow,
  SELECTED,
  toNumber,
  toRow,
  verdictCounts,
  verdictSums,
} from './storeSql';
import { Predicate } from './visibility';

export { compilePredicate } from './storeSql';

export type { EntityReport } from './rows';

/** One row per service and scope (environment or `worst`). */
export const REPORTS = 'env_parity_scorecard_rows';
/** Daily aggregates per scope and owner. */
export const DAILY = 'env_parity_scorecard_days';

/** Rows per multi-row write, well below every bind limit. */
const WRITE_CHUNK = 50;

/** The normalised filters of a scorecard query, see `ScorecardFilter`. */
export interface ReportFilter {
  /** The environment, or `worst`; rows of one scope only. */
  scope: string;
  owner?: string[];
  system?: string[];
  kind?: string[];
  lifecycle?: string[];
  verdict?: string[];
  q?: string;
  /** Ownership refs of the caller, for "owned by me". */
  ownedBy?: string[];
  /** What the caller may see at most (the catalog's conditions). */
  visible?: Predicate;
}

export type SortColumn =
  | 'name'
  | 'owner'
  | 'system'
  | 'lifecycle'
  | 'verdict'
  | 'score'
  | 'driftAge'
  | 'lastObserved'
  | 'referenceVersion'
  | 'comparedVersion';

export interface ReportSort {
  field: SortColumn;
  order: 'asc' | 'desc';
}

/** A stored row as read back, with `certain` when a visibility check applies. */
export interface StoredReport extends EntityReport {
  /** When the row matches the certain visibility bound; see `Visibility`. */
  certain: boolean;
}

export interface SummaryFigures {
  tracked: number;
  inParity: number;
  unknown: number;
  behind: number;
  tagMismatch: number;
  drifting: number;
  averageScore?: number;
  medianScore?: number;
  /** The middle drift start time(s); the median age is now minus their mean. */
  medianDriftSince?: Date;
  verdicts: Record<Verdict, number>;
}

export interface TeamFigures {
  owner: string | null;
  tracked: number;
  inParity: number;
  unknown: number;
  /** Over the known verdicts; undefined when every one is unknown. */
  averageScore?: number;
  oldestDriftSince?: Date;
  verdicts: Record<Verdict, number>;
}

export interface DailyRow {
  day: string;
  /** The environment, or `worst`. */
  scope: string;
  owner: string;
  tracked: number;
  inParity: number;
  /** Services with an unknown verdict, counted in `tracked`. */
  unknown: number;
  medianScore: number | null;
  medianDriftAgeDays: number | null;
  behind: number;
  tagMismatch: number;
}

/**
 * The knex store of the scorecard: per-entity rows kept current by the
 * collector, and daily aggregates. Every query is SQL over these rows;
 * nothing here talks to providers or the catalog.
 */
export class ScorecardStore {
  /** The store on the plugin's database, its migrations applied unless skipped. */
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<ScorecardStore> {
    return new ScorecardStore(
      await migratedClient(options.database, options.skipMigrations),
    );
  }

  /** A store on a client whose migrations have run. */
  constructor(private readonly db: Knex) {}

  /** Stored rows of these entities: entity ref to rows by scope. */
  async getReports(
    entityRefs: string[],
  ): Promise<Map<string, Map<string, EntityReport>>> {
    const result = new Map<string, Map<string, EntityReport>>();
    for (const chunk of chunks([...new Set(entityRefs)])) {
      const rows = await this.db<ReportRow>(REPORTS)
        .select(SELECTED)
        .whereIn('entity_ref', chunk);
      for (const row of rows) {
        const byScope = result.get(row.entity_ref) ?? new Map();
        byScope.set(row.scope, fromRow(row));
        result.set(row.entity_ref, byScope);
      }
    }
    return result;
  }

  /** Inserts or replaces whole rows. */
  async upsertReports(reports: EntityReport[]): Promise<void> {
    if (!reports.length) {
      return;
    }
    await this.db.transaction(async tx => {
      for (const chunk of chunks(reports, WRITE_CHUNK)) {
        await tx(REPORTS)
          .insert(chunk.map(toRow))
          .onConflict(['entity_ref', 'scope'])
          .merge();
      }
    });
  }

  /** Deletes single rows, e.g. of an environment no longer configured. */
  async deleteReports(
    keys: { entityRef: string; scope: string }[],
  ): Promise<number> {
    let deleted = 0;
    for (const chunk of chunks(keys, WRITE_CHUNK)) {
      deleted += await this.db(REPORTS)
        .where(q => {
          for (const key of chunk) {
            q.orWhere({ entity_ref: key.entityRef, scope: key.scope });
          }
        })
        .delete();
    }
    return deleted;
  }

  /** Deletes the rows of entities not in `keep`; returns how many entities. */
  async deleteReportsExcept(keep: Set<string>): Promise<number> {
    const rows: { entity_ref: string }[] = await this.db(REPORTS)
      .distinct('entity_ref')
      .select('entity_ref');
    const removed = rows.map(r => r.entity_ref).filter(ref => !keep.has(ref));
    for (const chunk of chunks(removed)) {
      await this.db(REPORTS).whereIn('entity_ref', chunk).delete();
    }
    return removed.length;
  }

  private filtered(filter: ReportFilter): Knex.QueryBuilder {
    const query = this.db(REPORTS).where('scope', filter.scope);
    const lists = [
      ['owner', filter.owner],
      ['system', filter.system],
      ['kind', filter.kind],
      ['lifecycle', filter.lifecycle],
      ['verdict', filter.verdict],
      ['owner', filter.ownedBy],
    ] as const;
    for (const [column, values] of lists) {
      if (values) {
        query.whereIn(column, values);
      }
    }
    if (filter.q) {
      query.whereRaw('search_text like ? escape ?', [
        likePattern(filter.q.toLocaleLowerCase('en-US')),
        '\\',
      ]);
    }
    if (filter.visible) {
      const { sql, bindings } = compilePredicate(filter.visible);
      query.whereRaw(sql, bindings);
    }
    return query;
  }

  private applySort(
    query: Knex.QueryBuilder,
    sort: ReportSort,
    runStart?: Date,
  ): Knex.QueryBuilder {
    const { order } = sort;
    // knex's own `nulls` option orders only by nullness on SQLite and MySQL
    const withNulls = (
      column: string,
      direction: 'asc' | 'desc',
      nulls: 'first' | 'last',
    ) =>
      query
        .orderByRaw(
          `case when ?? is null then ${nulls === 'last' ? 1 : 0} else ${
            nulls === 'last' ? 0 : 1
          } end`,
          [column],
        )
        .orderBy(column, direction);
    const nullsLast = (column: string) => withNulls(column, order, 'last');
    switch (sort.field) {
      case 'name':
        query.orderBy('name', order);
        break;
      case 'owner':
      case 'system':
      case 'lifecycle':
        nullsLast(sort.field);
        break;
      case 'referenceVersion':
        nullsLast('reference_version');
        break;
      case 'comparedVersion':
        nullsLast('compared_version');
        break;
      case 'verdict':
        query.orderByRaw(
          `case verdict ${VERDICTS.map(() => 'when ? then ?').join(
            ' ',
          )} else ? end ${order}`,
          [...VERDICTS.flatMap((v, i) => [v, i]), VERDICTS.length],
        );
        break;
      case 'score':
        // unknown is not bad parity: after every known score, either way
        query
          .orderByRaw(`case when ${KNOWN} then 0 else 1 end`)
          .orderBy('score', order);
        break;
      case 'driftAge':
        // older drift is a larger age; in sync (no drift) is age 0
        withNulls(
          'drift_since',
          order === 'asc' ? 'desc' : 'asc',
          order === 'asc' ? 'first' : 'last',
        );
        break;
      case 'lastObserved':
        if (runStart) {
          query.orderByRaw(
            `case when observed_at is null then 1 else 0 end, case when observation_failed or observed_at > ? then observed_at else ? end ${order}`,
            [runStart, runStart],
          );
        } else {
          nullsLast('observed_at');
        }
        break;
      default:
        throw new Error(`Unknown sort field ${sort.field}`);
    }
    return query.orderBy('entity_ref', 'asc');
  }

  private selectWithCertainty(
    query: Knex.QueryBuilder,
    certain?: Predicate,
  ): Knex.QueryBuilder {
    query.select(SELECTED);
    if (certain) {
      const { sql, bindings } = compilePredicate(certain);
      query.select(
        this.db.raw(`case when ${sql} then 1 else 0 end as certain`, bindings),
      );
    }
    return query;
  }

  /** One page of rows and the total count. */
  async queryPage(options: {
    filter: ReportFilter;
    /** Rows to mark certain; without it every row is. */
    certain?: Predicate;
    sort: ReportSort;
    offset: number;
    limit: number;
    runStart?: Date;
  }): Promise<{ rows: StoredReport[]; totalCount: number }> {
    const { filter, certain, sort, offset, limit, runStart } = options;
    const [count, rows] = await Promise.all([
      this.filtered(filter).count({ n: '*' }).first(),
      this.applySort(
        this.selectWithCertainty(this.filtered(filter), certain),
        sort,
        runStart,
      )
        .offset(offset)
        .limit(limit),
    ]);
    return {
      rows: rows.map(markCertain(certain)),
      totalCount: toNumber(count?.n),
    };
  }

  /** Rows in order, `size` at a time, for the export. */
  async *streamRows(options: {
    filter: ReportFilter;
    certain?: Predicate;
    sort: ReportSort;
    runStart?: Date;
    size?: number;
  }): AsyncGenerator<StoredReport[]> {
    const size = options.size ?? 1000;
    for (let offset = 0; ; offset += size) {
      const rows = await this.applySort(
        this.selectWithCertainty(
          this.filtered(options.filter),
          options.certain,
        ),
        options.sort,
        options.runStart,
      )
        .offset(offset)
        .limit(size);
      if (rows.length) {
        yield rows.map(markCertain(options.certain));
      }
      if (rows.length < size) {
        return;
      }
    }
  }

  /**
   * Services among the filtered rows whose entity ref is one of `entityRefs`
   * (compared in lower case).
   */
  async countEntities(
    filter: ReportFilter,
    entityRefs: string[],
  ): Promise<number> {
    let total = 0;
    for (const chunk of chunks([
      ...new Set(entityRefs.map(r => r.toLocaleLowerCase('en-US'))),
    ])) {
      const row = await this.filtered(filter)
        .whereRaw(
          `lower(entity_ref) in (${chunk.map(() => '?').join(', ')})`,
          chunk,
        )
        .count({ n: '*' })
        .first();
      total += toNumber(row?.n);
    }
    return total;
  }

  /** The summary tiles' figures over the filtered rows. */
  async summary(filter: ReportFilter): Promise<SummaryFigures> {
    const row = await this.filtered(filter)
      .select(
        this.db.raw('count(*) as tracked'),
        this.db.raw('count(drift_since) as drifting'),
        this.db.raw(`${KNOWN_AVERAGE} as average_score`),
        this.db.raw(
          `sum(case when verdict = 'in-sync' then 1 else 0 end) as in_parity`,
        ),
        ...verdictSums(this.db),
      )
      .first();
    const tracked = toNumber(row?.tracked);
    const drifting = toNumber(row?.drifting);
    const verdicts = verdictCounts(row ?? {});
    // medians: the middle one or two rows in order, found through an index
    const middle = async (column: string, n: number) => {
      if (n === 0) {
        return [];
      }
      const rows = await this.filtered(filter)
        .whereNotNull(column)
        .modify(q => {
          if (column === 'score') {
            q.whereRaw(KNOWN);
          }
        })
        .select(column)
        .orderBy(column, 'asc')
        .offset(Math.floor((n - 1) / 2))
        .limit(n % 2 ? 1 : 2);
      return rows.map((r: Record<string, unknown>) => r[column]);
    };
    const [scores, driftStarts] = await Promise.all([
      middle('score', tracked - verdicts.unknown),
      middle('drift_since', drifting),
    ]);
    const mean = (values: number[]) =>
      values.length
        ? values.reduce((a, b) => a + b, 0) / values.length
        : undefined;
    const medianDriftMs = mean(
      driftStarts.map((t: unknown) => toDate(t as DbTime)!.getTime()),
    );
    return {
      tracked,
      inParity: toNumber(row?.in_parity),
      unknown: verdicts.unknown,
      behind: verdicts.behind,
      tagMismatch: verdicts['tag-mismatch'],
      drifting,
      averageScore: optionalNumber(row?.average_score),
      medianScore: mean(scores.map(Number)),
      ...(medianDriftMs !== undefined && {
        medianDriftSince: new Date(medianDriftMs),
      }),
      verdicts,
    };
  }

  /** Figures per owner over the filtered rows. */
  async teams(filter: ReportFilter): Promise<TeamFigures[]> {
    const rows = await this.filtered(filter)
      .select(
        'owner',
        this.db.raw('count(*) as tracked'),
        this.db.raw(`${KNOWN_AVERAGE} as average_score`),
        this.db.raw('min(drift_since) as oldest_drift_since'),
        ...verdictSums(this.db),
      )
      .groupBy('owner');
    return rows.map((row: Record<string, any>) => {
      const verdicts = verdictCounts(row);
      const oldest = toDate(row.oldest_drift_since);
      return {
        owner: row.owner ?? null,
        tracked: toNumber(row.tracked),
        inParity: verdicts['in-sync'],
        unknown: verdicts.unknown,
        averageScore: optionalNumber(row.average_score),
        ...(oldest && { oldestDriftSince: oldest }),
        verdicts,
      };
    });
  }

  /**
   * The median score and median drift start per scope and owner, and per
   * scope for the whole catalog (owner ''), from the middle rows of each
   * partition; keyed `scope\nowner`.
   */
  private async medians(
    column: 'score' | 'drift_since',
    scopes: string[],
  ): Promise<Map<string, number>> {
    const byPartition = async (byOwner: boolean) => {
      const partition = byOwner
        ? 'partition by scope, owner'
        : 'partition by scope';
      const rows = await this.db
        .select('scope', 'owner', 'med_value')
        .from(
          this.db(REPORTS)
            .whereIn('scope', scopes)
            .whereNotNull(column)
            .modify(q => {
              if (column === 'score') {
                // unknown is not bad parity: no score of its own
                q.whereRaw(KNOWN);
              }
              if (byOwner) {
                q.whereNotNull('owner');
              }
            })
            .select(
              'scope',
              this.db.raw(`${byOwner ? 'owner' : "''"} as owner`),
              this.db.raw('?? as med_value', [column]),
              this.db.raw(
                `row_number() over (${partition} order by ?? asc) as rn`,
                [column],
              ),
              this.db.raw(`count(*) over (${partition}) as cnt`),
            )
            .as('ranked'),
        )
        .whereRaw('2 * rn >= cnt and 2 * rn <= cnt + 2');
      const sums = new Map<string, { sum: number; n: number }>();
      for (const row of rows) {
        const value =
          column === 'score'
            ? Number(row.med_value)
            : toDate(row.med_value as DbTime)!.getTime();
        const key = `${row.scope}\n${row.owner ?? ''}`;
        const s = sums.get(key) ?? { sum: 0, n: 0 };
        sums.set(key, { sum: s.sum + value, n: s.n + 1 });
      }
      return sums;
    };
    const result = new Map<string, number>();
    const [owners, catalog] = await Promise.all([
      byPartition(true),
      byPartition(false),
    ]);
    for (const [key, { sum, n }] of [...owners, ...catalog]) {
      result.set(key, sum / n);
    }
    return result;
  }

  /**
   * Today's aggregates of every scope, for the whole catalog and every
   * owner, replacing today's earlier ones, and the history older than
   * `keepFrom` deleted.
   */
  async recordDaily(options: {
    day: string;
    now: Date;
    keepFrom: string;
    /** The environments and `worst`: scopes of other rows are left out. */
    scopes: string[];
  }): Promise<{ written: number; deleted: number }> {
    const { day, now, keepFrom, scopes } = options;
    const figures = (query: Knex.QueryBuilder) =>
      query
        .whereIn('scope', scopes)
        .select(
          'scope',
          this.db.raw('count(*) as tracked'),
          this.db.raw(
            `sum(case when verdict = 'in-sync' then 1 else 0 end) as in_parity`,
          ),
          this.db.raw(
            `sum(case when verdict = 'behind' then 1 else 0 end) as behind`,
          ),
          this.db.raw(
            `sum(case when verdict = 'tag-mismatch' then 1 else 0 end) as tag_mismatch`,
          ),
          this.db.raw(
            `sum(case when ${KNOWN} then 0 else 1 end) as unknown_count`,
          ),
        );
    const [catalog, owners, scores, driftStarts] = await Promise.all([
      figures(this.db(REPORTS)).groupBy('scope'),
      figures(this.db(REPORTS).whereNotNull('owner'))
        .select('owner')
        .groupBy('scope', 'owner'),
      this.medians('score', scopes),
      this.medians('drift_since', scopes),
    ]);
    // every scope has a catalog row, zeros when it has no services
    const catalogRows = scopes.map(scope => ({
      scope,
      tracked: 0,
      ...catalog.find((row: { scope: string }) => row.scope === scope),
      owner: '',
    }));
    const rows = [
      ...catalogRows,
      ...owners.filter((o: { owner: string }) => o.owner !== ''),
    ].map((row: Record<string, any>) => {
      const key = `${row.scope}\n${row.owner}`;
      const driftStart = driftStarts.get(key);
      return {
        day,
        scope: row.scope,
        owner: row.owner,
        tracked: toNumber(row.tracked),
        in_parity: toNumber(row.in_parity),
        unknown: toNumber(row.unknown_count),
        median_score: scores.get(key) ?? null,
        median_drift_age_days:
          driftStart === undefined
            ? null
            : Math.round(
                (Math.max(0, now.getTime() - driftStart) / 86_400_000) * 100,
              ) / 100,
        behind: toNumber(row.behind),
        tag_mismatch: toNumber(row.tag_mismatch),
        recorded_at: now,
      };
    });
    return this.db.transaction(async tx => {
      await tx(DAILY).where('day', day).delete();
      for (const chunk of chunks(rows, WRITE_CHUNK)) {
        await tx(DAILY).insert(chunk);
      }
      const deleted = await tx(DAILY).where('day', '<', keepFrom).delete();
      return { written: rows.length, deleted };
    });
  }

  /**
   * Daily rows of one scope and owner ('' for the whole catalog) from
   * `from`, oldest first.
   */
  async trend(scope: string, owner: string, from: string): Promise<DailyRow[]> {
    const rows = await this.db(DAILY)
      .select(
        'day',
        'scope',
        'owner',
        'tracked',
        'in_parity',
        'unknown',
        'median_score',
        'median_drift_age_days',
        'behind',
        'tag_mismatch',
      )
      .where('scope', scope)
      .where('owner', owner)
      .where('day', '>=', from)
      .orderBy('day', 'asc');
    return rows.map(row => ({
      day: row.day,
      scope: row.scope,
      owner: row.owner,
      tracked: toNumber(row.tracked),
      inParity: toNumber(row.in_parity),
      unknown: toNumber(row.unknown),
      medianScore: optionalNumber(row.median_score) ?? null,
      medianDriftAgeDays: optionalNumber(row.median_drift_age_days) ?? null,
      behind: toNumber(row.behind),
      tagMismatch: toNumber(row.tag_mismatch),
    }));
  }

  /** Writes daily rows as they are, e.g. to seed history. */
  async insertDaily(
    rows: (Omit<DailyRow, 'unknown'> & { unknown?: number })[],
    recordedAt: Date,
  ): Promise<void> {
    for (const chunk of chunks(rows, WRITE_CHUNK * 4)) {
      await this.db(DAILY).insert(
        chunk.map(r => ({
          day: r.day,
          scope: r.scope,
          owner: r.owner,
          tracked: r.tracked,
          in_parity: r.inParity,
          unknown: r.unknown ?? 0,
          median_score: r.medianScore,
          median_drift_age_days: r.medianDriftAgeDays,
          behind: r.behind,
          tag_mismatch: r.tagMismatch,
          recorded_at: recordedAt,
        })),
      );
    }
  }
}
