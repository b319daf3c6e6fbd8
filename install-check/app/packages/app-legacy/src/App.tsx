// The legacy frontend system, wired as the README's install section shows:
// the scorecard, access and alignments pages as routes, the Parity tab and the group card
// on the entity pages (components/catalog/EntityPage.tsx).
import { Navigate, Route } from 'react-router-dom';
import {
  CatalogEntityPage,
  CatalogIndexPage,
  catalogPlugin,
} from '@backstage/plugin-catalog';
import { orgPlugin } from '@backstage/plugin-org';
import { SignInPage } from '@backstage/core-components';
import { createApp } from '@backstage/app-defaults';
import { AppRouter, FlatRoutes } from '@backstage/core-app-api';
import {
  EnvParityAccessPage,
  EnvParityAlignmentsPage,
  EnvParityScorecardPage,
} from '@env-parity/plugin-env-parity';
import { entityPage } from './components/catalog/EntityPage';

const app = createApp({
  bindRoutes({ bind }) {
    bind(orgPlugin.externalRoutes, {
      catalogIndex: catalogPlugin.routes.catalogIndex,
    });
  },
  components: {
    SignInPage: props => <SignInPage {...props} auto providers={['guest']} />,
  },
});

const routes = (
  <FlatRoutes>
    <Route path="/" element={<Navigate to="catalog" />} />
    <Route path="/catalog" element={<CatalogIndexPage />} />
    <Route
      path="/catalog/:namespace/:kind/:name"
      element={<CatalogEntityPage />}
    >
      {entityPage}
    </Route>
    <Route path="/env-parity" element={<EnvParityScorecardPage />} />
    <Route path="/env-parity/access" element={<EnvParityAccessPage />} />
    <Route
      path="/env-parity/alignments"
      element={<EnvParityAlignmentsPage />}
    />
  </FlatRoutes>
);

export default app.createRoot(<AppRouter>{routes}</AppRouter>);
