import { DatabaseService } from '@backstage/backend-plugin-api';
import { Deployment, Snapshot } from '@env-parity/plugin-env-parity-common';
import { createHash } from 'node:crypto';
import { Knex } from 'knex';
import { migratedClient } from '../database/migrations';
import { chunks, DbTime, toDate } from '../database/rows';
import {
  ObservationWrite,
  SnapshotChange,
  SnapshotStore,
} from './SnapshotStore';

const SNAPSHOTS = 'env_parity_snapshots';
const HISTORY = 'env_parity_snapshot_history';
const RUNS = 'env_parity_collection_runs';

/** Completed runs kept; only the latest is read, the rest help debugging. */
const KEPT_RUNS = 100;

/**
 * History rows past the retention deleted per statement, and statements per
 * call: a backlog (e.g. when the retention is first shortened) is worked off
 * over several collection runs, each statement short.
 */
const HISTORY_DELETE_BATCH = 5_000;
const HISTORY_DELETE_BATCHES = 4;

/** Keeps multi-row inserts well below every database's bind limit. */
const INSERT_CHUNK = 100;

interface SnapshotRow {
  entity_ref: string;
  environment: string;
  provider: string;
  deployment: string | null;
  fingerprint: string | null;
  error: string | null;
  last_success_at: DbTime | null;
  checked_at: DbTime;
  changed_at: DbTime | null;
}

interface HistoryRow {
  entity_ref: string;
  environment: string;
  provider: string;
  deployment: string | null;
  fingerprint: string | null;
  changed_at: DbTime;
}

type StoredState = Pick<
  SnapshotRow,
  'fingerprint' | 'error' | 'last_success_at'
>;

function keyOf(o: {
  entityRef: string;
  environment: string;
  provider: string;
}) {
  return JSON.stringify([o.entityRef, o.environment, o.provider]);
}

/** JSON with object keys sorted, so equal deployments serialise equally. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(v => canonicalJson(v ?? null)).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const fields = Object.keys(obj)
      .filter(k => obj[k] !== undefined)
      .sort()
      .map(k => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`);
    return `{${fields.join(',')}}`;
  }
  return JSON.stringify(value);
}

function latest(...dates: (Date | undefined)[]): Date | undefined {
  return dates.reduce<Date | undefined>(
    (a, b) => (!a || (b && b > a) ? b : a),
    undefined,
  );
}

/**
 * The knex implementation of {@link SnapshotStore}.
 *
 * A completed collection run stands in for a write per unchanged row: the
 * effective observation and check times are the later of the stored time and
 * the start of the latest completed run.
 */
export class DatabaseSnapshotStore implements SnapshotStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseSnapshotStore> {
    const { database, skipMigrations } = options;
    const client = await migratedClient(database, skipMigrations);
    return new DatabaseSnapshotStore(client);
  }

  private constructor(private readonly db: Knex) {}

  async applyObservations(
    observations: ObservationWrite[],
    observedAt: Date,
    options?: { touch?: boolean },
  ): Promise<{ written: number }> {
    const touch = options?.touch ?? false;
    // The last observation of a key wins, so every key is written at most once.
    const byKey = new Map(observations.map(o => [keyOf(o), o]));
    if (!byKey.size) {
      return { written: 0 };
    }

    return this.db.transaction(async tx => {
      const stored = new Map<string, StoredState>();
      const refs = [...new Set(observations.map(o => o.entityRef))];
      for (const chunk of chunks(refs)) {
        const rows = await tx<SnapshotRow>(SNAPSHOTS)
          .select(
            'entity_ref',
            'environment',
            'provider',
            'fingerprint',
            'error',
            'last_success_at',
          )
          .whereIn('entity_ref', chunk);
        for (const row of rows) {
          stored.set(
            keyOf({
              entityRef: row.entity_ref,
              environment: row.environment,
              provider: row.provider,
            }),
            row,
          );
        }
      }

      let run: Promise<Date | undefined> | undefined;
      const inserts: SnapshotRow[] = [];
      const history: HistoryRow[] = [];
      let written = 0;

      for (const [key, o] of byKey) {
        const row = stored.get(key);
        const where = {
          entity_ref: o.entityRef,
          environment: o.environment,
          provider: o.provider,
        };

        if (o.deployment) {
          const deployment = canonicalJson(o.deployment);
          const fingerprint = createHash('sha256')
            .update(deployment)
            .digest('hex');
          const changed = row?.fingerprint !== fingerprint;
          if (changed) {
            history.push({
              ...where,
              deployment,
              fingerprint,
              changed_at: observedAt,
            });
          }
          const success = {
            error: null,
            last_success_at: observedAt,
            checked_at: observedAt,
          };
          if (!row) {
            inserts.push({
              ...where,
              ...success,
              deployment,
              fingerprint,
              changed_at: observedAt,
            });
          } else if (changed) {
            await tx(SNAPSHOTS)
              .where(where)
              .update({
                ...success,
                deployment,
                fingerprint,
                changed_at: observedAt,
              });
            written += 1;
          } else if (row.error !== null || touch) {
            await tx(SNAPSHOTS).where(where).update(success);
            written += 1;
          }
        } else if (o.error !== undefined) {
          if (!row) {
            inserts.push({
              ...where,
              deployment: null,
              fingerprint: null,
              error: o.error,
              last_success_at: null,
              checked_at: observedAt,
              changed_at: null,
            });
          } else if (row.error !== o.error || touch) {
            const update: Partial<SnapshotRow> = {
              error: o.error,
              checked_at: observedAt,
            };
            if (row.error === null) {
              // The row was only implicitly observed by the completed runs
              // since its last write; keep that time before the error hides it.
              run ??= this.latestRunStart(tx);
              update.last_success_at =
                latest(toDate(row.last_success_at), await run) ?? null;
            }
            await tx(SNAPSHOTS).where(where).update(update);
            written += 1;
          }
        } else if (row) {
          await tx(SNAPSHOTS).where(where).delete();
          written += 1;
          if (row.fingerprint !== null) {
            history.push({
              ...where,
              deployment: null,
              fingerprint: null,
              changed_at: observedAt,
            });
          }
        }
      }

      for (const chunk of chunks(inserts, INSERT_CHUNK)) {
        await tx(SNAPSHOTS).insert(chunk);
      }
      for (const chunk of chunks(history, INSERT_CHUNK)) {
        await tx(HISTORY).insert(chunk);
      }
      return { written: written + inserts.length };
    });
  }

  async recordCompletedRun(startedAt: Date): Promise<void> {
    await this.db.transaction(async tx => {
      await tx(RUNS).insert({ started_at: startedAt, finished_at: new Date() });
      // MySQL has no LIMIT in IN subqueries, so find the cut-off first.
      const oldest = await tx(RUNS)
        .select('id')
        .orderBy('id', 'desc')
        .offset(KEPT_RUNS - 1)
        .first();
      if (oldest) {
        await tx(RUNS).where('id', '<', oldest.id).delete();
      }
    });
  }

  async getSnapshots(entityRef: string): Promise<Snapshot[]> {
    return this.getSnapshotsForEntities([entityRef]);
  }

  async getSnapshotsForEntities(entityRefs: string[]): Promise<Snapshot[]> {
    const refs = [...new Set(entityRefs)];
    if (!refs.length) {
      return [];
    }
    const run = await this.latestRunStart(this.db);
    const rows: SnapshotRow[] = [];
    for (const chunk of chunks(refs)) {
      rows.push(
        ...(await this.db<SnapshotRow>(SNAPSHOTS)
          .whereIn('entity_ref', chunk)
          .orderBy(['entity_ref', 'environment', 'provider'])),
      );
    }
    return rows.map(row => {
      const lastSuccess = toDate(row.last_success_at);
      const observed =
        row.error === null && row.deployment !== null
          ? latest(lastSuccess, run)
          : lastSuccess;
      const changed = toDate(row.changed_at);
      return {
        entityRef: row.entity_ref,
        environment: row.environment,
        provider: row.provider,
        ...(row.deployment !== null && {
          deployment: JSON.parse(row.deployment) as Deployment,
        }),
        ...(row.error !== null && { error: row.error }),
        ...(observed && { observedAt: observed.toISOString() }),
        checkedAt: latest(toDate(row.checked_at), run)!.toISOString(),
        ...(changed && { changedAt: changed.toISOString() }),
      };
    });
  }

  async getHistory(
    entityRef: string,
    options?: { environment?: string; limit?: number },
  ): Promise<SnapshotChange[]> {
    const query = this.db<HistoryRow>(HISTORY)
      .where('entity_ref', entityRef)
      .orderBy([
        { column: 'changed_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(options?.limit ?? 100);
    if (options?.environment !== undefined) {
      query.where('environment', options.environment);
    }
    const rows = await query;
    return rows.map(row => ({
      entityRef: row.entity_ref,
      environment: row.environment,
      provider: row.provider,
      ...(row.deployment !== null && {
        deployment: JSON.parse(row.deployment) as Deployment,
      }),
      changedAt: new Date(row.changed_at).toISOString(),
    }));
  }

  async deleteEntitiesExcept(keep: Set<string>): Promise<number> {
    return this.db.transaction(async tx => {
      const stored = new Set<string>();
      for (const table of [SNAPSHOTS, HISTORY]) {
        const rows = await tx(table).distinct('entity_ref');
        rows.forEach(row => stored.add(row.entity_ref));
      }
      const removed = [...stored].filter(ref => !keep.has(ref));
      for (const chunk of chunks(removed)) {
        await tx(SNAPSHOTS).whereIn('entity_ref', chunk).delete();
        await tx(HISTORY).whereIn('entity_ref', chunk).delete();
      }
      return removed.length;
    });
  }

  async deleteHistoryBefore(
    cutoff: Date,
    options?: { batchSize?: number; maxBatches?: number },
  ): Promise<number> {
    const batchSize = options?.batchSize ?? HISTORY_DELETE_BATCH;
    const maxBatches = options?.maxBatches ?? HISTORY_DELETE_BATCHES;
    let deleted = 0;
    for (let i = 0; i < maxBatches; i++) {
      // PostgreSQL has no DELETE ... LIMIT and MySQL no LIMIT in IN
      // subqueries, so find the last row of the batch first, in the order of
      // the (changed_at, id) index: rows of one collection batch share their
      // changed_at, so the id breaks the tie and the batch stays bounded.
      const last: { changed_at: DbTime; id: number } | undefined =
        await this.db(HISTORY)
          .select('changed_at', 'id')
          .where('changed_at', '<', cutoff)
          .orderBy([
            { column: 'changed_at', order: 'asc' },
            { column: 'id', order: 'asc' },
          ])
          .offset(batchSize - 1)
          .first();
      const query = this.db(HISTORY).where('changed_at', '<', cutoff);
      if (last) {
        query
          .where('changed_at', '<=', last.changed_at)
          .where(q =>
            q
              .where('changed_at', '<', last.changed_at)
              .orWhere('id', '<=', last.id),
          );
      }
      // Without a last row fewer than a batch are left: this is the last one.
      deleted += await query.delete();
      if (!last) {
        break;
      }
    }
    return deleted;
  }

  async latestCompletedRunStart(): Promise<Date | undefined> {
    return this.latestRunStart(this.db);
  }

  private async latestRunStart(db: Knex): Promise<Date | undefined> {
    const row = await db(RUNS)
      .select('started_at')
      .orderBy('started_at', 'desc')
      .first();
    return toDate(row?.started_at);
  }
}
