import {
  AuditorService,
  DatabaseService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import express from 'express';
import { readAlignOptions } from '../align/config';
import { EnvironmentRegistry } from '../environments';
import { ParityReportBuilder } from '../report';
import { createScorecardRouter } from './router';
import { readScorecardOptions, ScorecardService } from './ScorecardService';
import { ScorecardStore } from './ScorecardStore';
import { ScorecardWriter } from './ScorecardWriter';

export type { ScorecardUpdater } from './ScorecardWriter';
export { ScorecardService } from './ScorecardService';
export { ScorecardWriter } from './ScorecardWriter';
export { ScorecardStore } from './ScorecardStore';

/**
 * The catalog-wide drift scorecard, set up: its store (migrations applied
 * unless skipped), the writer the collector calls after each batch, the
 * queries, the daily task recording the trend, and the router of
 * `/scorecard/*`.
 */
export async function createScorecard(options: {
  config: RootConfigService;
  logger: LoggerService;
  database: DatabaseService;
  scheduler: SchedulerService;
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  userInfo: UserInfoService;
  catalog: CatalogService;
  environments: EnvironmentRegistry;
  /** The one report path, shared with the Parity tab. */
  builder: ParityReportBuilder;
  /** Start of the latest completed collection run (from the snapshot store). */
  latestRunStart: () => Promise<Date | undefined>;
}): Promise<{
  writer: ScorecardWriter;
  service: ScorecardService;
  router: express.Router;
}> {
  const { config, logger } = options;
  const scorecardOptions = readScorecardOptions(config);
  const store = await ScorecardStore.create({ database: options.database });
  const service = new ScorecardService({
    store,
    environments: options.environments,
    catalog: options.catalog,
    permissions: options.permissions,
    userInfo: options.userInfo,
    logger,
    options: scorecardOptions,
    latestRunStart: options.latestRunStart,
    following: readAlignOptions(config)?.follow,
  });
  const writer = new ScorecardWriter({
    store,
    builder: options.builder,
    logger,
  });
  // Today's aggregates of every environment, rewritten on every run, and
  // the history past its retention deleted.
  await options.scheduler.scheduleTask({
    id: 'env-parity-scorecard-daily',
    scope: 'global',
    ...scorecardOptions.schedule,
    fn: async () => {
      await service.recordDaily();
    },
  });
  const router = await createScorecardRouter({
    httpAuth: options.httpAuth,
    permissions: options.permissions,
    auditor: options.auditor,
    logger,
    scorecard: service,
  });
  return { writer, service, router };
}
