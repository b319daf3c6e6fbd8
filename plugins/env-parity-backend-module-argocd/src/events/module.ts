import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { eventsExtensionPoint } from '@backstage/plugin-events-node/alpha';
import { strictJsonBodyParser } from './jsonBody';
import { ARGOCD_WEBHOOK_TOPIC, createArgocdWebhookValidator } from './webhook';

/** Where the webhook's shared secret is configured. */
const SECRET_KEY = 'envParity.argocd.webhookSecret';

/**
 * A module of the events backend: receives Argo CD Notifications webhooks at
 * `POST /api/events/http/argocd` and publishes them on the `argocd` topic,
 * which Env Parity follows to collect the application's services at once.
 * Requests must carry `envParity.argocd.webhookSecret` in the
 * `X-Env-Parity-Webhook-Secret` header; without that secret configured the
 * webhook is not offered. Also makes the events backend answer 400 (not
 * 500) to a JSON body that does not parse, on every topic.
 *
 * @public
 */
export const eventsModuleEnvParityArgocdWebhook = createBackendModule({
  pluginId: 'events',
  moduleId: 'env-parity-argocd-webhook',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        events: eventsExtensionPoint,
      },
      async init({ config, logger, events }) {
        // malformed JSON is the sender's mistake (400), on every topic
        events.addHttpPostBodyParser({
          contentType: 'application/json',
          parser: strictJsonBodyParser,
        });
        const secret = config.getOptionalString(SECRET_KEY);
        if (!secret) {
          logger.info(
            `${SECRET_KEY} is not set: the Argo CD Notifications webhook is not offered`,
          );
          return;
        }
        events.addHttpPostIngress({
          topic: ARGOCD_WEBHOOK_TOPIC,
          validator: createArgocdWebhookValidator(secret),
        });
      },
    });
  },
});
