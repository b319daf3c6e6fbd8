import { Deployment, Snapshot } from '@env-parity/plugin-env-parity-common';

/**
 * The result of one provider's observation of one environment, as the
 * collector hands it to the store.
 */
export interface ObservationWrite {
  entityRef: string;
  environment: string;
  provider: string;
  /** Present on success. */
  deployment?: Deployment;
  /** Present on failure; the last good deployment is kept. */
  error?: string;
}

/*
 * An observation with neither deployment nor error means the provider has
 * nothing for that environment (any more): the stored snapshot is deleted,
 * and if it had a deployment, the history records a change without one.
 */

/**
 * One change of what runs in an environment, as kept in the history.
 */
export interface SnapshotChange {
  entityRef: string;
  environment: string;
  provider: string;
  deployment?: Deployment;
  changedAt: string;
}

/**
 * Stores the latest snapshot per (entity, environment, provider) and the
 * history of changes. Writes only what changed: an observation equal to the
 * stored one costs no write.
 */
export interface SnapshotStore {
  /**
   * Applies a batch of observations in one transaction. Writes a snapshot row
   * only when its deployment or error changed, and a history row only when
   * the deployment changed. `observedAt` is the time of the observations.
   *
   * With `touch`, every snapshot row of the batch gets its check and
   * success times updated even when nothing else changed (used by an
   * explicit refresh, so the user sees the new observation time).
   *
   * Returns the number of snapshot rows written (inserted, updated or deleted).
   * When a batch holds several observations of one key, the last one wins.
   */
  applyObservations(
    observations: ObservationWrite[],
    observedAt: Date,
    options?: { touch?: boolean },
  ): Promise<{ written: number }>;

  /**
   * Records that a collection pass covering every tracked entity finished,
   * so unchanged snapshots count as observed at its start without a write
   * per row.
   */
  recordCompletedRun(startedAt: Date): Promise<void>;

  /**
   * Start of the latest completed collection pass, if any: every tracked
   * entity was observed at least then (e.g. for the scorecard's "last
   * observed").
   */
  latestCompletedRunStart(): Promise<Date | undefined>;

  /** Latest snapshots of one entity, with effective observation times. */
  getSnapshots(entityRef: string): Promise<Snapshot[]>;

  /** Latest snapshots of many entities at once (for batches). */
  getSnapshotsForEntities(entityRefs: string[]): Promise<Snapshot[]>;

  /** Changes of one entity, newest first. */
  getHistory(
    entityRef: string,
    options?: { environment?: string; limit?: number },
  ): Promise<SnapshotChange[]>;

  /**
   * Deletes snapshots (and history) of entities not in `keep`, e.g. entities
   * removed from the catalog. Returns the number of entities removed.
   */
  deleteEntitiesExcept(keep: Set<string>): Promise<number>;

  /**
   * Deletes history rows that changed before `cutoff` (the retention),
   * oldest first, in separate statements of at most `batchSize` rows
   * (default 5,000), at most `maxBatches` of them (default 4), so one call
   * stays short however large the backlog; the rest goes on the next call.
   * By age only: the newest change of a deployment is deleted too once it
   * is old, as its snapshot row keeps the current state and when it
   * changed. Returns the number of rows deleted.
   */
  deleteHistoryBefore(
    cutoff: Date,
    options?: { batchSize?: number; maxBatches?: number },
  ): Promise<number>;
}
