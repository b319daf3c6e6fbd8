/**
 * Env Parity GitHub module: GitHub deployments as a deployment provider and
 * the GitHub compare API as a revision comparer.
 *
 * @packageDocumentation
 */

export { envParityModuleGithub as default } from './module';
export {
  GithubClient,
  GithubApiError,
  GithubRateLimitError,
  GITHUB_PROJECT_SLUG_ANNOTATION,
  SOURCE_LOCATION_ANNOTATION,
} from './GithubClient';
export type {
  GithubGetOptions,
  GithubLocation,
  GithubRepository,
  GithubResponse,
} from './GithubClient';
export { GithubDeploymentProvider } from './GithubDeploymentProvider';
export { GithubRevisionComparer } from './GithubRevisionComparer';
export type { GithubModuleOptions } from './config';
