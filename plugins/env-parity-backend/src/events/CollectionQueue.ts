import { LoggerService } from '@backstage/backend-plugin-api';

/** How the queue collects one service; errors are logged and dropped. */
export type CollectOne = (entityRef: string) => Promise<void>;

/** Tuning of the queue; see `envParity.events` in config.d.ts. */
export interface CollectionQueueOptions {
  /** Requests for a service within this time of its last start are merged. */
  mergeWindowMs: number;
  /** Services waiting at most; more are dropped (the schedule catches up). */
  maxPending: number;
  /** Services collected at the same time at most. */
  concurrency: number;
}

export const DEFAULT_QUEUE_OPTIONS: CollectionQueueOptions = {
  mergeWindowMs: 1000,
  maxPending: 1000,
  concurrency: 4,
};

type State = {
  /** A collection of this service is under way. */
  running: boolean;
  /** Another collection is wanted once allowed. */
  pending: boolean;
  /** When its last collection started (ms). */
  lastStart: number;
  timer?: NodeJS.Timeout;
};

/** What the queue did so far; for logs, tests and the benchmark. */
export interface CollectionQueueStats {
  requested: number;
  collections: number;
  merged: number;
  dropped: number;
  failed: number;
}

/**
 * Collections asked for by events, coalesced: one collection per service at a
 * time; requests for a service that arrive while it is collecting, or within
 * the merge window of its last start, become one more collection (at the
 * window's end, after the running one); at most `maxPending` services wait,
 * beyond that requests are dropped with a warning, as the scheduled
 * collection is the safety net. A lone request starts at once.
 */
export class CollectionQueue {
  private readonly states = new Map<string, State>();
  private readonly ready: string[] = [];
  /** When idle services last started, while within the merge window. */
  private readonly recent = new Map<string, number>();
  private active = 0;
  private waiting = 0;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  readonly stats: CollectionQueueStats = {
    requested: 0,
    collections: 0,
    merged: 0,
    dropped: 0,
    failed: 0,
  };

  constructor(
    private readonly collect: CollectOne,
    private readonly logger: LoggerService,
    private readonly options: CollectionQueueOptions = DEFAULT_QUEUE_OPTIONS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Asks for a collection of the service; never throws, never waits for it. */
  request(entityRef: string): void {
    if (this.closed) {
      return;
    }
    this.stats.requested += 1;
    let state = this.states.get(entityRef);
    if (state?.pending) {
      this.stats.merged += 1;
      return;
    }
    if (!state) {
      if (this.waiting >= this.options.maxPending) {
        this.drop(entityRef);
        return;
      }
      state = {
        running: false,
        pending: false,
        lastStart: this.recent.get(entityRef) ?? -Infinity,
      };
      this.recent.delete(entityRef);
      this.states.set(entityRef, state);
    } else if (this.waiting >= this.options.maxPending) {
      this.drop(entityRef);
      return;
    }
    state.pending = true;
    this.waiting += 1;
    this.schedule(entityRef, state);
  }

  private drop(entityRef: string) {
    this.stats.dropped += 1;
    if (this.stats.dropped === 1 || this.stats.dropped % 100 === 0) {
      this.logger.warn(
        `Event collection queue full (${this.options.maxPending} services waiting): dropped the request for ${entityRef} (${this.stats.dropped} dropped so far); the scheduled collection will collect it`,
      );
    }
  }

  /** Makes the pending collection ready when the service is idle and the window passed. */
  private schedule(entityRef: string, state: State) {
    if (!state.pending || state.running || state.timer) {
      return;
    }
    const wait = state.lastStart + this.options.mergeWindowMs - this.now();
    if (wait > 0) {
      state.timer = setTimeout(() => {
        state.timer = undefined;
        this.schedule(entityRef, state);
      }, wait);
      return;
    }
    state.pending = false;
    state.running = true;
    // still waiting (counted) until it starts
    this.ready.push(entityRef);
    this.pump();
  }

  private pump() {
    while (this.active < this.options.concurrency && this.ready.length) {
      const entityRef = this.ready.shift()!;
      const state = this.states.get(entityRef)!;
      this.waiting -= 1;
      this.active += 1;
      state.lastStart = this.now();
      this.stats.collections += 1;
      this.collect(entityRef)
        .catch(error => {
          this.stats.failed += 1;
          this.logger.warn(
            `Collecting ${entityRef} after an event failed: ${
              error instanceof Error ? error.message : String(error)
            }`,
          );
        })
        .finally(() => {
          this.active -= 1;
          state.running = false;
          if (state.pending && !this.closed) {
            this.schedule(entityRef, state);
          } else if (!state.pending) {
            this.states.delete(entityRef);
            this.remember(entityRef, state.lastStart);
          }
          this.pump();
          this.notifyIdle();
        });
    }
  }

  /** Keeps an idle service's last start while its merge window lasts. */
  private remember(entityRef: string, lastStart: number) {
    const now = this.now();
    if (this.recent.size >= this.options.maxPending) {
      for (const [ref, start] of this.recent) {
        if (now - start >= this.options.mergeWindowMs) {
          this.recent.delete(ref);
        }
      }
    }
    if (
      now - lastStart < this.options.mergeWindowMs &&
      this.recent.size < this.options.maxPending
    ) {
      this.recent.set(entityRef, lastStart);
    }
  }

  private notifyIdle() {
    if (this.states.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      waiters.forEach(w => w());
    }
  }

  /** Resolves once nothing is waiting or running. */
  idle(): Promise<void> {
    if (this.states.size === 0) {
      return Promise.resolve();
    }
    return new Promise(resolve => this.idleWaiters.push(resolve));
  }

  /** Stops taking requests, forgets waiting ones, waits for running ones. */
  async close(): Promise<void> {
    this.closed = true;
    // ready but not started: never started now
    for (const entityRef of this.ready.splice(0)) {
      this.states.get(entityRef)!.running = false;
      this.waiting -= 1;
    }
    for (const [entityRef, state] of this.states) {
      clearTimeout(state.timer);
      state.timer = undefined;
      if (state.pending) {
        state.pending = false;
        this.waiting -= 1;
      }
      if (!state.running) {
        this.states.delete(entityRef);
      }
    }
    this.notifyIdle();
    await this.idle();
  }
}
