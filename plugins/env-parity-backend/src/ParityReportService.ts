import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ParityReport } from '@env-parity/plugin-env-parity-common';
import { DeploymentCollector } from './collector/DeploymentCollector';
import { withoutHashes } from './configDrift';
import { EnvironmentRegistry } from './environments';
import { ParityReportBuilder } from './report';
import { SnapshotStore } from './store/SnapshotStore';

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
    },
  ) {}

  async getReport(entity: Entity): Promise<ParityReport> {
    const { store, collector } = this.deps;
    const entityRef = stringifyEntityRef(entity);
    let snapshots = await store.getSnapshots(entityRef);
    if (snapshots.length === 0 && collector.tracks(entity)) {
      await collector.collectEntity(entity);
      snapshots = await store.getSnapshots(entityRef);
    }
    const { report } = await this.deps.builder.build({
      entity,
      snapshots,
      environments: await this.deps.environments.list(),
    });
    return withoutHashes(report);
  }

  async refresh(entity: Entity): Promise<ParityReport> {
    await this.deps.collector.collectEntity(entity);
    return this.getReport(entity);
  }
}
