import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  AlignmentTarget,
  artifactDigest,
  Deployment,
  EnvironmentDefinition,
  ParityReport,
  ReportEnvironment,
  sameRevision,
  Snapshot,
} from '@env-parity/plugin-env-parity-common';
import type { CollectionListener } from '../collector';
import { ParityReportBuilder } from '../report';
import { SnapshotStore } from '../store/SnapshotStore';
import type { AlignmentService } from './AlignmentService';

/*
 * What alignment knows of what runs where: the stored report (as the last
 * collection observed it), production's deployment as a target, and whether
 * an environment runs it. One rule for "already in sync" (refused) and
 * "aligned" (verified).
 */

/** Reports built from stored snapshots; never asks a provider or a comparer. */
export interface AlignmentReports {
  current(entity: Entity): Promise<ParityReport>;
}

/** The stored report of an entity through the one report path. */
export function storedReports(deps: {
  snapshots: Pick<SnapshotStore, 'getSnapshots'>;
  builder: ParityReportBuilder;
  environments: { list(): Promise<EnvironmentDefinition[]> };
}): AlignmentReports {
  return {
    async current(entity) {
      const [snapshots, environments] = await Promise.all([
        deps.snapshots.getSnapshots(stringifyEntityRef(entity)),
        deps.environments.list(),
      ]);
      return reportOf(deps.builder, { entity, snapshots, environments });
    },
  };
}

/**
 * The report of an entity from snapshots already read (e.g. the ones a
 * collection just stored), through the one report path.
 */
export async function reportOf(
  builder: ParityReportBuilder,
  input: {
    entity: Entity;
    snapshots: Snapshot[];
    environments: EnvironmentDefinition[];
  },
): Promise<ParityReport> {
  const { report } = await builder.build({
    ...input,
    // verdicts by revision comparison are not needed here
    known: () => 'none',
  });
  return report;
}

/**
 * A target as one key: its artifact digest, or `revision:<sha>` where no
 * digest is known (the rule {@link runsTarget} verifies by).
 */
export function targetKey(target: AlignmentTarget): string {
  return target.digest ?? `revision:${target.revision}`;
}

/**
 * Production's deployment as an alignment target; undefined when neither
 * its artifact digest nor its revision is known (nothing to verify by).
 */
export function targetOf(
  deployment: Deployment | undefined,
): AlignmentTarget | undefined {
  if (!deployment) {
    return undefined;
  }
  const digest = artifactDigest(deployment.artifact);
  if (!digest && !deployment.revision) {
    return undefined;
  }
  return {
    ...(deployment.version && { version: deployment.version }),
    ...(deployment.revision && { revision: deployment.revision }),
    ...(deployment.artifact && { artifact: deployment.artifact }),
    ...(digest && { digest }),
  };
}

/**
 * Whether a deployment runs the target: the same artifact digest, or, where
 * the target has no digest, the same revision.
 */
export function runsTarget(
  deployment: Deployment | undefined,
  target: AlignmentTarget,
): boolean {
  if (!deployment) {
    return false;
  }
  if (target.digest) {
    return artifactDigest(deployment.artifact) === target.digest;
  }
  return Boolean(
    target.revision &&
      deployment.revision &&
      sameRevision(deployment.revision, target.revision),
  );
}

/**
 * Whether a report shows the environment running the target, observed at
 * or after `since` (an observation from before the deployment proves
 * nothing).
 */
export function observedRunning(
  environment: ReportEnvironment | undefined,
  target: AlignmentTarget,
  since: Date,
): boolean {
  if (!environment?.deployment || !environment.observedAt) {
    return false;
  }
  return (
    new Date(environment.observedAt).getTime() >= since.getTime() &&
    runsTarget(environment.deployment, target)
  );
}

/**
 * Verifies alignments right after a collection stored something new (or a
 * refresh observed an entity again), rather than only on the sweep's
 * interval: one sweep pass (shared with one under way) per such batch.
 */
export function verifyAfterCollection(
  service: Pick<AlignmentService, 'sweep'>,
): CollectionListener {
  return {
    collectionStarted: () => ({
      async batchStored(batch) {
        if (batch.written > 0 || batch.refresh) {
          await service.sweep();
        }
      },
    }),
  };
}
