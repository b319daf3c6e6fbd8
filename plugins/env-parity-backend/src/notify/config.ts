import { SchedulerServiceTaskScheduleDefinition } from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';

const HOUR_MS = 60 * 60 * 1000;

/** See `envParity.notify.digest` in config.d.ts. */
export interface DigestOptions {
  /** False sends no digest. */
  enabled: boolean;
  /** How often the digest task runs: a duration or `{ cron }`. */
  frequency: SchedulerServiceTaskScheduleDefinition['frequency'];
  /**
   * A team gets no second digest less than this long after its last one,
   * whichever replica runs the task: half the frequency, or an hour for a
   * cron schedule.
   */
  minimumGapMs: number;
  /** The environment the digest reports; default as the scorecard's. */
  environment?: string;
}

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
  /** Also tell the owner of the drifting environment (`envParity.environments[].owner`). */
  environmentOwners: boolean;
  digest: DigestOptions;
}

export const DIGEST_DEFAULTS: DigestOptions = {
  enabled: true,
  frequency: { days: 7 },
  minimumGapMs: 3.5 * 24 * HOUR_MS,
};

export const NOTIFY_DEFAULTS: NotifyOptions = {
  enabled: true,
  driftAgeDays: 7,
  flappingWindowMs: 24 * HOUR_MS,
  environmentOwners: false,
  digest: DIGEST_DEFAULTS,
};

/** The annotation by which a service opts out: `env-parity/notify: none`. */
export const NOTIFY_ANNOTATION = 'env-parity/notify';

/** A cron expression has five or six fields; a duration string has no spaces between them. */
const CRON = /^\S+(\s+\S+){4,5}$/;

function readDigestOptions(c: Config | undefined): DigestOptions {
  if (!c) {
    return DIGEST_DEFAULTS;
  }
  const environment = c.getOptionalString('environment')?.trim() || undefined;
  const base = {
    enabled: c.getOptionalBoolean('enabled') ?? DIGEST_DEFAULTS.enabled,
    ...(environment && { environment }),
  };
  if (!c.has('schedule')) {
    return { ...DIGEST_DEFAULTS, ...base };
  }
  const value = c.get('schedule');
  const cron =
    typeof value === 'string'
      ? CRON.test(value.trim()) && value.trim()
      : c.getOptionalString('schedule.cron');
  if (cron) {
    return { ...base, frequency: { cron }, minimumGapMs: HOUR_MS };
  }
  const duration = readDurationFromConfig(c, { key: 'schedule' });
  const ms = durationToMilliseconds(duration);
  if (ms < HOUR_MS) {
    throw new InputError(
      'envParity.notify.digest.schedule must be at least an hour, or a cron expression',
    );
  }
  return { ...base, frequency: duration, minimumGapMs: ms / 2 };
}

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
    environmentOwners:
      c.getOptionalBoolean('environmentOwners') ??
      NOTIFY_DEFAULTS.environmentOwners,
    digest: readDigestOptions(c.getOptionalConfig('digest')),
  };
}
