import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  computeParityReport,
  ParityReport,
  RevisionComparison,
  sameRevision,
} from '@env-parity/plugin-env-parity-common';
import {
  DeploymentProvider,
  RevisionComparer,
} from '@env-parity/plugin-env-parity-node';
import { DeploymentCollector } from './collector/DeploymentCollector';
import { ignorePatternsFor, withoutHashes } from './configDrift';
import { EnvironmentRegistry } from './environments';
import { SnapshotStore } from './store/SnapshotStore';

/**
 * Builds an entity's parity report from stored snapshots: no provider is
 * asked on a page view, except once for an entity never collected yet.
 */
export class ParityReportService {
  private readonly precedence: Record<string, number>;

  constructor(
    private readonly deps: {
      store: SnapshotStore;
      environments: EnvironmentRegistry;
      collector: DeploymentCollector;
      providers: DeploymentProvider[];
      comparers: RevisionComparer[];
      logger: LoggerService;
      staleAfterMs: number;
      /** `envParity.config.ignore`. */
      ignoreConfig?: string[];
    },
  ) {
    this.precedence = Object.fromEntries(
      deps.providers.map(p => [p.getProviderName(), p.precedence ?? 0]),
    );
  }

  async getReport(entity: Entity): Promise<ParityReport> {
    const { store, collector } = this.deps;
    const entityRef = stringifyEntityRef(entity);
    let snapshots = await store.getSnapshots(entityRef);
    if (snapshots.length === 0 && collector.tracks(entity)) {
      await collector.collectEntity(entity);
      snapshots = await store.getSnapshots(entityRef);
    }
    const input = {
      entityRef,
      environments: await this.deps.environments.list(),
      snapshots,
      providerPrecedence: this.precedence,
      staleAfterMs: this.deps.staleAfterMs,
      ignoreConfig: ignorePatternsFor(this.deps.ignoreConfig, entity),
    };
    const report = computeParityReport(input);
    const revisionComparisons = await this.compareRevisions(entity, report);
    return withoutHashes(
      revisionComparisons
        ? computeParityReport({ ...input, revisionComparisons })
        : report,
    );
  }

  async refresh(entity: Entity): Promise<ParityReport> {
    await this.deps.collector.collectEntity(entity);
    return this.getReport(entity);
  }

  private async compareRevisions(
    entity: Entity,
    report: ParityReport,
  ): Promise<Record<string, RevisionComparison> | undefined> {
    const comparer = this.deps.comparers.find(c => c.supports(entity));
    const base = report.environments.find(e => e.reference)?.deployment
      ?.revision;
    if (!comparer || !base) {
      return undefined;
    }
    const result: Record<string, RevisionComparison> = {};
    await Promise.all(
      report.environments.map(async env => {
        const head = env.deployment?.revision;
        if (env.reference || !head || sameRevision(head, base)) {
          return;
        }
        try {
          const comparison = await comparer.compare({ entity, base, head });
          if (comparison) {
            result[env.name] = comparison;
          }
        } catch (error) {
          this.deps.logger.warn(
            `Comparing ${base}...${head} of ${
              report.entityRef
            } with ${comparer.getComparerName()} failed: ${error}`,
          );
        }
      }),
    );
    return Object.keys(result).length ? result : undefined;
  }
}
