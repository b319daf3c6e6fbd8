import {
  DatabaseService,
  isDatabaseConflictError,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  activeReplicaStatuses,
  ReplicaStatus,
  ReplicaStep,
} from '@env-parity/plugin-env-parity-common';
import { Knex } from 'knex';
import { createHash } from 'node:crypto';
import { compareAndSet, LOCKS_TABLE } from '../approvals';
import { migratedClient } from '../database/migrations';
import { DbTime, optional, toDate } from '../database/rows';
import {
  NewReplicaStep,
  ReplicaRecord,
  replicaStateMachine,
  ReplicaUpdate,
} from './records';
import { fromRow, REPLICAS, ReplicaRow, STEPS, toColumns, toRow } from './rows';

/** The caps of active replicas a new one is checked against. */
export interface ReplicaCaps {
  perUser: number;
  global: number;
}

/** The refusal of a launch beyond `envParity.replicas.perUserLimit`. */
export function tooManyReplicasOfUser(max: number): string {
  return `You have ${max} active replicas, the most allowed per user (envParity.replicas.perUserLimit); delete one or wait for one to expire`;
}

/** The refusal of a launch beyond `envParity.replicas.globalLimit`. */
export function tooManyReplicas(max: number): string {
  return `There are ${max} active replicas, the most allowed in all (envParity.replicas.globalLimit); try again once one has expired or been deleted`;
}

/** Which replicas to list. */
export interface ReplicaQuery {
  requester?: string;
  entityRef?: string;
  statuses?: ReplicaStatus[];
  limit: number;
}

interface StepRow {
  type: ReplicaStep['type'];
  actor: string;
  comment: string | null;
  at: DbTime;
}

/** The key of a lock row of the replica caps: one per requester, one for all. */
function lockKey(scope: string): string {
  return createHash('sha256').update(`${REPLICAS}\n${scope}`).digest('hex');
}
const GLOBAL_LOCK = lockKey('*global*');

/**
 * The knex store of production replicas. A new replica is inserted in one
 * transaction with the check of the per-user and global caps, behind lock
 * rows (as alignments keep their per-user limit), so two launches at a cap
 * on any number of backend replicas: exactly one wins. Every later change
 * is a single conditional write (`compareAndSet` on status and version)
 * with its timeline step; zero rows updated means someone else changed the
 * replica first.
 */
export class DatabaseReplicaStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseReplicaStore> {
    const client = await migratedClient(
      options.database,
      options.skipMigrations,
    );
    return new DatabaseReplicaStore(client);
  }

  private readonly rowLocks: boolean;

  private constructor(private readonly db: Knex) {
    this.rowLocks = !String(db.client.config.client ?? '').includes('sqlite');
  }

  /**
   * Stores a new `creating` replica with its first step. Throws
   * `ConflictError` when its requester already has `caps.perUser` active
   * replicas or everyone together `caps.global`.
   */
  async insert(
    record: ReplicaRecord,
    step: NewReplicaStep,
    caps: ReplicaCaps,
  ): Promise<ReplicaRecord> {
    const userLock = lockKey(record.requester);
    // on their own: inside the transaction, MySQL would take a shared lock
    // on an existing row here, and two inserts upgrading theirs deadlock
    for (const key of [GLOBAL_LOCK, userLock]) {
      await this.db(LOCKS_TABLE)
        .insert({ lock_key: key })
        .onConflict('lock_key')
        .ignore();
    }
    try {
      await this.db.transaction(
        async tx => {
          // always in this order: the global row first, then the user's
          // (an update to the same value: a write lock on PostgreSQL and
          // MySQL rows, SQLite's database write lock)
          for (const key of [GLOBAL_LOCK, userLock]) {
            await tx(LOCKS_TABLE)
              .where('lock_key', key)
              .update({ lock_key: key });
          }
          const active = () =>
            tx<ReplicaRow>(REPLICAS).whereIn('status', activeReplicaStatuses);
          const [{ n: mine }] = await active()
            .where('requester', record.requester)
            .count({ n: '*' });
          if (Number(mine) >= caps.perUser) {
            throw new ConflictError(tooManyReplicasOfUser(caps.perUser));
          }
          const [{ n: all }] = await active().count({ n: '*' });
          if (Number(all) >= caps.global) {
            throw new ConflictError(tooManyReplicas(caps.global));
          }
          await tx(REPLICAS).insert(toRow(record));
          await tx(STEPS).insert(
            this.stepRow(
              record.id,
              step,
              undefined,
              record.status,
              record.createdAt,
            ),
          );
        },
        // each statement sees what the lock holder before it committed
        this.rowLocks ? { isolationLevel: 'read committed' } : {},
      );
    } catch (error) {
      if (isDatabaseConflictError(error)) {
        throw new ConflictError(`Replica ${record.id} already exists`);
      }
      throw error;
    }
    return this.require(record.id);
  }

  async get(id: string): Promise<ReplicaRecord | undefined> {
    const row = await this.db<ReplicaRow>(REPLICAS).where('id', id).first();
    return row ? fromRow(row) : undefined;
  }

  /** Throws `NotFoundError` for an unknown id. */
  async require(id: string): Promise<ReplicaRecord> {
    const record = await this.get(id);
    if (!record) {
      throw new NotFoundError(`No replica ${id}`);
    }
    return record;
  }

  /** Newest first. */
  async list(query: ReplicaQuery): Promise<ReplicaRecord[]> {
    const q = this.db<ReplicaRow>(REPLICAS);
    if (query.requester !== undefined) {
      q.where('requester', query.requester);
    }
    if (query.entityRef !== undefined) {
      q.where('entity_ref', query.entityRef);
    }
    if (query.statuses !== undefined) {
      q.whereIn('status', query.statuses);
    }
    const rows = await q
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(query.limit);
    return rows.map(fromRow);
  }

  /** Active replicas (creating or ready), the longest unchecked first. */
  async active(limit: number): Promise<ReplicaRecord[]> {
    const rows = await this.db<ReplicaRow>(REPLICAS)
      .whereIn('status', activeReplicaStatuses)
      .orderBy([
        { column: 'updated_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
      .limit(limit);
    return rows.map(fromRow);
  }

  /** How many active replicas a user has, or (without one) everyone. */
  async countActive(requester?: string): Promise<number> {
    const q = this.db<ReplicaRow>(REPLICAS).whereIn(
      'status',
      activeReplicaStatuses,
    );
    if (requester !== undefined) {
      q.where('requester', requester);
    }
    const [{ n }] = await q.count({ n: '*' });
    return Number(n);
  }

  /**
   * Moves a replica from the exact state it was read in to `to` (which may
   * be its status, for a write that changes no status), as one conditional
   * write with its step. Returns the updated replica, or undefined when
   * someone else changed it since it was read: the caller lost the race.
   */
  async transition(options: {
    from: ReplicaRecord;
    to: ReplicaStatus;
    set?: ReplicaUpdate;
    /** Without a step, nothing is added to the timeline. */
    step?: NewReplicaStep;
    at: Date;
  }): Promise<ReplicaRecord | undefined> {
    const { from, to, set = {}, step, at } = options;
    replicaStateMachine.assert(from.id, from.status, to);
    const won = await compareAndSet(this.db, {
      table: REPLICAS,
      id: from.id,
      expected: from,
      update: {
        ...toColumns(set),
        status: to,
        version: from.version + 1,
        updated_at: at,
      },
      alsoWrite: step
        ? async tx => {
            await tx(STEPS).insert(
              this.stepRow(from.id, step, from.status, to, at),
            );
          }
        : undefined,
    });
    return won ? this.get(from.id) : undefined;
  }

  /**
   * Records what the driver observed of an active replica whose status it
   * does not change (no version change: a concurrent status write is never
   * lost to it). False when the replica is no longer active.
   */
  async recordObservation(
    id: string,
    observation: NonNullable<ReplicaUpdate['observation']>,
  ): Promise<boolean> {
    const changed = await this.db<ReplicaRow>(REPLICAS)
      .where('id', id)
      .whereIn('status', activeReplicaStatuses)
      .update(toColumns({ observation }));
    return Number(changed) === 1;
  }

  /** The timeline of a replica, oldest first. */
  async getSteps(id: string): Promise<ReplicaStep[]> {
    const rows: StepRow[] = await this.db(STEPS)
      .where('replica_id', id)
      .orderBy('id');
    return rows.map(row => ({
      type: row.type,
      actor: row.actor,
      ...(optional(row.comment) !== undefined && { comment: row.comment! }),
      at: toDate(row.at)!.toISOString(),
    }));
  }

  private stepRow(
    replicaId: string,
    step: NewReplicaStep,
    fromStatus: ReplicaStatus | undefined,
    toStatus: ReplicaStatus,
    at: Date,
  ) {
    return {
      replica_id: replicaId,
      type: step.type,
      actor: step.actor,
      from_status: fromStatus ?? null,
      to_status: toStatus,
      comment: step.comment?.slice(0, 2000) ?? null,
      at,
    };
  }
}
