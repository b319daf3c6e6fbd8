import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { Config, readDurationFromConfig } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { durationToMilliseconds } from '@backstage/types';
import {
  EnvironmentDefinition,
  ScorecardEnvironments,
  ScorecardFollowing,
  ScorecardFilter,
  ScorecardPage,
  ScorecardQuery,
  ScorecardRow,
  ScorecardSummary,
  ScorecardTrend,
  SCORECARD_DEFAULT_PAGE_SIZE,
  SCORECARD_DEFAULT_TREND_DAYS,
  SCORECARD_WORST_ENVIRONMENT,
  TeamRollup,
} from '@env-parity/plugin-env-parity-common';
import { InputError } from '@backstage/errors';
import type { FollowOptions } from '../align/follow/config';
import { chunks } from '../database/rows';
import { EnvironmentRegistry } from '../environments';
import { scorecardEnvironments } from './rows';
import { ReportFilter, ScorecardStore, StoredReport } from './ScorecardStore';
import { Predicate, resolveVisibility } from './visibility';

const DAY_MS = 86_400_000;
/** Rows per query of the CSV export. */
const EXPORT_READ_ROWS = 5000;

/** See `envParity.scorecard` in config.d.ts. */
export interface ScorecardOptions {
  /** The tracked environment; default: the one right before the reference. */
  environment?: string;
  historyRetentionDays: number;
  schedule: SchedulerServiceTaskScheduleDefinition;
}

export function readScorecardOptions(config: Config): ScorecardOptions {
  const c = config.getOptionalConfig('envParity.scorecard');
  const retentionMs = c?.has('historyRetention')
    ? durationToMilliseconds(
        readDurationFromConfig(c, { key: 'historyRetention' }),
      )
    : 400 * DAY_MS;
  return {
    environment: c?.getOptionalString('environment'),
    historyRetentionDays: Math.max(1, Math.ceil(retentionMs / DAY_MS)),
    schedule: c?.has('schedule')
      ? readSchedulerServiceTaskScheduleDefinitionFromConfig(
          c.getConfig('schedule'),
        )
      : {
          frequency: { hours: 1 },
          timeout: { minutes: 10 },
          initialDelay: { minutes: 2 },
        },
  };
}

/** An owner or system given by a user: a bare name means the default namespace. */
export function normaliseRef(value: string, defaultKind: string): string {
  return stringifyEntityRef(
    parseEntityRef(value.trim(), { defaultKind, defaultNamespace: 'default' }),
  ).toLocaleLowerCase('en-US');
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The catalog-wide drift scorecard's reads: answers the scorecard's queries
 * with SQL over the rows the writer keeps current, one environment (or the
 * worst-environment view) at a time, filtered by what the catalog lets the
 * caller see; and records the daily aggregates.
 */
export class ScorecardService {
  private readonly clock: () => Date;
  private warnedAbout?: string;

  constructor(
    private readonly deps: {
      store: ScorecardStore;
      environments: EnvironmentRegistry;
      catalog: CatalogService;
      permissions: PermissionsService;
      userInfo: UserInfoService;
      logger: LoggerService;
      options: ScorecardOptions;
      /**
       * Start of the latest completed collection run, which observed every
       * row (kept by the snapshot store).
       */
      latestRunStart: () => Promise<Date | undefined>;
      /** `envParity.align.follow`, for the count of services following production. */
      following?: FollowOptions;
      clock?: () => Date;
    },
  ) {
    this.clock = deps.clock ?? (() => new Date());
  }

  private async environmentSet() {
    const environments = await this.deps.environments.list();
    const set = scorecardEnvironments(
      environments,
      this.deps.options.environment,
    );
    if (set?.misconfigured && this.warnedAbout !== set.misconfigured) {
      this.warnedAbout = set.misconfigured;
      this.deps.logger.warn(
        `envParity.scorecard.environment "${set.misconfigured}" is not a configured non-reference environment; showing ${set.defaultEnvironment.name} by default instead`,
      );
    }
    return set;
  }

  /** The environments a scorecard can show: `GET /scorecard/environments`. */
  async getEnvironments(): Promise<ScorecardEnvironments> {
    const set = await this.environmentSet();
    return {
      reference: set?.reference.name ?? '',
      defaultEnvironment: set?.defaultEnvironment.name ?? '',
      environments: (set?.compared ?? []).map(e => ({
        name: e.name,
        title: e.title ?? e.name,
      })),
    };
  }

  /**
   * The scope of a request: the named environment, `worst`, or the default
   * environment. Throws InputError for the reference or an unknown name.
   */
  private async scope(environment?: string): Promise<{
    scope: string;
    reference: string;
  }> {
    const set = await this.environmentSet();
    if (!set) {
      // nothing configured to compare: an empty scorecard
      return { scope: environment ?? '', reference: '' };
    }
    const reference = set.reference.name;
    if (!environment) {
      return { scope: set.defaultEnvironment.name, reference };
    }
    if (environment === SCORECARD_WORST_ENVIRONMENT) {
      return { scope: environment, reference };
    }
    if (environment === reference) {
      throw new InputError(
        `environment "${environment}" is the reference environment, which every other environment is compared with; choose one of ${names(
          set.compared,
        )} or ${SCORECARD_WORST_ENVIRONMENT}`,
      );
    }
    if (!set.compared.some(e => e.name === environment)) {
      throw new InputError(
        `environment "${environment}" is not a configured environment; choose one of ${names(
          set.compared,
        )} or ${SCORECARD_WORST_ENVIRONMENT}`,
      );
    }
    return { scope: environment, reference };
  }

  /**
   * Records today's (UTC) aggregates for the whole catalog and every owner,
   * and deletes history older than the retention. Run by the daily task.
   */
  async recordDaily(): Promise<{
    day: string;
    written: number;
    deleted: number;
  }> {
    const now = this.clock();
    const day = utcDay(now);
    const keepFrom = utcDay(
      new Date(
        now.getTime() - (this.deps.options.historyRetentionDays - 1) * DAY_MS,
      ),
    );
    const set = await this.environmentSet();
    const scopes = [
      ...(set?.compared ?? []).map(e => e.name),
      SCORECARD_WORST_ENVIRONMENT,
    ];
    const result = await this.deps.store.recordDaily({
      day,
      now,
      keepFrom,
      scopes,
    });
    return { day, ...result };
  }

  // ----------------------------------------------------------------- reads

  /**
   * The caller's filter in SQL terms, or undefined when they may see
   * nothing. `certain` is set when some rows must be checked with the
   * catalog before they are shown.
   */
  private async prepare(
    filter: ScorecardFilter,
    credentials: BackstageCredentials,
    scope: string,
  ): Promise<
    { filter: ReportFilter; certain?: Predicate; exact: boolean } | undefined
  > {
    const [visibility, ownedBy] = await Promise.all([
      resolveVisibility(this.deps.permissions, credentials),
      filter.ownedByMe ? this.ownershipRefs(credentials) : undefined,
    ]);
    if (visibility.type === 'none') {
      return undefined;
    }
    const reportFilter: ReportFilter = {
      scope,
      owner: filter.owner,
      system: filter.system,
      kind: filter.kind,
      lifecycle: filter.lifecycle,
      verdict: filter.verdict,
      q: filter.q,
      ownedBy,
    };
    if (visibility.type === 'all') {
      return { filter: reportFilter, exact: true };
    }
    reportFilter.visible = visibility.possible;
    return visibility.exact
      ? { filter: reportFilter, exact: true }
      : { filter: reportFilter, certain: visibility.certain, exact: false };
  }

  private async ownershipRefs(
    credentials: BackstageCredentials,
  ): Promise<string[]> {
    const principal = credentials.principal as { type?: string };
    if (principal.type !== 'user') {
      return [];
    }
    const info = await this.deps.userInfo.getUserInfo(credentials);
    return info.ownershipEntityRefs.map(r => r.toLocaleLowerCase('en-US'));
  }

  /** Drops rows the catalog hides from the caller, asking only about uncertain ones. */
  private async checkWithCatalog(
    rows: StoredReport[],
    credentials: BackstageCredentials,
  ): Promise<StoredReport[]> {
    const uncertain = rows.filter(r => !r.certain).map(r => r.entityRef);
    if (!uncertain.length) {
      return rows;
    }
    const { items } = await this.deps.catalog.getEntitiesByRefs(
      {
        entityRefs: uncertain,
        fields: ['kind', 'metadata.namespace', 'metadata.name'],
      },
      { credentials },
    );
    const hidden = new Set(uncertain.filter((_, i) => !items[i]));
    return rows.filter(r => !hidden.has(r.entityRef));
  }

  private toRow(
    report: StoredReport,
    now: Date,
    runStart?: Date,
  ): ScorecardRow {
    let lastObserved = report.observedAt;
    if (
      lastObserved &&
      !report.observationFailed &&
      runStart &&
      runStart > lastObserved
    ) {
      lastObserved = runStart;
    }
    return {
      entityRef: report.entityRef,
      kind: report.kind,
      namespace: report.namespace,
      name: report.name,
      ...(report.title && { title: report.title }),
      ...(report.owner && { owner: report.owner }),
      ...(report.system && { system: report.system }),
      ...(report.lifecycle && { lifecycle: report.lifecycle }),
      ...(report.specType && { type: report.specType }),
      referenceEnvironment: report.referenceEnvironment,
      ...(report.referenceVersion && {
        referenceVersion: report.referenceVersion,
      }),
      comparedEnvironment: report.comparedEnvironment,
      ...(report.comparedVersion && {
        comparedVersion: report.comparedVersion,
      }),
      verdict: report.verdict,
      score: report.score,
      ...(report.verdict === 'unknown' && {
        // rows written before reasons were recorded have none yet
        ...(report.unknownReason && { unknownReason: report.unknownReason }),
      }),
      ...(report.commitsAhead !== null && {
        commitsAhead: report.commitsAhead,
      }),
      ...(report.commitsBehind !== null && {
        commitsBehind: report.commitsBehind,
      }),
      ...(report.driftSince && {
        driftSince: report.driftSince.toISOString(),
        driftAgeDays: Math.max(
          0,
          Math.floor((now.getTime() - report.driftSince.getTime()) / DAY_MS),
        ),
      }),
      ...(lastObserved && { lastObservedAt: lastObserved.toISOString() }),
      observationFailed: report.observationFailed,
      updatedAt: report.updatedAt.toISOString(),
    };
  }

  /** One page of the table. */
  async getPage(
    query: ScorecardQuery,
    credentials: BackstageCredentials,
  ): Promise<ScorecardPage> {
    const page = query.page ?? 1;
    const pageSize = query.pageSize ?? SCORECARD_DEFAULT_PAGE_SIZE;
    const { scope } = await this.scope(query.environment);
    const prepared = await this.prepare(query, credentials, scope);
    if (!prepared) {
      return {
        items: [],
        totalCount: 0,
        page,
        pageSize,
        totalsMayIncludeHidden: false,
      };
    }
    const sort = { field: query.sort ?? 'score', order: query.order ?? 'asc' };
    const runStart = await this.deps.latestRunStart();
    const { rows, totalCount } = await this.deps.store.queryPage({
      filter: prepared.filter,
      certain: prepared.certain,
      sort,
      offset: (page - 1) * pageSize,
      limit: pageSize,
      runStart,
    });
    const visible = await this.checkWithCatalog(rows, credentials);
    const now = this.clock();
    return {
      items: visible.map(r => this.toRow(r, now, runStart)),
      totalCount,
      page,
      pageSize,
      totalsMayIncludeHidden: !prepared.exact,
    };
  }

  /**
   * Every row of the filtered table in order, a chunk at a time, for the
   * CSV export. Rows the caller may not see are never yielded.
   */
  async *exportRows(
    query: ScorecardQuery,
    credentials: BackstageCredentials,
  ): AsyncGenerator<ScorecardRow[]> {
    const { scope } = await this.scope(query.environment);
    const prepared = await this.prepare(query, credentials, scope);
    if (!prepared) {
      return;
    }
    const runStart = await this.deps.latestRunStart();
    const now = this.clock();
    // Large reads (each one sorts the environment's rows), handed on and
    // checked with the catalog a thousand rows at a time.
    for await (const rows of this.deps.store.streamRows({
      filter: prepared.filter,
      certain: prepared.certain,
      sort: { field: query.sort ?? 'score', order: query.order ?? 'asc' },
      runStart,
      size: EXPORT_READ_ROWS,
    })) {
      for (const part of chunks(rows, 1000)) {
        const visible = await this.checkWithCatalog(part, credentials);
        yield visible.map(r => this.toRow(r, now, runStart));
      }
    }
  }

  /** The summary tiles over the filtered rows. */
  async getSummary(
    filter: ScorecardFilter,
    credentials: BackstageCredentials,
  ): Promise<ScorecardSummary & { following?: ScorecardFollowing }> {
    const { scope, reference } = await this.scope(filter.environment);
    const prepared = await this.prepare(filter, credentials, scope);
    const now = this.clock();
    const figures = prepared
      ? await this.deps.store.summary(prepared.filter)
      : await this.deps.store.summary({ scope, kind: [] });
    const { medianDriftSince, ...rest } = figures;
    return {
      referenceEnvironment: reference,
      comparedEnvironment: scope,
      ...rest,
      ...(figures.tracked > figures.unknown && {
        inParityShare: figures.inParity / (figures.tracked - figures.unknown),
      }),
      ...(medianDriftSince && {
        medianDriftAgeDays:
          Math.round(
            (Math.max(0, now.getTime() - medianDriftSince.getTime()) / DAY_MS) *
              10,
          ) / 10,
      }),
      ...(this.deps.following?.enabled && {
        following: await this.following(
          scope,
          prepared?.filter,
          figures.tracked,
        ),
      }),
      totalsMayIncludeHidden: prepared ? !prepared.exact : false,
      generatedAt: now.toISOString(),
    };
  }

  /**
   * Services of the summary whose compared environment follows production
   * (in the worst view: any environment), by `envParity.align.follow`.
   */
  private async following(
    scope: string,
    filter: ReportFilter | undefined,
    tracked: number,
  ): Promise<ScorecardFollowing> {
    const follow = this.deps.following!;
    const environments = Object.keys(follow.environments).filter(
      name => scope === SCORECARD_WORST_ENVIRONMENT || name === scope,
    );
    const selections = environments.map(e => follow.environments[e].entities);
    if (!filter || !environments.length) {
      return { services: 0, environments };
    }
    if (selections.some(s => !s)) {
      // every service alignment acts on
      return { services: tracked, environments };
    }
    const refs = selections.flatMap(s => [...s!]);
    return {
      services: await this.deps.store.countEntities(filter, refs),
      environments,
    };
  }

  /** Figures per owner, worst average score first. */
  async getTeams(
    filter: ScorecardFilter,
    credentials: BackstageCredentials,
  ): Promise<TeamRollup> {
    const { scope } = await this.scope(filter.environment);
    const prepared = await this.prepare(filter, credentials, scope);
    if (!prepared) {
      return { items: [], totalsMayIncludeHidden: false };
    }
    const now = this.clock();
    const teams = await this.deps.store.teams(prepared.filter);
    const items = teams
      .map(t => ({
        ...(t.owner && { owner: t.owner }),
        tracked: t.tracked,
        inParity: t.inParity,
        unknown: t.unknown,
        ...(t.tracked > t.unknown && {
          inParityShare: t.inParity / (t.tracked - t.unknown),
        }),
        ...(t.averageScore !== undefined && {
          averageScore: Math.round(t.averageScore * 10) / 10,
        }),
        verdicts: t.verdicts,
        ...(t.oldestDriftSince && {
          maxDriftAgeDays: Math.max(
            0,
            Math.floor((now.getTime() - t.oldestDriftSince.getTime()) / DAY_MS),
          ),
        }),
      }))
      .sort(
        (a, b) =>
          // unknown is not bad parity: owners without a known verdict last
          Number(a.averageScore === undefined) -
            Number(b.averageScore === undefined) ||
          (a.averageScore ?? 0) - (b.averageScore ?? 0) ||
          // services without an owner last
          Number(!a.owner) - Number(!b.owner) ||
          (a.owner ?? '').localeCompare(b.owner ?? ''),
      );
    return { items, totalsMayIncludeHidden: !prepared.exact };
  }

  /** The daily history of the last `days` UTC days, today included. */
  async getTrend(
    options: { owner?: string; days?: number; environment?: string },
    credentials: BackstageCredentials,
  ): Promise<ScorecardTrend> {
    const { scope } = await this.scope(options.environment);
    const days = options.days ?? SCORECARD_DEFAULT_TREND_DAYS;
    const now = this.clock();
    const to = utcDay(now);
    const from = utcDay(new Date(now.getTime() - (days - 1) * DAY_MS));
    const visibility = await resolveVisibility(
      this.deps.permissions,
      credentials,
    );
    const base = {
      ...(options.owner && { owner: options.owner }),
      environment: scope,
      from,
      to,
    };
    if (visibility.type === 'none') {
      return { ...base, items: [], totalsMayIncludeHidden: false };
    }
    const rows = await this.deps.store.trend(scope, options.owner ?? '', from);
    return {
      ...base,
      items: rows.map(r => ({
        day: r.day,
        tracked: r.tracked,
        inParity: r.inParity,
        unknown: r.unknown,
        ...(r.tracked > r.unknown && {
          inParityShare: r.inParity / (r.tracked - r.unknown),
        }),
        ...(r.medianScore !== null && { medianScore: r.medianScore }),
        ...(r.medianDriftAgeDays !== null && {
          medianDriftAgeDays: r.medianDriftAgeDays,
        }),
        behind: r.behind,
        tagMismatch: r.tagMismatch,
      })),
      totalsMayIncludeHidden: visibility.type !== 'all',
    };
  }
}

function names(environments: EnvironmentDefinition[]): string {
  return environments.map(e => e.name).join(', ');
}
