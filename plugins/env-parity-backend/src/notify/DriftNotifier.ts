import { LoggerService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  EnvironmentDefinition,
  Snapshot,
} from '@env-parity/plugin-env-parity-common';
import { ScorecardStore } from '../scorecard';
import type { ScorecardUpdater } from '../scorecard/ScorecardWriter';
import { NotifyOptions } from './config';
import { DriftNotificationStore } from './DriftNotificationStore';
import { DueNotification, dueNotifications } from './rules';

function titleOf(name: string, environments: EnvironmentDefinition[]): string {
  return environments.find(e => e.name === name)?.title ?? name;
}

function runs(version: string | null) {
  return version ? `runs ${version}` : 'runs a different deployment';
}

/** The notification's words, e.g. `payments: Staging drifts from Production`. */
export function describeDrift(
  due: DueNotification,
  environments: EnvironmentDefinition[],
): { title: string; description: string } {
  const { row } = due;
  const service = parseEntityRef(due.entityRef).name;
  const environment = titleOf(row.comparedEnvironment, environments);
  const reference = titleOf(row.referenceEnvironment, environments);
  const what = `${environment} ${runs(row.comparedVersion)}, ${reference} ${
    row.referenceVersion ?? 'nothing known'
  } (verdict: ${row.verdict})`;
  if (due.kind === 'drift-started') {
    return {
      title: `${service}: ${environment} drifts from ${reference}`,
      description: `${environment} of ${service} is no longer in sync with ${reference}: ${what}.`,
    };
  }
  return {
    title: `${service}: ${environment} has differed from ${reference} for ${due.ageDays} days`,
    description: `${environment} of ${service} has differed from ${reference} since ${row.driftSince
      .toISOString()
      .slice(0, 10)}: ${what}.`,
  };
}

/**
 * Tells services' owners (and, with `environmentOwners`, environments'
 * owners) when an environment drifts from the reference:
 * wraps the scorecard's updater, which the collector calls after storing
 * each batch, and compares each service's rows before and after the update
 * (`dueNotifications`). Each drift is notified once per kind (claimed in
 * `DriftNotificationStore` first), a new drift of an environment notified
 * within the flapping window is not, and a failing notification never
 * fails a collection.
 */
export class DriftNotifier implements ScorecardUpdater {
  private readonly clock: () => Date;

  constructor(
    private readonly deps: {
      updater: ScorecardUpdater;
      scorecard: Pick<ScorecardStore, 'getReports'>;
      store: DriftNotificationStore;
      notifications: NotificationService;
      logger: LoggerService;
      options: NotifyOptions;
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
    const { updater, scorecard, options: notify } = this.deps;
    if (!notify.enabled || entities.length === 0) {
      return updater.updateEntities(entities, snapshots, environments, options);
    }
    const refs = entities.map(e => stringifyEntityRef(e));
    const before = await scorecard.getReports(refs);
    const result = await updater.updateEntities(
      entities,
      snapshots,
      environments,
      options,
    );
    try {
      const after = await scorecard.getReports(refs);
      const now = this.clock();
      const due = entities.flatMap((entity, i) =>
        dueNotifications({
          entity,
          entityRef: refs[i],
          before: before.get(refs[i]),
          after: after.get(refs[i]),
          now,
          options: notify,
          environments,
        }),
      );
      for (const item of due) {
        await this.send(item, environments, now);
      }
    } catch (error) {
      this.deps.logger.error(`Drift notifications failed: ${error}`);
    }
    return result;
  }

  removeEntitiesExcept(keep: Set<string>): Promise<number> {
    return this.deps.updater.removeEntitiesExcept(keep);
  }

  private async send(
    due: DueNotification,
    environments: EnvironmentDefinition[],
    now: Date,
  ): Promise<void> {
    const { store, options } = this.deps;
    const environment = due.row.comparedEnvironment;
    if (
      due.kind === 'drift-started' &&
      (await store.notifiedSince({
        entityRef: due.entityRef,
        environment,
        since: new Date(now.getTime() - options.flappingWindowMs),
      }))
    ) {
      // flapping: its owner heard of this environment a moment ago
      return;
    }
    const claimed = await store.claim({
      entityRef: due.entityRef,
      environment,
      driftSince: due.row.driftSince,
      kind: due.kind,
      now,
    });
    if (!claimed) {
      return;
    }
    const { kind, namespace, name } = parseEntityRef(due.entityRef);
    const { title, description } = describeDrift(due, environments);
    try {
      await this.deps.notifications.send({
        recipients: {
          type: 'entity',
          // one send: a user in both owning groups hears of it once
          entityRef:
            due.recipients.length === 1 ? due.recipients[0] : due.recipients,
        },
        payload: {
          title,
          description,
          link: `/catalog/${namespace}/${kind}/${name}/parity#drift`,
          severity: due.kind === 'drift-aged' ? 'high' : 'normal',
          topic: 'env-parity-drift',
          // one notification per environment, updated rather than repeated
          scope: `env-parity-drift:${due.entityRef}:${environment}`,
        },
      });
    } catch (error) {
      this.deps.logger.warn(
        `Could not notify ${due.recipients.join(
          ' and ',
        )} of the drift of ${environment} of ${due.entityRef}: ${error}`,
      );
    }
  }
}
