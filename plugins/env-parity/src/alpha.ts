export {
  envParityFrontendPlugin as default,
  envParityApi,
  entityEnvParityContent,
  envParityAccessPage,
  envParityScorecardPage,
  entityGroupParityCard,
} from './plugin';
