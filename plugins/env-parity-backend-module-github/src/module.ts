import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { envParityProvidersExtensionPoint } from '@env-parity/plugin-env-parity-node';
import { GithubClient } from './GithubClient';
import { GithubDeploymentProvider } from './GithubDeploymentProvider';
import { GithubRevisionComparer } from './GithubRevisionComparer';

/**
 * Adds GitHub deployments as a deployment provider and the GitHub compare
 * API as a revision comparer to the Env Parity backend.
 *
 * @public
 */
export const envParityModuleGithub = createBackendModule({
  pluginId: 'env-parity',
  moduleId: 'github',
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
        const client = GithubClient.fromConfig(config, { logger, cache });
        providers.addDeploymentProvider(
          GithubDeploymentProvider.fromConfig(config, {
            logger,
            cache,
            client,
          }),
        );
        providers.addRevisionComparer(
          GithubRevisionComparer.fromConfig(config, { logger, cache, client }),
        );
      },
    });
  },
});
