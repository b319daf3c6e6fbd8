import { ConfigFingerprint } from '@env-parity/plugin-env-parity-common';
import { DEFAULT_INVENTORY_MAX_STALE_FACTOR } from './config';
import { ClusterInventory, LabelledList, Reference } from './inventory';

/*
 * What the provider keeps between observations: single-flight caches of
 * each cluster's inventory and of the fingerprints of the ConfigMaps and
 * Secrets it read.
 */

/**
 * A ConfigMap's or Secret's keys, fingerprinted; values never kept. The
 * fingerprints of one read are held as one string, the JSON of its
 * `[key, fingerprint]` pairs (see {@link sourceRecord}), rather than as a
 * Map and an object per key: a cluster's cache holds one per ConfigMap
 * and Secret its workloads use, tens of thousands, and each is read back
 * only by the observations of the workloads using it.
 */
export type SourceRecord =
  | { found: true; keys: string }
  | { found: false }
  /** A Secret the service account may not read (403). */
  | { found: false; forbidden: true };

/** What is kept of a ConfigMap or Secret read: its keys' fingerprints, in one string. */
export function sourceRecord(
  keys: Map<string, ConfigFingerprint>,
): SourceRecord {
  return { found: true, keys: JSON.stringify([...keys]) };
}

/** The keys' fingerprints of a ConfigMap or Secret read, as a Map of fresh objects. */
export function sourceKeys(record: {
  found: true;
  keys: string;
}): Map<string, ConfigFingerprint> {
  return new Map(JSON.parse(record.keys));
}

interface CacheEntry<V> {
  /** The last value loaded, if any. */
  value?: V;
  /** When the load of `value` started (the cache's clock). */
  loadedAt: number;
  /** The load running, if any: one at a time per key. */
  loading?: Promise<V>;
  /** The last load's failure (a rejected promise) and until when it is remembered. */
  failure?: { promise: Promise<V>; until: number };
}

/** What a load is told by the cache. */
export interface LoadContext {
  /**
   * True when no caller waits for this load: a previous value is served
   * meanwhile (stale while refreshing). Its failure is seen by nobody
   * unless the loader reports it.
   */
  background: boolean;
}

/**
 * A cache of values loaded at most once per `maxAgeMs` per key, single
 * flight: callers asking while a load runs share it, its failure included.
 * A value is fresh `maxAgeMs` from the start of its load. Once it is older
 * but younger than `maxStaleMs` (at least `maxAgeMs`; by default equal to
 * it, which turns this off), callers get it at once while one load runs in
 * the background (stale while refreshing); past `maxStaleMs`, and for the
 * first load of a key, callers wait for the load. A failure is kept
 * `retryDelayMs` (so that a failing cluster is not asked again by every
 * observation): callers that would wait get it, callers that may be served
 * the stale value get that value. Entries nobody can be served from any
 * more are dropped now and then.
 */
export class SingleFlightCache<V> {
  private readonly entries = new Map<string, CacheEntry<V>>();
  private readonly maxStaleMs: number;
  private lastSweep: number;

  constructor(
    private readonly options: {
      maxAgeMs: number;
      /** How old a value may be served while a new one loads; `maxAgeMs` by default. */
      maxStaleMs?: number;
      retryDelayMs: number;
      now: () => number;
    },
  ) {
    this.maxStaleMs = Math.max(
      options.maxStaleMs ?? options.maxAgeMs,
      options.maxAgeMs,
    );
    this.lastSweep = options.now();
  }

  get(key: string, load: (context: LoadContext) => Promise<V>): Promise<V> {
    const now = this.options.now();
    this.sweep(now);
    let entry = this.entries.get(key);
    if (!entry) {
      // every field from the start: one shape, held in the object itself
      // (fields added later would each grow a separate property array)
      entry = {
        value: undefined,
        loadedAt: -Infinity,
        loading: undefined,
        failure: undefined,
      };
      this.entries.set(key, entry);
    }
    const age = now - entry.loadedAt;
    if (entry.value !== undefined && age < this.options.maxAgeMs) {
      return Promise.resolve(entry.value);
    }
    const stale =
      entry.value !== undefined && age < this.maxStaleMs
        ? Promise.resolve(entry.value)
        : undefined;
    if (entry.loading) {
      return stale ?? entry.loading;
    }
    if (entry.failure && now < entry.failure.until) {
      return stale ?? entry.failure.promise;
    }
    entry.failure = undefined;
    const loading = this.load(entry, now, load, { background: !!stale });
    return stale ?? loading;
  }

  private load(
    entry: CacheEntry<V>,
    startedAt: number,
    load: (context: LoadContext) => Promise<V>,
    context: LoadContext,
  ): Promise<V> {
    const loading = (async () => load(context))().then(
      value => {
        entry.value = value;
        entry.loadedAt = startedAt;
        entry.loading = undefined;
        return value;
      },
      error => {
        const failed = Promise.reject(error);
        // a failure nobody waits for any more is no unhandled rejection
        failed.catch(() => {});
        entry.failure = {
          promise: failed,
          until: this.options.now() + this.options.retryDelayMs,
        };
        entry.loading = undefined;
        throw error;
      },
    );
    loading.catch(() => {});
    entry.loading = loading;
    return loading;
  }

  /** The load of a key running, if any, settled either way (for tests). */
  settled(key: string): Promise<void> | undefined {
    return this.entries.get(key)?.loading?.then(
      () => undefined,
      () => undefined,
    );
  }

  /** The values loaded and not yet dropped, by key (stale ones included). */
  values(): Array<[string, V]> {
    return [...this.entries.entries()].flatMap(([key, entry]) =>
      entry.value === undefined ? [] : [[key, entry.value] as [string, V]],
    );
  }

  private sweep(now: number) {
    if (now - this.lastSweep < Math.max(this.options.maxAgeMs, 1000)) {
      return;
    }
    this.lastSweep = now;
    for (const [key, entry] of this.entries) {
      const servable =
        entry.value !== undefined && now - entry.loadedAt < this.maxStaleMs;
      const failing = entry.failure !== undefined && now < entry.failure.until;
      if (!entry.loading && !servable && !failing) {
        this.entries.delete(key);
      }
    }
  }
}

/** How long a failed inventory listing or ConfigMap/Secret read is remembered. */
export const RETRY_DELAY_MS = 10_000;

/**
 * What the provider keeps between observations with the inventory on: the
 * inventory of each cluster, and the fingerprints of the ConfigMaps and
 * Secrets read, by cluster, kind, namespace and name.
 *
 * An inventory older than `maxAgeMs` but younger than `maxStaleMs` is
 * served at once while one listing refreshes it in the background. The
 * ConfigMap/Secret fingerprints are not served stale: each is a single
 * GET bounded by the request timeout, and background reads of thousands
 * of them would need their own bound.
 */
export class KubernetesCaches {
  readonly inventories: SingleFlightCache<ClusterInventory>;
  readonly sources: SingleFlightCache<SourceRecord>;
  readonly now: () => number;
  /** How long a failed listing or read is remembered before it is retried. */
  readonly retryDelayMs: number;

  constructor(options: {
    maxAgeMs: number;
    /** How old an inventory may be served while a new one is listed; 3 × `maxAgeMs` by default. */
    maxStaleMs?: number;
    retryDelayMs?: number;
    now?: () => number;
  }) {
    this.now = options.now ?? Date.now;
    this.retryDelayMs = options.retryDelayMs ?? RETRY_DELAY_MS;
    const cacheOptions = {
      maxAgeMs: options.maxAgeMs,
      retryDelayMs: this.retryDelayMs,
      now: this.now,
    };
    this.inventories = new SingleFlightCache({
      ...cacheOptions,
      maxStaleMs:
        options.maxStaleMs ??
        options.maxAgeMs * DEFAULT_INVENTORY_MAX_STALE_FACTOR,
    });
    this.sources = new SingleFlightCache(cacheOptions);
  }

  static sourceKey(
    cluster: string,
    type: Reference['type'],
    namespace: string,
    name: string,
  ): string {
    return JSON.stringify([cluster, type, namespace, name]);
  }

  /** Everything held, as plain data: for inspection (tests, debugging). */
  dump(): unknown {
    const plain = (value: unknown): unknown => {
      if (value instanceof Map) {
        return Object.fromEntries(
          [...value.entries()].map(([k, v]) => [String(k), plain(v)]),
        );
      }
      if (value instanceof LabelledList) {
        return value.items;
      }
      if (Array.isArray(value)) {
        return value.map(plain);
      }
      if (typeof value === 'object' && value !== null) {
        return Object.fromEntries(
          Object.entries(value).map(([k, v]) => [k, plain(v)]),
        );
      }
      return value;
    };
    return {
      inventories: Object.fromEntries(
        this.inventories.values().map(([k, v]) => [k, plain(v)]),
      ),
      sources: Object.fromEntries(
        this.sources
          .values()
          .map(([k, v]) => [
            k,
            v.found ? { found: true, keys: plain(sourceKeys(v)) } : v,
          ]),
      ),
    };
  }
}

/** Waits for a shared promise, giving up (not cancelling it) when the signal aborts. */
export function waitFor<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  aborted: () => Error,
): Promise<T> {
  if (!signal) {
    return promise;
  }
  if (signal.aborted) {
    return Promise.reject(aborted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      value => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      error => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
