import { Config } from '@backstage/config';
import { readProbeOptions } from './config';
import { ProbeService } from './ProbeService';
import { SlidingWindowRateLimiter } from './RateLimiter';

export { createProbeRouter } from './router';
export { ProbeService, parseProbeRequest } from './ProbeService';
export { readProbeOptions } from './config';
export { SlidingWindowRateLimiter } from './RateLimiter';

/** The probe service and its per-user rate limiter, from `envParity.probe`. */
export function createProbes(config: Config) {
  const options = readProbeOptions(config);
  return {
    probes: new ProbeService(options),
    rateLimiter: new SlidingWindowRateLimiter(options.rateLimit),
  };
}
