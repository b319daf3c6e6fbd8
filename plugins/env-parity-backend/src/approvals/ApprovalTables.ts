import { isDatabaseConflictError } from '@backstage/backend-plugin-api';
import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import { createHash } from 'node:crypto';
import {
  chunks,
  DbTime,
  IN_LIST_CHUNK,
  optional,
  toDate,
} from '../database/rows';
import { compareAndSet } from './conditionalWrite';

/**
 * Where a feature keeps what the approval machine writes: the subjects
 * (requests, alignments: `id`, `status`, `version`, `requester`,
 * `open_key`, `updated_at` columns), one decision per reviewer, and the
 * append-only timeline. Each feature keeps its own tables.
 */
export interface ApprovalTableNames {
  subjects: string;
  decisions: string;
  steps: string;
  /** The column of decisions and steps naming the subject, e.g. `request_id`. */
  subjectColumn: string;
  /** The column of decisions naming the reviewer, e.g. `approver`. */
  reviewerColumn: string;
  /** The subject in messages, e.g. `access request`. */
  noun: string;
}

/** A step of the timeline, written with a transition. */
export interface NewApprovalStep {
  type: string;
  actor: string;
  comment?: string;
  details?: Record<string, unknown>;
}

/** One reviewer's decision, written with a transition. */
export interface NewApprovalDecision {
  reviewer: string;
  decision: 'approve' | 'deny';
  comment?: string;
}

export interface StoredDecision extends NewApprovalDecision {
  subjectId: string;
  decidedAt: Date;
}

export interface StoredStep<TStatus extends string> {
  id: number;
  subjectId: string;
  type: string;
  actor: string;
  fromStatus?: TStatus;
  toStatus?: TStatus;
  comment?: string;
  details?: Record<string, unknown>;
  /** ISO 8601. */
  at: string;
}

/**
 * A per-requester limit on open subjects, checked and kept in the insert's
 * transaction: concurrent inserts by one requester queue on a lock row, so
 * the limit holds on every replica.
 */
export interface OpenLimit {
  requester: string;
  max: number;
  /** The `ConflictError`'s message when the requester is at the limit. */
  refusal: string;
}

/** Which subjects to list: every feature filters the same columns. */
export interface ApprovalSubjectQuery<TStatus extends string> {
  /** Only subjects by this user. */
  requester?: string;
  /** Only subjects not by this user. */
  notRequester?: string;
  /** Only subjects whose approver is one of these refs. */
  approverRefs?: string[];
  /** Subjects by this user or approved by one of these refs. */
  involving?: { user: string; approverRefs: string[] };
  entityRef?: string;
  environment?: string;
  statuses?: TStatus[];
  limit: number;
  offset: number;
}

/** One row per requester and feature, locked while an insert checks the limit. */
export const LOCKS_TABLE = 'env_parity_approval_locks';

interface StepRow {
  id: number;
  type: string;
  actor: string;
  from_status: string | null;
  to_status: string | null;
  comment: string | null;
  details: string | null;
  at: DbTime;
  [subjectColumn: string]: unknown;
}

/**
 * The writes and reads of the approval machine that are the same for every
 * feature, on the feature's own tables: a new subject with its first step
 * (and its requester's open limit), a transition as one conditional write
 * with its step and decision, and reading decisions and timelines back.
 */
export class ApprovalTables<TStatus extends string> {
  private readonly rowLocks: boolean;

  constructor(
    private readonly db: Knex,
    private readonly names: ApprovalTableNames,
  ) {
    this.rowLocks = !String(db.client.config.client ?? '').includes('sqlite');
  }

  /**
   * Stores a new subject row with its first step. A unique-key violation
   * (an open subject already holds its `open_key`) is a `ConflictError`
   * saying `conflict`; with `limit`, so is a requester at their limit.
   */
  async insert(options: {
    row: { id: string; status: TStatus };
    step: NewApprovalStep;
    /** The time of the first step. */
    at: Date;
    conflict: string;
    limit?: OpenLimit;
  }): Promise<void> {
    const { row, step, at, limit } = options;
    if (limit) {
      // on its own: inside the transaction, MySQL would take a shared lock
      // on an existing row here, and two inserts upgrading theirs deadlock
      await this.db(LOCKS_TABLE)
        .insert({ lock_key: this.lockKey(limit.requester) })
        .onConflict('lock_key')
        .ignore();
    }
    try {
      await this.db.transaction(
        async tx => {
          if (limit) {
            await this.checkLimit(tx, limit);
          }
          await tx(this.names.subjects).insert(row);
          await tx(this.names.steps).insert(
            this.stepRow(row.id, step, undefined, row.status, at),
          );
        },
        // each statement sees what the lock holder before it committed
        this.rowLocks && limit ? { isolationLevel: 'read committed' } : {},
      );
    } catch (error) {
      if (isDatabaseConflictError(error)) {
        throw new ConflictError(options.conflict);
      }
      throw error;
    }
  }

  /**
   * Moves a subject from the exact state it was read in to `to`, as one
   * conditional write ({@link compareAndSet}) with its step and the
   * reviewer's decision, if any. `columns` are the other columns to set;
   * `final` clears `open_key`. Returns false when someone else changed the
   * subject first; a reviewer's second decision is a `ConflictError`.
   */
  async transition(options: {
    from: { id: string; status: TStatus; version: number };
    to: TStatus;
    columns: Record<string, unknown>;
    final: boolean;
    step: NewApprovalStep;
    decision?: NewApprovalDecision;
    at: Date;
  }): Promise<boolean> {
    const { from, to, step, decision, at } = options;
    const { names } = this;
    try {
      return await compareAndSet(this.db, {
        table: names.subjects,
        id: from.id,
        expected: from,
        update: {
          ...options.columns,
          status: to,
          version: from.version + 1,
          updated_at: at,
          ...(options.final && { open_key: null }),
        },
        alsoWrite: async tx => {
          if (decision) {
            await tx(names.decisions).insert({
              [names.subjectColumn]: from.id,
              [names.reviewerColumn]: decision.reviewer,
              decision: decision.decision,
              comment: decision.comment ?? null,
              decided_at: at,
            });
          }
          await tx(names.steps).insert(
            this.stepRow(from.id, step, from.status, to, at),
          );
        },
      });
    } catch (error) {
      if (decision && isDatabaseConflictError(error)) {
        throw new ConflictError(
          `${decision.reviewer} has already decided on ${names.noun} ${from.id}`,
        );
      }
      throw error;
    }
  }

  /**
   * Subject rows matching `query` (and whatever `where` adds), newest
   * first. An approver list is cut at {@link IN_LIST_CHUNK} refs.
   */
  async list<TRow>(
    query: ApprovalSubjectQuery<TStatus>,
    where?: (q: Knex.QueryBuilder) => void,
  ): Promise<TRow[]> {
    const q = this.db(this.names.subjects);
    if (query.requester !== undefined) {
      q.where('requester', query.requester);
    }
    if (query.notRequester !== undefined) {
      q.whereNot('requester', query.notRequester);
    }
    if (query.approverRefs !== undefined) {
      q.whereIn('approver_ref', query.approverRefs.slice(0, IN_LIST_CHUNK));
    }
    if (query.involving) {
      const { user, approverRefs } = query.involving;
      q.where(w =>
        w
          .where('requester', user)
          .orWhereIn('approver_ref', approverRefs.slice(0, IN_LIST_CHUNK)),
      );
    }
    where?.(q);
    if (query.entityRef !== undefined) {
      q.where('entity_ref', query.entityRef);
    }
    if (query.environment !== undefined) {
      q.where('environment', query.environment);
    }
    if (query.statuses !== undefined) {
      q.whereIn('status', query.statuses);
    }
    return q
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(query.limit)
      .offset(query.offset);
  }

  /** The decisions on these subjects, oldest first. */
  async decisions(ids: string[]): Promise<StoredDecision[]> {
    const { names } = this;
    const result: StoredDecision[] = [];
    for (const chunk of chunks(ids)) {
      const rows = await this.db(names.decisions)
        .whereIn(names.subjectColumn, chunk)
        .orderBy('id');
      result.push(
        ...rows.map(row => ({
          subjectId: row[names.subjectColumn],
          reviewer: row[names.reviewerColumn],
          decision: row.decision,
          comment: optional(row.comment as string | null),
          decidedAt: toDate(row.decided_at)!,
        })),
      );
    }
    return result;
  }

  /** The timeline of a subject, oldest first. */
  async steps(id: string): Promise<StoredStep<TStatus>[]> {
    const rows: StepRow[] = await this.db(this.names.steps)
      .where(this.names.subjectColumn, id)
      .orderBy('id');
    return rows.map(row => ({
      id: Number(row.id),
      subjectId: row[this.names.subjectColumn] as string,
      type: row.type,
      actor: row.actor,
      ...(row.from_status !== null && {
        fromStatus: row.from_status as TStatus,
      }),
      ...(row.to_status !== null && { toStatus: row.to_status as TStatus }),
      ...(row.comment !== null && { comment: row.comment }),
      ...(row.details !== null && { details: JSON.parse(row.details) }),
      at: toDate(row.at)!.toISOString(),
    }));
  }

  /** The key of a requester's lock row. */
  private lockKey(requester: string): string {
    return createHash('sha256')
      .update(`${this.names.subjects}\n${requester}`)
      .digest('hex');
  }

  /**
   * Takes the requester's lock row (created before the transaction), then
   * counts their open subjects: a concurrent insert by the same requester
   * waits here until this transaction ends, and then counts this one. The
   * lock is an update (to the same value): a write lock on PostgreSQL and
   * MySQL rows, and SQLite's database write lock, taken before any read.
   */
  private async checkLimit(tx: Knex.Transaction, limit: OpenLimit) {
    await tx(LOCKS_TABLE)
      .where('lock_key', this.lockKey(limit.requester))
      .update({ lock_key: this.lockKey(limit.requester) });
    const [{ n }] = await tx(this.names.subjects)
      .where('requester', limit.requester)
      .whereNotNull('open_key')
      .count({ n: '*' });
    if (Number(n) >= limit.max) {
      throw new ConflictError(limit.refusal);
    }
  }

  private stepRow(
    subjectId: string,
    step: NewApprovalStep,
    fromStatus: TStatus | undefined,
    toStatus: TStatus,
    at: Date,
  ) {
    return {
      [this.names.subjectColumn]: subjectId,
      type: step.type,
      actor: step.actor,
      from_status: fromStatus ?? null,
      to_status: toStatus,
      comment: step.comment ?? null,
      details: step.details ? JSON.stringify(step.details) : null,
      at,
    };
  }
}
