import { createBackend } from '@backstage/backend-defaults';
import { eventsModuleEnvParityArgocdWebhook } from '@env-parity/plugin-env-parity-backend-module-argocd';
import { eventsModuleEnvParityGithubWebhook } from '@env-parity/plugin-env-parity-backend';

const backend = createBackend();

backend.add(import('@backstage/plugin-app-backend'));

// auth: the guest provider signs demo users in
backend.add(import('@backstage/plugin-auth-backend'));
backend.add(import('@backstage/plugin-auth-backend-module-guest-provider'));
// DEMO ONLY: pick a demo user (guest, alice, bob) on the sign-in page; enabled
// by auth.providers.demo in app-config.yaml, see ./demoAuth.ts
backend.add(import('./demoAuth'));

// catalog
backend.add(import('@backstage/plugin-catalog-backend'));
backend.add(import('@backstage/plugin-catalog-backend-module-logs'));

// permissions
backend.add(import('@backstage/plugin-permission-backend'));
// DEMO ONLY: allows everything except Env Parity for the contractor "dana"
backend.add(import('./demoPermissionPolicy'));

// notifications and signals
backend.add(import('@backstage/plugin-notifications-backend'));
backend.add(import('@backstage/plugin-signals-backend'));

// events: webhooks in (POST /api/events/http/<topic>); GitHub's signed with
// events.modules.github.webhookSecret (a bad or missing signature answered
// 401 by Env Parity's module), routed to github.<event> topics; Argo CD
// Notifications with envParity.argocd.webhookSecret. Env Parity collects the
// services a deployment event names at once.
backend.add(import('@backstage/plugin-events-backend'));
backend.add(import('@backstage/plugin-events-backend-module-github'));
backend.add(eventsModuleEnvParityGithubWebhook);
backend.add(eventsModuleEnvParityArgocdWebhook);

// kubernetes: the demo's two (fake) clusters; Env Parity's Kubernetes module
// reads them through this plugin's proxy (envParity.kubernetes.mode: proxy)
backend.add(import('@backstage/plugin-kubernetes-backend'));

// user settings
backend.add(import('@backstage/plugin-user-settings-backend'));

// MCP: the actions of the plugins in backend.actions.pluginSources (Env
// Parity's among them) as MCP tools at /api/mcp-actions/v1, called with the
// caller's own credentials
backend.add(import('@backstage/plugin-mcp-actions-backend'));

backend.add(import('@env-parity/plugin-env-parity-backend'));
// DEMO ONLY: made-up scorecard history so the trend chart is not empty
backend.add(import('./demoHistory'));
backend.add(import('@env-parity/plugin-env-parity-backend-module-github'));
backend.add(import('@env-parity/plugin-env-parity-backend-module-http'));
backend.add(import('@env-parity/plugin-env-parity-backend-module-kubernetes'));
backend.add(import('@env-parity/plugin-env-parity-backend-module-argocd'));
backend.add(import('@env-parity/plugin-env-parity-backend-module-gitlab'));
backend.add(import('@env-parity/plugin-env-parity-backend-module-flux'));

// scaffolder: Env Parity's actions env-parity:resolve and
// env-parity:replica:create (examples/templates/production-replica.yaml)
backend.add(import('@backstage/plugin-scaffolder-backend'));
backend.add(import('@env-parity/plugin-scaffolder-backend-module-env-parity'));

backend.start();
