import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  AlignmentTarget,
  artifactDigest,
  Deployment,
  EnvironmentDefinition,
  ParityReport,
  ReportEnvironment,
  sameRevision,
} from '@env-parity/plugin-env-parity-common';
import { ParityReportBuilder } from '../report';
import { SnapshotStore } from '../store/SnapshotStore';

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
      const { report } = await deps.builder.build({
        entity,
        snapshots,
        environments,
        // verdicts by revision comparison are not needed here
        known: () => 'none',
      });
      return report;
    },
  };
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
