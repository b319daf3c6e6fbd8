import {
  BackstageCredentials,
  LoggerService,
  PermissionsService,
  readSchedulerServiceTaskScheduleDefinitionFromConfig,
  SchedulerServiceTaskScheduleDefinition,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { Config, readDurationFromConfig } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { durationToMilliseconds } from '@backstage/types';
import {
  computeParityReport,
  EnvironmentDefinition,
  referenceEnvironment,
  RevisionComparison,
  sameRevision,
  ScorecardFilter,
  ScorecardPage,
  ScorecardQuery,
  ScorecardRow,
  ScorecardSummary,
  ScorecardTrend,
  SCORECARD_DEFAULT_PAGE_SIZE,
  SCORECARD_DEFAULT_TREND_DAYS,
  Snapshot,
  TeamRollup,
  Verdict,
} from '@env-parity/plugin-env-parity-common';
import { ignorePatternsFor, readIgnoreConfig } from '../configDrift';
import {
  DeploymentProvider,
  RevisionComparer,
} from '@env-parity/plugin-env-parity-node';
import pLimit from 'p-limit';
import { EnvironmentRegistry } from '../environments';
import {
  EntityReport,
  ReportFilter,
  ScorecardStore,
  StoredReport,
} from './ScorecardStore';
import { Predicate, resolveVisibility } from './visibility';

const DAY_MS = 86_400_000;

/** See `envParity.scorecard` in config.d.ts. */
export interface ScorecardOptions {
  /** The tracked environment; default: the one right before the reference. */
  environment?: string;
  historyRetentionDays: number;
  schedule: SchedulerServiceTaskScheduleDefinition;
  /** `envParity.config.ignore`. */
  ignoreConfig?: string[];
}

export function readScorecardOptions(config: Config): ScorecardOptions {
  const c = config.getOptionalConfig('envParity.scorecard');
  const retentionMs = c?.has('historyRetention')
    ? durationToMilliseconds(
        readDurationFromConfig(c, { key: 'historyRetention' }),
      )
    : 400 * DAY_MS;
  return {
    ignoreConfig: readIgnoreConfig(config),
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

/**
 * What the collector calls to keep the scorecard current; implemented by
 * {@link ScorecardService}.
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

/** The tracked environment and the reference it is compared with. */
export function trackedPair(
  environments: EnvironmentDefinition[],
  configured?: string,
):
  | { reference: EnvironmentDefinition; compared: EnvironmentDefinition }
  | undefined {
  const reference = referenceEnvironment(environments);
  if (!reference) {
    return undefined;
  }
  const others = environments.filter(e => e.name !== reference.name);
  const index = environments.findIndex(e => e.name === reference.name);
  const compared =
    others.find(e => e.name === configured) ??
    (index > 0 ? environments[index - 1] : others[0]);
  return compared ? { reference, compared } : undefined;
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

/** An owner or system given by a user: a bare name means the default namespace. */
export function normaliseRef(value: string, defaultKind: string): string {
  return stringifyEntityRef(
    parseEntityRef(value.trim(), { defaultKind, defaultNamespace: 'default' }),
  ).toLocaleLowerCase('en-US');
}

function clip(value: string | undefined, length: number): string | null {
  return value ? value.slice(0, length) : null;
}

function time(d: Date | null | undefined): number | null {
  return d ? d.getTime() : null;
}

function latest(times: (string | undefined)[]): Date | undefined {
  const ms = times
    .filter((t): t is string => Boolean(t))
    .map(t => Date.parse(t))
    .filter(t => !Number.isNaN(t));
  return ms.length ? new Date(Math.max(...ms)) : undefined;
}

const COMPARED_FIELDS: (keyof EntityReport)[] = [
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
  'observationFailed',
];

/** Whether a recomputed row differs from the stored one. */
function changed(
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

function comparisonFromStored(
  report: EntityReport,
): RevisionComparison | undefined {
  const status = report.revisionStatus;
  if (
    status === 'identical' ||
    status === 'ahead' ||
    status === 'behind' ||
    status === 'diverged'
  ) {
    return {
      status,
      aheadBy: report.commitsAhead ?? 0,
      behindBy: report.commitsBehind ?? 0,
    };
  }
  return undefined;
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/**
 * The catalog-wide drift scorecard: keeps one row per tracked entity current
 * as the collector applies batches, records daily aggregates, and answers
 * the scorecard's queries with SQL over those rows, filtered by what the
 * catalog lets the caller see.
 */
export class ScorecardService implements ScorecardUpdater {
  private readonly precedence: Record<string, number>;
  private readonly compareLimit: ReturnType<typeof pLimit>;
  private readonly clock: () => Date;
  private warnedAbout?: string;

  constructor(
    private readonly deps: {
      store: ScorecardStore;
      environments: EnvironmentRegistry;
      catalog: CatalogService;
      permissions: PermissionsService;
      userInfo: UserInfoService;
      providers: DeploymentProvider[];
      comparers: RevisionComparer[];
      logger: LoggerService;
      options: ScorecardOptions;
      clock?: () => Date;
      /** Revision comparisons at once; default 10. */
      comparerConcurrency?: number;
      /** How long one revision comparison may take; default 30 s. */
      comparerTimeoutMs?: number;
    },
  ) {
    this.precedence = Object.fromEntries(
      deps.providers.map(p => [p.getProviderName(), p.precedence ?? 0]),
    );
    this.compareLimit = pLimit(deps.comparerConcurrency ?? 10);
    this.clock = deps.clock ?? (() => new Date());
  }

  private pair(environments: EnvironmentDefinition[]) {
    const configured = this.deps.options.environment;
    const pair = trackedPair(environments, configured);
    if (
      configured &&
      pair?.compared.name !== configured &&
      this.warnedAbout !== configured
    ) {
      this.warnedAbout = configured;
      this.deps.logger.warn(
        `envParity.scorecard.environment "${configured}" is not a configured non-reference environment; tracking ${
          pair?.compared.name ?? 'nothing'
        } instead`,
      );
    }
    return pair;
  }

  // ---------------------------------------------------------------- writes

  async updateEntities(
    entities: Entity[],
    snapshots: Snapshot[],
    environments: EnvironmentDefinition[],
    options?: { touch?: boolean },
  ): Promise<{ written: number }> {
    const pair = this.pair(environments);
    if (!pair || entities.length === 0) {
      return { written: 0 };
    }
    const now = this.clock();
    const touch = options?.touch ?? false;
    const refs = entities.map(e => stringifyEntityRef(e));
    const stored = await this.deps.store.getReports(refs);
    const byEntity = new Map<string, Snapshot[]>();
    for (const s of snapshots) {
      byEntity.set(s.entityRef, [...(byEntity.get(s.entityRef) ?? []), s]);
    }
    const pairEnvironments = [
      { ...pair.compared, reference: false },
      { ...pair.reference, reference: true },
    ];

    const next = await Promise.all(
      entities.map((entity, i) =>
        this.computeReport({
          entity,
          entityRef: refs[i],
          snapshots: byEntity.get(refs[i]) ?? [],
          environments: pairEnvironments,
          stored: stored.get(refs[i]),
          now,
        }),
      ),
    );
    const writes = next.filter(report => {
      const before = stored.get(report.entityRef);
      return !before || changed(before, report, touch);
    });
    await this.deps.store.upsertReports(writes);
    return { written: writes.length };
  }

  async removeEntitiesExcept(keep: Set<string>): Promise<number> {
    return this.deps.store.deleteReportsExcept(keep);
  }

  private async computeReport(input: {
    entity: Entity;
    entityRef: string;
    snapshots: Snapshot[];
    environments: EnvironmentDefinition[];
    stored?: EntityReport;
    now: Date;
  }): Promise<EntityReport> {
    const { entity, entityRef, snapshots, environments, stored, now } = input;
    const parityInput = {
      entityRef,
      environments,
      snapshots,
      providerPrecedence: this.precedence,
      ignoreConfig: ignorePatternsFor(this.deps.options.ignoreConfig, entity),
      now,
    };
    let report = computeParityReport(parityInput);
    const [cmpEnv, refEnv] = report.environments;
    const base = refEnv.deployment?.revision;
    const head = cmpEnv.deployment?.revision;

    // A revision pair's comparison never changes: ask a comparer only for a
    // pair not seen before, and reuse the stored answer otherwise.
    let revisionStatus: string | null = null;
    let comparison: RevisionComparison | undefined;
    if (base && head && !sameRevision(base, head)) {
      const samePair =
        stored?.referenceRevision === clip(base, 64) &&
        stored?.comparedRevision === clip(head, 64);
      if (samePair && stored?.revisionStatus) {
        revisionStatus = stored.revisionStatus;
        comparison = comparisonFromStored(stored);
      } else {
        const comparer = this.deps.comparers.find(c => c.supports(entity));
        if (comparer) {
          const answer = await this.compare(comparer, entity, base, head);
          if (answer !== null) {
            revisionStatus = answer?.status ?? 'none';
            comparison = answer;
          }
        }
      }
      if (comparison) {
        report = computeParityReport({
          ...parityInput,
          revisionComparisons: { [cmpEnv.name]: comparison },
        });
      }
    }
    const result = report.comparisons[0];
    const verdict: Verdict = result?.verdict ?? 'unknown';
    const usesRevision =
      verdict === 'ahead' || verdict === 'behind' || verdict === 'diverged';

    const pairSnapshots = snapshots.filter(
      s =>
        s.deployment &&
        (s.environment === cmpEnv.name || s.environment === refEnv.name),
    );
    let driftSince: Date | null = null;
    if (verdict !== 'in-sync' && verdict !== 'unknown') {
      const lastChange = latest(pairSnapshots.map(s => s.changedAt));
      const deployed =
        cmpEnv.deployment?.deployedAt && refEnv.deployment?.deployedAt
          ? latest([cmpEnv.deployment.deployedAt, refEnv.deployment.deployedAt])
          : undefined;
      if (stored?.driftSince) {
        driftSince = stored.driftSince;
      } else if (stored?.verdict === 'in-sync') {
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

    const observed = [cmpEnv.observedAt, refEnv.observedAt]
      .filter((t): t is string => Boolean(t))
      .map(t => Date.parse(t));
    const failed = (status: string) => status === 'error' || status === 'stale';

    const namespace = (
      entity.metadata.namespace ?? 'default'
    ).toLocaleLowerCase('en-US');
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
      referenceEnvironment: refEnv.name,
      referenceVersion: clip(refEnv.deployment?.version, 255),
      referenceRevision: clip(base, 64),
      comparedEnvironment: cmpEnv.name,
      comparedVersion: clip(cmpEnv.deployment?.version, 255),
      comparedRevision: clip(head, 64),
      revisionStatus,
      commitsAhead: usesRevision ? comparison?.aheadBy ?? null : null,
      commitsBehind: usesRevision ? comparison?.behindBy ?? null : null,
      verdict,
      score: result?.score ?? 0,
      driftSince,
      observationFailed: failed(cmpEnv.status) || failed(refEnv.status),
      observedAt: observed.length ? new Date(Math.min(...observed)) : null,
      updatedAt: now,
    };
  }

  /** A comparison, undefined when the comparer cannot tell, null on failure. */
  private async compare(
    comparer: RevisionComparer,
    entity: Entity,
    base: string,
    head: string,
  ): Promise<RevisionComparison | undefined | null> {
    const timeoutMs = this.deps.comparerTimeoutMs ?? 30_000;
    return this.compareLimit(async () => {
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          comparer.compare({ entity, base, head, signal: controller.signal }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              controller.abort();
              reject(new Error(`timed out after ${timeoutMs} ms`));
            }, timeoutMs);
          }),
        ]);
      } catch (error) {
        this.deps.logger.warn(
          `Comparing ${base}...${head} of ${stringifyEntityRef(
            entity,
          )} with ${comparer.getComparerName()} failed: ${error}`,
        );
        return null;
      } finally {
        clearTimeout(timer);
      }
    });
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
    const result = await this.deps.store.recordDaily({ day, now, keepFrom });
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
    const prepared = await this.prepare(query, credentials);
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
    const runStart = await this.deps.store.latestRunStart();
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
    const prepared = await this.prepare(query, credentials);
    if (!prepared) {
      return;
    }
    const runStart = await this.deps.store.latestRunStart();
    const now = this.clock();
    for await (const rows of this.deps.store.streamRows({
      filter: prepared.filter,
      certain: prepared.certain,
      sort: { field: query.sort ?? 'score', order: query.order ?? 'asc' },
      runStart,
    })) {
      const visible = await this.checkWithCatalog(rows, credentials);
      yield visible.map(r => this.toRow(r, now, runStart));
    }
  }

  /** The summary tiles over the filtered rows. */
  async getSummary(
    filter: ScorecardFilter,
    credentials: BackstageCredentials,
  ): Promise<ScorecardSummary> {
    const [prepared, environments] = await Promise.all([
      this.prepare(filter, credentials),
      this.deps.environments.list(),
    ]);
    const pair = this.pair(environments);
    const now = this.clock();
    const figures = prepared
      ? await this.deps.store.summary(prepared.filter)
      : await this.deps.store.summary({ kind: [] });
    const { medianDriftSince, ...rest } = figures;
    return {
      referenceEnvironment: pair?.reference.name ?? '',
      comparedEnvironment: pair?.compared.name ?? '',
      ...rest,
      ...(figures.tracked > 0 && {
        inParityShare: figures.inParity / figures.tracked,
      }),
      ...(medianDriftSince && {
        medianDriftAgeDays:
          Math.round(
            (Math.max(0, now.getTime() - medianDriftSince.getTime()) / DAY_MS) *
              10,
          ) / 10,
      }),
      totalsMayIncludeHidden: prepared ? !prepared.exact : false,
      generatedAt: now.toISOString(),
    };
  }

  /** Figures per owner, worst average score first. */
  async getTeams(
    filter: ScorecardFilter,
    credentials: BackstageCredentials,
  ): Promise<TeamRollup> {
    const prepared = await this.prepare(filter, credentials);
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
        inParityShare: t.tracked ? t.inParity / t.tracked : 0,
        averageScore: Math.round(t.averageScore * 10) / 10,
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
          a.averageScore - b.averageScore ||
          // services without an owner last
          Number(!a.owner) - Number(!b.owner) ||
          (a.owner ?? '').localeCompare(b.owner ?? ''),
      );
    return { items, totalsMayIncludeHidden: !prepared.exact };
  }

  /** The daily history of the last `days` UTC days, today included. */
  async getTrend(
    options: { owner?: string; days?: number },
    credentials: BackstageCredentials,
  ): Promise<ScorecardTrend> {
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
      from,
      to,
    };
    if (visibility.type === 'none') {
      return { ...base, items: [], totalsMayIncludeHidden: false };
    }
    const rows = await this.deps.store.trend(options.owner ?? '', from);
    return {
      ...base,
      items: rows.map(r => ({
        day: r.day,
        tracked: r.tracked,
        inParity: r.inParity,
        ...(r.tracked > 0 && { inParityShare: r.inParity / r.tracked }),
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
