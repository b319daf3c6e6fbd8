import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  Alignment,
  AlignmentStatus,
  isFinalAlignmentStatus,
  envParityAlignReviewPermission,
  permissionDeniedMessage,
} from '@env-parity/plugin-env-parity-common';
import {
  onLatest,
  outcomeOfDecision,
  reviewRefusal,
  sameRef,
} from '../approvals';
import { AlignmentEvents } from './AlignmentEvents';
import { AlignmentLifecycle } from './AlignmentLifecycle';
import type { AlignmentCaller } from './AlignmentService';
import { EnvironmentApprovers } from './approvers';
import { parseCommentBody } from './body';
import { AlignOptions } from './config';
import { DatabaseAlignmentStore } from './DatabaseAlignmentStore';
import { AlignmentRecord } from './records';
import { viewOf } from './view';

const MAX_RACE_RETRIES = 3;

/** The status a decision's outcome leads to: an approval completing N of M dispatches. */
const STATUS_AFTER: Record<'approved' | 'pending' | 'denied', AlignmentStatus> =
  {
    approved: 'dispatched',
    pending: 'pending-approval',
    denied: 'denied',
  };

function requireUser(caller: AlignmentCaller): string {
  if (!caller.userRef) {
    throw new NotAllowedError('Only users can do this');
  }
  return caller.userRef;
}

/**
 * What people decide on an alignment once it exists: approve or deny (an
 * approver, N of M, never the requester) and cancel (the requester or an
 * admin), each a conditional write on the latest state; the loser of a
 * race sees the winner's outcome as a `ConflictError`.
 */
export class AlignmentDecisions {
  constructor(
    private readonly deps: {
      store: DatabaseAlignmentStore;
      catalog: CatalogService;
      approvers: EnvironmentApprovers;
      lifecycle: AlignmentLifecycle;
      events: AlignmentEvents;
      options: AlignOptions;
      now: () => Date;
    },
  ) {}

  /** The requester (or an admin) cancels an alignment still pending approval. */
  async cancel(
    caller: AlignmentCaller,
    id: string,
    body: unknown,
  ): Promise<Alignment> {
    const userRef = requireUser(caller);
    const comment = parseCommentBody(body, {
      required: false,
      maxLength: this.deps.options.maxCommentLength,
    });
    const result = await this.onLatest(id, async record => {
      await this.requireVisible(caller, record);
      if (!sameRef(record.requester, userRef) && !caller.can.admin) {
        throw new NotAllowedError(
          'Only the requester or an admin can cancel an alignment',
        );
      }
      this.requireStatus(record, 'cancelled');
      return this.deps.store.transition({
        from: record,
        to: 'cancelled',
        step: { type: 'cancelled', actor: userRef, comment },
        at: this.deps.now(),
      });
    });
    await this.deps.events.audited(result, 'pending-approval', userRef);
    return viewOf(this.deps.store, result);
  }

  /**
   * An approval or denial, as one conditional write: the approval that
   * completes N of M moves the alignment to `dispatched`, and this replica,
   * having won that write, calls the deployer.
   */
  async decide(
    caller: AlignmentCaller,
    id: string,
    decision: 'approve' | 'deny',
    body: unknown,
  ): Promise<Alignment> {
    const userRef = requireUser(caller);
    const comment = parseCommentBody(body, {
      required: decision === 'deny',
      maxLength: this.deps.options.maxCommentLength,
    });
    const result = await this.onLatest(id, async record => {
      await this.requireVisible(caller, record);
      const self = reviewRefusal({
        requester: record.requester,
        reviewer: userRef,
        decision,
        decidedBy: [],
        noun: 'alignment',
        insteadOfDeny: 'cancel it',
      });
      if (self) {
        throw new NotAllowedError(self.message);
      }
      if (!caller.can.review) {
        throw new NotAllowedError(
          permissionDeniedMessage(
            'review alignments',
            envParityAlignReviewPermission.name,
          ),
        );
      }
      this.requireStatus(
        record,
        decision === 'approve' ? 'dispatched' : 'denied',
      );
      if (!(await this.deps.approvers.isApprover(userRef, record))) {
        throw new NotAllowedError(
          `Only members of ${record.approverRef} can ${decision} aligning ${record.environment} of ${record.entityRef}`,
        );
      }
      const decided = await this.deps.store.getDecisions([record.id]);
      const refusal = reviewRefusal({
        requester: record.requester,
        reviewer: userRef,
        decision,
        decidedBy: decided.map(d => d.reviewer),
        noun: 'alignment',
      });
      if (refusal) {
        throw new ConflictError(refusal.message);
      }
      const { outcome, approvals } = outcomeOfDecision({
        decision,
        approvals: record.approvals,
        requiredApprovals: record.requiredApprovals,
      });
      const now = this.deps.now();
      const to = STATUS_AFTER[outcome];
      return this.deps.store.transition({
        from: record,
        to,
        set: {
          approvals,
          ...(to === 'dispatched' && { dispatchedAt: now }),
        },
        decision: { reviewer: userRef, decision, comment },
        step: {
          type: decision === 'deny' ? 'denied' : 'approved',
          actor: userRef,
          comment,
          ...(decision === 'approve' && {
            details: { approvals, requiredApprovals: record.requiredApprovals },
          }),
        },
        at: now,
      });
    });
    await this.deps.events.audited(result, 'pending-approval', userRef);
    this.deps.events.notify(result, userRef, comment);
    if (result.status === 'dispatched') {
      this.deps.lifecycle.dispatchInBackground(result);
    }
    return viewOf(this.deps.store, result);
  }

  private requireStatus(record: AlignmentRecord, becoming: AlignmentStatus) {
    if (record.status !== 'pending-approval') {
      throw new ConflictError(
        `Alignment ${record.id} is ${record.status}${
          isFinalAlignmentStatus(record.status) ? ', which is final' : ''
        }; it cannot become ${becoming}`,
      );
    }
  }

  private onLatest(
    id: string,
    attempt: (record: AlignmentRecord) => Promise<AlignmentRecord | undefined>,
  ): Promise<AlignmentRecord> {
    return onLatest({
      read: () => this.deps.store.require(id),
      attempt,
      name: `Alignment ${id}`,
      maxRetries: MAX_RACE_RETRIES,
    });
  }

  private async requireVisible(
    caller: AlignmentCaller,
    record: AlignmentRecord,
  ) {
    const entity = await this.deps.catalog.getEntityByRef(record.entityRef, {
      credentials: caller.credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No alignment ${record.id}`);
    }
  }
}
