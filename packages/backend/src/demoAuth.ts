/*
 * DEMO ONLY. Lets whoever opens the demo app choose which catalog user they
 * are, so that journeys involving two people (a developer asks for access,
 * an SRE grants it) can be tried in one browser.
 *
 * The provider `demo` trusts the `x-demo-user` request header, which anyone
 * can set: it proves nothing about who is calling. It is therefore only
 * enabled where `auth.providers.demo` is configured (the demo app-config.yaml
 * only), only for the names listed there, and only when the backend runs in
 * development mode (`yarn start`) unless the configuration explicitly says
 * `dangerouslyAllowOutsideDevelopment: true`. Never configure it for a real
 * installation: use a real sign-in provider there.
 *
 *   auth:
 *     providers:
 *       demo:
 *         users: [guest, alice, bob]
 *
 * A listed name signs in as the catalog user `user:default/<name>`, with the
 * ownership the catalog gives it (its groups), exactly like a real sign-in
 * resolved against the catalog.
 */
import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { AuthenticationError, NotAllowedError } from '@backstage/errors';
import {
  authProvidersExtensionPoint,
  createProxyAuthenticator,
  createProxyAuthProviderFactory,
} from '@backstage/plugin-auth-node';

/** The request header naming the demo user to sign in as. */
export const DEMO_USER_HEADER = 'x-demo-user';

type DemoAuthContext = {
  /** The names that may sign in. */
  users: string[];
  /** Why the provider refuses every request, if it does. */
  disabled?: string;
};

type DemoAuthResult = { user: string };

const USER_NAME = /^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$/;

export const demoAuthenticator = createProxyAuthenticator<
  DemoAuthContext,
  DemoAuthResult,
  undefined
>({
  // the profile comes from the user's catalog entity
  async defaultProfileTransform(result, ctx) {
    try {
      const { entity } = await ctx.findCatalogUser({
        entityRef: { name: result.user },
      });
      const profile = (entity.spec?.profile ?? {}) as {
        displayName?: string;
        email?: string;
        picture?: string;
      };
      return {
        profile: {
          displayName: profile.displayName ?? result.user,
          ...(profile.email ? { email: profile.email } : {}),
          ...(profile.picture ? { picture: profile.picture } : {}),
        },
      };
    } catch {
      return { profile: { displayName: result.user } };
    }
  },
  initialize({ config }) {
    const users = config.getOptionalStringArray('users') ?? [];
    for (const user of users) {
      if (!USER_NAME.test(user)) {
        throw new Error(
          `auth.providers.demo.users: ${JSON.stringify(
            user,
          )} is not a catalog user name`,
        );
      }
    }
    const allowOutsideDevelopment = config.getOptionalBoolean(
      'dangerouslyAllowOutsideDevelopment',
    );
    let disabled: string | undefined;
    if (process.env.NODE_ENV !== 'development' && !allowOutsideDevelopment) {
      disabled =
        "The demo sign-in provider only runs in development mode; it trusts a request header and is not for real installations (set 'auth.providers.demo.dangerouslyAllowOutsideDevelopment: true' for a demo outside development)";
    } else if (users.length === 0) {
      disabled =
        'The demo sign-in provider has no users: list them under auth.providers.demo.users';
    }
    return { users, disabled };
  },
  async authenticate({ req }, { users, disabled }) {
    if (disabled) {
      throw new NotAllowedError(disabled);
    }
    const user = req.header(DEMO_USER_HEADER)?.trim();
    if (!user) {
      throw new AuthenticationError(
        `Choose a demo user: send the ${DEMO_USER_HEADER} header with one of ${users.join(
          ', ',
        )}`,
      );
    }
    if (!users.includes(user)) {
      throw new NotAllowedError(
        `${JSON.stringify(
          user.slice(0, 64),
        )} is not a demo user; choose one of ${users.join(', ')}`,
      );
    }
    return { result: { user } };
  },
});

/**
 * DEMO ONLY: the `demo` sign-in provider, see the top of this file.
 */
export const demoUsersAuthModule = createBackendModule({
  pluginId: 'auth',
  moduleId: 'demo-users-provider',
  register(reg) {
    reg.registerInit({
      deps: {
        providers: authProvidersExtensionPoint,
        config: coreServices.rootConfig,
        logger: coreServices.logger,
      },
      async init({ providers, config, logger }) {
        providers.registerProvider({
          providerId: 'demo',
          factory: createProxyAuthProviderFactory({
            authenticator: demoAuthenticator,
            async signInResolver({ result }, ctx) {
              // the catalog user and its groups; no fallback: a name that
              // is not in the catalog cannot sign in
              return ctx.signInWithCatalogUser({
                entityRef: { name: result.user },
              });
            },
          }),
        });
        if (config.has('auth.providers.demo')) {
          logger.warn(
            'The demo sign-in provider is enabled: anyone can sign in as any user listed under auth.providers.demo.users. For demos only.',
          );
        }
      },
    });
  },
});

export default demoUsersAuthModule;
