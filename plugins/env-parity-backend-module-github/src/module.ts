import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  envParityDeployersExtensionPoint,
  envParityProvidersExtensionPoint,
} from '@env-parity/plugin-env-parity-node';
import { GithubClient } from './GithubClient';
import { GithubDeployer } from './GithubDeployer';
import { GithubDeploymentProvider } from './GithubDeploymentProvider';
import { GithubRevisionComparer } from './GithubRevisionComparer';

/**
 * Adds GitHub deployments as a deployment provider, the GitHub compare
 * API as a revision comparer and the `github` alignment deployer (a GitHub
 * deployment or a workflow dispatch) to the Env Parity backend.
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
        deployers: envParityDeployersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        cache: coreServices.cache,
      },
      async init({ providers, deployers, config, logger, cache }) {
        // one client, so a rate limit met by any of them pauses all
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
        deployers.addDeployer(GithubDeployer.fromConfig(config, client));
      },
    });
  },
});
