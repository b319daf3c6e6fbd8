export {
  envParityFrontendPlugin as default,
  envParityApi,
  entityEnvParityContent,
} from './plugin';
