// What every router of the plugin shares.
export { audited, routeAudit } from './audit';
export {
  authorizeRequest,
  permittedCaller,
  requirePermission,
  requireUser,
} from './authorize';
export type { PermittedCaller } from './authorize';
export {
  entityRefQuery,
  flagQuery,
  integerQuery,
  statusesQuery,
  textQuery,
  uuidParam,
} from './query';
export { jsonBody } from './body';
export {
  bodyEntityRef,
  bodyObject,
  bodyReason,
  optionalString,
  parseCommentBody,
} from './bodyFields';
export { entityRefFromParams, readReportedKinds } from './entityRef';
export { logSafe, logSafeError, logSafeJson } from './logSafe';
export { CallerEntityLoader, SingleFlight } from './coalesce';
export {
  DatabaseRateLimiter,
  enforceRateLimit,
  rateLimitKey,
  TooManyRequestsError,
} from './RateLimiter';
export type { RateLimiter, RateLimitDecision } from './RateLimiter';
export {
  createRefreshRateLimiter,
  readRefreshRateLimit,
} from './refreshRateLimit';
export { readWebhookConfig } from './webhookConfig';
