import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/frontend-plugin-api';
import { EntityContentBlueprint } from '@backstage/plugin-catalog-react/alpha';
import { EnvParityClient, envParityApiRef } from './api';

/**
 * The Env Parity API, backed by the env-parity backend.
 *
 * @public
 */
export const envParityApi = ApiBlueprint.make({
  params: defineParams =>
    defineParams({
      api: envParityApiRef,
      deps: { discoveryApi: discoveryApiRef, fetchApi: fetchApiRef },
      factory: ({ discoveryApi, fetchApi }) =>
        new EnvParityClient({ discoveryApi, fetchApi }),
    }),
});

/**
 * The Parity tab on the entity page of every Component.
 *
 * @public
 */
export const entityEnvParityContent = EntityContentBlueprint.make({
  name: 'parity',
  params: {
    path: '/parity',
    title: 'Parity',
    filter: { kind: 'component' },
    loader: () =>
      import('./components/EnvParityContent').then(m => <m.EnvParityContent />),
  },
});

/**
 * Env Parity for the new frontend system: the Parity entity tab and its API.
 *
 * @public
 */
export const envParityFrontendPlugin = createFrontendPlugin({
  pluginId: 'env-parity',
  info: { packageJson: () => import('../package.json') },
  extensions: [envParityApi, entityEnvParityContent],
});
