/**
 * Env Parity GitHub module: GitHub deployments as a deployment provider,
 * the GitHub compare API as a revision comparer, and the `github`
 * alignment deployer.
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
export { GithubDeployer } from './GithubDeployer';
export type { GithubDeployerWorkflow } from './GithubDeployer';
export type { GithubModuleOptions } from './config';
