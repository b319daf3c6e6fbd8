/**
 * The approval machine shared by every feature that asks before it acts
 * (temporary access; alignment):
 *
 * - who approves: {@link ApproverResolver} resolves an {@link ApproverRule}
 *   (environment owner, service owner, named group) from the catalog, with
 *   nested groups, and checks membership with the plugin's own credentials;
 * - whether a reviewer may decide and what a decision does:
 *   {@link reviewRefusal} (no self-approval, one decision per reviewer) and
 *   {@link outcomeOfDecision} (N of M);
 * - which status may follow which: a {@link StateMachine} per feature;
 * - decisions as single conditional writes: {@link compareAndSet} in the
 *   feature's store, {@link onLatest} around it in the feature's service;
 * - the store's shared writes and reads on the feature's own tables
 *   ({@link ApprovalTables}: a new request with its first step and its
 *   requester's open limit held under concurrency, transitions with their
 *   step and decision, decisions, timelines, listing);
 * - the review flow ({@link ReviewFlow}), who may see and list requests
 *   ({@link canSee}, {@link listForCaller}), audit and notification
 *   plumbing ({@link ApprovalEvents}) and the sweep's set-up
 *   ({@link scheduleSweep}, {@link SweepPass}) and waiting for the
 *   background work at shutdown ({@link settleWithin}).
 *
 * A feature keeps its own tables, statuses and messages; access requests
 * (`src/access/`) and alignments (`src/align/`) both use all of it.
 */
export { ApproverResolver } from './ApproverResolver';
export type { ApprovalSubject } from './ApproverResolver';
export { compareAndSet, onLatest } from './conditionalWrite';
export { readApproverRule } from './config';
export { GroupMembership, MAX_GROUP_DEPTH } from './groupMembership';
export {
  outcomeOfDecision,
  resolveApprover,
  reviewRefusal,
  sameRef,
  StateMachine,
} from './rules';
export type {
  ApprovalPolicy,
  ApproverRule,
  ApproverSource,
  ResolvedApprover,
  ReviewRefusal,
} from './rules';
export { ApprovalTables, LOCKS_TABLE } from './ApprovalTables';
export type {
  ApprovalSubjectQuery,
  ApprovalTableNames,
  NewApprovalDecision,
  NewApprovalStep,
  OpenLimit,
  StoredDecision,
  StoredStep,
} from './ApprovalTables';
export { ApprovalEvents } from './ApprovalEvents';
export { scheduleSweep, SweepPass } from './sweep';
export { settleWithin } from './settle';
export { ReviewFlow } from './ReviewFlow';
export type { ReviewCaller, ReviewOutcome, ReviewSubject } from './ReviewFlow';
export { canSee, listForCaller } from './visibility';
export type { ApprovalListQuery, ViewingCaller } from './visibility';
export type { ApprovalServiceDeps, ApprovalSetupOptions } from './deps';
