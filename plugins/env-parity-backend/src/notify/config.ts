import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';

/** See `envParity.notify` in config.d.ts. */
export interface NotifyOptions {
  /** The global switch: false sends no drift notification at all. */
  enabled: boolean;
  /** A drift this many whole days old notifies its owner (once). */
  driftAgeDays: number;
  /**
   * A new drift of a service's environment notified less than this long
   * after the previous notification of the same environment is not notified
   * (a flapping environment notifies once per window).
   */
  flappingWindowMs: number;
}

export const NOTIFY_DEFAULTS: NotifyOptions = {
  enabled: true,
  driftAgeDays: 7,
  flappingWindowMs: 24 * 60 * 60 * 1000,
};

/** The annotation by which a service opts out: `env-parity/notify: none`. */
export const NOTIFY_ANNOTATION = 'env-parity/notify';

export function readNotifyOptions(config: Config): NotifyOptions {
  const c = config.getOptionalConfig('envParity.notify');
  if (!c) {
    return NOTIFY_DEFAULTS;
  }
  const driftAgeDays =
    c.getOptionalNumber('driftAgeDays') ?? NOTIFY_DEFAULTS.driftAgeDays;
  if (!Number.isInteger(driftAgeDays) || driftAgeDays < 1) {
    throw new InputError(
      `envParity.notify.driftAgeDays must be a whole number of days, at least 1, not ${driftAgeDays}`,
    );
  }
  return {
    enabled: c.getOptionalBoolean('enabled') ?? NOTIFY_DEFAULTS.enabled,
    driftAgeDays,
    flappingWindowMs: c.has('flappingWindow')
      ? durationToMilliseconds(
          readDurationFromConfig(c, { key: 'flappingWindow' }),
        )
      : NOTIFY_DEFAULTS.flappingWindowMs,
  };
}
