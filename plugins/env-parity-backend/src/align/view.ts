import { Alignment, AlignmentStep } from '@env-parity/plugin-env-parity-common';
import type { DatabaseAlignmentStore } from './DatabaseAlignmentStore';
import { AlignmentDecisionRecord, AlignmentRecord } from './records';

/** An alignment as the API shows it. */
export function toAlignment(
  record: AlignmentRecord,
  decisions: AlignmentDecisionRecord[],
  timeline: AlignmentStep[] = [],
): Alignment {
  return {
    id: record.id,
    entityRef: record.entityRef,
    environment: record.environment,
    reference: record.reference,
    target: record.target,
    deployer: record.deployer,
    status: record.status,
    requester: record.requester,
    reason: record.reason,
    ...(record.approverRef && { approvers: record.approverRef }),
    requiredApprovals: record.requiredApprovals,
    decisions: decisions
      .filter(d => d.alignmentId === record.id)
      .map(d => ({
        reviewer: d.reviewer,
        decision: d.decision,
        ...(d.comment && { comment: d.comment }),
        at: d.decidedAt.toISOString(),
      })),
    timeline,
    ...(record.deployerReference && {
      deployerReference: record.deployerReference,
    }),
    ...(record.deployerMessage && { deployerMessage: record.deployerMessage }),
    ...(record.failureReason && { failureReason: record.failureReason }),
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    ...(record.dispatchedAt && {
      dispatchedAt: record.dispatchedAt.toISOString(),
    }),
    ...(record.verifyDeadlineAt && {
      verifyDeadlineAt: record.verifyDeadlineAt.toISOString(),
    }),
    ...(record.finishedAt && { finishedAt: record.finishedAt.toISOString() }),
  };
}

/** An alignment as the API shows it, with its decisions (and timeline) read from the store. */
export async function viewOf(
  store: Pick<DatabaseAlignmentStore, 'getDecisions' | 'getSteps'>,
  record: AlignmentRecord,
  withTimeline = false,
): Promise<Alignment> {
  const [decisions, timeline] = await Promise.all([
    store.getDecisions([record.id]),
    withTimeline ? store.getSteps(record.id) : undefined,
  ]);
  return toAlignment(record, decisions, timeline);
}
