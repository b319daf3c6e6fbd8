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
  EnvParityAccessPage,
  EnvParityAlignmentsPage,
  EnvParityScorecardPage,
  EntityGroupParityCard,
  isEnvParityAvailable,
} from './legacy';
export { envParityApiRef, EnvParityClient } from './api';
export type { GroupParityCardProps } from './components/GroupParityCard';
export type {
  AccessRequestAction,
  AccessRequestFilter,
  AlignmentAction,
  AlignmentFilter,
  EnvParityApi,
} from './api';
export {
  accessRequestRouteRef as envParityAccessRequestRouteRef,
  accessRouteRef as envParityAccessRouteRef,
} from './components/Access/routes';
export {
  alignmentRouteRef as envParityAlignmentRouteRef,
  alignmentsRouteRef as envParityAlignmentsRouteRef,
} from './components/Align/routes';
export { rootRouteRef as envParityRootRouteRef } from './components/Scorecard/routes';
export type {
  Alignment,
  AlignmentPreview,
  AlignmentRequestBody,
  AlignmentStatus,
  AlignmentStep,
  AlignmentTarget,
  DriftItem,
  EnvironmentComparison,
  ParityReport,
  Replica,
  ReplicaRequestBody,
  ReplicaSettings,
  ReplicaStatus,
  ReportEnvironment,
  Verdict,
  ScorecardEnvironments,
  ScorecardFilter,
  ScorecardPage,
  ScorecardQuery,
  ScorecardRow,
  ScorecardSortField,
  ScorecardSummary,
  ScorecardTrend,
  TeamRollup,
  TeamRollupItem,
  TrendPoint,
} from '@env-parity/plugin-env-parity-common';
