export {
  envParityFrontendPlugin as default,
  envParityApi,
  entityEnvParityContent,
  envParityAccessPage,
  envParityAlignmentsPage,
  envParityScorecardPage,
  entityGroupParityCard,
} from './plugin';
