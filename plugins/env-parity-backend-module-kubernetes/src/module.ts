import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { envParityProvidersExtensionPoint } from '@env-parity/plugin-env-parity-node';
import { CONFIG_KEY } from './config';
import { KubernetesDeploymentProvider } from './KubernetesDeploymentProvider';

/**
 * Reads what runs in the Kubernetes clusters of
 * `kubernetes.clusterLocatorMethods` that `envParity.kubernetes.clusters`
 * maps to environments: images and running digests, replicas, resources and
 * configuration fingerprints of the workloads matching an entity's
 * Kubernetes annotations. Without `envParity.kubernetes.clusters` it adds
 * nothing.
 *
 * @public
 */
export const envParityModuleKubernetes = createBackendModule({
  pluginId: 'env-parity',
  moduleId: 'kubernetes',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: envParityProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, config, logger }) {
        const { provider, notices } = KubernetesDeploymentProvider.fromConfig(
          config,
          { logger },
        );
        for (const notice of notices) {
          logger[notice.level](notice.message);
        }
        if (!provider) {
          logger.info(
            `${CONFIG_KEY}.clusters is not configured: Kubernetes clusters are not read. Map cluster names to environments there to enable it.`,
          );
          return;
        }
        providers.addDeploymentProvider(provider);
      },
    });
  },
});
