import {
  BackstageCredentials,
  DatabaseService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CustomErrorBase } from '@backstage/errors';
import { Response } from 'express';
import { createHash } from 'node:crypto';
import { Knex } from 'knex';
import { migratedClient } from '../database/migrations';

// Named for the probe, its first user; every budget is counted here, apart
// by scope (see `scope` below).
const TABLE = 'env_parity_probe_rate_limits';

/** Old rows deleted per sweep at most, by default; the rest go in the next sweeps. */
const SWEEP_LIMIT = 500;

/** The longest `user_ref` stored as is (the column's length). */
const MAX_KEY_LENGTH = 255;

/** What {@link RateLimiter.take} answers. */
export type RateLimitDecision =
  | { allowed: true }
  | { allowed: false; retryAfterMs: number };

/** A per-caller rate limit a router asks before the work it guards. */
export interface RateLimiter {
  /**
   * Counts one request for `key` (the user entity ref) if the limit allows
   * it. Returns `{ allowed: true }`, or `{ allowed: false, retryAfterMs }`.
   */
  take(key: string): Promise<RateLimitDecision>;
}

/** The per-user rate limit the probe router asks before every probe. */
export type ProbeRateLimiter = RateLimiter;

/** Answers 429 (the error handler reads `statusCode`). */
export class TooManyRequestsError extends CustomErrorBase {
  name = 'TooManyRequestsError' as const;
  readonly statusCode = 429;
}

/** Whom a budget belongs to: the user, or the calling service. */
export function rateLimitKey(credentials: BackstageCredentials): string {
  const principal = credentials.principal as {
    type?: string;
    userEntityRef?: string;
    subject?: string;
  };
  return principal.userEntityRef ?? `${principal.type}:${principal.subject}`;
}

/**
 * Counts one request of `key` against `limiter`; past the limit sets
 * `Retry-After` (whole seconds) and throws a 429 whose message ends with
 * "try again in N s" after `message`.
 */
export async function enforceRateLimit(options: {
  limiter: RateLimiter;
  key: string;
  response: Response;
  /** What was done too often, e.g. "Refreshed too often". */
  message: string;
}): Promise<void> {
  const decision = await options.limiter.take(options.key);
  if (!decision.allowed) {
    const seconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
    options.response.setHeader('Retry-After', String(seconds));
    throw new TooManyRequestsError(
      `${options.message}; try again in ${seconds} s`,
    );
  }
}

/**
 * A fixed-window rate limit per key (the user entity ref), counted in the
 * plugin's database and so shared by every backend replica: at most
 * `requests` in each window of `windowMs`, windows aligned to the epoch
 * (with a one-minute window: each clock minute).
 *
 * Fixed windows, not sliding ones: a user who spends the whole limit at the
 * end of one window and again at the start of the next gets up to twice the
 * limit within one window's length, never more. A refused request is not
 * counted.
 *
 * Exact across replicas: a request is counted by one conditional
 * `UPDATE ... SET requests = requests + 1 WHERE ... AND requests < limit`
 * (row locks serialise concurrent ones on PostgreSQL and MySQL), and the
 * first request of a window first inserts the row with a count of 0,
 * ignoring a conflict with a replica that did the same. Replicas' clocks
 * decide which window a request falls in, so they should be in sync.
 *
 * Rows of windows older than the previous one are deleted by the first
 * request of each window on each replica, at most `sweepLimit` (500) rows
 * per request: while a sweep finds that many, the next request sweeps again.
 *
 * Budgets of different features are counted apart by `scope` (stored as a
 * `scope:` prefix of the key, e.g. `refresh:user:default/alice`); the probe's
 * has none, so its rows are as they always were.
 */
export class DatabaseRateLimiter implements RateLimiter {
  /** Runs the plugin's migrations (unless skipped), then the limiter. */
  static async create(options: {
    database: DatabaseService;
    requests: number;
    windowMs: number;
    scope?: string;
    logger?: LoggerService;
    now?: () => number;
    sweepLimit?: number;
    skipMigrations?: boolean;
  }): Promise<DatabaseRateLimiter> {
    const { database, skipMigrations, ...rest } = options;
    const client = await migratedClient(database, skipMigrations);
    return new DatabaseRateLimiter({ db: client, ...rest });
  }

  private readonly db: Knex;
  private readonly requests: number;
  private readonly windowMs: number;
  private readonly prefix: string;
  private readonly logger?: LoggerService;
  private readonly now: () => number;
  private readonly sweepLimit: number;
  /** The window this replica last swept old rows in. */
  private sweptWindow = -Infinity;

  constructor(options: {
    db: Knex;
    requests: number;
    windowMs: number;
    /** Counts this budget apart from others in the same table, e.g. `refresh`. */
    scope?: string;
    logger?: LoggerService;
    now?: () => number;
    /** Old rows deleted per request at most. */
    sweepLimit?: number;
  }) {
    if (!Number.isInteger(options.requests) || options.requests <= 0) {
      throw new Error(`requests must be a whole number above 0`);
    }
    if (!(options.windowMs > 0)) {
      throw new Error(`windowMs must be above 0`);
    }
    if (
      options.scope !== undefined &&
      !/^[a-z][a-z0-9-]*$/.test(options.scope)
    ) {
      throw new Error(`scope must be lower-case letters, digits and dashes`);
    }
    this.db = options.db;
    this.prefix = options.scope ? `${options.scope}:` : '';
    this.requests = options.requests;
    // whole milliseconds: window starts are stored as integers
    this.windowMs = Math.max(1, Math.round(options.windowMs));
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
    this.sweepLimit = options.sweepLimit ?? SWEEP_LIMIT;
  }

  async take(key: string): Promise<RateLimitDecision> {
    const now = this.now();
    const windowStart = Math.floor(now / this.windowMs) * this.windowMs;
    const scoped = `${this.prefix}${key}`;
    const userRef =
      scoped.length <= MAX_KEY_LENGTH
        ? scoped
        : `sha256:${createHash('sha256').update(scoped).digest('hex')}`;

    let allowed = await this.increment(userRef, windowStart);
    if (!allowed) {
      // No row yet for this window, or the limit is reached. Make sure the
      // row exists (a replica may insert it at the same time: either insert
      // wins, the other is ignored), then count again.
      await this.db(TABLE)
        .insert({
          user_ref: userRef,
          window_start: windowStart,
          requests: 0,
          expires_at: windowStart + 2 * this.windowMs,
        })
        .onConflict(['user_ref', 'window_start'])
        .ignore();
      allowed = await this.increment(userRef, windowStart);
    }

    await this.sweep(windowStart, now);

    if (allowed) {
      return { allowed: true };
    }
    return {
      allowed: false,
      retryAfterMs: Math.max(1, windowStart + this.windowMs - now),
    };
  }

  /** Counts one request if the window's row exists and is below the limit. */
  private async increment(userRef: string, windowStart: number) {
    const updated = await this.db(TABLE)
      .where({ user_ref: userRef, window_start: windowStart })
      .andWhere('requests', '<', this.requests)
      .update({ requests: this.db.raw('?? + 1', ['requests']) });
    return updated === 1;
  }

  /**
   * Once per window on this replica, and again while a batch was full:
   * deletes rows of windows older than the previous one (kept for replicas
   * whose clock is slightly behind), whatever their scope: each row says
   * when it expires (rows from before that column: by this limiter's
   * window). Selects the keys first and deletes them by primary key, so that no range lock reaches the rows being counted. A
   * failure is only logged.
   */
  private async sweep(windowStart: number, now: number) {
    if (windowStart <= this.sweptWindow) {
      return;
    }
    this.sweptWindow = windowStart;
    try {
      const old: Array<{ user_ref: string; window_start: number | string }> =
        await this.db(TABLE)
          .select('user_ref', 'window_start')
          .where('expires_at', '<=', now)
          .orWhere(legacy =>
            legacy
              .whereNull('expires_at')
              .andWhere('window_start', '<', windowStart - this.windowMs),
          )
          .limit(this.sweepLimit);
      if (old.length === this.sweepLimit) {
        // more may be left: the next request sweeps again
        this.sweptWindow = -Infinity;
      }
      if (old.length === 0) {
        return;
      }
      await this.db(TABLE)
        .whereIn(
          ['user_ref', 'window_start'],
          old.map(row => [row.user_ref, Number(row.window_start)]),
        )
        .delete();
    } catch (error) {
      this.logger?.warn(`Could not delete old rate limit windows: ${error}`);
    }
  }
}
