export { envParityApiRef } from './EnvParityApi';
export type { EnvParityApi } from './EnvParityApi';
export { EnvParityClient } from './EnvParityClient';
