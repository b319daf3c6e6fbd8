import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';

/** `envParity.replicas` (the generic keys), read once at start-up with every default applied. */
export interface ReplicaOptions {
  /** A replica's lifetime when the launch names none. */
  defaultTtlMs: number;
  /** The longest total lifetime from creation, extensions included. */
  maxTtlMs: number;
  /** Active replicas one user may have at once. */
  perUserLimit: number;
  /** Active replicas there may be at once, all users together. */
  globalLimit: number;
  /** How long before its expiry the requester is told. */
  notifyBeforeMs: number;
  /** How often the sweep observes, expires and self-heals. */
  sweepIntervalMs: number;
  /** How long the driver may take to create a replica before it is aborted (not a configuration key). */
  launchTimeoutMs: number;
  /** How long a launched replica may take to become ready before it fails (not a configuration key). */
  readyTimeoutMs: number;
  /** How long any other driver call may take (not a configuration key). */
  callTimeoutMs: number;
  /** The longest reason accepted (not a configuration key). */
  maxReasonLength: number;
}

const MINUTE = 60_000;

export const DEFAULT_REPLICA_OPTIONS: ReplicaOptions = {
  defaultTtlMs: 4 * 60 * MINUTE,
  maxTtlMs: 8 * 60 * MINUTE,
  perUserLimit: 2,
  globalLimit: 20,
  notifyBeforeMs: 30 * MINUTE,
  sweepIntervalMs: MINUTE,
  launchTimeoutMs: 10 * MINUTE,
  readyTimeoutMs: 15 * MINUTE,
  callTimeoutMs: MINUTE,
  maxReasonLength: 2000,
};

function duration(config: Config, key: string): number | undefined {
  if (!config.has(key)) {
    return undefined;
  }
  const ms = durationToMilliseconds(readDurationFromConfig(config, { key }));
  if (!(ms >= 1000)) {
    throw new InputError(`envParity.replicas.${key} must be at least a second`);
  }
  return ms;
}

function wholeNumber(config: Config, key: string) {
  const value = config.getOptionalNumber(key);
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new InputError(
      `envParity.replicas.${key} must be a whole number of at least 1`,
    );
  }
  return value;
}

/**
 * Reads `envParity.replicas` (the keys of the backend; a driver module
 * reads its own); undefined when it is absent (replicas off). A bad value
 * stops start-up with a message naming its key.
 */
export function readReplicaOptions(root: Config): ReplicaOptions | undefined {
  const config = root.getOptionalConfig('envParity.replicas');
  if (!config) {
    return undefined;
  }
  const d = DEFAULT_REPLICA_OPTIONS;
  const maxTtlMs = duration(config, 'maxTtl') ?? d.maxTtlMs;
  const defaultTtlMs =
    duration(config, 'defaultTtl') ?? Math.min(d.defaultTtlMs, maxTtlMs);
  if (defaultTtlMs > maxTtlMs) {
    throw new InputError(
      'envParity.replicas.defaultTtl must not be longer than envParity.replicas.maxTtl',
    );
  }
  if (defaultTtlMs < MINUTE) {
    throw new InputError(
      'envParity.replicas.defaultTtl must be at least a minute',
    );
  }
  const perUserLimit = wholeNumber(config, 'perUserLimit') ?? d.perUserLimit;
  const globalLimit = wholeNumber(config, 'globalLimit') ?? d.globalLimit;
  return {
    ...d,
    defaultTtlMs,
    maxTtlMs,
    perUserLimit,
    globalLimit,
    notifyBeforeMs: duration(config, 'notifyBefore') ?? d.notifyBeforeMs,
    sweepIntervalMs: duration(config, 'sweepInterval') ?? d.sweepIntervalMs,
  };
}
