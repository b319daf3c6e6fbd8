import { DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { parseProbeIgnore } from '@env-parity/plugin-env-parity-common';
import { logSafe, readReportedKinds } from '../http';
import { readProbeOptions } from './config';
import { ProbeService } from './ProbeService';
import { DatabaseRateLimiter } from './RateLimiter';

export { createProbeRouter } from './router';
export { ProbeService, parseProbeRequest } from './ProbeService';
export { readProbeOptions } from './config';
export { DatabaseRateLimiter } from './RateLimiter';
export type { ProbeRateLimiter, RateLimitDecision } from './RateLimiter';

/**
 * The probe service and its per-user rate limiter, from `envParity.probe`,
 * and the entity kinds that may be probed. The limiter counts in the
 * plugin's database, shared by every replica.
 */
export async function createProbes(options: {
  config: Config;
  database: DatabaseService;
  logger: LoggerService;
}) {
  const probeOptions = readProbeOptions(options.config);
  // malformed entries never stop the backend: each probe shows them as not applied
  for (const { entry, message } of parseProbeIgnore(probeOptions.ignore)
    .invalid) {
    options.logger.warn(
      `envParity.probe.ignore: "${logSafe(entry)}" is not applied: ${message}`,
    );
  }
  return {
    kinds: readReportedKinds(options.config),
    probes: new ProbeService(probeOptions),
    rateLimiter: await DatabaseRateLimiter.create({
      database: options.database,
      logger: options.logger,
      ...probeOptions.rateLimit,
    }),
  };
}
