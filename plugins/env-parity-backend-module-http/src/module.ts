import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { envParityProvidersExtensionPoint } from '@env-parity/plugin-env-parity-node';
import { CONFIG_KEY } from './config';
import { HttpVersionProvider } from './HttpVersionProvider';

/**
 * Reads each environment's version endpoint (`env-parity/<env>.version-url`,
 * or `env-parity/<env>.url` plus `envParity.http.defaultPath`) through the
 * outbound-request guard. Configured by `envParity.http`; without that
 * block it adds nothing.
 *
 * @public
 */
export const envParityModuleHttp = createBackendModule({
  pluginId: 'env-parity',
  moduleId: 'http',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: envParityProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, config, logger }) {
        const provider = HttpVersionProvider.fromConfig(config);
        if (!provider) {
          logger.info(
            `${CONFIG_KEY} is not configured: version endpoints are not read. Set ${CONFIG_KEY}.allowedHosts to enable them.`,
          );
          return;
        }
        if (config.getOptionalBoolean(`${CONFIG_KEY}.allowPrivateNetworks`)) {
          logger.warn(
            `${CONFIG_KEY}.allowPrivateNetworks is true: version endpoints on private and loopback addresses are reachable`,
          );
        }
        providers.addDeploymentProvider(provider);
      },
    });
  },
});
