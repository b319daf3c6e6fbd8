import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createEnvParityReplicaCreateAction } from './actions/createReplica';
import { createEnvParityResolveAction } from './actions/resolve';

/**
 * Adds the Env Parity actions to the Scaffolder: `env-parity:resolve` and
 * `env-parity:replica:create`. They call the env-parity backend (found
 * through discovery) with the template initiator's credentials.
 *
 * @public
 */
export const scaffolderModuleEnvParity = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'env-parity',
  register({ registerInit }) {
    registerInit({
      deps: {
        scaffolderActions: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolderActions, discovery, auth }) {
        scaffolderActions.addActions(
          createEnvParityResolveAction({ discovery, auth }),
          createEnvParityReplicaCreateAction({ discovery, auth }),
        );
      },
    });
  },
});
