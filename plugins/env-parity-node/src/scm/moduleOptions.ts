import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';

/**
 * The settings of a source-control module (GitHub, GitLab), read from
 * `envParity.<key>`; see each module's config.d.ts.
 *
 * @public
 */
export interface ScmModuleOptions {
  /** Host used when the entity names no configured integration host. */
  host: string;
  /** Env Parity environment name to the source-control environment name. */
  environments: Record<string, string>;
  /** Per-request timeout in milliseconds. */
  timeoutMs: number;
  /** How many pages of deployments to walk per environment. */
  maxPages: number;
}

/**
 * Which source-control system {@link readScmModuleOptions} reads settings for.
 *
 * @public
 */
export interface ScmModuleConfigSpec {
  /** Config key under `envParity`, e.g. `github`. */
  key: string;
  /** Product name in messages, e.g. `GitHub`. */
  product: string;
  /** Host used when none is configured, e.g. `github.com`. */
  defaultHost: string;
  /** Example hosts in the message for a bad host, e.g. `github.com or ghe.example.com`. */
  exampleHosts: string;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_PAGES = 3;

/**
 * Reads `envParity.<key>` of a source-control module, failing start-up on a
 * bad value.
 *
 * @public
 */
export function readScmModuleOptions(
  config: Config,
  spec: ScmModuleConfigSpec,
): ScmModuleOptions {
  const prefix = `envParity.${spec.key}`;
  const c = config.getOptionalConfig(prefix);
  const host = c?.getOptionalString('host')?.trim() || spec.defaultHost;
  if (!/^[a-z0-9.-]+(:\d+)?$/i.test(host)) {
    throw new InputError(
      `${prefix}.host "${host}" must be a host name such as ${spec.exampleHosts}`,
    );
  }

  const environments: Record<string, string> = {};
  const mapping = c?.getOptionalConfig('environments');
  for (const key of mapping?.keys() ?? []) {
    const value = mapping!.getString(key).trim();
    if (!value) {
      throw new InputError(
        `${prefix}.environments.${key} must name a ${spec.product} environment`,
      );
    }
    environments[key] = value;
  }

  const timeoutMs = c?.has('timeout')
    ? durationToMilliseconds(readDurationFromConfig(c, { key: 'timeout' }))
    : DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) {
    throw new InputError(`${prefix}.timeout must be longer than zero`);
  }

  const maxPages = c?.getOptionalNumber('maxPages') ?? DEFAULT_MAX_PAGES;
  if (!Number.isInteger(maxPages) || maxPages < 1 || maxPages > 10) {
    throw new InputError(
      `${prefix}.maxPages must be a whole number from 1 to 10, not ${maxPages}`,
    );
  }

  return { host, environments, timeoutMs, maxPages };
}
