import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { kubernetesClustersFromConfig } from '@env-parity/plugin-env-parity-backend-module-kubernetes';
import {
  configFingerprinterFromConfig,
  envParityProvidersExtensionPoint,
} from '@env-parity/plugin-env-parity-node';
import { CONFIG_KEY, fluxEnabled, KUBERNETES_CONFIG_KEY } from './config';
import { FluxDeploymentProvider } from './FluxDeploymentProvider';

/**
 * Reads what Flux applies for a service (Kustomizations: applied revision,
 * source, readiness, suspension; HelmReleases: chart and version, applied
 * chart version, readiness, values fingerprints) in the clusters the
 * Kubernetes module maps to environments (`envParity.kubernetes`, direct or
 * proxy mode). Without `envParity.kubernetes`, or with
 * `envParity.flux.enabled: false`, it adds nothing.
 *
 * @public
 */
export const envParityModuleFlux = createBackendModule({
  pluginId: 'env-parity',
  moduleId: 'flux',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: envParityProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        auth: coreServices.auth,
        discovery: coreServices.discovery,
        catalog: catalogServiceRef,
      },
      async init({ providers, config, logger, auth, discovery, catalog }) {
        if (!fluxEnabled(config)) {
          logger.info(
            config.has(KUBERNETES_CONFIG_KEY)
              ? `${CONFIG_KEY}.enabled is false: Flux objects are not read`
              : `${KUBERNETES_CONFIG_KEY} is not configured: Flux objects are not read. The Flux module reads the clusters the Kubernetes module maps to environments (${KUBERNETES_CONFIG_KEY}.clusters).`,
          );
          return;
        }
        // the Kubernetes module logs the same notices about these clusters
        const { clusters } = kubernetesClustersFromConfig(config, {
          logger,
          auth,
          discovery,
          catalog,
        });
        if (!clusters) {
          return;
        }
        logger.info(
          `Reading Flux Kustomizations and HelmReleases in the clusters of ${KUBERNETES_CONFIG_KEY}`,
        );
        providers.addDeploymentProvider(
          new FluxDeploymentProvider({
            clusters,
            fingerprinter: configFingerprinterFromConfig(config),
            logger,
          }),
        );
      },
    });
  },
});
