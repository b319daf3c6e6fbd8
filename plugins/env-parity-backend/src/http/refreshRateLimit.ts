import { DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import { DatabaseRateLimiter } from './RateLimiter';

const KEY = 'envParity.refresh.rateLimit';

/** `envParity.refresh.rateLimit`, by default 30 refreshes a minute. */
export function readRefreshRateLimit(config: Config): {
  requests: number;
  windowMs: number;
} {
  const requests = config.getOptionalNumber(`${KEY}.requests`) ?? 30;
  if (!Number.isInteger(requests) || requests <= 0) {
    throw new InputError(`${KEY}.requests must be a whole number above 0`);
  }
  let windowMs = 60_000;
  if (config.has(`${KEY}.window`)) {
    windowMs = durationToMilliseconds(
      readDurationFromConfig(config, { key: `${KEY}.window` }),
    );
    if (!(windowMs > 0)) {
      throw new InputError(`${KEY}.window must be longer than 0`);
    }
  }
  return { requests, windowMs };
}

/**
 * The per-caller refresh budget from `envParity.refresh.rateLimit`, counted
 * in the plugin's database apart from the probe's (scope `refresh`).
 */
export function createRefreshRateLimiter(options: {
  config: Config;
  database: DatabaseService;
  logger: LoggerService;
}): Promise<DatabaseRateLimiter> {
  return DatabaseRateLimiter.create({
    database: options.database,
    logger: options.logger,
    scope: 'refresh',
    ...readRefreshRateLimit(options.config),
  });
}
