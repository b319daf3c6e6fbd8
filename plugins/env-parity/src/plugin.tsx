import {
  ApiBlueprint,
  createFrontendPlugin,
  discoveryApiRef,
  fetchApiRef,
  PageBlueprint,
} from '@backstage/frontend-plugin-api';
import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import SyncIcon from '@material-ui/icons/Sync';
import VpnKeyIcon from '@material-ui/icons/VpnKey';
import { z } from 'zod';
import CompareArrowsIcon from '@material-ui/icons/CompareArrows';
import { EnvParityClient, envParityApiRef } from './api';
import { accessRouteRef } from './components/Access/routes';
import { alignmentsRouteRef } from './components/Align/routes';
import { rootRouteRef } from './components/Scorecard/routes';

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
 * The access requests page at `/env-parity/access`, with its nav item
 * "Access requests": requests waiting for my review, my requests, active
 * grants and history; each request at `/env-parity/access/:id`.
 *
 * @public
 */
export const envParityAccessPage = PageBlueprint.make({
  name: 'access',
  params: {
    path: '/env-parity/access',
    title: 'Access requests',
    icon: <VpnKeyIcon />,
    routeRef: convertLegacyRouteRef(accessRouteRef),
    loader: () =>
      import('./components/Access/AccessPage').then(m => <m.AccessPage />),
  },
});

/**
 * The alignments page at `/env-parity/alignments`, with its nav item
 * "Alignments": alignments waiting for my approval, mine, under way and
 * history, with approve, deny and cancel; each alignment (with its
 * timeline) at `/env-parity/alignments/:id`.
 *
 * @public
 */
export const envParityAlignmentsPage = PageBlueprint.make({
  name: 'alignments',
  params: {
    path: '/env-parity/alignments',
    title: 'Alignments',
    icon: <SyncIcon />,
    routeRef: convertLegacyRouteRef(alignmentsRouteRef),
    loader: () =>
      import('./components/Align/AlignmentsPage').then(m => (
        <m.AlignmentsPage />
      )),
  },
});

/**
 * The catalog-wide scorecard at `/env-parity`, with its nav item "Env
 * Parity": summary tiles, the services table, the team roll-up and the trend.
 *
 * @public
 */
export const envParityScorecardPage = PageBlueprint.make({
  params: {
    path: '/env-parity',
    title: 'Env Parity',
    icon: <CompareArrowsIcon />,
    routeRef: convertLegacyRouteRef(rootRouteRef),
    loader: () =>
      import('./components/Scorecard').then(m => <m.ScorecardPageContent />),
  },
});

/**
 * A card on Group pages: the parity of the services the group owns, its
 * worst few services and a link to the scorecard filtered to the group.
 * Its `environment` config option picks the environment compared with
 * production (or `worst`); by default, the scorecard's default environment.
 *
 * @public
 */
export const entityGroupParityCard = EntityCardBlueprint.makeWithOverrides({
  name: 'group-parity',
  configSchema: {
    environment: z.string().min(1).optional(),
  },
  factory(originalFactory, { config }) {
    return originalFactory({
      filter: { kind: 'group' },
      loader: () =>
        import('./components/GroupParityCard').then(m => (
          <m.GroupParityCard environment={config.environment} />
        )),
    });
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
  routes: { root: convertLegacyRouteRef(rootRouteRef) },
  extensions: [
    envParityApi,
    entityEnvParityContent,
    envParityAccessPage,
    envParityAlignmentsPage,
    envParityScorecardPage,
    entityGroupParityCard,
  ],
});
