/**
 * A sliding-window rate limit per key (the user entity ref): at most
 * `requests` in any `windowMs`.
 *
 * Kept in memory, per backend replica: with N replicas behind a load
 * balancer a user may get up to N times the limit. That is acceptable for
 * what it protects against (a user hammering environments through the
 * portal by accident or on purpose); the guard's timeouts and size cap
 * bound each single probe anyway.
 */
export class SlidingWindowRateLimiter {
  private readonly hits = new Map<string, number[]>();
  private lastSweep = 0;

  constructor(
    private readonly options: {
      requests: number;
      windowMs: number;
      now?: () => number;
    },
  ) {}

  /**
   * Counts one request for `key` if the limit allows it. Returns
   * `{ allowed: true }`, or `{ allowed: false, retryAfterMs }`.
   */
  take(
    key: string,
  ): { allowed: true } | { allowed: false; retryAfterMs: number } {
    const now = (this.options.now ?? Date.now)();
    const since = now - this.options.windowMs;
    this.sweep(now, since);
    const recent = (this.hits.get(key) ?? []).filter(t => t > since);
    if (recent.length >= this.options.requests) {
      this.hits.set(key, recent);
      return {
        allowed: false,
        retryAfterMs: Math.max(1, recent[0] + this.options.windowMs - now),
      };
    }
    recent.push(now);
    this.hits.set(key, recent);
    return { allowed: true };
  }

  /** Forgets keys with no request in the window, at most once a window. */
  private sweep(now: number, since: number) {
    if (now - this.lastSweep < this.options.windowMs) {
      return;
    }
    this.lastSweep = now;
    for (const [key, times] of this.hits) {
      if (times[times.length - 1] <= since) {
        this.hits.delete(key);
      }
    }
  }
}
