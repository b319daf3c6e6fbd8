// What every router of the plugin shares.
export { audited } from './audit';
export { authorizeRequest, requirePermission } from './authorize';
export { jsonBody } from './body';
export { entityRefFromParams, readReportedKinds } from './entityRef';
export { logSafe, logSafeError, logSafeJson } from './logSafe';
export { CallerEntityLoader, SingleFlight } from './coalesce';
