import { Config } from '@backstage/config';
import {
  readScmModuleOptions,
  ScmModuleOptions,
} from '@env-parity/plugin-env-parity-node';

/** The module's settings, read from `envParity.github`; see config.d.ts. */
export type GithubModuleOptions = ScmModuleOptions;

/** Reads `envParity.github`, failing start-up on a bad value. */
export function readGithubModuleOptions(config: Config): GithubModuleOptions {
  return readScmModuleOptions(config, {
    key: 'github',
    product: 'GitHub',
    defaultHost: 'github.com',
    exampleHosts: 'github.com or ghe.example.com',
  });
}
