import {
  Alignment,
  AlignmentStatus,
  AlignmentStep,
  AlignmentTarget,
} from '@env-parity/plugin-env-parity-common';
import { shortRef, statusLabel } from '../shared/errors';
import { StatusTone } from '../shared/StatusChip';

/** What each status means to the reader. */
export const ALIGNMENT_TONES: Record<AlignmentStatus, StatusTone> = {
  'pending-approval': 'waiting',
  dispatched: 'underway',
  verifying: 'underway',
  aligned: 'good',
  failed: 'failed',
  'timed-out': 'failed',
  denied: 'refused',
  cancelled: 'over',
};

/** The statuses of an alignment still under way. */
export const OPEN_ALIGNMENT_STATUSES: AlignmentStatus[] = [
  'pending-approval',
  'dispatched',
  'verifying',
];

/** `sha256:3b1f…a2b1c` → `sha256:3b1f0c9e8d7a`; other text unchanged. */
export function shortDigest(digest: string): string {
  const match = /^(sha256:)([0-9a-f]{12})[0-9a-f]{4,}$/i.exec(digest);
  return match ? `${match[1]}${match[2]}` : digest;
}

/** A revision as Git shows it: its first 7 characters, when it is a SHA. */
export function shortRevision(revision: string): string {
  return /^[0-9a-f]{40}$/i.test(revision) ? revision.slice(0, 7) : revision;
}

/** The target in a few words, e.g. `2.4.0 (9f2c1e7, sha256:3b1f0c9e8d7a)`. */
export function targetLabel(target: AlignmentTarget): string {
  const details = [
    target.revision && shortRevision(target.revision),
    target.digest && shortDigest(target.digest),
  ].filter(Boolean);
  const head = target.version ?? target.artifact ?? '';
  if (!head) {
    return details.join(', ') || 'unknown';
  }
  return details.length ? `${head} (${details.join(', ')})` : head;
}

/** Who approves, e.g. `one approval from sre`, `2 approvals from cab`. */
export function approvalLabel(
  approvers: string | undefined,
  requiredApprovals: number,
): string {
  if (!approvers || requiredApprovals === 0) {
    return 'no approval needed';
  }
  return `${
    requiredApprovals === 1 ? 'one approval' : `${requiredApprovals} approvals`
  } from ${shortRef(approvers)}`;
}

/** Where an alignment stands, in one sentence for its row or card. */
export function progressLabel(a: Alignment): string {
  switch (a.status) {
    case 'pending-approval': {
      const approved = a.decisions.filter(d => d.decision === 'approve').length;
      return `waiting for ${approvalLabel(a.approvers, a.requiredApprovals)}${
        approved ? ` (${approved} so far)` : ''
      }`;
    }
    case 'dispatched':
      return `the ${a.deployer} deployer is deploying it`;
    case 'verifying':
      return `deployed; waiting to observe ${a.environment} running it`;
    case 'aligned':
      return `${a.environment} was observed running ${a.reference}'s artifact`;
    case 'failed':
      return a.failureReason ?? 'the deployer failed';
    case 'timed-out':
      return a.failureReason ?? 'not observed in time';
    default:
      return statusLabel(a.status);
  }
}

/** The facts of a timeline step worth reading, e.g. `1 of 2 approvals`. */
export function stepFacts(step: AlignmentStep): string[] {
  const d = (step.details ?? {}) as Record<string, unknown>;
  const facts: string[] = [];
  const target = d.target as AlignmentTarget | undefined;
  if (target && typeof target === 'object') {
    facts.push(`target ${targetLabel(target)}`);
  }
  if (typeof d.deployer === 'string') {
    facts.push(`deployer ${d.deployer}`);
  }
  if (
    typeof d.approvals === 'number' &&
    typeof d.requiredApprovals === 'number'
  ) {
    facts.push(`${d.approvals} of ${d.requiredApprovals} approvals`);
  } else if (typeof d.approvers === 'string') {
    facts.push(
      approvalLabel(
        d.approvers,
        typeof d.requiredApprovals === 'number' ? d.requiredApprovals : 1,
      ),
    );
  }
  for (const key of ['reference', 'message', 'observed', 'reason', 'error']) {
    if (typeof d[key] === 'string') {
      facts.push(String(d[key]));
    }
  }
  return facts;
}

/**
 * What a decision did, naming the service, e.g. `Aligning staging of
 * checkout-web with production is now dispatched.`
 */
export function alignmentConfirmation(a: Alignment): string {
  return `Aligning ${a.environment} of ${shortRef(a.entityRef)} with ${
    a.reference
  } is now ${statusLabel(a.status)}.`;
}
