import {
  AuthService,
  DatabaseService,
  LoggerService,
  RootConfigService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';
import { ScorecardStore } from '../scorecard';
import type { ScorecardUpdater } from '../scorecard/ScorecardWriter';
import { readScorecardOptions } from '../scorecard/ScorecardService';
import { readNotifyOptions } from './config';
import { DigestStore } from './DigestStore';
import { DriftDigest } from './DriftDigest';
import { DriftNotificationStore } from './DriftNotificationStore';
import { DriftNotifier } from './DriftNotifier';

export { readNotifyOptions, NOTIFY_ANNOTATION } from './config';
export type { NotifyOptions, DigestOptions } from './config';
export { DriftNotifier } from './DriftNotifier';
export { DriftDigest } from './DriftDigest';

/** The scheduled task of the drift digest. */
export const DIGEST_TASK_ID = 'env-parity-notify-digest';

/**
 * "Drift finds its owners": the scorecard updater the collector calls,
 * wrapped so that a service's owner (and with `environmentOwners` the
 * environment's) is notified when one of its environments turns from in
 * sync to drift, and when a drift becomes `envParity.notify.driftAgeDays`
 * old; and the digest task (`envParity.notify.digest`) sending each team
 * its drifting services every period. With `envParity.notify.enabled:
 * false` it is `updater` itself and no digest is scheduled.
 */
export async function createDriftNotifications(options: {
  config: RootConfigService;
  database: DatabaseService;
  logger: LoggerService;
  scheduler: SchedulerService;
  catalog: CatalogService;
  auth: AuthService;
  notifications: NotificationService;
  /** The scorecard's own updater (`createScorecard(...).writer`). */
  updater: ScorecardUpdater;
  /** The plugin's environments (its `EnvironmentRegistry`). */
  environments: { list(): Promise<EnvironmentDefinition[]> };
  clock?: () => Date;
}): Promise<ScorecardUpdater> {
  const { config } = options;
  const notify = readNotifyOptions(config);
  if (!notify.enabled) {
    return options.updater;
  }
  const scorecard = await ScorecardStore.create({ database: options.database });
  if (notify.digest.enabled) {
    const logger = options.logger.child({ feature: 'drift-digest' });
    const digest = new DriftDigest({
      scorecard,
      store: await DigestStore.create({ database: options.database }),
      notifications: options.notifications,
      catalog: options.catalog,
      auth: options.auth,
      environments: options.environments,
      logger,
      options: notify.digest,
      scorecardEnvironment: readScorecardOptions(config).environment,
      clock: options.clock,
    });
    await options.scheduler.scheduleTask({
      id: DIGEST_TASK_ID,
      scope: 'global',
      frequency: notify.digest.frequency,
      timeout: { minutes: 15 },
      // after the first collection has filled the scorecard
      initialDelay: { minutes: 5 },
      fn: async () => {
        const { sent } = await digest.run();
        logger.info(`Sent ${sent} drift digest(s)`);
      },
    });
  }
  return new DriftNotifier({
    updater: options.updater,
    scorecard,
    store: await DriftNotificationStore.create({ database: options.database }),
    notifications: options.notifications,
    logger: options.logger.child({ feature: 'drift-notifications' }),
    options: notify,
    clock: options.clock,
  });
}
