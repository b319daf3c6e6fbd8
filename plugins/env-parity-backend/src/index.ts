export { envParityPlugin as default } from './plugin';
export { eventsModuleEnvParityGithubWebhook } from './events/githubWebhookModule';
