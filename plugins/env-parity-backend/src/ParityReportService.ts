import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  EnvironmentDefinition,
  ParityReport,
  referenceEnvironment,
  Snapshot,
} from '@env-parity/plugin-env-parity-common';
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
    const environments = await this.deps.environments.list();
    const { report } = await this.deps.builder.build({
      entity,
      snapshots,
      environments,
    });
    if (this.deps.replicas) {
      await this.addReplicas(report, entity, snapshots, environments);
    }
    return withoutHashes(report);
  }

  /**
   * Adds the entity's active replicas to its report, each compared with
   * production as the provider whose shape the replica's observation has
   * (the Kubernetes provider, for the Kubernetes driver) observed it: a
   * replica carries production's workloads, not what other providers add
   * (a Git revision, Argo CD's Helm values), and runs one pod per workload
   * by design. The rest of the report (closest environment, summary) is
   * the configured environments' alone.
   */
  private async addReplicas(
    report: ParityReport,
    entity: Entity,
    snapshots: Snapshot[],
    environments: EnvironmentDefinition[],
  ) {
    const reference = referenceEnvironment(environments);
    if (!reference || !this.deps.replicas) {
      return;
    }
    const replicas = await this.deps.replicas.reportEnvironments(
      stringifyEntityRef(entity),
      environments,
    );
    if (replicas.environments.length === 0) {
      return;
    }
    const production = snapshots.filter(s => s.environment === reference.name);
    const sameProvider = production.filter(
      s => s.provider === replicas.provider,
    );
    const { report: compared } = await this.deps.builder.build({
      entity,
      snapshots: [
        ...(sameProvider.length ? sameProvider : production),
        ...replicas.snapshots,
      ],
      environments: [reference, ...replicas.environments],
      ignoreConfig: replicas.ignoreConfig,
    });
    const names = new Set(replicas.environments.map(e => e.name));
    report.environments.push(
      ...compared.environments.filter(e => names.has(e.name)),
    );
    report.comparisons.push(
      ...compared.comparisons.filter(c => names.has(c.environment)),
    );
  }

  async refresh(entity: Entity): Promise<ParityReport> {
    await this.deps.collector.collectEntity(entity);
    return this.getReport(entity);
  }
}
