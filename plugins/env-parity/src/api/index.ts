export { envParityApiRef } from './EnvParityApi';
export type {
  AccessRequestAction,
  AccessRequestFilter,
  AlignmentAction,
  AlignmentFilter,
  EnvParityApi,
} from './EnvParityApi';
export { EnvParityClient } from './EnvParityClient';
