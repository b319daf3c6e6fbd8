import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import { FieldPaths } from './extract';

/** The config key this module reads. */
export const CONFIG_KEY = 'envParity.http';

/** `envParity.http`, with defaults applied; see config.d.ts. */
export interface HttpProviderOptions {
  allowedHosts: string[];
  allowPrivateNetworks: boolean;
  allowedNetworks?: string[];
  defaultPath: string;
  timeoutMs: number;
  maxBodyBytes: number;
  maxRedirects: number;
  fieldPaths: FieldPaths;
  hosts: Array<{ host: string; headers: Record<string, string> }>;
}

export const DEFAULTS = {
  defaultPath: '/version',
  timeoutMs: 10_000,
  maxBodyBytes: 256 * 1024,
  maxRedirects: 3,
};

/** Reads `envParity.http`; undefined when the block is absent. */
export function readHttpProviderOptions(
  root: Config,
): HttpProviderOptions | undefined {
  const config = root.getOptionalConfig(CONFIG_KEY);
  if (!config) {
    return undefined;
  }
  const fieldPathsConfig = config.getOptionalConfig('fieldPaths');
  const fieldPaths: FieldPaths = {};
  for (const field of [
    'version',
    'revision',
    'artifact',
    'deployedAt',
  ] as const) {
    const path = fieldPathsConfig?.getOptionalString(field);
    if (path) {
      fieldPaths[field] = path;
    }
  }
  return {
    allowedHosts: config.getStringArray('allowedHosts'),
    allowPrivateNetworks:
      config.getOptionalBoolean('allowPrivateNetworks') ?? false,
    allowedNetworks: config.getOptionalStringArray('allowedNetworks'),
    defaultPath:
      config.getOptionalString('defaultPath') ?? DEFAULTS.defaultPath,
    timeoutMs: config.has('timeout')
      ? durationToMilliseconds(
          readDurationFromConfig(config, { key: 'timeout' }),
        )
      : DEFAULTS.timeoutMs,
    maxBodyBytes:
      config.getOptionalNumber('maxBodyBytes') ?? DEFAULTS.maxBodyBytes,
    maxRedirects:
      config.getOptionalNumber('maxRedirects') ?? DEFAULTS.maxRedirects,
    fieldPaths,
    hosts: (config.getOptionalConfigArray('hosts') ?? []).map(entry => {
      const headers = entry.getOptionalConfig('headers');
      return {
        host: entry.getString('host'),
        headers: Object.fromEntries(
          (headers?.keys() ?? []).map(name => [name, headers!.getString(name)]),
        ),
      };
    }),
  };
}
