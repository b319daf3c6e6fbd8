export { envParityApiRef } from './EnvParityApi';
export type {
  AccessRequestAction,
  AccessRequestFilter,
  EnvParityApi,
} from './EnvParityApi';
export { EnvParityClient } from './EnvParityClient';
