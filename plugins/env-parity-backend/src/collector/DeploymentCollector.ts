import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EnvironmentDefinition,
  Snapshot,
} from '@env-parity/plugin-env-parity-common';
import { DeploymentProvider } from '@env-parity/plugin-env-parity-node';
import pLimit from 'p-limit';
import { isRolledBackRace } from '../database/rows';
import { EnvironmentRegistry } from '../environments';
import { SingleFlight } from '../http/coalesce';
import type { ScorecardUpdater } from '../scorecard/ScorecardWriter';
import { ObservationWrite, SnapshotStore } from '../store/SnapshotStore';

/** Tuning of a collection; see `envParity.collector` in config.d.ts. */
export interface CollectorOptions {
  kinds: string[];
  batchSize: number;
  concurrency: number;
  providerTimeoutMs: number;
  /** `envParity.historyRetention`: history older than this is deleted. */
  historyRetentionMs: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function readCollectorOptions(config: Config): CollectorOptions {
  const c = config.getOptionalConfig('envParity.collector');
  const historyRetentionMs = config.has('envParity.historyRetention')
    ? durationToMilliseconds(
        readDurationFromConfig(config, { key: 'envParity.historyRetention' }),
      )
    : 90 * DAY_MS;
  if (!(historyRetentionMs > 0)) {
    throw new Error(
      'envParity.historyRetention must be a positive duration, e.g. { days: 90 }',
    );
  }
  return {
    kinds: c?.getOptionalStringArray('kinds') ?? ['Component'],
    batchSize: c?.getOptionalNumber('batchSize') ?? 100,
    concurrency: c?.getOptionalNumber('concurrency') ?? 10,
    providerTimeoutMs: c?.has('providerTimeout')
      ? durationToMilliseconds(
          readDurationFromConfig(c, { key: 'providerTimeout' }),
        )
      : 30_000,
    historyRetentionMs,
  };
}

/** What a full collection did. */
export interface CollectionResult {
  entities: number;
  written: number;
  failures: number;
  removed: number;
  /** History rows deleted as past `envParity.historyRetention`. */
  historyDeleted: number;
  /** Scorecard rows written or deleted; present when a scorecard is kept. */
  reportsWritten?: number;
}

/** What one batch of a collection stored. */
export interface StoredBatch {
  entities: Entity[];
  /** The entities' snapshots as stored once the batch was written. */
  snapshots: Snapshot[];
  environments: EnvironmentDefinition[];
  /** Snapshot rows the batch wrote; 0 when nothing changed. */
  written: number;
  /** An explicit refresh of one entity, not the scheduled pass. */
  refresh: boolean;
}

/** One collection as a listener follows it, batch by batch. */
export interface CollectionRun {
  /** Called after each batch is stored (and the scorecard updated). */
  batchStored(batch: StoredBatch): Promise<void>;
}

/**
 * Told of every collection (the scheduled pass and each refresh of one
 * entity) as it stores what it observed. A listener's failure is logged and
 * never fails the collection.
 */
export interface CollectionListener {
  collectionStarted(info: { refresh: boolean }): CollectionRun;
}

/** Tries to store one batch's observations when replicas race. */
const WRITE_ATTEMPTS = 3;

/** A write another replica's concurrent write made fail; safe to retry. */
function isLostWriteRace(error: unknown): boolean {
  const e = error as { code?: string; errno?: number } | undefined;
  return (
    isRolledBackRace(error) ||
    e?.code === '23505' || // PostgreSQL unique_violation
    e?.code === 'ER_DUP_ENTRY' ||
    e?.errno === 1062 ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/**
 * Asks every deployment provider about every tracked entity and stores what
 * changed. Runs in batches, each provider with bounded concurrency, so a slow
 * or failing provider costs its own entities only.
 */
export class DeploymentCollector {
  private readonly limits = new Map<string, ReturnType<typeof pLimit>>();
  private readonly collecting = new SingleFlight<void>();
  private readonly listeners: CollectionListener[] = [];

  constructor(
    private readonly deps: {
      store: SnapshotStore;
      providers: DeploymentProvider[];
      environments: EnvironmentRegistry;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      options: CollectorOptions;
      /** Kept current after every batch, when given. */
      scorecard?: ScorecardUpdater;
    },
  ) {
    for (const provider of deps.providers) {
      this.limits.set(
        provider.getProviderName(),
        pLimit(provider.concurrency ?? deps.options.concurrency),
      );
    }
  }

  /** Adds a listener told of every later collection. */
  addListener(listener: CollectionListener): void {
    this.listeners.push(listener);
  }

  private startRuns(refresh: boolean): CollectionRun[] {
    return this.listeners.map(l => l.collectionStarted({ refresh }));
  }

  /** Whether any provider has something to say about the entity. */
  tracks(entity: Entity): boolean {
    return this.deps.providers.some(p => p.supports(entity));
  }

  /** One full pass over the catalog. */
  async collectAll(signal?: AbortSignal): Promise<CollectionResult> {
    const startedAt = new Date();
    const { catalog, auth, store, logger, options } = this.deps;
    const environments = await this.deps.environments.list();
    const seen = new Set<string>();
    const result: CollectionResult = {
      entities: 0,
      written: 0,
      failures: 0,
      removed: 0,
      historyDeleted: 0,
      ...(this.deps.scorecard && { reportsWritten: 0 }),
    };
    // The collector works for everyone, so it sees the whole catalog; what
    // a user sees is filtered again with their credentials on every read.
    const credentials = await auth.getOwnServiceCredentials();
    const runs = this.startRuns(false);
    for await (const page of catalog.streamEntities(
      { filter: { kind: options.kinds }, pageSize: options.batchSize },
      { credentials },
    )) {
      if (signal?.aborted) {
        logger.warn('Deployment collection stopped: out of time');
        return result;
      }
      const tracked = page.filter(e => this.tracks(e));
      tracked.forEach(e => seen.add(stringifyEntityRef(e)));
      const batch = await this.collectBatch(tracked, environments, {
        signal,
        runs,
      });
      result.entities += tracked.length;
      result.written += batch.written;
      result.failures += batch.failures;
      if (result.reportsWritten !== undefined) {
        result.reportsWritten += batch.reportsWritten;
      }
    }
    result.removed = await store.deleteEntitiesExcept(seen);
    if (this.deps.scorecard) {
      result.reportsWritten! += await this.deps.scorecard.removeEntitiesExcept(
        seen,
      );
    }
    await store.recordCompletedRun(startedAt);
    result.historyDeleted = await this.deleteOldHistory(startedAt);
    logger.info(
      `Collected deployments of ${result.entities} entities: ${result.written} snapshots written, ${result.failures} provider failures, ${result.removed} removed entities forgotten, ${result.historyDeleted} history rows past retention deleted`,
    );
    return result;
  }

  /**
   * Deletes history past the retention, a bounded number of rows per run (a
   * backlog goes over several runs). Only after a completed run, like the
   * pruning of the run records; a failure is logged, as the collection
   * itself succeeded and the next run tries again.
   */
  private async deleteOldHistory(startedAt: Date): Promise<number> {
    const cutoff = new Date(
      startedAt.getTime() - this.deps.options.historyRetentionMs,
    );
    try {
      return await this.deps.store.deleteHistoryBefore(cutoff);
    } catch (error) {
      this.deps.logger.error(
        `Deleting deployment history before ${cutoff.toISOString()} failed: ${errorMessage(
          error,
        )}`,
      );
      return 0;
    }
  }

  /**
   * Collects one entity now, recording the observation time even if nothing
   * changed. Concurrent calls for one entity share one collection, so a burst
   * of refreshes asks each provider once (across replicas the writes are
   * idempotent).
   */
  collectEntity(entity: Entity): Promise<void> {
    return this.collecting.run(stringifyEntityRef(entity), async () => {
      const environments = await this.deps.environments.list();
      await this.collectBatch([entity], environments, {
        touch: true,
        runs: this.startRuns(true),
      });
    });
  }

  private async collectBatch(
    entities: Entity[],
    environments: EnvironmentDefinition[],
    options: { touch?: boolean; signal?: AbortSignal; runs: CollectionRun[] },
  ): Promise<{ written: number; failures: number; reportsWritten: number }> {
    if (entities.length === 0) {
      return { written: 0, failures: 0, reportsWritten: 0 };
    }
    const { store, providers } = this.deps;
    const refs = entities.map(e => stringifyEntityRef(e));
    const observedAt = new Date();

    // Environments each (entity, provider) had before, so the ones a
    // provider no longer reports are cleared.
    const previous = new Map<string, Set<string>>();
    const storedSnapshots = await store.getSnapshotsForEntities(refs);
    for (const s of storedSnapshots) {
      const key = `${s.entityRef}\n${s.provider}`;
      previous.set(key, (previous.get(key) ?? new Set()).add(s.environment));
    }
    const configured = environments.map(e => e.name);

    let failures = 0;
    const perEntity = await Promise.all(
      entities.map(async (entity, i) => {
        const entityRef = refs[i];
        const writes: ObservationWrite[] = [];
        for (const provider of providers) {
          const name = provider.getProviderName();
          const before = previous.get(`${entityRef}\n${name}`) ?? new Set();
          const reported = new Map<string, ObservationWrite>();
          if (provider.supports(entity)) {
            try {
              const observations = await this.limits.get(name)!(() =>
                this.observeWithTimeout(
                  provider,
                  entity,
                  environments,
                  options.signal,
                ),
              );
              for (const o of observations) {
                reported.set(o.environment, {
                  entityRef,
                  environment: o.environment,
                  provider: name,
                  ...(o.deployment ? { deployment: o.deployment } : {}),
                  ...(o.error ? { error: errorMessage(o.error) } : {}),
                });
              }
            } catch (error) {
              failures += 1;
              this.deps.logger.warn(
                `Provider ${name} failed for ${entityRef}: ${errorMessage(
                  error,
                )}`,
              );
              for (const environment of configured) {
                reported.set(environment, {
                  entityRef,
                  environment,
                  provider: name,
                  error: errorMessage(error),
                });
              }
            }
          }
          writes.push(...reported.values());
          for (const environment of before) {
            if (!reported.has(environment)) {
              writes.push({ entityRef, environment, provider: name });
            }
          }
        }
        return writes;
      }),
    );
    const { written } = await this.applyWithRetry(
      perEntity.flat(),
      observedAt,
      options.touch,
    );
    let reportsWritten = 0;
    // Unchanged snapshots need no second read: what was read before is
    // what is stored.
    let current: Promise<Snapshot[]> | undefined;
    const stored = () =>
      (current ??= written
        ? store.getSnapshotsForEntities(refs)
        : Promise.resolve(storedSnapshots));
    if (this.deps.scorecard) {
      // the scorecard rows are recomputed, and only changed ones written
      try {
        const snapshots = await stored();
        reportsWritten = (
          await this.deps.scorecard.updateEntities(
            entities.filter(e => this.tracks(e)),
            snapshots,
            environments,
            { touch: options.touch },
          )
        ).written;
      } catch (error) {
        // the snapshots are stored; the next pass recomputes the scorecard
        this.deps.logger.error(
          `Updating the scorecard of ${
            refs.length
          } entities failed: ${errorMessage(error)}`,
        );
      }
    }
    await this.tell(options.runs, entities, stored, {
      environments,
      written,
      refresh: Boolean(options.touch),
    });
    return { written, failures, reportsWritten };
  }

  /** Tells the listeners what the batch stored; their failures are logged. */
  private async tell(
    runs: CollectionRun[],
    entities: Entity[],
    stored: () => Promise<Snapshot[]>,
    batch: Omit<StoredBatch, 'entities' | 'snapshots'>,
  ): Promise<void> {
    if (runs.length === 0) {
      return;
    }
    let snapshots: Snapshot[];
    try {
      snapshots = await stored();
    } catch (error) {
      this.deps.logger.error(
        `Reading the stored snapshots of ${
          entities.length
        } entities for the collection's listeners failed: ${errorMessage(
          error,
        )}`,
      );
      return;
    }
    for (const run of runs) {
      try {
        await run.batchStored({ ...batch, entities, snapshots });
      } catch (error) {
        this.deps.logger.error(
          `After storing a batch of ${entities.length} entities: ${errorMessage(
            error,
          )}`,
        );
      }
    }
  }

  /**
   * Stores observations; when another replica stored the same entity's first
   * snapshots at the same moment (a unique key violation) or the database
   * rolled the transaction back to break a deadlock, writes again, now over
   * the other replica's rows. Providers are not asked again.
   */
  private async applyWithRetry(
    writes: ObservationWrite[],
    observedAt: Date,
    touch: boolean | undefined,
  ) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.deps.store.applyObservations(writes, observedAt, {
          touch,
        });
      } catch (error) {
        if (attempt >= WRITE_ATTEMPTS || !isLostWriteRace(error)) {
          throw error;
        }
      }
    }
  }

  private async observeWithTimeout(
    provider: DeploymentProvider,
    entity: Entity,
    environments: EnvironmentDefinition[],
    outer?: AbortSignal,
  ) {
    const timeoutMs = this.deps.options.providerTimeoutMs;
    const controller = new AbortController();
    const abort = () => controller.abort();
    outer?.addEventListener('abort', abort);
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        provider.observe({ entity, environments, signal: controller.signal }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            controller.abort();
            reject(new Error(`timed out after ${timeoutMs} ms`));
          }, timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', abort);
    }
  }
}
