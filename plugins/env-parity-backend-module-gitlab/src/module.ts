import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { envParityProvidersExtensionPoint } from '@env-parity/plugin-env-parity-node';
import { GitlabClient } from './GitlabClient';
import { GitlabDeploymentProvider } from './GitlabDeploymentProvider';
import { GitlabRevisionComparer } from './GitlabRevisionComparer';

/**
 * Adds GitLab deployments as a deployment provider and the GitLab compare
 * API as a revision comparer to the Env Parity backend.
 *
 * @public
 */
export const envParityModuleGitlab = createBackendModule({
  pluginId: 'env-parity',
  moduleId: 'gitlab',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: envParityProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        cache: coreServices.cache,
      },
      async init({ providers, config, logger, cache }) {
        // one client, so a rate limit met by either pauses both
        const client = GitlabClient.fromConfig(config, { logger, cache });
        providers.addDeploymentProvider(
          GitlabDeploymentProvider.fromConfig(config, {
            logger,
            cache,
            client,
          }),
        );
        providers.addRevisionComparer(
          GitlabRevisionComparer.fromConfig(config, { logger, cache, client }),
        );
      },
    });
  },
});
