import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';

/**
 * The module's settings, read from `envParity.gitlab`; see config.d.ts.
 *
 * @public
 */
export interface GitlabModuleOptions {
  /** Host used when the entity names no configured GitLab host. */
  host: string;
  /** Env Parity environment name to GitLab environment name. */
  environments: Record<string, string>;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
  /** How many pages of newer deployments to walk per environment. */
  maxPages: number;
}

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_PAGES = 3;

/** Reads `envParity.gitlab`, failing start-up on a bad value. */
export function readGitlabModuleOptions(config: Config): GitlabModuleOptions {
  const c = config.getOptionalConfig('envParity.gitlab');
  const host = c?.getOptionalString('host')?.trim() || 'gitlab.com';
  if (!/^[a-z0-9.-]+(:\d+)?$/i.test(host)) {
    throw new InputError(
      `envParity.gitlab.host "${host}" must be a host name such as gitlab.com or gitlab.example.com`,
    );
  }

  const environments: Record<string, string> = {};
  const mapping = c?.getOptionalConfig('environments');
  for (const key of mapping?.keys() ?? []) {
    const value = mapping!.getString(key).trim();
    if (!value) {
      throw new InputError(
        `envParity.gitlab.environments.${key} must name a GitLab environment`,
      );
    }
    environments[key] = value;
  }

  const timeoutMs = c?.has('timeout')
    ? durationToMilliseconds(readDurationFromConfig(c, { key: 'timeout' }))
    : DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) {
    throw new InputError('envParity.gitlab.timeout must be longer than zero');
  }

  const maxPages = c?.getOptionalNumber('maxPages') ?? DEFAULT_MAX_PAGES;
  if (!Number.isInteger(maxPages) || maxPages < 1 || maxPages > 10) {
    throw new InputError(
      `envParity.gitlab.maxPages must be a whole number from 1 to 10, not ${maxPages}`,
    );
  }

  return { host, environments, timeoutMs, maxPages };
}
