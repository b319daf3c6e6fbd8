import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  EnvironmentDefinition,
  SCORECARD_WORST_ENVIRONMENT,
  Snapshot,
} from '@env-parity/plugin-env-parity-common';
import { ParityReportBuilder } from '../report';
import {
  EntityReport,
  rowChanged,
  scorecardEnvironments,
  scorecardRows,
  storedRevisionAnswer,
} from './rows';
import { ScorecardStore } from './ScorecardStore';

/**
 * What the collector calls to keep the scorecard current; implemented by
 * {@link ScorecardWriter}.
 */
export interface ScorecardUpdater {
  /**
   * Recomputes the rows of these entities from their snapshots and writes
   * the ones that changed. With `touch` (an explicit refresh) a newer
   * observation time alone is a change too.
   */
  updateEntities(
    entities: Entity[],
    snapshots: Snapshot[],
    environments: EnvironmentDefinition[],
    options?: { touch?: boolean },
  ): Promise<{ written: number }>;
  /** Deletes the rows of entities the collector no longer tracks. */
  removeEntitiesExcept(keep: Set<string>): Promise<number>;
}

/**
 * Keeps the scorecard rows current after each collected batch: every
 * entity's report through the one report path, its rows by the pure row
 * rules, and only changed rows written (a collection that saw nothing new
 * writes nothing). Revision comparisons already stored are reused.
 */
export class ScorecardWriter implements ScorecardUpdater {
  private readonly clock: () => Date;

  constructor(
    private readonly deps: {
      store: ScorecardStore;
      builder: ParityReportBuilder;
      logger: LoggerService;
      clock?: () => Date;
    },
  ) {
    this.clock = deps.clock ?? (() => new Date());
  }

  async updateEntities(
    entities: Entity[],
    snapshots: Snapshot[],
    environments: EnvironmentDefinition[],
    options?: { touch?: boolean },
  ): Promise<{ written: number }> {
    const set = scorecardEnvironments(environments);
    if (!set || entities.length === 0) {
      return { written: 0 };
    }
    const now = this.clock();
    const touch = options?.touch ?? false;
    const refs = entities.map(e => stringifyEntityRef(e));
    const stored = await this.deps.store.getReports(refs);
    const byEntity = new Map<string, Snapshot[]>();
    for (const s of snapshots) {
      const list = byEntity.get(s.entityRef);
      if (list) {
        list.push(s);
      } else {
        byEntity.set(s.entityRef, [s]);
      }
    }
    const scopes = new Set([
      ...set.compared.map(e => e.name),
      SCORECARD_WORST_ENVIRONMENT,
    ]);

    const writes: EntityReport[] = [];
    const deletes: { entityRef: string; scope: string }[] = [];
    await Promise.all(
      entities.map(async (entity, i) => {
        const entityRef = refs[i];
        const before = stored.get(entityRef) ?? new Map<string, EntityReport>();
        const entitySnapshots = byEntity.get(entityRef) ?? [];
        const built = await this.deps.builder.build({
          entity,
          snapshots: entitySnapshots,
          environments,
          now,
          known: (environment, base, head) =>
            storedRevisionAnswer(before.get(environment), base, head),
        });
        const rows = scorecardRows({
          entity,
          entityRef,
          built,
          snapshots: entitySnapshots,
          stored: before,
          now,
        });
        for (const row of rows) {
          const old = before.get(row.scope);
          if (!old || rowChanged(old, row, touch)) {
            writes.push(row);
          }
        }
        // environments no longer configured
        for (const scope of before.keys()) {
          if (!scopes.has(scope)) {
            deletes.push({ entityRef, scope });
          }
        }
      }),
    );
    await this.deps.store.upsertReports(writes);
    const deleted = deletes.length
      ? await this.deps.store.deleteReports(deletes)
      : 0;
    return { written: writes.length + deleted };
  }

  async removeEntitiesExcept(keep: Set<string>): Promise<number> {
    return this.deps.store.deleteReportsExcept(keep);
  }
}
