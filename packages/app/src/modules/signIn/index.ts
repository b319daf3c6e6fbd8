import { createFrontendModule } from '@backstage/frontend-plugin-api';
import { SignInPageBlueprint } from '@backstage/plugin-app-react';

/**
 * DEMO ONLY: replaces the app's sign-in page with a picker of demo users
 * (guest, alice, bob), signed in by the backend's `demo` auth provider.
 */
export const demoSignInPage = SignInPageBlueprint.make({
  params: {
    loader: () => import('./DemoSignInPage').then(m => m.DemoSignInPage),
  },
});

export const signInModule = createFrontendModule({
  pluginId: 'app',
  extensions: [demoSignInPage],
});
