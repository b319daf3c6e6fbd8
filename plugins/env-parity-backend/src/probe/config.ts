import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';

/** The config key the probe reads. */
export const PROBE_CONFIG_KEY = 'envParity.probe';

/**
 * Response headers whose values are never shown, whatever the config says
 * (`envParity.probe.redactHeaders` adds to them).
 */
export const DEFAULT_REDACT_HEADERS = [
  'set-cookie',
  'set-cookie2',
  'authorization',
  'proxy-authorization',
  'proxy-authenticate',
  'www-authenticate',
  'x-api-key',
  'x-auth-token',
  'x-csrf-token',
  'x-xsrf-token',
  'x-amz-security-token',
];

/** Response headers shown by default (`envParity.probe.showHeaders` replaces them). */
export const DEFAULT_SHOW_HEADERS = [
  'content-type',
  'content-length',
  'content-encoding',
  'cache-control',
  'etag',
  'last-modified',
  'location',
  'server',
  'vary',
  'x-powered-by',
  'x-version',
  'x-revision',
  'retry-after',
];

/** `envParity.probe`, with defaults applied; see config.d.ts. */
export interface ProbeOptions {
  allowedHosts: string[];
  allowPrivateNetworks: boolean;
  allowedNetworks?: string[];
  timeoutMs: number;
  maxBodyBytes: number;
  /** Lower-case names, defaults included. */
  redactHeaders: string[];
  /** Lower-case names. */
  showHeaders: string[];
  /** Per environment name: headers to send, and the hosts they may go to. */
  environments: Record<
    string,
    { headers: Record<string, string>; hosts?: string[] }
  >;
  rateLimit: { requests: number; windowMs: number };
  /**
   * Fields expected to differ in every service's answers (JSON paths and
   * header names), as written: checked per probe, where entries that are
   * neither show as not applied.
   */
  ignore: string[];
}

export const PROBE_DEFAULTS = {
  timeoutMs: 10_000,
  maxBodyBytes: 256 * 1024,
  rateLimit: { requests: 30, windowMs: 60_000 },
};

const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function headerNames(config: Config, key: string): string[] | undefined {
  const names = config.getOptionalStringArray(key);
  return names?.map(name => {
    if (!HEADER_NAME.test(name)) {
      throw new InputError(
        `${PROBE_CONFIG_KEY}.${key}: "${name}" is not a header name`,
      );
    }
    return name.toLowerCase();
  });
}

function duration(config: Config, key: string, fallback: number): number {
  if (!config.has(key)) {
    return fallback;
  }
  const ms = durationToMilliseconds(readDurationFromConfig(config, { key }));
  if (!(ms > 0)) {
    throw new InputError(`${PROBE_CONFIG_KEY}.${key} must be longer than 0`);
  }
  return ms;
}

function positiveInteger(
  config: Config,
  key: string,
  fallback: number,
): number {
  const value = config.getOptionalNumber(key) ?? fallback;
  if (!Number.isInteger(value) || value <= 0) {
    throw new InputError(
      `${PROBE_CONFIG_KEY}.${key} must be a whole number above 0, got ${value}`,
    );
  }
  return value;
}

/**
 * Reads `envParity.probe`. Without the block nothing is reachable: every
 * environment answers "host ... is not in envParity.probe.allowedHosts".
 */
export function readProbeOptions(root: Config): ProbeOptions {
  const config = root.getOptionalConfig(PROBE_CONFIG_KEY);
  if (!config) {
    return {
      allowedHosts: [],
      allowPrivateNetworks: false,
      timeoutMs: PROBE_DEFAULTS.timeoutMs,
      maxBodyBytes: PROBE_DEFAULTS.maxBodyBytes,
      redactHeaders: [...DEFAULT_REDACT_HEADERS],
      showHeaders: [...DEFAULT_SHOW_HEADERS],
      environments: {},
      rateLimit: { ...PROBE_DEFAULTS.rateLimit },
      ignore: [],
    };
  }
  const environments: ProbeOptions['environments'] = {};
  const envConfig = config.getOptionalConfig('environments');
  for (const name of envConfig?.keys() ?? []) {
    const env = envConfig!.getConfig(name);
    const headersConfig = env.getOptionalConfig('headers');
    environments[name] = {
      headers: Object.fromEntries(
        (headersConfig?.keys() ?? []).map(header => [
          header,
          headersConfig!.getString(header),
        ]),
      ),
      hosts: env.getOptionalStringArray('hosts'),
    };
  }
  return {
    allowedHosts: config.getOptionalStringArray('allowedHosts') ?? [],
    allowPrivateNetworks:
      config.getOptionalBoolean('allowPrivateNetworks') ?? false,
    allowedNetworks: config.getOptionalStringArray('allowedNetworks'),
    timeoutMs: duration(config, 'timeout', PROBE_DEFAULTS.timeoutMs),
    maxBodyBytes: positiveInteger(
      config,
      'maxBodyBytes',
      PROBE_DEFAULTS.maxBodyBytes,
    ),
    redactHeaders: [
      ...new Set([
        ...DEFAULT_REDACT_HEADERS,
        ...(headerNames(config, 'redactHeaders') ?? []),
      ]),
    ],
    showHeaders: headerNames(config, 'showHeaders') ?? [
      ...DEFAULT_SHOW_HEADERS,
    ],
    environments,
    rateLimit: {
      requests: positiveInteger(
        config,
        'rateLimit.requests',
        PROBE_DEFAULTS.rateLimit.requests,
      ),
      windowMs: duration(
        config,
        'rateLimit.window',
        PROBE_DEFAULTS.rateLimit.windowMs,
      ),
    },
    ignore: config.getOptionalStringArray('ignore') ?? [],
  };
}
