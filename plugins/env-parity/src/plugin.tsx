import {
  createFrontendPlugin,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';

import { rootRouteRef } from './routes';

export const page = PageBlueprint.make({
  params: {
    path: '/env-parity',
    routeRef: rootRouteRef,
    loader: () =>
      import('./components/TodoPage').then(m => (
        <m.TodoPage />
      )),
  },
});

export const envParityPlugin = createFrontendPlugin({
  pluginId: 'env-parity',
  extensions: [page],
  routes: {
    root: rootRouteRef,
  }
});
