import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ParityReport, Snapshot } from '@env-parity/plugin-env-parity-common';
import { DeploymentCollector } from './collector/DeploymentCollector';
import { withoutHashes } from './configDrift';
import { EnvironmentRegistry } from './environments';
import type { ReplicaReportEnvironments } from './replicas';
import { ParityReportBuilder } from './report';
import { SnapshotStore } from './store/SnapshotStore';

/** Snapshots being read for `entityRef` (see `ParityReportService.prefetch`). */
export interface PrefetchedSnapshots {
  entityRef: string;
  snapshots: Promise<Snapshot[]>;
}

/**
 * Builds an entity's parity report from stored snapshots, through the one
 * report path (`ParityReportBuilder`): no provider is asked on a page view,
 * except once for an entity never collected yet.
 */
export class ParityReportService {
  constructor(
    private readonly deps: {
      store: SnapshotStore;
      environments: EnvironmentRegistry;
      collector: DeploymentCollector;
      builder: ParityReportBuilder;
      /**
       * The entity's active production replicas, each one more environment
       * (with the driver's latest observation as its snapshot) compared with
       * production like any other. Only the report has them: scorecards and
       * notifications never count replicas.
       */
      replicas?: ReplicaReportEnvironments;
    },
  ) {}

  /**
   * Starts reading an entity's stored snapshots before the entity itself is
   * known (the router reads them while the catalog answers); pass the result
   * to `getReport`. A failure surfaces there, never as an unhandled rejection.
   */
  prefetch(entityRef: string): PrefetchedSnapshots {
    const snapshots = this.deps.store.getSnapshots(entityRef);
    snapshots.catch(() => undefined);
    return { entityRef, snapshots };
  }

  async getReport(
    entity: Entity,
    prefetched?: PrefetchedSnapshots,
  ): Promise<ParityReport> {
    const { store, collector } = this.deps;
    const entityRef = stringifyEntityRef(entity);
    // the ref asked for may differ in case from the entity's own
    let snapshots = await (prefetched?.entityRef === entityRef
      ? prefetched.snapshots
      : store.getSnapshots(entityRef));
    if (snapshots.length === 0 && collector.tracks(entity)) {
      await collector.collectEntity(entity);
      snapshots = await store.getSnapshots(entityRef);
    }
    let environments = await this.deps.environments.list();
    if (this.deps.replicas) {
      const replicas = await this.deps.replicas.reportEnvironments(
        entityRef,
        environments,
      );
      environments = [...environments, ...replicas.environments];
      snapshots = [...snapshots, ...replicas.snapshots];
    }
    const { report } = await this.deps.builder.build({
      entity,
      snapshots,
      environments,
    });
    return withoutHashes(report);
  }

  async refresh(entity: Entity): Promise<ParityReport> {
    await this.deps.collector.collectEntity(entity);
    return this.getReport(entity);
  }
}
