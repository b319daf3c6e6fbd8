import { ReportEnvironment, Verdict } from './types';

/*
 * The catalog-wide drift scorecard: one row per tracked service and
 * non-reference environment, comparing that environment with the reference
 * environment (production). A request picks one environment (by default
 * `envParity.scorecard.environment`, else the one right before the reference
 * in promotion order, e.g. staging) or the "worst environment" view: each
 * service's worst verdict across its environments, naming which. Served by
 * the backend under `/api/env-parity/scorecard`; see the backend README for
 * the routes.
 */

/**
 * The `environment` of a scorecard request that asks, for each service, for
 * its worst environment: the lowest score across the non-reference
 * environments, ties going to the environment closest to the reference in
 * promotion order. Environments with an `unknown` verdict (e.g. one the
 * service is not deployed to) count only when every environment is unknown.
 *
 * @public
 */
export const SCORECARD_WORST_ENVIRONMENT = 'worst';

/**
 * The environments a scorecard can show: `GET /scorecard/environments`.
 *
 * @public
 */
export interface ScorecardEnvironments {
  /** Name of the reference environment, e.g. `production`. */
  reference: string;
  /** The environment shown when a request names none. */
  defaultEnvironment: string;
  /** Every non-reference environment, in promotion order. */
  environments: Array<{ name: string; title: string }>;
}

/**
 * The columns the scorecard table can be sorted by.
 *
 * - `score`: the tracked environment's score, 0 to 100
 * - `driftAge`: how long it has differed from the reference (oldest first
 *   when descending; services in sync last)
 * - `lastObserved`: when the pair was last observed
 *
 * @public
 */
export const SCORECARD_SORT_FIELDS = [
  'name',
  'owner',
  'system',
  'lifecycle',
  'verdict',
  'score',
  'driftAge',
  'lastObserved',
  'referenceVersion',
  'comparedVersion',
] as const;

/**
 * One of {@link SCORECARD_SORT_FIELDS}.
 *
 * @public
 */
export type ScorecardSortField = (typeof SCORECARD_SORT_FIELDS)[number];

/** Default and largest page sizes of the scorecard table. @public */
export const SCORECARD_DEFAULT_PAGE_SIZE = 50;
/** @public */
export const SCORECARD_MAX_PAGE_SIZE = 500;
/** Default and largest number of days of the trend. @public */
export const SCORECARD_DEFAULT_TREND_DAYS = 90;
/** @public */
export const SCORECARD_MAX_TREND_DAYS = 730;

/**
 * Filters shared by the table, summary, team roll-up and CSV export. Every
 * list matches any of its values; different filters all apply.
 *
 * @public
 */
export interface ScorecardFilter {
  /**
   * Owner entity refs. A bare name means a group in the default namespace:
   * `team-a` is `group:default/team-a`.
   */
  owner?: string[];
  /** System entity refs; a bare name means `system:default/<name>`. */
  system?: string[];
  /** Entity kinds, e.g. `Component`. */
  kind?: string[];
  /** `spec.lifecycle` values, e.g. `production`. */
  lifecycle?: string[];
  /** Verdicts of the tracked environment. */
  verdict?: Verdict[];
  /** Free text, matched in name, title, entity ref, owner and system. */
  q?: string;
  /** Only services owned by the signed-in user or one of their groups. */
  ownedByMe?: boolean;
  /**
   * The non-reference environment compared with the reference, or
   * {@link SCORECARD_WORST_ENVIRONMENT}. Default: the scorecard's default
   * environment (see {@link ScorecardEnvironments}).
   */
  environment?: string;
}

/**
 * A request for one page of the scorecard table.
 *
 * @public
 */
export interface ScorecardQuery extends ScorecardFilter {
  /** Default `score`. */
  sort?: ScorecardSortField;
  /** Default `asc` (worst first when sorting by score). */
  order?: 'asc' | 'desc';
  /** 1-based. Default 1. */
  page?: number;
  /** 1 to {@link SCORECARD_MAX_PAGE_SIZE}. Default {@link SCORECARD_DEFAULT_PAGE_SIZE}. */
  pageSize?: number;
}

/**
 * One service on the scorecard.
 *
 * @public
 */
export interface ScorecardRow {
  entityRef: string;
  /** Lowercase, e.g. `component`. */
  kind: string;
  /** Lowercase. */
  namespace: string;
  /** As written in the entity. */
  name: string;
  title?: string;
  /** Full entity ref of the owner, lowercase, e.g. `group:default/team-a`. */
  owner?: string;
  /** Full entity ref of the system, lowercase. */
  system?: string;
  lifecycle?: string;
  /** `spec.type`, lowercase. */
  type?: string;
  /** Name of the reference environment, e.g. `production`. */
  referenceEnvironment: string;
  referenceVersion?: string;
  /**
   * Name of the compared environment, e.g. `staging`; in the worst
   * environment view, the environment that is worst for this service.
   */
  comparedEnvironment: string;
  comparedVersion?: string;
  /** The tracked environment's verdict against the reference. */
  verdict: Verdict;
  /**
   * 0 (nothing alike) to 100 (in sync). Meaningless when the verdict is
   * `unknown` (then 0): such rows are left out of every average and median,
   * sort after every known row whichever the order, and carry
   * {@link ScorecardRow.unknownReason}.
   */
  score: number;
  /** Why the verdict is `unknown`; set only then. */
  unknownReason?: ScorecardUnknownReason;
  commitsAhead?: number;
  commitsBehind?: number;
  /**
   * Since when the tracked environment has differed from the reference:
   * set when the verdict leaves `in-sync` for a known verdict, kept while
   * it stays out of sync, cleared on `in-sync` and `unknown`.
   */
  driftSince?: string;
  /** Whole days since `driftSince`. */
  driftAgeDays?: number;
  /**
   * When both environments were last observed, by
   * {@link comparisonObservedAt}; absent when neither ever was.
   */
  lastObservedAt?: string;
  /**
   * The latest observation of one of the two environments failed; the
   * values shown are the last good ones.
   */
  observationFailed: boolean;
  /** When this row last changed. */
  updatedAt: string;
}

/**
 * One page of the scorecard table: `GET /scorecard`.
 *
 * @public
 */
export interface ScorecardPage {
  items: ScorecardRow[];
  /** Rows matching the filters, on every page. */
  totalCount: number;
  page: number;
  pageSize: number;
  /**
   * True when some of the catalog's permission rules for the caller could
   * not be evaluated in the scorecard's database: the rows were then checked
   * with the catalog, so a page may hold fewer than `pageSize` rows, and
   * `totalCount` may include services hidden from the caller.
   */
  totalsMayIncludeHidden: boolean;
}

/**
 * The summary tiles: `GET /scorecard/summary`, over the same filters as the
 * table.
 *
 * @public
 */
export interface ScorecardSummary {
  /** Name of the reference environment, e.g. `production`. */
  referenceEnvironment: string;
  /**
   * Name of the compared environment, e.g. `staging`, or
   * {@link SCORECARD_WORST_ENVIRONMENT}.
   */
  comparedEnvironment: string;
  /** Services on the scorecard. */
  tracked: number;
  /** Services whose tracked environment is `in-sync`. */
  inParity: number;
  /**
   * Services whose verdict is `unknown`: counted in `tracked`, left out of
   * the share, average and median, which are about known verdicts only.
   */
  unknown: number;
  /**
   * `inParity / (tracked - unknown)`, 0 to 1; absent when no service has a
   * known verdict.
   */
  inParityShare?: number;
  /** Over the services with a known verdict; absent when there are none. */
  averageScore?: number;
  /** Over the services with a known verdict; absent when there are none. */
  medianScore?: number;
  /** Services with a drift age (out of sync, with a known verdict). */
  drifting: number;
  /** Median days the drifting services have differed from the reference. */
  medianDriftAgeDays?: number;
  /** Services whose tracked environment is behind the reference. */
  behind: number;
  /** Services whose tracked environment runs the same tag, another build. */
  tagMismatch: number;
  /** Services per verdict; every verdict is present. */
  verdicts: Record<Verdict, number>;
  /** See {@link ScorecardPage.totalsMayIncludeHidden}. */
  totalsMayIncludeHidden: boolean;
  generatedAt: string;
}

/**
 * One owner's services: an item of `GET /scorecard/teams`.
 *
 * @public
 */
export interface TeamRollupItem {
  /** Full entity ref of the owner; absent for services without an owner. */
  owner?: string;
  tracked: number;
  inParity: number;
  /** Services of this owner whose verdict is `unknown`, shown apart. */
  unknown: number;
  /**
   * `inParity / (tracked - unknown)`; absent when every service of this
   * owner is unknown.
   */
  inParityShare?: number;
  /**
   * Average score of the services with a known verdict; absent when every
   * service of this owner is unknown.
   */
  averageScore?: number;
  verdicts: Record<Verdict, number>;
  /** Days the longest-drifting service of this owner has differed. */
  maxDriftAgeDays?: number;
}

/**
 * The team roll-up: `GET /scorecard/teams`, worst average score first;
 * owners whose every service is unknown come after every owner with a
 * known verdict (they have no average: unknown is not bad parity).
 *
 * @public
 */
export interface TeamRollup {
  items: TeamRollupItem[];
  /** See {@link ScorecardPage.totalsMayIncludeHidden}. */
  totalsMayIncludeHidden: boolean;
}

/**
 * One day of history, as the daily task last recorded it that day.
 *
 * @public
 */
export interface TrendPoint {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  tracked: number;
  inParity: number;
  /** Services with an `unknown` verdict that day (0 before they were recorded). */
  unknown: number;
  /** `inParity / (tracked - unknown)`; absent when no verdict was known. */
  inParityShare?: number;
  /** Over the services with a known verdict. */
  medianScore?: number;
  medianDriftAgeDays?: number;
  behind: number;
  tagMismatch: number;
}

/**
 * The trend: `GET /scorecard/trend`, oldest day first. Days the daily task
 * did not run are absent.
 *
 * @public
 */
export interface ScorecardTrend {
  /** The owner the trend is for; absent for the whole catalog. */
  owner?: string;
  /**
   * The environment the trend is for, or
   * {@link SCORECARD_WORST_ENVIRONMENT}.
   */
  environment: string;
  /** First day of the window, `YYYY-MM-DD`, UTC. */
  from: string;
  /** Last day of the window (today), `YYYY-MM-DD`, UTC. */
  to: string;
  items: TrendPoint[];
  /**
   * Daily aggregates are recorded once for everyone: true when the caller
   * may not see every service, so the figures may count services hidden
   * from them (only counts and medians are shown, never which services).
   */
  totalsMayIncludeHidden: boolean;
}

/**
 * Why a scorecard row's verdict is `unknown`, from what the report knows of
 * its two environments:
 *
 * - `provider-error`: every provider asked about the compared environment
 *   failed, and none ever answered with a deployment
 * - `reference-provider-error`: the same, for the reference environment
 * - `not-deployed`: no provider reported a deployment in the compared
 *   environment (the reference has one)
 * - `reference-not-deployed`: none in the reference environment
 * - `neither-deployed`: none in either
 * - `not-comparable`: both have a deployment, but no version, revision or
 *   artifact that both report
 *
 * @public
 */
export type ScorecardUnknownReason =
  | 'provider-error'
  | 'reference-provider-error'
  | 'not-deployed'
  | 'reference-not-deployed'
  | 'neither-deployed'
  | 'not-comparable';

/** Every {@link ScorecardUnknownReason}. @public */
export const SCORECARD_UNKNOWN_REASONS: readonly ScorecardUnknownReason[] = [
  'provider-error',
  'reference-provider-error',
  'not-deployed',
  'reference-not-deployed',
  'neither-deployed',
  'not-comparable',
] as const;

/**
 * Why the comparison of `compared` with `reference` is `unknown`; a
 * provider's failure is named before a missing deployment.
 *
 * @public
 */
export function unknownReasonOf(
  compared: Pick<ReportEnvironment, 'status' | 'deployment'>,
  reference: Pick<ReportEnvironment, 'status' | 'deployment'>,
): ScorecardUnknownReason {
  if (!compared.deployment && compared.status === 'error') {
    return 'provider-error';
  }
  if (!reference.deployment && reference.status === 'error') {
    return 'reference-provider-error';
  }
  if (!compared.deployment && !reference.deployment) {
    return 'neither-deployed';
  }
  if (!compared.deployment) {
    return 'not-deployed';
  }
  if (!reference.deployment) {
    return 'reference-not-deployed';
  }
  return 'not-comparable';
}

/**
 * One sentence saying why a row is unknown, naming the environments as
 * given (names or titles), e.g. `not deployed to production`.
 *
 * @public
 */
export function describeUnknownReason(
  reason: ScorecardUnknownReason | undefined,
  environments: { compared: string; reference: string },
): string {
  const { compared, reference } = environments;
  switch (reason) {
    case 'provider-error':
      return `no provider could read ${compared}`;
    case 'reference-provider-error':
      return `no provider could read ${reference}`;
    case 'not-deployed':
      return `not deployed to ${compared}`;
    case 'reference-not-deployed':
      return `not deployed to ${reference}`;
    case 'neither-deployed':
      return `not deployed to ${compared} or ${reference}`;
    case 'not-comparable':
      return `no version, revision or artifact reported in both ${compared} and ${reference}`;
    default:
      return 'nothing to compare yet';
  }
}

/**
 * When an entity was last observed, the one rule of "last observed" on the
 * Parity tab and the scorecard: the latest successful observation of any of
 * its environments. An environment nothing is deployed to has no time of
 * its own; the collector asks about it whenever it asks about the others.
 *
 * @public
 */
export function reportObservedAt(
  environments: Pick<ReportEnvironment, 'observedAt'>[],
): string | undefined {
  let latest: string | undefined;
  for (const { observedAt } of environments) {
    if (
      observedAt &&
      !Number.isNaN(Date.parse(observedAt)) &&
      (!latest || Date.parse(observedAt) > Date.parse(latest))
    ) {
      latest = observedAt;
    }
  }
  return latest;
}

/**
 * When the comparison of two environments was last observed: the earlier
 * of their observation times, where an environment nothing is deployed to
 * (status `missing`) counts as observed with the rest of the entity
 * ({@link reportObservedAt}). An environment that never answered (status
 * `error`, nothing shown) is left out while the other has a time; absent
 * when neither has one.
 *
 * @public
 */
export function comparisonObservedAt(
  compared: Pick<ReportEnvironment, 'status' | 'observedAt'>,
  reference: Pick<ReportEnvironment, 'status' | 'observedAt'>,
  environments: Pick<ReportEnvironment, 'observedAt'>[],
): string | undefined {
  const entity = reportObservedAt(environments);
  const times = [compared, reference]
    .map(e => e.observedAt ?? (e.status === 'missing' ? entity : undefined))
    .filter((t): t is string => Boolean(t) && !Number.isNaN(Date.parse(t!)));
  return times.sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

/**
 * The query string of a scorecard request, for `GET /scorecard`,
 * `/scorecard/summary`, `/scorecard/teams` and `/scorecard/export.csv`.
 *
 * @public
 */
export function scorecardQueryParams(query: ScorecardQuery): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of [
    'owner',
    'system',
    'kind',
    'lifecycle',
    'verdict',
  ] as const) {
    for (const value of query[key] ?? []) {
      params.append(key, value);
    }
  }
  if (query.q) {
    params.set('q', query.q);
  }
  if (query.ownedByMe) {
    params.set('ownedByMe', 'true');
  }
  if (query.environment) {
    params.set('environment', query.environment);
  }
  if (query.sort) {
    params.set('sort', query.sort);
  }
  if (query.order) {
    params.set('order', query.order);
  }
  if (query.page !== undefined) {
    params.set('page', String(query.page));
  }
  if (query.pageSize !== undefined) {
    params.set('pageSize', String(query.pageSize));
  }
  return params;
}
