import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  createGithubWebhookGate,
  readGithubWebhookSecrets,
} from './githubWebhook';

/**
 * A module of the events backend that answers a GitHub webhook
 * (`POST /api/events/http/github`) without a valid `X-Hub-Signature-256`
 * with 401, and a signed but malformed one with 400, before the events
 * backend's ingress sees it; nothing is published for either. Install it
 * beside `@backstage/plugin-events-backend-module-github`, which answers a
 * bad signature 403 by itself. Verifies with the secrets that module
 * uses (`events.modules.github.webhookSecret`, GitHub Apps' `webhookSecret`);
 * without any it does nothing.
 *
 * Why not a request validator: the events backend keeps one validator per
 * topic (the last module to add an ingress for `github` wins, and modules
 * initialize concurrently), so a second validator for `github` would
 * replace the GitHub module's, or be replaced by it, depending on timing.
 * A module's routes on the events plugin's router are added before the
 * plugin's own (modules initialize first), so these always run first.
 *
 * @public
 */
export const eventsModuleEnvParityGithubWebhook = createBackendModule({
  pluginId: 'events',
  moduleId: 'env-parity-github-webhook',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        httpRouter: coreServices.httpRouter,
      },
      async init({ config, logger, httpRouter }) {
        const secrets = readGithubWebhookSecrets(config);
        if (secrets.length === 0) {
          logger.info(
            'No GitHub webhook secret is configured (events.modules.github.webhookSecret): GitHub webhook signatures are not checked here',
          );
          return;
        }
        httpRouter.use(createGithubWebhookGate(secrets));
      },
    });
  },
});
