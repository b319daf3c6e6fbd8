import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  EnvironmentDefinition,
  SCORECARD_WORST_ENVIRONMENT,
} from '@env-parity/plugin-env-parity-common';
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
  /**
   * Who is told, full entity refs without duplicates: the service's owner,
   * and with `environmentOwners` the environment's owner.
   */
  recipients: string[];
  /** The row of the environment, as the scorecard keeps it. */
  row: EntityReport & { driftSince: Date };
  /** Whole days since the drift started. */
  ageDays: number;
}

/** An owner as written (`team`, `group:default/team`) as a full entity ref. */
function fullOwnerRef(
  owner: unknown,
  defaultNamespace: string,
): string | undefined {
  if (typeof owner !== 'string' || !owner.trim()) {
    return undefined;
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(owner.trim(), { defaultKind: 'group', defaultNamespace }),
    );
  } catch {
    return undefined;
  }
}

/** The service's owner, a full entity ref, or undefined when it has none. */
export function ownerOf(entity: Entity): string | undefined {
  const related = entity.relations?.find(r => r.type === RELATION_OWNED_BY);
  if (related) {
    return related.targetRef;
  }
  return fullOwnerRef(
    entity.spec?.owner,
    entity.metadata.namespace ?? 'default',
  );
}

/** Whether the service opts out of every notification: `env-parity/notify: none`. */
export function optedOut(entity: Pick<Entity, 'metadata'>): boolean {
  return (
    entity.metadata.annotations?.[NOTIFY_ANNOTATION]?.trim().toLowerCase() ===
    'none'
  );
}

/**
 * Who hears of a drift of the service in `environment`: its owner, and with
 * `environmentOwners` the environment's owner too, each once (entity refs
 * compared in lower case, as the catalog does).
 */
export function recipientsOf(options: {
  entity: Entity;
  environment: EnvironmentDefinition | undefined;
  environmentOwners: boolean;
}): string[] {
  const candidates = [
    ownerOf(options.entity),
    options.environmentOwners
      ? fullOwnerRef(options.environment?.owner, 'default')
      : undefined,
  ];
  const seen = new Set<string>();
  const recipients: string[] = [];
  for (const ref of candidates) {
    const key = ref?.toLocaleLowerCase('en-US');
    if (ref && key && !seen.has(key)) {
      seen.add(key);
      recipients.push(ref);
    }
  }
  return recipients;
}

/** A row that differs from the reference, with the time its drift started. */
export function drifting(
  row: EntityReport | undefined,
): row is EntityReport & { driftSince: Date } {
  return (
    !!row &&
    row.verdict !== 'in-sync' &&
    row.verdict !== 'unknown' &&
    row.driftSince !== null
  );
}

/** Whole days from the start of a drift to `now`. */
export function driftAgeDays(driftSince: Date, now: Date): number {
  return Math.max(
    0,
    Math.floor((now.getTime() - driftSince.getTime()) / DAY_MS),
  );
}

/**
 * The drift notifications due for one service after a collection, from its
 * scorecard rows before and after it (one per non-reference environment):
 * `drift-started` where the verdict was in sync and now drifts,
 * `drift-aged` for every drift at least `driftAgeDays` old (the store
 * decides whether it was sent already). None when notifications are off,
 * the service opts out (`env-parity/notify: none`) or nobody owns it (nor,
 * with `environmentOwners`, the environment).
 */
export function dueNotifications(options: {
  entity: Entity;
  entityRef: string;
  before: Map<string, EntityReport> | undefined;
  after: Map<string, EntityReport> | undefined;
  now: Date;
  options: NotifyOptions;
  /** The configured environments, for their owners. */
  environments?: EnvironmentDefinition[];
}): DueNotification[] {
  const { entity, entityRef, before, after, now } = options;
  if (!options.options.enabled || optedOut(entity) || !after) {
    return [];
  }
  const due: DueNotification[] = [];
  for (const [scope, row] of after) {
    if (scope === SCORECARD_WORST_ENVIRONMENT || !drifting(row)) {
      continue;
    }
    const recipients = recipientsOf({
      entity,
      environment: options.environments?.find(
        e => e.name === row.comparedEnvironment,
      ),
      environmentOwners: options.options.environmentOwners,
    });
    if (!recipients.length) {
      continue;
    }
    const ageDays = driftAgeDays(row.driftSince, now);
    if (before?.get(scope)?.verdict === 'in-sync') {
      due.push({ kind: 'drift-started', entityRef, recipients, row, ageDays });
    }
    if (ageDays >= options.options.driftAgeDays) {
      due.push({ kind: 'drift-aged', entityRef, recipients, row, ageDays });
    }
  }
  return due;
}
