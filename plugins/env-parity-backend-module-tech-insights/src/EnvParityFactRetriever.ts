import {
  FactRetriever,
  FactRetrieverContext,
  TechInsightFact,
} from '@backstage-community/plugin-tech-insights-node';
import { ForwardedError, ResponseError } from '@backstage/errors';
import {
  SCORECARD_MAX_PAGE_SIZE,
  SCORECARD_WORST_ENVIRONMENT,
  ScorecardPage,
  ScorecardRow,
  scorecardQueryParams,
} from '@env-parity/plugin-env-parity-common';

/** The id of the env-parity fact retriever. @public */
export const ENV_PARITY_FACT_RETRIEVER_ID = 'envParityFactRetriever';

/**
 * Options of {@link createEnvParityFactRetriever}.
 *
 * @public
 */
export interface EnvParityFactRetrieverOptions {
  /**
   * Entity kinds to retrieve facts for, also used as the retriever's
   * `entityFilter`. Default `['component']`.
   */
  kinds?: string[];
  /**
   * Scorecard rows per request, 1 to 500. Default 500.
   */
  pageSize?: number;
  /**
   * Most scorecard pages read in one run, per view (the environment and
   * the worst environment); a run that reaches it logs a warning and
   * stores the facts read so far. Default 100.
   */
  maxPages?: number;
  /**
   * The non-reference environment the main facts are about. Default: the
   * scorecard's default environment (`envParity.scorecard.environment`,
   * else the one right before the reference, e.g. staging).
   */
  environment?: string;
}

/**
 * The facts of one entity.
 *
 * @public
 */
export type EnvParityFacts = {
  /** Absent when the verdict is unknown: unknown is not a score of 0. */
  parityScore?: number;
  parityVerdict: string;
  /** Why the verdict is unknown; see `ScorecardUnknownReason`. */
  parityUnknownReason?: string;
  inParity: boolean;
  driftAgeDays?: number;
  commitsBehind?: number;
  commitsAhead?: number;
  comparedEnvironment: string;
  referenceEnvironment: string;
  referenceVersion?: string;
  comparedVersion?: string;
  worstEnvironment?: string;
  worstParityScore?: number;
  worstParityVerdict?: string;
  worstInParity?: boolean;
  worstDriftAgeDays?: number;
};

const schema: FactRetriever['schema'] = {
  parityScore: {
    type: 'integer',
    description:
      'Env parity score of the tracked environment (e.g. staging) against the reference environment (e.g. production): 0 (nothing alike) to 100 (in sync); absent when the verdict is unknown',
  },
  parityUnknownReason: {
    type: 'string',
    description:
      'Why the verdict is unknown: provider-error, reference-provider-error, not-deployed, reference-not-deployed, neither-deployed or not-comparable; absent when the verdict is known',
  },
  parityVerdict: {
    type: 'string',
    description:
      'Env parity verdict of the tracked environment against the reference: in-sync, config-drift, ahead, behind, diverged, tag-mismatch, different or unknown',
  },
  inParity: {
    type: 'boolean',
    description:
      'True when the tracked environment is in sync with the reference environment (verdict in-sync)',
  },
  driftAgeDays: {
    type: 'integer',
    description:
      'Whole days the tracked environment has differed from the reference; absent when in sync or unknown',
  },
  commitsBehind: {
    type: 'integer',
    description:
      'Commits the tracked environment is behind the reference; absent when no revision comparer could tell',
  },
  commitsAhead: {
    type: 'integer',
    description:
      'Commits the tracked environment is ahead of the reference; absent when no revision comparer could tell',
  },
  comparedEnvironment: {
    type: 'string',
    description:
      'Name of the tracked environment compared with the reference, e.g. staging',
  },
  referenceEnvironment: {
    type: 'string',
    description: 'Name of the reference environment, e.g. production',
  },
  referenceVersion: {
    type: 'string',
    description:
      'Version deployed to the reference environment; absent when unknown',
  },
  comparedVersion: {
    type: 'string',
    description:
      'Version deployed to the tracked environment; absent when unknown',
  },
  worstEnvironment: {
    type: 'string',
    description:
      "Name of the service's worst environment: the non-reference environment with the lowest score against the reference (ties: the one closest to it; unknown verdicts only when all are unknown)",
  },
  worstParityScore: {
    type: 'integer',
    description:
      'Env parity score of the worst environment against the reference: 0 to 100; absent when its verdict is unknown',
  },
  worstParityVerdict: {
    type: 'string',
    description:
      'Env parity verdict of the worst environment against the reference',
  },
  worstInParity: {
    type: 'boolean',
    description:
      'True when every environment with a known verdict is in sync with the reference (the worst one is in-sync)',
  },
  worstDriftAgeDays: {
    type: 'integer',
    description:
      'Whole days the worst environment has differed from the reference; absent when in sync or unknown',
  },
};

/** The facts of one scorecard row; unknown values are left out. */
export function scorecardRowToFacts(row: ScorecardRow): EnvParityFacts {
  const facts: EnvParityFacts = {
    // unknown is not bad parity: no score, so no check fails on a 0
    ...(row.verdict !== 'unknown' && { parityScore: Math.round(row.score) }),
    parityVerdict: row.verdict,
    ...(row.unknownReason && { parityUnknownReason: row.unknownReason }),
    inParity: row.verdict === 'in-sync',
    comparedEnvironment: row.comparedEnvironment,
    referenceEnvironment: row.referenceEnvironment,
  };
  if (typeof row.driftAgeDays === 'number') {
    facts.driftAgeDays = row.driftAgeDays;
  }
  if (typeof row.commitsBehind === 'number') {
    facts.commitsBehind = row.commitsBehind;
  }
  if (typeof row.commitsAhead === 'number') {
    facts.commitsAhead = row.commitsAhead;
  }
  if (row.referenceVersion !== undefined && row.referenceVersion !== null) {
    facts.referenceVersion = row.referenceVersion;
  }
  if (row.comparedVersion !== undefined && row.comparedVersion !== null) {
    facts.comparedVersion = row.comparedVersion;
  }
  return facts;
}

/** The worst-environment facts of a row of the `worst` view. */
export function worstRowToFacts(row: ScorecardRow): Partial<EnvParityFacts> {
  return {
    worstEnvironment: row.comparedEnvironment,
    ...(row.verdict !== 'unknown' && {
      worstParityScore: Math.round(row.score),
    }),
    worstParityVerdict: row.verdict,
    worstInParity: row.verdict === 'in-sync',
    ...(typeof row.driftAgeDays === 'number' && {
      worstDriftAgeDays: row.driftAgeDays,
    }),
  };
}

function boundedInteger(
  name: string,
  value: number | undefined,
  fallback: number,
  max: number,
): number {
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(
      `${name} of the env-parity fact retriever must be a whole number from 1 to ${max}, got ${value}`,
    );
  }
  return value;
}

/**
 * A Tech Insights fact retriever for the env-parity scorecard: per entity,
 * the parity score, verdict, drift age and commits behind/ahead of the
 * tracked environment (e.g. staging) against the reference (production).
 *
 * It reads `GET /api/env-parity/scorecard` page by page with the service
 * credentials of the tech-insights plugin.
 *
 * @public
 */
export function createEnvParityFactRetriever(
  options: EnvParityFactRetrieverOptions = {},
): FactRetriever {
  const kinds = (options.kinds ?? ['component']).map(k => k.toLowerCase());
  if (kinds.length === 0) {
    throw new Error(
      'kinds of the env-parity fact retriever must name at least one entity kind',
    );
  }
  const pageSize = boundedInteger(
    'pageSize',
    options.pageSize,
    SCORECARD_MAX_PAGE_SIZE,
    SCORECARD_MAX_PAGE_SIZE,
  );
  const maxPages = boundedInteger(
    'maxPages',
    options.maxPages,
    100,
    Number.MAX_SAFE_INTEGER,
  );

  return {
    id: ENV_PARITY_FACT_RETRIEVER_ID,
    version: '0.3.0',
    title: 'Environment parity',
    description:
      'Parity score, verdict, drift age and commits behind of the tracked environment (e.g. staging) against the reference environment (e.g. production), and the worst environment of each service, from the env-parity scorecard',
    entityFilter: [{ kind: kinds }],
    schema,
    async handler(ctx: FactRetrieverContext): Promise<TechInsightFact[]> {
      const baseUrl = await ctx.discovery.getBaseUrl('env-parity');
      const { token } = await ctx.auth.getPluginRequestToken({
        onBehalfOf: await ctx.auth.getOwnServiceCredentials(),
        targetPluginId: 'env-parity',
      });

      /** Every row of one view of the scorecard, by entity ref. */
      const readView = async (environment?: string) => {
        const rows = new Map<string, ScorecardRow>();
        let totalCount = 0;
        let page = 1;
        for (; page <= maxPages; page++) {
          // Sorted by name (ties by entity ref): stable while rows change.
          const query = scorecardQueryParams({
            kind: kinds,
            sort: 'name',
            order: 'asc',
            page,
            pageSize,
            ...(environment && { environment }),
          });
          const body = await fetchPage(`${baseUrl}/scorecard?${query}`, token);
          for (const row of body.items) {
            rows.set(row.entityRef, row);
          }
          totalCount = body.totalCount;
          // A page may hold fewer than pageSize rows when some are hidden
          // from the caller, so only the total tells when to stop.
          if (body.items.length === 0 || page * pageSize >= totalCount) {
            break;
          }
        }
        if (page > maxPages) {
          ctx.logger.warn(
            `Read ${maxPages} pages of the env-parity scorecard${
              environment ? ` (${environment})` : ''
            } (${
              rows.size
            } of ${totalCount} services) and stopped; raise maxPages of the env-parity fact retriever to read more`,
          );
        }
        return rows;
      };

      const tracked = await readView(options.environment);
      const worst = await readView(SCORECARD_WORST_ENVIRONMENT);
      const facts: TechInsightFact[] = [...tracked.values()].map(row => {
        const worstRow = worst.get(row.entityRef);
        return {
          entity: { kind: row.kind, namespace: row.namespace, name: row.name },
          facts: {
            ...scorecardRowToFacts(row),
            ...(worstRow && worstRowToFacts(worstRow)),
          },
        };
      });
      ctx.logger.info(
        `Retrieved env-parity facts for ${facts.length} entities`,
      );
      return facts;
    },
  };
}

async function fetchPage(url: string, token: string): Promise<ScorecardPage> {
  let response: Response;
  try {
    response = await fetch(url, {
      headers: {
        Authorization: `Bearer ${token}`,
        Accept: 'application/json',
      },
    });
  } catch (error) {
    throw new ForwardedError(
      `Could not reach the env-parity scorecard at ${url}`,
      error,
    );
  }
  if (!response.ok) {
    const error = await ResponseError.fromResponse(response);
    throw new ForwardedError(
      `The env-parity scorecard request ${url} failed with ${error.statusCode} ${error.statusText}`,
      error.cause,
    );
  }
  let body: ScorecardPage;
  try {
    body = (await response.json()) as ScorecardPage;
  } catch (error) {
    throw new ForwardedError(
      `The env-parity scorecard at ${url} did not answer with JSON`,
      error,
    );
  }
  if (!Array.isArray(body?.items)) {
    throw new Error(
      `The env-parity scorecard at ${url} answered without items`,
    );
  }
  return body;
}
