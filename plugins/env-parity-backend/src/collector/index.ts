import {
  AuthService,
  LoggerService,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  RootConfigService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { DeploymentProvider } from '@env-parity/plugin-env-parity-node';
import { EnvironmentRegistry } from '../environments';
import type { ScorecardUpdater } from '../scorecard';
import { SnapshotStore } from '../store/SnapshotStore';
import {
  DeploymentCollector,
  readCollectorOptions,
} from './DeploymentCollector';

export {
  DeploymentCollector,
  readCollectorOptions,
} from './DeploymentCollector';
export type {
  CollectionListener,
  CollectionRun,
  StoredBatch,
} from './DeploymentCollector';

/** `envParity.schedule`, by default every 5 minutes with a 4 minute timeout. */
export function readCollectionSchedule(
  config: Config,
): SchedulerServiceTaskScheduleDefinition {
  return config.has('envParity.schedule')
    ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
        config.getConfig('envParity.schedule'),
      )
    : {
        frequency: { minutes: 5 },
        timeout: { minutes: 4 },
        initialDelay: { seconds: 10 },
      };
}

/**
 * Collection set up: the collector with its options from
 * `envParity.collector`, and the scheduled full collection (scope global,
 * so replicas share it). Returns the collector for on-demand refreshes.
 */
export async function createCollection(options: {
  config: RootConfigService;
  logger: LoggerService;
  scheduler: SchedulerService;
  auth: AuthService;
  catalog: CatalogService;
  store: SnapshotStore;
  providers: DeploymentProvider[];
  environments: EnvironmentRegistry;
  /** Kept current after every batch. */
  scorecard?: ScorecardUpdater;
}): Promise<DeploymentCollector> {
  const { config, logger } = options;
  if (!config.has('envParity.config.hashKey')) {
    logger.info(
      'envParity.config.hashKey is not set: configuration fingerprints are keyed with a built-in key; set a secret one so that stored fingerprints of short values cannot be guessed',
    );
  }
  const collector = new DeploymentCollector({
    store: options.store,
    providers: options.providers,
    environments: options.environments,
    catalog: options.catalog,
    auth: options.auth,
    logger,
    options: readCollectorOptions(config),
    scorecard: options.scorecard,
  });
  const schedule = readCollectionSchedule(config);
  await options.scheduler.scheduleTask({
    id: 'env-parity-collect',
    ...schedule,
    // The configured schedule reads an absent scope as undefined.
    scope: schedule.scope ?? 'global',
    fn: async signal => {
      await collector.collectAll(signal);
    },
  });
  return collector;
}
