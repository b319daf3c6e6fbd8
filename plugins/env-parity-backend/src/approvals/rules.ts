import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';

/**
 * The pure rules of the approval machine: who approves, whether a reviewer
 * may decide, what a decision leads to, which status may follow which. No
 * I/O here; {@link ApproverResolver} reads the catalog, the stores write.
 */

/** Where a request's approver comes from. */
export type ApproverSource = 'environment-owner' | 'service-owner' | 'group';

/**
 * Who approves requests of a kind: the owner of the target environment
 * (`envParity.environments[].owner` or the catalog's environment Resource),
 * the owner of the service (`spec.owner`), or a named group.
 */
export type ApproverRule =
  | { type: 'environment-owner' }
  | { type: 'service-owner' }
  | { type: 'group'; ref: string };

/**
 * What a feature's approval needs: who approves, and how many distinct
 * approvers (N of M) before the request is approved.
 */
export interface ApprovalPolicy {
  approvers: ApproverRule;
  /** Distinct approvals needed; 1 means one approver decides. */
  requiredApprovals: number;
}

/** The approver of one request: a group (or user) entity ref, and where it came from. */
export interface ResolvedApprover {
  ref: string;
  source: ApproverSource;
}

/** Entity refs compare without regard to case, as the catalog does. */
export function sameRef(a: string, b: string): boolean {
  return a.toLocaleLowerCase('en-US') === b.toLocaleLowerCase('en-US');
}

/**
 * The approver by a rule, for a service in an environment. A stored request
 * passes its own `source` (the rule may have changed since) and, for a
 * named group, the `storedRef` it was given; owners are resolved again
 * because they change. Undefined when nobody could approve.
 */
export function resolveApprover(options: {
  rule: ApproverRule;
  entity?: Entity;
  environment?: EnvironmentDefinition;
  source?: ApproverSource;
  storedRef?: string;
}): ResolvedApprover | undefined {
  const { rule, entity, environment } = options;
  const source = options.source ?? rule.type;
  if (source === 'group') {
    const ref =
      options.storedRef ?? (rule.type === 'group' ? rule.ref : undefined);
    return ref ? { ref, source: 'group' } : undefined;
  }
  if (source === 'environment-owner') {
    return environment?.owner
      ? { ref: environment.owner, source: 'environment-owner' }
      : undefined;
  }
  const owner = entity?.spec?.owner;
  if (typeof owner !== 'string' || !owner) {
    return undefined;
  }
  try {
    return {
      ref: stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: entity!.metadata.namespace ?? 'default',
        }),
      ),
      source: 'service-owner',
    };
  } catch {
    return undefined;
  }
}

/** A reason a reviewer may not decide on a request, for a `NotAllowedError` or `ConflictError`. */
export type ReviewRefusal =
  | { reason: 'self'; message: string }
  | { reason: 'already-decided'; message: string };

/**
 * Whether `reviewer` may record `decision` on a request by `requester`,
 * given the decisions already recorded: nobody reviews their own request,
 * and each reviewer decides once (so N-of-M needs N different people).
 * Membership of the approver group is checked separately, against the
 * catalog.
 */
export function reviewRefusal(options: {
  requester: string;
  reviewer: string;
  decision: 'approve' | 'deny';
  decidedBy: readonly string[];
  /** How the request is named in messages, e.g. "access request". */
  noun: string;
  /** What the requester does instead of denying, e.g. "withdraw it". */
  insteadOfDeny?: string;
}): ReviewRefusal | undefined {
  const { requester, reviewer, decision, noun } = options;
  if (sameRef(requester, reviewer)) {
    return {
      reason: 'self',
      message:
        decision === 'approve'
          ? `You cannot approve your own ${noun}`
          : `You cannot deny your own ${noun}${
              options.insteadOfDeny ? `; ${options.insteadOfDeny} instead` : ''
            }`,
    };
  }
  if (options.decidedBy.some(d => sameRef(d, reviewer))) {
    return {
      reason: 'already-decided',
      message: `You have already decided on this ${noun}`,
    };
  }
  return undefined;
}

/**
 * What one decision does to a pending request: a denial ends it; an
 * approval counts, and the request is approved once `requiredApprovals`
 * distinct approvals are in (N of M), otherwise it stays pending.
 */
export function outcomeOfDecision(options: {
  decision: 'approve' | 'deny';
  approvals: number;
  requiredApprovals: number;
}): { outcome: 'approved' | 'pending' | 'denied'; approvals: number } {
  if (options.decision === 'deny') {
    return { outcome: 'denied', approvals: options.approvals };
  }
  const approvals = options.approvals + 1;
  return {
    outcome:
      approvals >= Math.max(options.requiredApprovals, 1)
        ? 'approved'
        : 'pending',
    approvals,
  };
}

/**
 * A state machine: which status may follow which. A status listed after
 * itself may be written again without changing (a partial approval, a
 * failed retry, a warning); a status with no successors is final.
 */
export class StateMachine<S extends string> {
  constructor(
    /** The name of what moves through it, for messages, e.g. "Access request". */
    readonly name: string,
    readonly transitions: Readonly<Record<S, readonly S[]>>,
  ) {}

  /** Whether `to` may follow `from`. */
  allows(from: S, to: S): boolean {
    return this.transitions[from]?.includes(to) ?? false;
  }

  /** Whether nothing may follow `status`. */
  isFinal(status: S): boolean {
    return (this.transitions[status]?.length ?? 0) === 0;
  }

  /**
   * Throws unless `to` may follow `from`: a programming error, never a
   * user's (users get a `ConflictError` from the feature before this).
   * `annotateFinal` lets a write record something on a request without
   * changing its status, even a final one (an after-the-fact review).
   */
  assert(id: string, from: S, to: S, annotateFinal = false): void {
    if (!this.allows(from, to) && !(annotateFinal && from === to)) {
      throw new Error(`${this.name} ${id} cannot go from ${from} to ${to}`);
    }
  }
}
