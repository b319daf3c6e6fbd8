import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  envParityDeployersExtensionPoint,
  envParityProvidersExtensionPoint,
} from '@env-parity/plugin-env-parity-node';
import { ArgocdDeployer } from './ArgocdDeployer';
import { ArgocdDeploymentProvider } from './ArgocdDeploymentProvider';
import { ARGOCD_CONFIG_KEY, CONFIG_KEY } from './config';

/**
 * Reads what Argo CD Applications run for a service (sync revision, images,
 * sync and health status, Helm and Kustomize configuration fingerprints)
 * from the instances of `argocd.appLocatorMethods`, and adds the `argocd`
 * alignment deployer, which updates and syncs the application mapped to an
 * environment. Configured by `envParity.argocd` (and
 * `envParity.align.argocd`); without an environment mapping it adds nothing.
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
        deployers: envParityDeployersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, deployers, config, logger }) {
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
        deployers.addDeployer(ArgocdDeployer.fromConfig(config, provider));
      },
    });
  },
});
