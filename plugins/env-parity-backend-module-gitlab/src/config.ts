import { Config } from '@backstage/config';
import {
  readScmModuleOptions,
  ScmModuleOptions,
} from '@env-parity/plugin-env-parity-node';

/**
 * The module's settings, read from `envParity.gitlab`; see config.d.ts.
 *
 * @public
 */
export type GitlabModuleOptions = ScmModuleOptions;

/** Reads `envParity.gitlab`, failing start-up on a bad value. */
export function readGitlabModuleOptions(config: Config): GitlabModuleOptions {
  return readScmModuleOptions(config, {
    key: 'gitlab',
    product: 'GitLab',
    defaultHost: 'gitlab.com',
    exampleHosts: 'gitlab.com or gitlab.example.com',
  });
}
