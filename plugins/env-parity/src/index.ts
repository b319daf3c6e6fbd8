/**
 * Env Parity frontend plugin: answers "is this also broken in production?"
 * for each service in the catalog.
 *
 * The default export is the plugin for the new frontend system; the named
 * exports serve the legacy frontend system.
 *
 * @packageDocumentation
 */

export { envParityFrontendPlugin as default } from './plugin';
export {
  envParityPlugin,
  EntityEnvParityContent,
  isEnvParityAvailable,
} from './legacy';
export { envParityApiRef, EnvParityClient } from './api';
export type { EnvParityApi } from './api';
export type {
  DriftItem,
  EnvironmentComparison,
  ParityReport,
  ReportEnvironment,
  Verdict,
} from '@env-parity/plugin-env-parity-common';
