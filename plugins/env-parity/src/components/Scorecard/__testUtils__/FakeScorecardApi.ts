import {
  SCORECARD_WORST_ENVIRONMENT,
  ScorecardEnvironments,
  ScorecardFilter,
  ScorecardPage,
  ScorecardQuery,
  ScorecardRow,
  ScorecardSummary,
  ScorecardTrend,
  TeamRollup,
  TeamRollupItem,
  TrendPoint,
  Verdict,
  VERDICTS,
} from '@env-parity/plugin-env-parity-common';
import { EnvParityApi } from '../../../api';

type ScorecardApi = Pick<
  EnvParityApi,
  | 'getScorecardEnvironments'
  | 'getScorecard'
  | 'getScorecardSummary'
  | 'getScorecardTeams'
  | 'getScorecardTrend'
  | 'exportScorecardCsv'
>;

const DAY_MS = 24 * 60 * 60 * 1000;

/** A scorecard row with defaults: production 1.4.2, staging in sync. */
export function scorecardRow(
  name: string,
  overrides: Partial<ScorecardRow> = {},
): ScorecardRow {
  const now = Date.now();
  return {
    entityRef: `component:default/${name}`,
    kind: 'component',
    namespace: 'default',
    name,
    owner: 'group:default/team-a',
    system: 'system:default/shop',
    lifecycle: 'production',
    type: 'service',
    referenceEnvironment: 'production',
    referenceVersion: '1.4.2',
    comparedEnvironment: 'staging',
    comparedVersion: '1.4.2',
    verdict: 'in-sync',
    score: 100,
    lastObservedAt: new Date(now - 5 * 60 * 1000).toISOString(),
    observationFailed: false,
    updatedAt: new Date(now - DAY_MS).toISOString(),
    ...overrides,
  };
}

/** Eight services of three teams, worst score first. */
export function scorecardRows(): ScorecardRow[] {
  return [
    scorecardRow('payments', {
      title: 'Payments',
      owner: 'group:default/payments-team',
      system: 'system:default/billing',
      comparedVersion: '1.3.0',
      verdict: 'behind',
      score: 40,
      commitsBehind: 4,
      commitsAhead: 0,
      driftAgeDays: 12,
    }),
    scorecardRow('ledger', {
      owner: 'group:default/payments-team',
      system: 'system:default/billing',
      comparedVersion: '2.0.0',
      referenceVersion: '2.0.0',
      verdict: 'tag-mismatch',
      score: 45,
      driftAgeDays: 3,
    }),
    scorecardRow('checkout', {
      owner: 'group:default/checkout-team',
      comparedVersion: '1.5.0',
      verdict: 'ahead',
      score: 78,
      commitsAhead: 3,
      driftAgeDays: 1,
      observationFailed: true,
    }),
    scorecardRow('cart', {
      owner: 'group:default/checkout-team',
      verdict: 'config-drift',
      score: 90,
      driftAgeDays: 0,
    }),
    scorecardRow('search', {
      owner: 'group:default/search-team',
      lifecycle: 'experimental',
    }),
    scorecardRow('catalogue', { owner: 'group:default/search-team' }),
    scorecardRow('gateway', { owner: 'group:default/platform' }),
    scorecardRow('auth', { owner: 'group:default/platform' }),
  ];
}

/**
 * The same services' development environments: payments ahead (staging is
 * worse), ledger different (worse than staging), checkout ahead with the
 * same score as staging (a tie: staging, closer to production, is worst),
 * search with drifted configuration (worse than staging, in sync).
 */
export function developmentRows(): ScorecardRow[] {
  const development = { comparedEnvironment: 'development' };
  return [
    scorecardRow('payments', {
      ...development,
      title: 'Payments',
      owner: 'group:default/payments-team',
      system: 'system:default/billing',
      comparedVersion: '1.5.0-dev.3',
      verdict: 'ahead',
      score: 70,
      commitsAhead: 3,
      driftAgeDays: 2,
    }),
    scorecardRow('ledger', {
      ...development,
      owner: 'group:default/payments-team',
      system: 'system:default/billing',
      referenceVersion: '2.0.0',
      comparedVersion: 'feature-x',
      verdict: 'different',
      score: 20,
      driftAgeDays: 30,
    }),
    scorecardRow('checkout', {
      ...development,
      owner: 'group:default/checkout-team',
      comparedVersion: '1.5.0',
      verdict: 'ahead',
      score: 78,
      commitsAhead: 3,
      driftAgeDays: 1,
    }),
    scorecardRow('search', {
      ...development,
      owner: 'group:default/search-team',
      lifecycle: 'experimental',
      verdict: 'config-drift',
      score: 90,
      driftAgeDays: 5,
    }),
  ];
}

/** Development, then staging; staging is the default. */
export function scorecardEnvironments(): ScorecardEnvironments {
  return {
    reference: 'production',
    defaultEnvironment: 'staging',
    environments: [
      { name: 'development', title: 'Development' },
      { name: 'staging', title: 'Staging' },
    ],
  };
}

function median(values: number[]): number | undefined {
  if (!values.length) {
    return undefined;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function verdictCounts(rows: ScorecardRow[]): Record<Verdict, number> {
  const counts = Object.fromEntries(VERDICTS.map(v => [v, 0])) as Record<
    Verdict,
    number
  >;
  for (const row of rows) {
    counts[row.verdict] += 1;
  }
  return counts;
}

const SORT_VALUE: Record<string, (row: ScorecardRow) => string | number> = {
  name: r => r.name,
  owner: r => r.owner ?? '',
  system: r => r.system ?? '',
  lifecycle: r => r.lifecycle ?? '',
  verdict: r => r.verdict,
  score: r => r.score,
  driftAge: r => r.driftAgeDays ?? -1,
  lastObserved: r => r.lastObservedAt ?? '',
  referenceVersion: r => r.referenceVersion ?? '',
  comparedVersion: r => r.comparedVersion ?? '',
};

/**
 * A stand-in for the scorecard backend, in memory: it filters, sorts and
 * pages its rows as the backend does, one row per service and environment,
 * with the worst environment view, and records every request, so that tests
 * can check both what was asked and what was shown.
 */
export class FakeScorecardApi implements ScorecardApi {
  /** Rows of every environment, told apart by `comparedEnvironment`. */
  rows: ScorecardRow[];
  environments: ScorecardEnvironments = scorecardEnvironments();
  /** When set, the environments request fails with it. */
  environmentsError?: Error;
  /** The owners of "owned by me". */
  myOwnershipRefs: string[] = ['user:default/guest'];
  trendPoints: TrendPoint[] = [];
  totalsMayIncludeHidden = false;
  /** When set, every request fails with it. */
  error?: Error;
  /**
   * `envParity.align.follow`, as the backend counts it: per environment the
   * service names that follow production, or `all`; unset: following off
   * (no `following` figures in the summary).
   */
  following?: Record<string, string[] | 'all'>;

  readonly environmentsCalls: number[] = [];
  readonly scorecardCalls: ScorecardQuery[] = [];
  readonly summaryCalls: ScorecardFilter[] = [];
  readonly teamsCalls: ScorecardFilter[] = [];
  readonly trendCalls: Array<{
    owner?: string;
    days?: number;
    environment?: string;
  }> = [];
  readonly exportCalls: ScorecardQuery[] = [];

  constructor(
    rows: ScorecardRow[] = [...scorecardRows(), ...developmentRows()],
  ) {
    this.rows = rows;
  }

  /** The environment a request shows: its own, else the default. */
  private environmentOf(filter: ScorecardFilter): string {
    const environment =
      filter.environment ?? this.environments.defaultEnvironment;
    if (
      environment !== SCORECARD_WORST_ENVIRONMENT &&
      !this.environments.environments.some(e => e.name === environment)
    ) {
      // as the backend answers
      throw Object.assign(
        new Error(`environment "${environment}" is not on the scorecard`),
        { name: 'InputError', statusCode: 400 },
      );
    }
    return environment;
  }

  /**
   * The rows of the environment, or each service's worst: the lowest
   * score, ties going to the environment closest to the reference.
   */
  private rowsOf(environment: string): ScorecardRow[] {
    if (environment !== SCORECARD_WORST_ENVIRONMENT) {
      return this.rows.filter(r => r.comparedEnvironment === environment);
    }
    const order = this.environments.environments.map(e => e.name);
    const worst = new Map<string, ScorecardRow>();
    for (const row of this.rows) {
      const current = worst.get(row.entityRef);
      if (
        !current ||
        row.score < current.score ||
        (row.score === current.score &&
          order.indexOf(row.comparedEnvironment) >
            order.indexOf(current.comparedEnvironment))
      ) {
        worst.set(row.entityRef, row);
      }
    }
    return [...worst.values()];
  }

  async getScorecardEnvironments(): Promise<ScorecardEnvironments> {
    this.environmentsCalls.push(Date.now());
    this.check();
    if (this.environmentsError) {
      throw this.environmentsError;
    }
    return this.environments;
  }

  private check() {
    if (this.error) {
      throw this.error;
    }
  }

  private filtered(filter: ScorecardFilter): ScorecardRow[] {
    const normalise = (ref: string, kind: string) =>
      ref.includes(':') ? ref : `${kind}:default/${ref}`;
    return this.rowsOf(this.environmentOf(filter)).filter(row => {
      if (
        filter.owner &&
        !filter.owner.map(o => normalise(o, 'group')).includes(row.owner ?? '')
      ) {
        return false;
      }
      if (
        filter.system &&
        !filter.system
          .map(s => normalise(s, 'system'))
          .includes(row.system ?? '')
      ) {
        return false;
      }
      if (filter.kind && !filter.kind.includes(row.kind)) {
        return false;
      }
      if (filter.lifecycle && !filter.lifecycle.includes(row.lifecycle ?? '')) {
        return false;
      }
      if (filter.verdict && !filter.verdict.includes(row.verdict)) {
        return false;
      }
      if (filter.ownedByMe && !this.myOwnershipRefs.includes(row.owner ?? '')) {
        return false;
      }
      if (filter.q) {
        const q = filter.q.toLocaleLowerCase('en-US');
        const text = [row.name, row.title, row.entityRef, row.owner, row.system]
          .filter(Boolean)
          .join(' ')
          .toLocaleLowerCase('en-US');
        if (!text.includes(q)) {
          return false;
        }
      }
      return true;
    });
  }

  private sorted(query: ScorecardQuery): ScorecardRow[] {
    const value = SORT_VALUE[query.sort ?? 'score'];
    const sign = query.order === 'desc' ? -1 : 1;
    const byScore = (query.sort ?? 'score') === 'score';
    return [...this.filtered(query)].sort((a, b) => {
      // as the backend: unknown after every known score, either way
      const apart =
        byScore &&
        Number(a.verdict === 'unknown') - Number(b.verdict === 'unknown');
      if (apart) return apart;
      const va = value(a);
      const vb = value(b);
      if (va < vb) return -sign;
      if (va > vb) return sign;
      return a.entityRef.localeCompare(b.entityRef);
    });
  }

  async getScorecard(query: ScorecardQuery = {}): Promise<ScorecardPage> {
    this.scorecardCalls.push(query);
    this.check();
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? 50;
    const rows = this.sorted(query);
    return {
      items: rows.slice((page - 1) * pageSize, page * pageSize),
      totalCount: rows.length,
      page,
      pageSize,
      totalsMayIncludeHidden: this.totalsMayIncludeHidden,
    };
  }

  async getScorecardSummary(
    filter: ScorecardFilter = {},
  ): Promise<ScorecardSummary> {
    this.summaryCalls.push(filter);
    this.check();
    const rows = this.filtered(filter);
    const inParity = rows.filter(r => r.verdict === 'in-sync').length;
    const drifting = rows.filter(r => r.driftAgeDays !== undefined);
    const known = rows.filter(r => r.verdict !== 'unknown');
    const scores = known.map(r => r.score);
    return {
      referenceEnvironment: this.environments.reference,
      comparedEnvironment: this.environmentOf(filter),
      tracked: rows.length,
      inParity,
      unknown: rows.length - known.length,
      inParityShare: known.length ? inParity / known.length : undefined,
      averageScore: known.length
        ? scores.reduce((a, b) => a + b, 0) / known.length
        : undefined,
      medianScore: median(scores),
      drifting: drifting.length,
      medianDriftAgeDays: median(drifting.map(r => r.driftAgeDays!)),
      behind: rows.filter(r => r.verdict === 'behind').length,
      tagMismatch: rows.filter(r => r.verdict === 'tag-mismatch').length,
      verdicts: verdictCounts(rows),
      totalsMayIncludeHidden: this.totalsMayIncludeHidden,
      generatedAt: new Date().toISOString(),
      ...(this.following && {
        following: this.followingOf(this.environmentOf(filter), rows),
      }),
    };
  }

  private followingOf(environment: string, rows: ScorecardRow[]) {
    const follow = this.following!;
    const environments = Object.keys(follow).filter(
      e => environment === SCORECARD_WORST_ENVIRONMENT || e === environment,
    );
    const follows = (row: ScorecardRow) =>
      environments.some(
        e => follow[e] === 'all' || follow[e].includes(row.name),
      );
    return { services: rows.filter(follows).length, environments };
  }

  async getScorecardTeams(filter: ScorecardFilter = {}): Promise<TeamRollup> {
    this.teamsCalls.push(filter);
    this.check();
    const byOwner = new Map<string | undefined, ScorecardRow[]>();
    for (const row of this.filtered(filter)) {
      byOwner.set(row.owner, [...(byOwner.get(row.owner) ?? []), row]);
    }
    const items: TeamRollupItem[] = [...byOwner].map(([owner, rows]) => {
      const inParity = rows.filter(r => r.verdict === 'in-sync').length;
      const ages = rows
        .map(r => r.driftAgeDays)
        .filter((a): a is number => a !== undefined);
      const known = rows.filter(r => r.verdict !== 'unknown');
      return {
        owner,
        tracked: rows.length,
        inParity,
        unknown: rows.length - known.length,
        inParityShare: known.length ? inParity / known.length : undefined,
        averageScore: known.length
          ? known.reduce((a, r) => a + r.score, 0) / known.length
          : undefined,
        verdicts: verdictCounts(rows),
        maxDriftAgeDays: ages.length ? Math.max(...ages) : undefined,
      };
    });
    items.sort(
      (a, b) =>
        Number(a.averageScore === undefined) -
          Number(b.averageScore === undefined) ||
        (a.averageScore ?? 0) - (b.averageScore ?? 0) ||
        (a.owner ?? '').localeCompare(b.owner ?? ''),
    );
    return { items, totalsMayIncludeHidden: this.totalsMayIncludeHidden };
  }

  async getScorecardTrend(
    options: { owner?: string; days?: number; environment?: string } = {},
  ): Promise<ScorecardTrend> {
    this.trendCalls.push(options);
    this.check();
    const environment = this.environmentOf({
      environment: options.environment,
    });
    const days = options.days ?? 90;
    const to = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - (days - 1) * DAY_MS)
      .toISOString()
      .slice(0, 10);
    return {
      owner: options.owner,
      environment,
      from,
      to,
      items: this.trendPoints,
      totalsMayIncludeHidden: this.totalsMayIncludeHidden,
    };
  }

  async exportScorecardCsv(query: ScorecardQuery = {}): Promise<Blob> {
    this.exportCalls.push(query);
    this.check();
    const lines = [
      'entity_ref,verdict,score',
      ...this.sorted(query).map(r => `${r.entityRef},${r.verdict},${r.score}`),
    ];
    return new Blob([`${lines.join('\r\n')}\r\n`], { type: 'text/csv' });
  }
}

/** Daily points ending today, one per value: share in parity 0 to 1. */
export function trendPoints(shares: number[]): TrendPoint[] {
  const today = Date.now();
  return shares.map((share, i) => ({
    day: new Date(today - (shares.length - 1 - i) * DAY_MS)
      .toISOString()
      .slice(0, 10),
    tracked: 8,
    inParity: Math.round(share * 8),
    unknown: 0,
    inParityShare: share,
    medianScore: Math.round(share * 100),
    medianDriftAgeDays: 10 - i,
    behind: 1,
    tagMismatch: 1,
  }));
}
