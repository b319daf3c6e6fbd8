import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  envParityProvidersExtensionPoint,
  envParityReplicaDriverExtensionPoint,
} from '@env-parity/plugin-env-parity-node';
import { CONFIG_KEY, ENVIRONMENT_ANNOTATION } from './config';
import { KubernetesDeploymentProvider } from './KubernetesDeploymentProvider';
import { KubernetesReplicaDriver } from './replicas';

/**
 * Reads what runs in the Kubernetes clusters mapped to environments
 * (`envParity.kubernetes.clusters`, or the `env-parity/environment`
 * annotation of kubernetes-cluster Resources): images and running digests,
 * replicas, resources and configuration fingerprints of the workloads
 * matching an entity's Kubernetes annotations. Clusters are reached
 * directly (`kubernetes.clusterLocatorMethods`, type config) or, with
 * `envParity.kubernetes.mode: proxy`, through the Kubernetes backend.
 * Without `envParity.kubernetes` it adds nothing. With
 * `envParity.replicas.cluster` it also supplies the production replica
 * driver (a sandbox cluster; refused at start-up when that cluster serves
 * the reference environment or is not configured).
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
        replicas: envParityReplicaDriverExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        catalog: catalogServiceRef,
      },
      async init({
        providers,
        replicas,
        config,
        logger,
        auth,
        discovery,
        catalog,
      }) {
        const { provider, notices } = KubernetesDeploymentProvider.fromConfig(
          config,
          { logger, auth, discovery, catalog },
        );
        for (const notice of notices) {
          logger[notice.level](notice.message);
        }
        if (!provider) {
          logger.info(
            `${CONFIG_KEY} is not configured: Kubernetes clusters are not read. Map cluster names to environments in ${CONFIG_KEY}.clusters (or annotate kubernetes-cluster Resources with ${ENVIRONMENT_ANNOTATION} and set ${CONFIG_KEY}.clustersFromCatalog: true) to enable it.`,
          );
          return;
        }
        providers.addDeploymentProvider(provider);
        // throws (failing start-up) for a sandbox serving production
        const driver = KubernetesReplicaDriver.fromConfig(config, {
          logger,
          auth,
          discovery,
          catalog,
        });
        if (driver) {
          replicas.setDriver(driver);
          logger.info(
            `production replicas are created in the sandbox cluster ${driver.sandbox}`,
          );
        }
      },
    });
  },
});
