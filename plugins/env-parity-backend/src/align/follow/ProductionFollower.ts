import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { ConflictError } from '@backstage/errors';
import {
  AlignmentStatus,
  AlignmentTarget,
  alignmentStatuses,
  EnvironmentDefinition,
  isFinalAlignmentStatus,
  referenceEnvironment,
  Snapshot,
} from '@env-parity/plugin-env-parity-common';
import type {
  CollectionListener,
  CollectionRun,
  StoredBatch,
} from '../../collector';
import { logSafe } from '../../http';
import { ParityReportBuilder } from '../../report';
import type { AlignmentCaller, AlignmentService } from '../AlignmentService';
import { reportOf, runsTarget, targetKey, targetOf } from '../verification';
import { FollowOptions, followedEnvironments } from './config';
import {
  DatabaseFollowStore,
  followKey,
  FollowOutcome,
} from './DatabaseFollowStore';

const OPEN: AlignmentStatus[] = alignmentStatuses.filter(
  s => !isFinalAlignmentStatus(s),
);

/** Services named in one log line at most. */
const NAMED = 10;

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `1.4.3 (sha256:…)`, or the digest or revision alone. */
export function describeTarget(target: AlignmentTarget): string {
  const pinned = target.digest ?? target.revision;
  return target.version ? `${target.version} (${pinned})` : `${pinned}`;
}

/** The reason of an alignment following creates. */
export function followReason(
  reference: EnvironmentDefinition,
  target: AlignmentTarget,
): string {
  const name = reference.title ?? reference.name;
  return `${name.charAt(0).toLocaleUpperCase('en-US')}${name.slice(
    1,
  )} changed to ${describeTarget(target)}`;
}

/**
 * Following production (`envParity.align.follow`): after each batch a
 * collection stores, every followed environment of those services whose
 * production target (artifact digest, or revision where no digest is
 * known) is not the one last followed gets an alignment, requested by the
 * configured requester through {@link AlignmentService.create}, so with
 * the environment's approval rule and every policy check. Each production
 * change is followed once, whatever becomes of its alignment; only a
 * change of production's target triggers, so an alignment changing the
 * followed environment never triggers another. Skipped: an environment
 * already in sync (remembered as followed) and one with an open alignment
 * (tried again at the next collection). At most `maxPerCollection`
 * alignments per collection; the rest wait for the next one.
 */
export class ProductionFollower implements CollectionListener {
  private readonly now: () => Date;

  constructor(
    private readonly deps: {
      service: Pick<AlignmentService, 'create' | 'list'>;
      store: DatabaseFollowStore;
      builder: ParityReportBuilder;
      auth: AuthService;
      logger: LoggerService;
      options: FollowOptions;
      clock?: () => Date;
    },
  ) {
    this.now = deps.clock ?? (() => new Date());
  }

  collectionStarted(): CollectionRun {
    const budget = { left: this.deps.options.maxPerCollection };
    return {
      batchStored: batch => this.follow(batch, budget),
    };
  }

  /** Follows production for one stored batch, within the collection's budget. */
  async follow(batch: StoredBatch, budget: { left: number }): Promise<void> {
    const { options, store, logger } = this.deps;
    if (!options.enabled) {
      return;
    }
    const reference = referenceEnvironment(batch.environments);
    if (!reference) {
      return;
    }
    const known = new Set(batch.environments.map(e => e.name));
    const candidates: { entity: Entity; ref: string; envs: string[] }[] = [];
    for (const entity of batch.entities) {
      const ref = stringifyEntityRef(entity);
      const envs = followedEnvironments(options, ref).filter(
        e => e !== reference.name && known.has(e),
      );
      if (envs.length) {
        candidates.push({ entity, ref, envs });
      }
    }
    if (!candidates.length) {
      return;
    }
    const last = await store.lastFollowed(candidates.map(c => c.ref));
    const bySnapshot = new Map<string, Snapshot[]>();
    for (const s of batch.snapshots) {
      bySnapshot.set(s.entityRef, [...(bySnapshot.get(s.entityRef) ?? []), s]);
    }
    const waiting: string[] = [];
    for (const { entity, ref, envs } of candidates) {
      const report = await reportOf(this.deps.builder, {
        entity,
        snapshots: bySnapshot.get(ref) ?? [],
        environments: batch.environments,
      });
      const target = targetOf(
        report.environments.find(e => e.name === reference.name)?.deployment,
      );
      if (!target) {
        continue;
      }
      const key = targetKey(target);
      for (const environment of envs) {
        if (last.get(followKey(ref, environment))?.targetKey === key) {
          continue;
        }
        const remember = (
          outcome: FollowOutcome,
          extra: { alignmentId?: string; detail?: string } = {},
        ) =>
          store.record({
            entityRef: ref,
            environment,
            targetKey: key,
            target,
            outcome,
            ...extra,
            followedAt: this.now(),
          });
        const current = report.environments.find(e => e.name === environment);
        if (runsTarget(current?.deployment, target)) {
          await remember('in-sync');
          continue;
        }
        if (budget.left <= 0) {
          waiting.push(`${ref} ${environment}`);
          continue;
        }
        if (await this.hasOpen(ref, environment)) {
          // followed once it ends, if production still differs
          continue;
        }
        try {
          const alignment = await this.deps.service.create(
            await this.requester(),
            {
              entityRef: ref,
              environment,
              reason: followReason(reference, target),
            },
          );
          budget.left -= 1;
          await remember('created', { alignmentId: alignment.id });
          logger.info(
            `Following ${
              reference.name
            }: asked to align ${environment} of ${ref} with ${describeTarget(
              target,
            )} (alignment ${alignment.id}, ${alignment.status})`,
          );
        } catch (error) {
          const message = logSafe(errorMessage(error));
          if (error instanceof ConflictError) {
            // another replica or person acted first; the next collection sees
            logger.info(
              `Following ${reference.name}: ${environment} of ${ref} not aligned now: ${message}`,
            );
          } else {
            await remember('refused', { detail: message });
            logger.warn(
              `Following ${
                reference.name
              }: aligning ${environment} of ${ref} with ${describeTarget(
                target,
              )} was refused, and is not asked again until ${
                reference.name
              } changes: ${message}`,
            );
          }
        }
      }
    }
    if (waiting.length) {
      logger.info(
        `Following ${reference.name}: ${
          waiting.length
        } environments wait for the next collection (envParity.align.follow.maxPerCollection is ${
          options.maxPerCollection
        }): ${waiting.slice(0, NAMED).join(', ')}${
          waiting.length > NAMED ? ', …' : ''
        }`,
      );
    }
  }

  private async hasOpen(entityRef: string, environment: string) {
    const open = await this.deps.service.list(
      {
        credentials: await this.deps.auth.getOwnServiceCredentials(),
        can: { review: false, admin: true },
      },
      { entityRef, environment, statuses: OPEN, limit: 1 },
    );
    return open.length > 0;
  }

  private async requester(): Promise<AlignmentCaller> {
    return {
      credentials: await this.deps.auth.getOwnServiceCredentials(),
      userRef: this.deps.options.requester,
      can: { review: false, admin: false },
    };
  }
}
