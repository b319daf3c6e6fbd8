/**
 * Where an alignment (deploying production's artifact to another
 * environment) is in its lifecycle.
 *
 * ```
 * pending-approval ─► dispatched ─► verifying ─► aligned
 * pending-approval ─► denied | cancelled
 * dispatched ─► failed (the deployer refused or failed)
 * verifying ─► timed-out (not observed in time)
 * ```
 *
 * `aligned`, `denied`, `cancelled`, `failed` and `timed-out` are final.
 *
 * @public
 */
export type AlignmentStatus =
  | 'pending-approval'
  | 'dispatched'
  | 'verifying'
  | 'aligned'
  | 'denied'
  | 'cancelled'
  | 'failed'
  | 'timed-out';

/**
 * Every alignment status, in lifecycle order.
 *
 * @public
 */
export const alignmentStatuses: readonly AlignmentStatus[] = [
  'pending-approval',
  'dispatched',
  'verifying',
  'aligned',
  'denied',
  'cancelled',
  'failed',
  'timed-out',
];

/**
 * The statuses an alignment can never leave.
 *
 * @public
 */
export const finalAlignmentStatuses: readonly AlignmentStatus[] = [
  'aligned',
  'denied',
  'cancelled',
  'failed',
  'timed-out',
];

/**
 * Whether an alignment in this status can never change again.
 *
 * @public
 */
export function isFinalAlignmentStatus(status: AlignmentStatus): boolean {
  return finalAlignmentStatuses.includes(status);
}

/**
 * What an alignment deploys: production's deployment as observed when the
 * alignment was asked for.
 *
 * @public
 */
export interface AlignmentTarget {
  /** Version label, e.g. `1.4.2`. */
  version?: string;
  /** Git revision. */
  revision?: string;
  /** The artifact reference, e.g. `ghcr.io/acme/web:1.4.2@sha256:...`. */
  artifact?: string;
  /** The artifact's `sha256:` digest, when its reference pins one. */
  digest?: string;
}

/**
 * One step of an alignment's append-only timeline.
 *
 * @public
 */
export interface AlignmentStep {
  /** What happened. */
  type:
    | 'requested'
    | 'approved'
    | 'denied'
    | 'cancelled'
    | 'dispatched'
    | 'verifying'
    | 'aligned'
    | 'failed'
    | 'timed-out';
  /** User entity ref of whoever acted, or `system`. */
  actor: string;
  /** The status before the step. */
  fromStatus?: AlignmentStatus;
  /** The status after the step (equal to `fromStatus` for a partial approval). */
  toStatus: AlignmentStatus;
  /** The actor's comment, or the reason of a failure. */
  comment?: string;
  /** Extra facts, such as the approval count or the deployer's reference. */
  details?: Record<string, unknown>;
  /** ISO 8601. */
  at: string;
}

/**
 * One reviewer's decision on an alignment.
 *
 * @public
 */
export interface AlignmentDecision {
  /** User entity ref of the reviewer. */
  reviewer: string;
  /** What they decided. */
  decision: 'approve' | 'deny';
  /** Why, in their words. */
  comment?: string;
  /** ISO 8601. */
  at: string;
}

/**
 * An alignment as the API shows it.
 *
 * @public
 */
export interface Alignment {
  /** UUID; also the idempotency key of the deployer call. */
  id: string;
  /** The service, e.g. `component:default/checkout-web`. */
  entityRef: string;
  /** The environment being aligned. */
  environment: string;
  /** The reference environment whose deployment is the target. */
  reference: string;
  /** What is deployed: production's deployment when the alignment was asked for. */
  target: AlignmentTarget;
  /** The deployer that acts, e.g. `webhook`. */
  deployer: string;
  /** Where the alignment is in its lifecycle. */
  status: AlignmentStatus;
  /** User entity ref of whoever asked. */
  requester: string;
  /** Why the requester asked. */
  reason: string;
  /** Group (or user) whose members approve; absent when no approval is needed. */
  approvers?: string;
  /** Distinct approvals needed. */
  requiredApprovals: number;
  /** The reviewers' decisions, oldest first. */
  decisions: AlignmentDecision[];
  /** Every step, oldest first. */
  timeline: AlignmentStep[];
  /** What the deployer answered when it accepted the deployment. */
  deployerReference?: string;
  /** The deployer's one-line answer. */
  deployerMessage?: string;
  /** Why the alignment failed or timed out. */
  failureReason?: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  updatedAt: string;
  /** When the deployer was called (ISO 8601). */
  dispatchedAt?: string;
  /** When verification gives up. */
  verifyDeadlineAt?: string;
  /** When it reached a final status (ISO 8601). */
  finishedAt?: string;
}

/**
 * The body of `POST /alignments`.
 *
 * @public
 */
export interface AlignmentRequestBody {
  /** e.g. `component:default/checkout-web`. */
  entityRef: string;
  /** A non-reference environment. */
  environment: string;
  /** Why; required. */
  reason: string;
}

/**
 * What aligning an environment would do, shown before asking
 * (`GET /alignments/preview`).
 *
 * @public
 */
export interface AlignmentPreview {
  /** e.g. `component:default/checkout-web`. */
  entityRef: string;
  /** The environment that would be aligned. */
  environment: string;
  /** The reference environment whose deployment is the target. */
  reference: string;
  /** What would be deployed. */
  target: AlignmentTarget;
  /** The deployer that would act. */
  deployer: string;
  /** What the deployer would do, in one sentence. */
  summary: string;
  /** The configuration keys the deployer carries: `all`, or their names. */
  carriesConfig: 'all' | string[];
  /** Configuration keys that differ from the reference and would still differ after alignment. */
  remainingConfigDrift: string[];
  /** Group (or user) whose members would approve; absent when none is needed. */
  approvers?: string;
  /** Distinct approvals needed (0 without approval). */
  requiredApprovals: number;
}

/**
 * How many services follow production (`envParity.align.follow`): the
 * `following` field of `GET /scorecard/summary`, present when following is
 * configured and on.
 *
 * @public
 */
export interface ScorecardFollowing {
  /**
   * Services of the summary (same filters) whose compared environment is
   * aligned with production whenever production changes; in the
   * worst-environment view, those with any environment that is.
   */
  services: number;
  /** The environments of the view that follow production, by name. */
  environments: string[];
}

/**
 * The `following` figures of a scorecard summary, if the backend sent them.
 *
 * @public
 */
export function scorecardFollowing(
  summary: object,
): ScorecardFollowing | undefined {
  const following = (summary as { following?: ScorecardFollowing }).following;
  return following &&
    typeof following.services === 'number' &&
    Array.isArray(following.environments)
    ? following
    : undefined;
}
