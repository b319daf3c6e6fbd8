/**
 * The Argo CD backend module for the env-parity plugin: reads what Argo CD
 * Applications run in each environment of a service.
 *
 * @packageDocumentation
 */

export { envParityModuleArgocd as default } from './module';
export { eventsModuleEnvParityArgocdWebhook } from './events/module';
