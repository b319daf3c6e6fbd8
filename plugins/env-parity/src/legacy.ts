import { Entity } from '@backstage/catalog-model';
import {
  createApiFactory,
  createComponentExtension,
  createPlugin,
  createRoutableExtension,
  discoveryApiRef,
  fetchApiRef,
} from '@backstage/core-plugin-api';
import { hasEnvParityAnnotations } from '@env-parity/plugin-env-parity-common';
import { EnvParityClient, envParityApiRef } from './api';
import { accessRouteRef } from './components/Access/routes';
import { alignmentsRouteRef } from './components/Align/routes';
import { rootRouteRef } from './components/Scorecard/routes';

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
  routes: { root: rootRouteRef },
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
 * The access requests page for the legacy app: requests waiting for my
 * review, my requests, active grants and history, and each request at
 * `:id` below it. Mount it with
 * `<Route path="/env-parity/access" element={<EnvParityAccessPage />} />`.
 *
 * @public
 */
export const EnvParityAccessPage = envParityPlugin.provide(
  createRoutableExtension({
    name: 'EnvParityAccessPage',
    component: () =>
      import('./components/Access/AccessPage').then(m => m.LegacyAccessPage),
    mountPoint: accessRouteRef,
  }),
);

/**
 * The alignments page for the legacy app: alignments waiting for my
 * approval, mine, under way and history, with approve, deny and cancel, and
 * each alignment with its timeline at `:id` below it. Mount it with
 * `<Route path="/env-parity/alignments" element={<EnvParityAlignmentsPage />} />`
 * and add a `SidebarItem` to `/env-parity/alignments`.
 *
 * @public
 */
export const EnvParityAlignmentsPage = envParityPlugin.provide(
  createRoutableExtension({
    name: 'EnvParityAlignmentsPage',
    component: () =>
      import('./components/Align/AlignmentsPage').then(
        m => m.LegacyAlignmentsPage,
      ),
    mountPoint: alignmentsRouteRef,
  }),
);

/**
 * The catalog-wide scorecard page for the legacy app, with its own header.
 * Mount it with `<Route path="/env-parity" element={<EnvParityScorecardPage />} />`
 * and add a `SidebarItem` to `/env-parity`; its filters, sort and page live
 * in the query string.
 *
 * @public
 */
export const EnvParityScorecardPage = envParityPlugin.provide(
  createRoutableExtension({
    name: 'EnvParityScorecardPage',
    component: () =>
      import('./components/Scorecard').then(m => m.ScorecardPage),
    mountPoint: rootRouteRef,
  }),
);

/**
 * A card for the legacy Group entity page: the parity of the services the
 * group owns, its worst few services and a link to the scorecard filtered
 * to the group. Place it in the group page's overview grid;
 * `<EntityGroupParityCard environment="staging" />` compares staging (or
 * `worst`: each service's worst environment) instead of the scorecard's
 * default environment.
 *
 * @public
 */
export const EntityGroupParityCard = envParityPlugin.provide(
  createComponentExtension({
    name: 'EntityGroupParityCard',
    component: {
      lazy: () =>
        import('./components/GroupParityCard').then(m => m.GroupParityCard),
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
