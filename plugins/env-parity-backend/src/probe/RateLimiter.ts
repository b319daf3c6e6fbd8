// The probe's rate limit is the plugin's shared one (probe budgets are
// counted under no scope, as before).
export { DatabaseRateLimiter } from '../http/RateLimiter';
export type {
  ProbeRateLimiter,
  RateLimiter,
  RateLimitDecision,
} from '../http/RateLimiter';
