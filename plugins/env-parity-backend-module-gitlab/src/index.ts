/**
 * Env Parity GitLab module: GitLab deployments as a deployment provider and
 * the GitLab compare API as a revision comparer.
 *
 * @packageDocumentation
 */

export { envParityModuleGitlab as default } from './module';
export {
  GitlabClient,
  GitlabApiError,
  GitlabRateLimitError,
  GITLAB_PROJECT_SLUG_ANNOTATION,
  GITLAB_PROJECT_ID_ANNOTATION,
  GITLAB_INSTANCE_ANNOTATION,
  SOURCE_LOCATION_ANNOTATION,
} from './GitlabClient';
export type {
  GitlabGetOptions,
  GitlabLocation,
  GitlabProject,
  GitlabResponse,
} from './GitlabClient';
export { GitlabDeploymentProvider } from './GitlabDeploymentProvider';
export { GitlabRevisionComparer } from './GitlabRevisionComparer';
export type { GitlabModuleOptions } from './config';
