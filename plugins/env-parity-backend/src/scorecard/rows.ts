import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  comparisonObservedAt,
  EnvironmentDefinition,
  referenceEnvironment,
  RevisionComparison,
  SCORECARD_WORST_ENVIRONMENT,
  ScorecardUnknownReason,
  Snapshot,
  unknownReasonOf,
  Verdict,
} from '@env-parity/plugin-env-parity-common';
import { BuiltReport, RevisionAnswer } from '../report';

/*
 * The scorecard's row rules, pure: which environments a scorecard has, the
 * row of one service and environment computed from its report, the "worst
 * environment" row, and when a recomputed row is a change worth a write.
 */

/** One scorecard row as stored: a service and one view of it. */
export interface EntityReport {
  entityRef: string;
  /**
   * The view the row belongs to: a non-reference environment's name, or
   * {@link SCORECARD_WORST_ENVIRONMENT} for the service's worst environment.
   */
  scope: string;
  kind: string;
  namespace: string;
  name: string;
  title: string | null;
  owner: string | null;
  specOwner: string | null;
  system: string | null;
  specSystem: string | null;
  lifecycle: string | null;
  specType: string | null;
  searchText: string;
  referenceEnvironment: string;
  referenceVersion: string | null;
  referenceRevision: string | null;
  comparedEnvironment: string;
  comparedVersion: string | null;
  comparedRevision: string | null;
  revisionStatus: string | null;
  commitsAhead: number | null;
  commitsBehind: number | null;
  verdict: Verdict;
  score: number;
  /** Why the verdict is unknown; null for known verdicts. */
  unknownReason: ScorecardUnknownReason | null;
  driftSince: Date | null;
  observationFailed: boolean;
  observedAt: Date | null;
  updatedAt: Date;
}

/** The environments of the scorecard, from the configured ones. */
export interface ScorecardEnvironmentSet {
  reference: EnvironmentDefinition;
  /** Every non-reference environment, in promotion order. */
  compared: EnvironmentDefinition[];
  /** `envParity.scorecard.environment` if it is one of them, else the one right before the reference. */
  defaultEnvironment: EnvironmentDefinition;
  /** Set when a configured default is not a non-reference environment. */
  misconfigured?: string;
}

/** The scorecard's environments; undefined when there is nothing to compare. */
export function scorecardEnvironments(
  environments: EnvironmentDefinition[],
  configuredDefault?: string,
): ScorecardEnvironmentSet | undefined {
  const reference = referenceEnvironment(environments);
  if (!reference) {
    return undefined;
  }
  const compared = environments.filter(e => e.name !== reference.name);
  const index = environments.findIndex(e => e.name === reference.name);
  const defaultEnvironment =
    compared.find(e => e.name === configuredDefault) ??
    (index > 0 ? environments[index - 1] : compared[0]);
  if (!defaultEnvironment) {
    return undefined;
  }
  return {
    reference,
    compared,
    defaultEnvironment,
    ...(configuredDefault &&
      defaultEnvironment.name !== configuredDefault && {
        misconfigured: configuredDefault,
      }),
  };
}

function lower(value: unknown): string | null {
  return typeof value === 'string' && value.trim()
    ? value.trim().toLocaleLowerCase('en-US')
    : null;
}

function fullRef(
  value: unknown,
  defaultKind: string,
  defaultNamespace: string,
): string | null {
  if (typeof value !== 'string' || !value.trim()) {
    return null;
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(value.trim(), { defaultKind, defaultNamespace }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return null;
  }
}

function clip(value: string | undefined, length: number): string | null {
  return value ? value.slice(0, length) : null;
}

function latest(times: (string | undefined)[]): Date | undefined {
  const ms = times
    .filter((t): t is string => Boolean(t))
    .map(t => Date.parse(t))
    .filter(t => !Number.isNaN(t));
  return ms.length ? new Date(Math.max(...ms)) : undefined;
}

const REVISION_STATUSES = ['identical', 'ahead', 'behind', 'diverged'];

/**
 * The revision answer a stored row holds for this pair, if it is the pair
 * the row was computed with: a pair's comparison never changes, so a
 * comparer is asked only about pairs not seen before.
 */
export function storedRevisionAnswer(
  stored: EntityReport | undefined,
  base: string,
  head: string,
): RevisionAnswer {
  if (
    !stored?.revisionStatus ||
    stored.referenceRevision !== clip(base, 64) ||
    stored.comparedRevision !== clip(head, 64)
  ) {
    return undefined;
  }
  if (REVISION_STATUSES.includes(stored.revisionStatus)) {
    return {
      status: stored.revisionStatus as RevisionComparison['status'],
      aheadBy: stored.commitsAhead ?? 0,
      behindBy: stored.commitsBehind ?? 0,
    };
  }
  return 'none';
}

/** What every row of an entity says about the entity itself. */
function entityFields(entity: Entity, entityRef: string) {
  const namespace = (entity.metadata.namespace ?? 'default').toLocaleLowerCase(
    'en-US',
  );
  const owner = fullRef(entity.spec?.owner, 'group', namespace);
  const system = fullRef(entity.spec?.system, 'system', namespace);
  const title = clip(entity.metadata.title, 255);
  return {
    entityRef,
    kind: entity.kind.toLocaleLowerCase('en-US'),
    namespace,
    name: entity.metadata.name,
    title,
    owner,
    specOwner: clip(lower(entity.spec?.owner) ?? undefined, 255),
    system,
    specSystem: clip(lower(entity.spec?.system) ?? undefined, 255),
    lifecycle: clip(lower(entity.spec?.lifecycle) ?? undefined, 63),
    specType: clip(lower(entity.spec?.type) ?? undefined, 63),
    searchText: [entity.metadata.name, title, entityRef, owner, system]
      .filter(Boolean)
      .join(' ')
      .toLocaleLowerCase('en-US')
      .slice(0, 1024),
  };
}

/**
 * The scorecard rows of one entity: one per non-reference environment of
 * the report, in promotion order, then its worst-environment row.
 *
 * Drift since: set when a verdict leaves `in-sync` for a known verdict (at
 * the change just seen; on first sight, at the later of the two
 * deployments), kept while out of sync, cleared on `in-sync` and `unknown`,
 * never in the future. Commits ahead/behind only where the verdict comes
 * from the revision comparison.
 */
export function scorecardRows(input: {
  entity: Entity;
  entityRef: string;
  built: BuiltReport;
  snapshots: Snapshot[];
  /** The entity's stored rows by scope. */
  stored: Map<string, EntityReport>;
  now: Date;
}): EntityReport[] {
  const { entity, entityRef, built, snapshots, stored, now } = input;
  const { report, revisions } = built;
  const ref = report.environments.find(e => e.reference);
  if (!ref) {
    return [];
  }
  const common = entityFields(entity, entityRef);
  const failed = (status: string) => status === 'error' || status === 'stale';

  const rows = report.comparisons.map((comparison): EntityReport => {
    const env = report.environments.find(
      e => e.name === comparison.environment,
    )!;
    const before = stored.get(env.name);
    const verdict = comparison.verdict;
    const revision = revisions[env.name];
    const answer = revision?.answer;
    const usesRevision =
      verdict === 'ahead' || verdict === 'behind' || verdict === 'diverged';
    const counted = usesRevision && answer && answer !== 'none';

    let driftSince: Date | null = null;
    if (verdict !== 'in-sync' && verdict !== 'unknown') {
      const lastChange = latest(
        snapshots
          .filter(
            s =>
              s.deployment &&
              (s.environment === env.name || s.environment === ref.name),
          )
          .map(s => s.changedAt),
      );
      const deployed =
        env.deployment?.deployedAt && ref.deployment?.deployedAt
          ? latest([env.deployment.deployedAt, ref.deployment.deployedAt])
          : undefined;
      if (before?.driftSince) {
        driftSince = before.driftSince;
      } else if (before?.verdict === 'in-sync') {
        // seen in sync before: the drift began with the change just seen
        driftSince = lastChange ?? now;
      } else {
        // first sight: the later deployment is when the two diverged
        driftSince = deployed ?? lastChange ?? now;
      }
      if (driftSince.getTime() > now.getTime()) {
        driftSince = now;
      }
    }
    const observed = comparisonObservedAt(env, ref, report.environments);
    return {
      ...common,
      scope: env.name,
      referenceEnvironment: ref.name,
      referenceVersion: clip(ref.deployment?.version, 255),
      referenceRevision: clip(ref.deployment?.revision, 64),
      comparedEnvironment: env.name,
      comparedVersion: clip(env.deployment?.version, 255),
      comparedRevision: clip(env.deployment?.revision, 64),
      revisionStatus: revisionStatusOf(answer),
      commitsAhead: counted ? answer.aheadBy : null,
      commitsBehind: counted ? answer.behindBy : null,
      verdict,
      score: comparison.score,
      unknownReason: verdict === 'unknown' ? unknownReasonOf(env, ref) : null,
      driftSince,
      observationFailed: failed(env.status) || failed(ref.status),
      observedAt: observed ? new Date(observed) : null,
      updatedAt: now,
    };
  });
  const worst = worstRow(rows);
  return worst ? [...rows, worst] : rows;
}

/** What a row stores of a revision answer: null when none was had. */
function revisionStatusOf(answer: RevisionAnswer): string | null {
  if (answer === undefined) {
    return null;
  }
  return answer === 'none' ? 'none' : answer.status;
}

/**
 * The worst-environment row of a service, from its environment rows in
 * promotion order: the lowest score among known verdicts, ties going to the
 * environment closest to the reference (later in promotion order). Unknown
 * verdicts (an environment the service is not deployed to) count only when
 * every environment is unknown, then the one closest to the reference.
 */
export function worstRow(rows: EntityReport[]): EntityReport | undefined {
  const known = rows.filter(r => r.verdict !== 'unknown');
  const candidates = known.length ? known : rows;
  let worst: EntityReport | undefined;
  for (const row of candidates) {
    if (!worst || row.score <= worst.score) {
      worst = row;
    }
  }
  return worst && { ...worst, scope: SCORECARD_WORST_ENVIRONMENT };
}

const COMPARED_FIELDS: (keyof EntityReport)[] = [
  'scope',
  'kind',
  'namespace',
  'name',
  'title',
  'owner',
  'specOwner',
  'system',
  'specSystem',
  'lifecycle',
  'specType',
  'searchText',
  'referenceEnvironment',
  'referenceVersion',
  'referenceRevision',
  'comparedEnvironment',
  'comparedVersion',
  'comparedRevision',
  'revisionStatus',
  'commitsAhead',
  'commitsBehind',
  'verdict',
  'score',
  'unknownReason',
  'observationFailed',
];

function time(d: Date | null | undefined): number | null {
  return d ? d.getTime() : null;
}

/**
 * Whether a recomputed row differs from the stored one, so that a
 * collection that saw nothing new writes nothing. With `touch` (an explicit
 * refresh) a newer observation time alone is a change too.
 */
export function rowChanged(
  stored: EntityReport,
  next: EntityReport,
  touch: boolean,
): boolean {
  return (
    COMPARED_FIELDS.some(field => stored[field] !== next[field]) ||
    time(stored.driftSince) !== time(next.driftSince) ||
    (touch && time(stored.observedAt) !== time(next.observedAt))
  );
}
