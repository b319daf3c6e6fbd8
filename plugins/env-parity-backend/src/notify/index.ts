import {
  DatabaseService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { ScorecardStore } from '../scorecard';
import type { ScorecardUpdater } from '../scorecard/ScorecardWriter';
import { readNotifyOptions } from './config';
import { DriftNotificationStore } from './DriftNotificationStore';
import { DriftNotifier } from './DriftNotifier';

export { readNotifyOptions, NOTIFY_ANNOTATION } from './config';
export type { NotifyOptions } from './config';
export { DriftNotifier } from './DriftNotifier';

/**
 * "Drift finds its owners": the scorecard updater the collector calls,
 * wrapped so that a service's owner is notified when one of its
 * environments turns from in sync to drift, and when a drift becomes
 * `envParity.notify.driftAgeDays` old. With `envParity.notify.enabled:
 * false` it is `updater` itself.
 */
export async function createDriftNotifications(options: {
  config: RootConfigService;
  database: DatabaseService;
  logger: LoggerService;
  notifications: NotificationService;
  /** The scorecard's own updater (`createScorecard(...).writer`). */
  updater: ScorecardUpdater;
  clock?: () => Date;
}): Promise<ScorecardUpdater> {
  const notify = readNotifyOptions(options.config);
  if (!notify.enabled) {
    return options.updater;
  }
  return new DriftNotifier({
    updater: options.updater,
    scorecard: await ScorecardStore.create({ database: options.database }),
    store: await DriftNotificationStore.create({ database: options.database }),
    notifications: options.notifications,
    logger: options.logger.child({ feature: 'drift-notifications' }),
    options: notify,
    clock: options.clock,
  });
}
