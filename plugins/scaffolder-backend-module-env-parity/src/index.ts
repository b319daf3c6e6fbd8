/**
 * Scaffolder actions for Env Parity: `env-parity:resolve` reads what an
 * environment runs, `env-parity:replica:create` launches a production
 * replica.
 *
 * @packageDocumentation
 */

export { scaffolderModuleEnvParity as default } from './module';
export {
  createEnvParityResolveAction,
  ENV_PARITY_RESOLVE_ACTION_ID,
} from './actions/resolve';
export {
  createEnvParityReplicaCreateAction,
  ENV_PARITY_REPLICA_CREATE_ACTION_ID,
} from './actions/createReplica';
export type { EnvParityReplicaCreateActionOptions } from './actions/createReplica';
export type { EnvParityActionsOptions } from './client/EnvParityBackendClient';
