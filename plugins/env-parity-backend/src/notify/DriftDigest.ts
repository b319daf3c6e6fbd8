import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  EnvironmentDefinition,
  scorecardQueryParams,
  Verdict,
  VERDICTS,
} from '@env-parity/plugin-env-parity-common';
import { scorecardEnvironments } from '../scorecard/rows';
import { ScorecardStore } from '../scorecard';
import { DigestOptions, NOTIFY_ANNOTATION } from './config';
import { DigestStore } from './DigestStore';
import { drifting, driftAgeDays } from './rules';

/** Services listed in a digest's text; the scorecard link shows them all. */
const LISTED = 20;

/** The verdicts of a pre-production that no longer represents production. */
const DRIFT_VERDICTS = VERDICTS.filter(v => v !== 'in-sync' && v !== 'unknown');

/** One drifting service in a team's digest. */
export interface DigestEntry {
  entityRef: string;
  /** The entity's title, or its name. */
  service: string;
  verdict: Verdict;
  driftSince: Date;
  /** Whole days since the drift started. */
  ageDays: number;
}

/** A team's digest: its drifting services, oldest drift first. */
export interface TeamDigest {
  /** The owning team, a full entity ref as the scorecard keeps it. */
  owner: string;
  entries: DigestEntry[];
}

function plural(n: number, one: string, many: string) {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * "A weekly digest per team": each owning team is sent one notification
 * listing its services whose environment (by default the one right before
 * the reference, as the scorecard) differs from the reference, oldest drift
 * first, linking the scorecard filtered to the team. Nothing for a team
 * without drift, nothing of services that opt out (`env-parity/notify:
 * none`), and one digest per team per period, claimed in `DigestStore`,
 * however many replicas run the task.
 */
export class DriftDigest {
  private readonly clock: () => Date;

  constructor(
    private readonly deps: {
      scorecard: Pick<ScorecardStore, 'streamRows'>;
      store: DigestStore;
      notifications: NotificationService;
      catalog: CatalogService;
      auth: AuthService;
      environments: { list(): Promise<EnvironmentDefinition[]> };
      logger: LoggerService;
      options: DigestOptions;
      /** `envParity.scorecard.environment`, the default of the digest's. */
      scorecardEnvironment?: string;
      clock?: () => Date;
    },
  ) {
    this.clock = deps.clock ?? (() => new Date());
  }

  /** The environment reported and its reference; undefined when none is configured. */
  async environment(): Promise<
    | { compared: EnvironmentDefinition; reference: EnvironmentDefinition }
    | undefined
  > {
    const wanted =
      this.deps.options.environment ?? this.deps.scorecardEnvironment;
    const set = scorecardEnvironments(
      await this.deps.environments.list(),
      wanted,
    );
    if (!set) {
      return undefined;
    }
    if (set.misconfigured) {
      this.deps.logger.warn(
        `The drift digest's environment "${set.misconfigured}" is not a configured non-reference environment; reporting ${set.defaultEnvironment.name} instead`,
      );
    }
    return { compared: set.defaultEnvironment, reference: set.reference };
  }

  /** Services that opt out, as lowercase entity refs. */
  private async optedOutRefs(): Promise<Set<string>> {
    const { items } = await this.deps.catalog.getEntities(
      {
        filter: { [`metadata.annotations.${NOTIFY_ANNOTATION}`]: 'none' },
        fields: ['kind', 'metadata.namespace', 'metadata.name'],
      },
      { credentials: await this.deps.auth.getOwnServiceCredentials() },
    );
    return new Set(
      items.map(e => stringifyEntityRef(e).toLocaleLowerCase('en-US')),
    );
  }

  /** Every team's digest now, teams without drift left out. */
  async digests(environment: string): Promise<TeamDigest[]> {
    const now = this.clock();
    const optedOut = await this.optedOutRefs();
    const byOwner = new Map<string, DigestEntry[]>();
    // oldest drift first: the scorecard's order by drift age, longest first
    for await (const rows of this.deps.scorecard.streamRows({
      filter: { scope: environment, verdict: DRIFT_VERDICTS },
      sort: { field: 'driftAge', order: 'desc' },
    })) {
      for (const row of rows) {
        if (
          !row.owner ||
          !drifting(row) ||
          optedOut.has(row.entityRef.toLocaleLowerCase('en-US'))
        ) {
          continue;
        }
        const entries = byOwner.get(row.owner) ?? [];
        entries.push({
          entityRef: row.entityRef,
          service: row.title ?? row.name,
          verdict: row.verdict,
          driftSince: row.driftSince,
          ageDays: driftAgeDays(row.driftSince, now),
        });
        byOwner.set(row.owner, entries);
      }
    }
    return [...byOwner]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([owner, entries]) => ({ owner, entries }));
  }

  /** Sends each team with drift its digest, unless it had one this period. */
  async run(): Promise<{ sent: number }> {
    const environments = await this.environment();
    if (!environments) {
      return { sent: 0 };
    }
    const { compared, reference } = environments;
    let sent = 0;
    for (const digest of await this.digests(compared.name)) {
      const claimed = await this.deps.store.claim({
        recipient: digest.owner,
        services: digest.entries.length,
        now: this.clock(),
        minimumGapMs: this.deps.options.minimumGapMs,
      });
      if (!claimed) {
        continue;
      }
      try {
        await this.deps.notifications.send({
          recipients: { type: 'entity', entityRef: digest.owner },
          payload: describeDigest(digest, compared, reference),
        });
        sent += 1;
      } catch (error) {
        this.deps.logger.warn(
          `Could not send ${digest.owner} its drift digest: ${error}`,
        );
      }
    }
    return { sent };
  }
}

/** The digest's notification, e.g. `team: 2 services' Staging no longer represents Production`. */
export function describeDigest(
  digest: TeamDigest,
  compared: EnvironmentDefinition,
  reference: EnvironmentDefinition,
) {
  const team = parseEntityRef(digest.owner).name;
  const environment = compared.title || compared.name;
  const production = reference.title || reference.name;
  const count = digest.entries.length;
  const lines = digest.entries
    .slice(0, LISTED)
    .map(
      e =>
        `${e.service}: ${e.verdict}, drifting for ${plural(
          e.ageDays,
          'day',
          'days',
        )} (since ${e.driftSince.toISOString().slice(0, 10)})`,
    );
  if (count > LISTED) {
    lines.push(`and ${count - LISTED} more in the scorecard`);
  }
  const query = scorecardQueryParams({
    owner: [digest.owner],
    environment: compared.name,
    sort: 'driftAge',
    order: 'desc',
  });
  return {
    title: `${team}: ${plural(
      count,
      'service',
      'services',
    )} whose ${environment} no longer represents ${production}`,
    description: `${environment} differs from ${production}, oldest drift first:\n${lines.join(
      '\n',
    )}`,
    link: `/env-parity?${query}`,
    severity: 'normal' as const,
    topic: 'env-parity-digest',
    // this week's digest replaces last week's
    scope: `env-parity-digest:${digest.owner}`,
  };
}
