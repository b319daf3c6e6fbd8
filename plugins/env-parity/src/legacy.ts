import { Entity } from '@backstage/catalog-model';
import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { hasEnvParityAnnotations } from '@env-parity/plugin-env-parity-common';
import { EnvParityClient, envParityApiRef } from './api';

/**
 * Env Parity for the legacy frontend system.
 *
 * @public
 */
export const envParityPlugin = createPlugin({
  id: 'env-parity',
  apis: [
    createApiFactory({
      api: envParityApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new EnvParityClient({ discoveryApi, fetchApi }),
    }),
  ],
});

/**
 * The Parity tab content for the legacy entity page; place it inside an
 * `EntityLayout.Route`.
 *
 * @public
 */
export const EntityEnvParityContent = envParityPlugin.provide(
  createComponentExtension({
    name: 'EntityEnvParityContent',
    component: {
      lazy: () =>
        import('./components/EnvParityContent').then(m => m.EnvParityContent),
    },
  }),
);

/**
 * Whether the entity carries an annotation that Env Parity reads; use it as
 * the `if` of an `EntityLayout.Route` to show the tab only where it has data.
 *
 * @public
 */
export function isEnvParityAvailable(entity: Entity): boolean {
  return hasEnvParityAnnotations(entity);
}
