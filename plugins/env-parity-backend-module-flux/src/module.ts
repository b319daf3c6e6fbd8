import { createBackendModule } from '@backstage/backend-plugin-api';

/**
 * The Flux module of the env-parity plugin.
 *
 * @public
 */
export const envParityModuleFlux = createBackendModule({
  pluginId: 'env-parity',
  moduleId: 'flux',
  register(reg) {
    reg.registerInit({
      deps: {},
      async init() {},
    });
  },
});
