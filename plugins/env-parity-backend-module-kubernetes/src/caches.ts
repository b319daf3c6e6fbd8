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
 * Map and an object per key, and that string is the cached value itself:
 * a cluster's cache holds one per ConfigMap and Secret its workloads use,
 * tens of thousands, and each is read back only by the observations of
 * the workloads using it. One that does not exist, or a Secret the
 * service account may not read (403), is one of two shared objects.
 */
export type SourceRecord =
  | string
  | typeof SOURCE_MISSING
  | typeof SOURCE_FORBIDDEN;

/** A ConfigMap or Secret that does not exist. */
export const SOURCE_MISSING = Object.freeze({ found: false as const });
/** A Secret the service account may not read (403). */
export const SOURCE_FORBIDDEN = Object.freeze({
  found: false as const,
  forbidden: true as const,
});

/** What is kept of a ConfigMap or Secret read: its keys' fingerprints, in one string. */
export function sourceRecord(
  keys: Map<string, ConfigFingerprint>,
): SourceRecord {
  return JSON.stringify([...keys]);
}

/** The keys' fingerprints of a ConfigMap or Secret read, as a Map of fresh objects. */
export function sourceKeys(record: string): Map<string, ConfigFingerprint> {
  return new Map(JSON.parse(record));
}

/** A value loaded, and when its load started (the cache's clock). */
interface Loaded<V> {
  value: V;
  loadedAt: number;
}

/** A key's load running, or its last failure (a rejected promise) and until when it is remembered. */
interface Pending<V> {
  loading: Promise<V> | undefined;
  failure: { promise: Promise<V>; until: number } | undefined;
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
 *
 * A loaded value is held with its load's start time only; what a load in
 * progress or a failure needs is held apart, for those keys only, and
 * dropped once settled: a cluster's cache holds tens of thousands of
 * ConfigMap and Secret entries, nearly all of them settled.
 */
export class SingleFlightCache<V> {
  private readonly loaded = new Map<string, Loaded<V>>();
  private readonly pending = new Map<string, Pending<V>>();
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
    const loaded = this.loaded.get(key);
    const age = loaded ? now - loaded.loadedAt : Infinity;
    if (loaded && age < this.options.maxAgeMs) {
      return Promise.resolve(loaded.value);
    }
    const stale =
      loaded && age < this.maxStaleMs
        ? Promise.resolve(loaded.value)
        : undefined;
    let pending = this.pending.get(key);
    if (pending?.loading) {
      return stale ?? pending.loading;
    }
    if (pending?.failure && now < pending.failure.until) {
      return stale ?? pending.failure.promise;
    }
    if (!pending) {
      // every field from the start: one shape, held in the object itself
      pending = { loading: undefined, failure: undefined };
      this.pending.set(key, pending);
    }
    pending.failure = undefined;
    const loading = this.load(key, pending, now, load, {
      background: !!stale,
    });
    return stale ?? loading;
  }

  private load(
    key: string,
    pending: Pending<V>,
    startedAt: number,
    load: (context: LoadContext) => Promise<V>,
    context: LoadContext,
  ): Promise<V> {
    const loading = (async () => load(context))().then(
      value => {
        this.loaded.set(key, { value, loadedAt: startedAt });
        if (this.pending.get(key) === pending) {
          this.pending.delete(key);
        }
        return value;
      },
      error => {
        const failed = Promise.reject(error);
        // a failure nobody waits for any more is no unhandled rejection
        failed.catch(() => {});
        pending.failure = {
          promise: failed,
          until: this.options.now() + this.options.retryDelayMs,
        };
        pending.loading = undefined;
        throw error;
      },
    );
    loading.catch(() => {});
    pending.loading = loading;
    return loading;
  }

  /** The load of a key running, if any, settled either way (for tests). */
  settled(key: string): Promise<void> | undefined {
    return this.pending.get(key)?.loading?.then(
      () => undefined,
      () => undefined,
    );
  }

  /** The values loaded and not yet dropped, by key (stale ones included). */
  values(): Array<[string, V]> {
    return [...this.loaded.entries()].map(([key, { value }]) => [key, value]);
  }

  private sweep(now: number) {
    if (now - this.lastSweep < Math.max(this.options.maxAgeMs, 1000)) {
      return;
    }
    this.lastSweep = now;
    for (const [key, { loadedAt }] of this.loaded) {
      if (now - loadedAt >= this.maxStaleMs) {
        this.loaded.delete(key);
      }
    }
    for (const [key, pending] of this.pending) {
      if (
        !pending.loading &&
        !(pending.failure && now < pending.failure.until)
      ) {
        this.pending.delete(key);
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
  /**
   * Per cluster and kind (ConfigMap or Secret): the fingerprints read, by
   * `namespace/name`, a key shorter than one naming the cluster and kind
   * too, for each of tens of thousands of entries.
   */
  private readonly sourceScopes = new Map<
    string,
    SingleFlightCache<SourceRecord>
  >();
  private readonly sourceOptions: ConstructorParameters<
    typeof SingleFlightCache
  >[0];
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
    this.sourceOptions = cacheOptions;
  }

  /**
   * A ConfigMap's or Secret's keys' fingerprints: loaded at most once per
   * `maxAgeMs`, single flight (see {@link SingleFlightCache}).
   */
  source(
    ref: { cluster: string; type: Reference['type']; namespace: string },
    name: string,
    load: () => Promise<SourceRecord>,
  ): Promise<SourceRecord> {
    const scope = JSON.stringify([ref.cluster, ref.type]);
    let cache = this.sourceScopes.get(scope);
    if (!cache) {
      cache = new SingleFlightCache<SourceRecord>(this.sourceOptions);
      this.sourceScopes.set(scope, cache);
    }
    // neither a namespace nor a name holds a slash
    return cache.get(`${ref.namespace}/${name}`, load);
  }

  /** The ConfigMap and Secret fingerprints held, by cluster, kind, namespace and name (for tests, debugging). */
  sources(): Array<
    [[string, Reference['type'], string, string], SourceRecord]
  > {
    return [...this.sourceScopes].flatMap(([scope, cache]) => {
      const [cluster, type] = JSON.parse(scope);
      return cache.values().map(([key, value]) => {
        const slash = key.indexOf('/');
        return [
          [cluster, type, key.slice(0, slash), key.slice(slash + 1)],
          value,
        ] as [[string, Reference['type'], string, string], SourceRecord];
      });
    });
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
        this.sources().map(([k, v]) => [
          JSON.stringify(k),
          typeof v === 'string'
            ? { found: true, keys: plain(sourceKeys(v)) }
            : v,
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
