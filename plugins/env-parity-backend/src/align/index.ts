import {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { EnvParityDeployer } from '@env-parity/plugin-env-parity-node';
import express from 'express';
import { ApprovalSetupOptions, scheduleSweep } from '../approvals';
import type { CollectionListener } from '../collector';
import { ParityReportBuilder } from '../report';
import { SnapshotStore } from '../store/SnapshotStore';
import { AlignmentService } from './AlignmentService';
import { readAlignOptions } from './config';
import { DatabaseAlignmentStore } from './DatabaseAlignmentStore';
import { WebhookDeployer } from './deployers/webhook';
import { createAlignmentRouter } from './router';
import { DatabaseFollowStore } from './follow/DatabaseFollowStore';
import { ProductionFollower } from './follow/ProductionFollower';
import { storedReports, verifyAfterCollection } from './verification';

export { createDeployersExtension } from './deployers/registry';

/** The built-in deployers the configuration enables, then the added ones. */
export function deployersFromConfig(
  config: RootConfigService,
  logger: LoggerService,
  added: EnvParityDeployer[],
): EnvParityDeployer[] {
  const builtIn: EnvParityDeployer[] = [];
  const webhook = config.getOptionalConfig('envParity.align.webhook');
  if (webhook) {
    builtIn.push(WebhookDeployer.fromConfig(webhook, { logger }));
  }
  const ids = new Set(added.map(d => d.id));
  return [...builtIn.filter(d => !ids.has(d.id)), ...added];
}

/**
 * Sets up aligning environments with production, when `envParity.align` is
 * configured: the store, the service, the sweep (scheduled, scope global,
 * and run once at start-up) and the routes. Without it nothing is scheduled
 * and the routes answer 404 saying alignment is not enabled.
 */
export async function createAlignments(
  options: ApprovalSetupOptions & {
    snapshots: Pick<SnapshotStore, 'getSnapshots'>;
    builder: ParityReportBuilder;
    deployers: EnvParityDeployer[];
    /**
     * Told of every collection: verifying alignments are checked after each
     * stored batch, and production is followed (`envParity.align.follow`).
     */
    collector?: { addListener(listener: CollectionListener): void };
  },
): Promise<express.Router> {
  const { config, scheduler, lifecycle } = options;
  const alignOptions = readAlignOptions(config);
  if (!alignOptions) {
    return createAlignmentRouter(options);
  }
  const logger = options.logger.child({ feature: 'align' });
  const service = new AlignmentService({
    store: await DatabaseAlignmentStore.create({ database: options.database }),
    environments: options.environments,
    catalog: options.catalog,
    auth: options.auth,
    logger,
    auditor: options.auditor,
    notifications: options.notifications,
    deployers: deployersFromConfig(config, logger, options.deployers),
    reports: storedReports(options),
    options: alignOptions,
    clock: options.clock,
  });
  await scheduleSweep({
    id: 'env-parity-align-sweep',
    name: 'Alignment',
    frequency: { milliseconds: alignOptions.sweepIntervalMs },
    scheduler,
    lifecycle,
    logger,
    sweep: () => service.sweep(),
    close: () => service.close(),
  });
  options.collector?.addListener(verifyAfterCollection(service));
  const follow = alignOptions.follow;
  if (follow?.enabled && options.collector) {
    options.collector.addListener(
      new ProductionFollower({
        service,
        store: await DatabaseFollowStore.create({ database: options.database }),
        builder: options.builder,
        auth: options.auth,
        logger: logger.child({ feature: 'align-follow' }),
        options: follow,
        clock: options.clock,
      }),
    );
    logger.info(
      `Following production in ${
        Object.keys(follow.environments).join(', ') || 'no environment'
      }, at most ${follow.maxPerCollection} alignments per collection`,
    );
  }
  return createAlignmentRouter({ ...options, service });
}
