import {
  EnvironmentDefinition,
  ParityReport,
  Replica,
  ReplicaConfigKey,
  ReplicaStatus,
  ReportEnvironment,
} from '@env-parity/plugin-env-parity-common';
import { exactTime } from '../EnvParityContent/format';
import { shortRef } from '../shared/errors';
import { StatusTone } from '../shared/StatusChip';

/* How the replica views read: statuses, lifetimes, sources, labels. */

/** What each replica status means to the reader. */
export const REPLICA_TONES: Record<ReplicaStatus, StatusTone> = {
  creating: 'underway',
  ready: 'good',
  failed: 'failed',
  expired: 'over',
  deleted: 'over',
};

/** The lifetimes offered, in minutes, before the default and the maximum. */
const LIFETIME_STEPS = [30, 60, 120, 240, 480, 720, 1440, 2880];

/** `90` → `1 h 30 min`, `240` → `4 hours`, `30` → `30 minutes`. */
export function lifetimeLabel(minutes: number): string {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) {
    return `${rest} minute${rest === 1 ? '' : 's'}`;
  }
  if (rest === 0) {
    return `${hours} hour${hours === 1 ? '' : 's'}`;
  }
  return `${hours} h ${rest} min`;
}

/**
 * The lifetimes to choose from, in minutes, ascending: the usual steps up
 * to `max`, the default and `max` itself. Pure.
 */
export function lifetimeOptions(defaultMinutes: number, max: number): number[] {
  const options = new Set(LIFETIME_STEPS.filter(m => m <= max));
  if (defaultMinutes > 0 && defaultMinutes <= max) {
    options.add(defaultMinutes);
  }
  if (max > 0) {
    options.add(max);
  }
  return [...options].sort((a, b) => a - b);
}

/** The default lifetime, never above the maximum. */
export function defaultLifetime(defaultMinutes: number, max: number): number {
  return Math.min(defaultMinutes, max);
}

/**
 * The lifetimes from now an active replica can be extended to: longer than
 * what is left of it, never past its creation plus the maximum. Pure.
 */
export function extendOptions(
  replica: Pick<Replica, 'createdAt' | 'expiresAt'>,
  maxMinutes: number,
  now: number = Date.now(),
): number[] {
  const left = Math.ceil((Date.parse(replica.expiresAt) - now) / 60_000);
  const allowed = Math.floor(
    (Date.parse(replica.createdAt) + maxMinutes * 60_000 - now) / 60_000,
  );
  if (!(allowed > left)) {
    return [];
  }
  const options = new Set(LIFETIME_STEPS.filter(m => m > left && m < allowed));
  options.add(allowed);
  return [...options].sort((a, b) => a - b);
}

/** Where a configuration key came from, in words. */
export function sourceLabel(
  key: ReplicaConfigKey,
  titleOf: (environment: string) => string,
): string {
  switch (key.source) {
    case 'production':
      return `${titleOf('production')}'s value (not a secret)`;
    case 'override':
      return 'envParity.replicas.override';
    case 'empty':
      return 'to provide: created empty';
    default:
      return `copied from ${titleOf(key.source)}`;
  }
}

/** A time of day, e.g. `15:30`, in the reader's time zone. */
export function clockTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  return date.toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
  });
}

/** What the parity report says about a replica's environment. */
export type ReplicaOfEnvironment = NonNullable<
  EnvironmentDefinition['replica']
>;

/** An environment of the report, with what the report may carry of a replica. */
type MaybeReplicaEnvironment = ReportEnvironment &
  Partial<Pick<EnvironmentDefinition, 'source' | 'replica'>>;

const REPLICA_NAME = /^replica-[0-9a-f]{8}$/;

/**
 * Whether an environment of the report is a production replica, and whose:
 * from the report (`source: 'replica'`), else from the replicas the user
 * sees, whose environment names it (`replica-1a2b3c4d`). Undefined for an
 * ordinary environment; `{}` for a replica the report names but nobody
 * here describes.
 */
export function replicaOfEnvironment(
  env: ReportEnvironment,
  replicas: Replica[] | undefined,
): Partial<ReplicaOfEnvironment> | undefined {
  const e = env as MaybeReplicaEnvironment;
  if (e.replica) {
    return e.replica;
  }
  const listed = replicas?.find(r => r.environment === env.name);
  if (listed) {
    return {
      id: listed.id,
      requester: listed.requester,
      expiresAt: listed.expiresAt,
      ...(listed.override && { override: listed.override }),
    };
  }
  return e.source === 'replica' || REPLICA_NAME.test(env.name) ? {} : undefined;
}

/**
 * The replica chip's two lines, `Replica · guest's` and `expires 15:30`
 * (read together as `Replica · guest's · expires 15:30`); no expiry where
 * nobody here knows it.
 */
export function replicaChipParts(replica: Partial<ReplicaOfEnvironment>): {
  whose: string;
  expiry?: string;
} {
  const whose = [
    'Replica',
    replica.requester && `${shortRef(replica.requester)}'s`,
  ]
    .filter(Boolean)
    .join(' · ');
  return replica.expiresAt
    ? { whose, expiry: `expires ${clockTime(replica.expiresAt)}` }
    : { whose };
}

const ISO_TIME =
  /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;

/**
 * A timeline comment with its timestamps readable: `Expires at
 * 2026-12-04T15:30:00.000Z` → `Expires at 4 Dec 2026, 15:30:00 UTC`.
 */
export function stepComment(comment: string): string {
  return comment.replace(ISO_TIME, iso => exactTime(iso));
}

/** At most this many ended replicas show until the user asks for more. */
export const ENDED_SHOWN = 3;

/** Whether a replica is over (`expired` or `deleted`), not just failed. */
export function isEndedReplica(replica: Pick<Replica, 'status'>): boolean {
  return replica.status === 'expired' || replica.status === 'deleted';
}

/**
 * The replicas to list: every active or failed one in the order given, then
 * the ended ones, most recently ended first, the first `limit` of them
 * unless `all`; how many ended ones there are, and how many that leaves
 * out. Pure.
 */
export function replicasToList(
  replicas: Replica[],
  options: { limit?: number; all?: boolean } = {},
): { shown: Replica[]; ended: number; hiddenEnded: number } {
  const limit = options.limit ?? ENDED_SHOWN;
  const current = replicas.filter(r => !isEndedReplica(r));
  const endedAt = (r: Replica) => Date.parse(r.endedAt ?? r.updatedAt) || 0;
  const ended = replicas
    .filter(isEndedReplica)
    .sort((a, b) => endedAt(b) - endedAt(a));
  const kept = options.all ? ended : ended.slice(0, limit);
  return {
    shown: [...current, ...kept],
    ended: ended.length,
    hiddenEnded: ended.length - kept.length,
  };
}

/** The workloads of production a replica can run another build of. */
export function productionWorkloads(report: ParityReport) {
  const reference = report.environments.find(e => e.reference);
  const seen = new Map<
    string,
    { name: string; kind: string; images: string[] }
  >();
  for (const r of reference?.deployment?.resources ?? []) {
    if (r.kind !== 'Deployment' && r.kind !== 'StatefulSet') {
      continue;
    }
    const known = seen.get(r.name);
    const images = (r.images ?? []).map(i => i.image);
    if (known) {
      known.images = [...new Set([...known.images, ...images])];
    } else {
      seen.set(r.name, { name: r.name, kind: r.kind, images });
    }
  }
  return [...seen.values()];
}

/**
 * The service's recent non-production deployments: the artifact each other
 * environment (not a replica) runs, newest first.
 */
export function otherDeployments(
  report: ParityReport,
  replicas: Replica[] | undefined,
) {
  return report.environments
    .filter(
      e =>
        !e.reference &&
        e.deployment?.artifact &&
        !replicaOfEnvironment(e, replicas),
    )
    .sort((a, b) =>
      (b.deployment!.deployedAt ?? '').localeCompare(
        a.deployment!.deployedAt ?? '',
      ),
    )
    .map(e => ({
      environment: e.name,
      title: e.title,
      artifact: e.deployment!.artifact!,
      version: e.deployment!.version,
    }));
}
