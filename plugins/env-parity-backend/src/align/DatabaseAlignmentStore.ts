import { DatabaseService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  AlignmentStatus,
  AlignmentStep,
  isFinalAlignmentStatus,
} from '@env-parity/plugin-env-parity-common';
import { Knex } from 'knex';
import { ApprovalSubjectQuery, ApprovalTables } from '../approvals';
import { migratedClient } from '../database/migrations';
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
  fromRow,
  openKey,
  STEPS,
  toColumns,
  toRow,
} from './rows';

/** Which alignments to list. */
export type AlignmentQuery = ApprovalSubjectQuery<AlignmentStatus>;

/** The refusal of a request beyond `envParity.align.maxOpenPerUser`. */
export function tooManyOpenAlignments(max: number): string {
  return `You have ${max} open alignments, the most allowed (envParity.align.maxOpenPerUser); wait for one to end or cancel one`;
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

  private readonly tables: ApprovalTables<AlignmentStatus>;

  private constructor(private readonly db: Knex) {
    this.tables = new ApprovalTables(db, {
      subjects: ALIGNMENTS,
      decisions: DECISIONS,
      steps: STEPS,
      subjectColumn: 'alignment_id',
      reviewerColumn: 'reviewer',
      noun: 'alignment',
    });
  }

  /**
   * Stores a new alignment with its first step. Throws `ConflictError` when
   * the service already has an open alignment in that environment, or (with
   * `maxOpenPerRequester`) when the requester already has that many open:
   * checked in the insert's transaction, so concurrent requests on any
   * replica never exceed it.
   */
  async insert(
    record: AlignmentRecord,
    step: NewAlignmentStep,
    options: { maxOpenPerRequester?: number } = {},
  ): Promise<AlignmentRecord> {
    const max = options.maxOpenPerRequester;
    await this.tables.insert({
      row: toRow(record, !isFinalAlignmentStatus(record.status)),
      step,
      at: record.createdAt,
      conflict: `${record.entityRef} already has an open alignment of ${record.environment}; wait for it to end or cancel it`,
      ...(max !== undefined && {
        limit: {
          requester: record.requester,
          max,
          refusal: tooManyOpenAlignments(max),
        },
      }),
    });
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
    const update: Partial<AlignmentRow> = toColumns({
      ...set,
      ...(set.deployerReference !== undefined && {
        deployerReference: set.deployerReference.slice(0, MAX_REFERENCE_LENGTH),
      }),
    });
    if (isFinalAlignmentStatus(to)) {
      update.finished_at = at;
    }
    const won = await this.tables.transition({
      from,
      to,
      columns: update,
      final: isFinalAlignmentStatus(to),
      step,
      decision,
      at,
    });
    return won ? this.get(from.id) : undefined;
  }

  async getDecisions(ids: string[]): Promise<AlignmentDecisionRecord[]> {
    return (await this.tables.decisions(ids)).map(
      ({ subjectId, ...decision }) => ({ alignmentId: subjectId, ...decision }),
    );
  }

  async getSteps(id: string): Promise<AlignmentStep[]> {
    return (await this.tables.steps(id)).map(
      ({ id: _id, subjectId: _subject, ...step }) => step as AlignmentStep,
    );
  }

  async list(query: AlignmentQuery): Promise<AlignmentRecord[]> {
    return (await this.tables.list<AlignmentRow>(query)).map(fromRow);
  }

  /**
   * What the sweep acts on: alignments dispatched before `stuckBefore` (the
   * replica calling the deployer stopped), every one verifying, and those
   * pending approval since before `unreviewedBefore` (the review timeout).
   */
  async due(options: {
    stuckBefore: Date;
    unreviewedBefore: Date;
    limit: number;
  }): Promise<{
    stuck: AlignmentRecord[];
    verifying: AlignmentRecord[];
    unreviewed: AlignmentRecord[];
  }> {
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
    const unreviewed = await table()
      .where('status', 'pending-approval')
      .where('created_at', '<=', options.unreviewedBefore)
      .orderBy('created_at')
      .limit(options.limit);
    return {
      stuck: stuck.map(fromRow),
      verifying: verifying.map(fromRow),
      unreviewed: unreviewed.map(fromRow),
    };
  }
}
