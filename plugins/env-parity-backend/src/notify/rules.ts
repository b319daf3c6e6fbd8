import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { SCORECARD_WORST_ENVIRONMENT } from '@env-parity/plugin-env-parity-common';
import { EntityReport } from '../scorecard/rows';
import { NOTIFY_ANNOTATION, NotifyOptions } from './config';

const DAY_MS = 86_400_000;

/**
 * - `drift-started`: an environment's verdict turned from in sync to drift
 * - `drift-aged`: a drift became `driftAgeDays` old
 */
export type DriftNotificationKind = 'drift-started' | 'drift-aged';

/** A notification one drift of one environment of a service is due. */
export interface DueNotification {
  kind: DriftNotificationKind;
  entityRef: string;
  /** Who is told: the service's owner. */
  owner: string;
  /** The row of the environment, as the scorecard keeps it. */
  row: EntityReport & { driftSince: Date };
  /** Whole days since the drift started. */
  ageDays: number;
}

/** The service's owner, a full entity ref, or undefined when it has none. */
export function ownerOf(entity: Entity): string | undefined {
  const related = entity.relations?.find(r => r.type === RELATION_OWNED_BY);
  if (related) {
    return related.targetRef;
  }
  const owner = entity.spec?.owner;
  if (typeof owner !== 'string' || !owner) {
    return undefined;
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: entity.metadata.namespace ?? 'default',
      }),
    );
  } catch {
    return undefined;
  }
}

function drifting(
  row: EntityReport | undefined,
): row is EntityReport & { driftSince: Date } {
  return (
    !!row &&
    row.verdict !== 'in-sync' &&
    row.verdict !== 'unknown' &&
    row.driftSince !== null
  );
}

/**
 * The drift notifications due for one service after a collection, from its
 * scorecard rows before and after it (one per non-reference environment):
 * `drift-started` where the verdict was in sync and now drifts,
 * `drift-aged` for every drift at least `driftAgeDays` old (the store
 * decides whether it was sent already). None when notifications are off,
 * the service opts out (`env-parity/notify: none`) or has no owner.
 */
export function dueNotifications(options: {
  entity: Entity;
  entityRef: string;
  before: Map<string, EntityReport> | undefined;
  after: Map<string, EntityReport> | undefined;
  now: Date;
  options: NotifyOptions;
}): DueNotification[] {
  const { entity, entityRef, before, after, now } = options;
  const optedOut =
    entity.metadata.annotations?.[NOTIFY_ANNOTATION]?.trim().toLowerCase() ===
    'none';
  const owner = ownerOf(entity);
  if (!options.options.enabled || optedOut || !owner || !after) {
    return [];
  }
  const due: DueNotification[] = [];
  for (const [scope, row] of after) {
    if (scope === SCORECARD_WORST_ENVIRONMENT || !drifting(row)) {
      continue;
    }
    const ageDays = Math.floor(
      (now.getTime() - row.driftSince.getTime()) / DAY_MS,
    );
    if (before?.get(scope)?.verdict === 'in-sync') {
      due.push({ kind: 'drift-started', entityRef, owner, row, ageDays });
    }
    if (ageDays >= options.options.driftAgeDays) {
      due.push({ kind: 'drift-aged', entityRef, owner, row, ageDays });
    }
  }
  return due;
}
