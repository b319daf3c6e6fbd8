import {
  EnvironmentDefinition,
  Snapshot,
} from '@env-parity/plugin-env-parity-common';
import { EnvParityReplicaDriver } from '@env-parity/plugin-env-parity-node';
import express from 'express';
import { ApprovalSetupOptions, scheduleSweep } from '../approvals';
import { readReplicaOptions } from './config';
import { DatabaseReplicaStore } from './DatabaseReplicaStore';
import { ReplicaReportInput, ReplicaService } from './ReplicaService';
import { createReplicaRouter } from './router';

export { createReplicaDriverExtension } from './extension';
export { readReplicaOptions } from './config';
export type { ReplicaOptions } from './config';
export { ReplicaService } from './ReplicaService';
export type { ReplicaReportInput } from './ReplicaService';

/** The active replicas of an entity, as extra environments of its parity report. */
export interface ReplicaReportEnvironments {
  reportEnvironments(
    entityRef: string,
    environments: EnvironmentDefinition[],
  ): Promise<ReplicaReportInput>;
}

/**
 * Sets up production replicas when `envParity.replicas` is configured and
 * a module set a driver: the store, the service, the sweep (scheduled,
 * scope global, and run once at start-up) and the routes. Otherwise nothing
 * is scheduled, the settings say `enabled: false` and the other routes
 * answer 404 saying how to enable replicas.
 */
export async function createReplicas(
  options: ApprovalSetupOptions & {
    /** The driver a module set, if any. */
    driver?: EnvParityReplicaDriver;
    /** Production's observed workloads, to check an override. */
    snapshots: { getSnapshots(entityRef: string): Promise<Snapshot[]> };
  },
): Promise<{
  router: express.Router;
  /** Undefined when replicas are off. */
  report?: ReplicaReportEnvironments;
}> {
  const { config, scheduler, lifecycle, driver } = options;
  const replicaOptions = readReplicaOptions(config);
  if (!replicaOptions || !driver) {
    if (replicaOptions) {
      options.logger.warn(
        'envParity.replicas is configured but no replica driver module is installed (e.g. the Kubernetes module, with envParity.replicas.cluster); production replicas are off',
      );
    }
    return { router: createReplicaRouter(options) };
  }
  const logger = options.logger.child({ feature: 'replicas' });
  const service = new ReplicaService({
    ...options,
    driver,
    logger,
    store: await DatabaseReplicaStore.create({ database: options.database }),
    options: replicaOptions,
  });
  await scheduleSweep({
    id: 'env-parity-replica-sweep',
    name: 'Replica',
    frequency: { milliseconds: replicaOptions.sweepIntervalMs },
    scheduler,
    lifecycle,
    logger,
    sweep: () => service.sweep(),
    close: () => service.close(),
  });
  logger.info(
    `Production replicas in ${driver.sandbox} (${driver.id}): at most ${replicaOptions.perUserLimit} per user, ${replicaOptions.globalLimit} in all`,
  );
  return {
    router: createReplicaRouter({ ...options, service }),
    report: service,
  };
}
