import {
  DatabaseService,
  isDatabaseConflictError,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  AlignmentStatus,
  AlignmentStep,
  isFinalAlignmentStatus,
} from '@env-parity/plugin-env-parity-common';
import { Knex } from 'knex';
import { compareAndSet } from '../approvals';
import { migratedClient } from '../database/migrations';
import { chunks, IN_LIST_CHUNK, optional, toDate } from '../database/rows';
import {
  AlignmentDecisionRecord,
  AlignmentRecord,
  AlignmentUpdate,
  alignmentStateMachine,
  NewAlignmentStep,
} from './records';
import {
  ALIGNMENTS,
  AlignmentRow,
  DECISIONS,
  DecisionRow,
  fromRow,
  openKey,
  STEPS,
  StepRow,
  toColumns,
  toRow,
} from './rows';

/** Which alignments to list. */
export interface AlignmentQuery {
  requester?: string;
  notRequester?: string;
  /** Only alignments whose approver is one of these refs. */
  approverRefs?: string[];
  /** Alignments by this user or approved by one of these refs. */
  involving?: { user: string; approverRefs: string[] };
  entityRef?: string;
  environment?: string;
  statuses?: AlignmentStatus[];
  limit: number;
  offset: number;
}

/** Longest deployer reference kept (the column's length). */
const MAX_REFERENCE_LENGTH = 500;

/**
 * The knex store of alignments. Every status change is a single conditional
 * write (`compareAndSet` on status and version) in one transaction with its
 * timeline step and the reviewer's decision; zero rows updated means someone
 * else changed the alignment first.
 */
export class DatabaseAlignmentStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseAlignmentStore> {
    const client = await migratedClient(
      options.database,
      options.skipMigrations,
    );
    return new DatabaseAlignmentStore(client);
  }

  private constructor(private readonly db: Knex) {}

  /**
   * Stores a new alignment with its first step. Throws `ConflictError` when
   * the service already has an open alignment in that environment.
   */
  async insert(
    record: AlignmentRecord,
    step: NewAlignmentStep,
  ): Promise<AlignmentRecord> {
    try {
      await this.db.transaction(async tx => {
        await tx(ALIGNMENTS).insert(
          toRow(record, !isFinalAlignmentStatus(record.status)),
        );
        await tx(STEPS).insert(
          this.stepRow(
            record.id,
            step,
            undefined,
            record.status,
            record.createdAt,
          ),
        );
      });
    } catch (error) {
      if (isDatabaseConflictError(error)) {
        throw new ConflictError(
          `${record.entityRef} already has an open alignment of ${record.environment}; wait for it to end or cancel it`,
        );
      }
      throw error;
    }
    return this.require(record.id);
  }

  async get(id: string): Promise<AlignmentRecord | undefined> {
    const row = await this.db<AlignmentRow>(ALIGNMENTS).where('id', id).first();
    return row ? fromRow(row) : undefined;
  }

  /** Throws `NotFoundError` for an unknown id. */
  async require(id: string): Promise<AlignmentRecord> {
    const record = await this.get(id);
    if (!record) {
      throw new NotFoundError(`No alignment ${id}`);
    }
    return record;
  }

  /** The open alignment of a service in an environment, if any. */
  async openOf(
    entityRef: string,
    environment: string,
  ): Promise<AlignmentRecord | undefined> {
    const row = await this.db<AlignmentRow>(ALIGNMENTS)
      .where('open_key', openKey(entityRef, environment))
      .first();
    return row ? fromRow(row) : undefined;
  }

  /** How many open alignments a user asked for. */
  async countOpenBy(requester: string): Promise<number> {
    const [{ n }] = await this.db<AlignmentRow>(ALIGNMENTS)
      .where('requester', requester)
      .whereNotNull('open_key')
      .count({ n: '*' });
    return Number(n);
  }

  /**
   * Moves an alignment from the exact state it was read in to `to`, as one
   * conditional write with its step (and the reviewer's decision, if any).
   * Returns the updated alignment, or undefined when someone else changed
   * it since it was read: the caller lost the race.
   */
  async transition(options: {
    from: AlignmentRecord;
    to: AlignmentStatus;
    set?: AlignmentUpdate;
    step: NewAlignmentStep;
    decision?: Omit<AlignmentDecisionRecord, 'alignmentId' | 'decidedAt'>;
    at: Date;
  }): Promise<AlignmentRecord | undefined> {
    const { from, to, set = {}, step, decision, at } = options;
    alignmentStateMachine.assert(from.id, from.status, to);
    const update: Partial<AlignmentRow> = {
      ...toColumns({
        ...set,
        ...(set.deployerReference !== undefined && {
          deployerReference: set.deployerReference.slice(
            0,
            MAX_REFERENCE_LENGTH,
          ),
        }),
      }),
      status: to,
      version: from.version + 1,
      updated_at: at,
    };
    if (isFinalAlignmentStatus(to)) {
      update.open_key = null;
      update.finished_at = at;
    }
    try {
      const won = await compareAndSet(this.db, {
        table: ALIGNMENTS,
        id: from.id,
        expected: from,
        update,
        alsoWrite: async tx => {
          if (decision) {
            await tx<DecisionRow>(DECISIONS).insert({
              alignment_id: from.id,
              reviewer: decision.reviewer,
              decision: decision.decision,
              comment: decision.comment ?? null,
              decided_at: at,
            });
          }
          await tx(STEPS).insert(
            this.stepRow(from.id, step, from.status, to, at),
          );
        },
      });
      return won ? this.get(from.id) : undefined;
    } catch (error) {
      if (decision && isDatabaseConflictError(error)) {
        throw new ConflictError(
          `${decision.reviewer} has already decided on alignment ${from.id}`,
        );
      }
      throw error;
    }
  }

  async getDecisions(ids: string[]): Promise<AlignmentDecisionRecord[]> {
    const result: AlignmentDecisionRecord[] = [];
    for (const chunk of chunks(ids)) {
      const rows = await this.db<DecisionRow>(DECISIONS)
        .whereIn('alignment_id', chunk)
        .orderBy('id');
      result.push(
        ...rows.map(row => ({
          alignmentId: row.alignment_id,
          reviewer: row.reviewer,
          decision: row.decision,
          comment: optional(row.comment),
          decidedAt: toDate(row.decided_at)!,
        })),
      );
    }
    return result;
  }

  async getSteps(id: string): Promise<AlignmentStep[]> {
    const rows = await this.db<StepRow>(STEPS)
      .where('alignment_id', id)
      .orderBy('id');
    return rows.map(row => ({
      type: row.type as AlignmentStep['type'],
      actor: row.actor,
      ...(row.from_status !== null && { fromStatus: row.from_status }),
      toStatus: row.to_status,
      ...(row.comment !== null && { comment: row.comment }),
      ...(row.details !== null && { details: JSON.parse(row.details) }),
      at: toDate(row.at)!.toISOString(),
    }));
  }

  async list(query: AlignmentQuery): Promise<AlignmentRecord[]> {
    const q = this.db<AlignmentRow>(ALIGNMENTS);
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
    if (query.entityRef !== undefined) {
      q.where('entity_ref', query.entityRef);
    }
    if (query.environment !== undefined) {
      q.where('environment', query.environment);
    }
    if (query.statuses !== undefined) {
      q.whereIn('status', query.statuses);
    }
    const rows = await q
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(query.limit)
      .offset(query.offset);
    return rows.map(fromRow);
  }

  /**
   * What the sweep acts on: alignments dispatched before `stuckBefore` (the
   * replica calling the deployer stopped), and every one verifying.
   */
  async due(options: {
    stuckBefore: Date;
    limit: number;
  }): Promise<{ stuck: AlignmentRecord[]; verifying: AlignmentRecord[] }> {
    const table = () => this.db<AlignmentRow>(ALIGNMENTS);
    const stuck = await table()
      .where('status', 'dispatched')
      .where('updated_at', '<=', options.stuckBefore)
      .orderBy('id')
      .limit(options.limit);
    const verifying = await table()
      .where('status', 'verifying')
      .orderBy('updated_at')
      .limit(options.limit);
    return { stuck: stuck.map(fromRow), verifying: verifying.map(fromRow) };
  }

  private stepRow(
    alignmentId: string,
    step: NewAlignmentStep,
    fromStatus: AlignmentStatus | undefined,
    toStatus: AlignmentStatus,
    at: Date,
  ): Omit<StepRow, 'id'> {
    return {
      alignment_id: alignmentId,
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
