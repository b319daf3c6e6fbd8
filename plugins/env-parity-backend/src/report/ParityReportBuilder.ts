import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Config, readDurationFromConfig } from '@backstage/config';
import { durationToMilliseconds } from '@backstage/types';
import {
  computeParityReport,
  EnvironmentDefinition,
  mergeEnvironment,
  ParityReport,
  referenceEnvironment,
  RevisionComparison,
  sameRevision,
  Snapshot,
} from '@env-parity/plugin-env-parity-common';
import {
  DeploymentProvider,
  RevisionComparer,
} from '@env-parity/plugin-env-parity-node';
import pLimit from 'p-limit';
import { ignorePatternsFor, readIgnoreConfig } from '../configDrift';

const HOUR_MS = 60 * 60 * 1000;

/**
 * What a revision comparer said about one revision pair: a comparison,
 * `none` when it could not tell, or undefined when none was asked or the
 * question failed (ask again next time).
 */
export type RevisionAnswer = RevisionComparison | 'none' | undefined;

/** The revision pair of one non-reference environment and its answer. */
export interface EnvironmentRevisions {
  /** The reference's revision. */
  base: string;
  /** The environment's revision. */
  head: string;
  answer: RevisionAnswer;
}

/** A report and the revision answers it was computed with. */
export interface BuiltReport {
  /** With configuration hashes: strip them (`withoutHashes`) before it leaves the backend. */
  report: ParityReport;
  /** Per non-reference environment whose revision differs from the reference's. */
  revisions: Record<string, EnvironmentRevisions>;
}

/** Options of {@link ParityReportBuilder}. */
export interface ParityReportBuilderOptions {
  providers: DeploymentProvider[];
  comparers: RevisionComparer[];
  logger: LoggerService;
  /** `envParity.staleAfter`: a successful observation older than this is stale. */
  staleAfterMs?: number;
  /** `envParity.config.ignore`. */
  ignoreConfig?: string[];
  /** Revision comparisons at once; default 10. */
  comparerConcurrency?: number;
  /** How long one revision comparison may take; default 30 s. */
  comparerTimeoutMs?: number;
}

/**
 * The one report path: builds an entity's `ParityInput` from its snapshots
 * (provider precedence, `staleAfter`, ignored configuration keys), asks a
 * revision comparer about each environment whose revision differs from the
 * reference's, and computes the report once. Used by the Parity tab and by
 * the scorecard writer, so both see the same verdicts.
 */
export class ParityReportBuilder {
  private readonly precedence: Record<string, number>;
  private readonly limit: ReturnType<typeof pLimit>;

  /**
   * A builder with `envParity.staleAfter` (default one hour) and
   * `envParity.config.ignore` from the configuration.
   */
  static fromConfig(
    config: Config,
    options: Pick<
      ParityReportBuilderOptions,
      'providers' | 'comparers' | 'logger'
    >,
  ): ParityReportBuilder {
    return new ParityReportBuilder({
      ...options,
      staleAfterMs: config.has('envParity.staleAfter')
        ? durationToMilliseconds(
            readDurationFromConfig(config, { key: 'envParity.staleAfter' }),
          )
        : HOUR_MS,
      ignoreConfig: readIgnoreConfig(config),
    });
  }

  constructor(private readonly options: ParityReportBuilderOptions) {
    this.precedence = Object.fromEntries(
      options.providers.map(p => [p.getProviderName(), p.precedence ?? 0]),
    );
    this.limit = pLimit(options.comparerConcurrency ?? 10);
  }

  /**
   * Builds the report of one entity.
   *
   * @param known - answers already known for a revision pair (e.g. stored
   *   with the scorecard: a pair's comparison never changes); a comparer is
   *   asked only where this returns undefined.
   */
  async build(request: {
    entity: Entity;
    snapshots: Snapshot[];
    environments: EnvironmentDefinition[];
    now?: Date;
    known?: (environment: string, base: string, head: string) => RevisionAnswer;
    /** Configuration keys left out besides the configured ones (glob patterns). */
    ignoreConfig?: string[];
  }): Promise<BuiltReport> {
    const { entity, snapshots, environments } = request;
    const now = request.now ?? new Date();
    const entityRef = stringifyEntityRef(entity);
    const mergeOptions = {
      providerPrecedence: this.precedence,
      staleAfterMs: this.options.staleAfterMs,
      now,
    };
    const reference = referenceEnvironment(environments);
    const revisionOf = (definition: EnvironmentDefinition) =>
      mergeEnvironment(
        { ...definition, reference: definition.name === reference?.name },
        snapshots.filter(s => s.environment === definition.name),
        mergeOptions,
      ).deployment?.revision;

    // The revisions the report will show, merged as computeParityReport
    // merges them, so the comparisons are asked before computing once.
    const revisions: Record<string, EnvironmentRevisions> = {};
    const base = reference ? revisionOf(reference) : undefined;
    if (reference && base) {
      const comparer = this.options.comparers.find(c => c.supports(entity));
      await Promise.all(
        environments
          .filter(e => e.name !== reference.name)
          .map(async env => {
            const head = revisionOf(env);
            if (!head || sameRevision(head, base)) {
              return;
            }
            let answer = request.known?.(env.name, base, head);
            if (answer === undefined && comparer) {
              answer = await this.compare(comparer, entity, base, head);
            }
            revisions[env.name] = { base, head, answer };
          }),
      );
    }
    const revisionComparisons = Object.fromEntries(
      Object.entries(revisions).flatMap(([name, r]) =>
        r.answer && r.answer !== 'none' ? [[name, r.answer]] : [],
      ),
    );
    const report = computeParityReport({
      entityRef,
      environments,
      snapshots,
      ...mergeOptions,
      ignoreConfig: [
        ...ignorePatternsFor(this.options.ignoreConfig, entity),
        ...(request.ignoreConfig ?? []),
      ],
      ...(Object.keys(revisionComparisons).length && { revisionComparisons }),
    });
    return { report, revisions };
  }

  /** A comparison, `none` when the comparer cannot tell, undefined on failure. */
  private async compare(
    comparer: RevisionComparer,
    entity: Entity,
    base: string,
    head: string,
  ): Promise<RevisionAnswer> {
    const timeoutMs = this.options.comparerTimeoutMs ?? 30_000;
    return this.limit(async () => {
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      try {
        const answer = await Promise.race([
          comparer.compare({ entity, base, head, signal: controller.signal }),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              controller.abort();
              reject(new Error(`timed out after ${timeoutMs} ms`));
            }, timeoutMs);
          }),
        ]);
        return answer ?? 'none';
      } catch (error) {
        this.options.logger.warn(
          `Comparing ${base}...${head} of ${stringifyEntityRef(
            entity,
          )} with ${comparer.getComparerName()} failed: ${error}`,
        );
        return undefined;
      } finally {
        clearTimeout(timer);
      }
    });
  }
}
