import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { envParityProvidersExtensionPoint } from '@env-parity/plugin-env-parity-node';
import { ArgocdDeploymentProvider } from './ArgocdDeploymentProvider';
import { ARGOCD_CONFIG_KEY, CONFIG_KEY } from './config';

/**
 * Reads what Argo CD Applications run for a service (sync revision, images,
 * sync and health status, Helm and Kustomize configuration fingerprints)
 * from the instances of `argocd.appLocatorMethods`. Configured by
 * `envParity.argocd`; without an environment mapping it adds nothing.
 *
 * @public
 */
export const envParityModuleArgocd = createBackendModule({
  pluginId: 'env-parity',
  moduleId: 'argocd',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: envParityProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, config, logger }) {
        const { provider, warnings } =
          ArgocdDeploymentProvider.fromConfig(config);
        if (!provider) {
          logger.info(
            `${CONFIG_KEY} maps no environments: Argo CD applications are not read. Set ${CONFIG_KEY}.instances, ${CONFIG_KEY}.environments or ${CONFIG_KEY}.environmentLabel to enable it.`,
          );
          return;
        }
        for (const warning of warnings) {
          logger.warn(warning);
        }
        if (provider.instanceNames.length === 0) {
          logger.warn(
            `No Argo CD instance with a token is configured in ${ARGOCD_CONFIG_KEY}: Argo CD applications are not read`,
          );
          return;
        }
        logger.info(
          `Reading Argo CD applications from ${provider.instanceNames.join(
            ', ',
          )}`,
        );
        providers.addDeploymentProvider(provider);
      },
    });
  },
});
