import { ConflictError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  Alignment,
  AlignmentStatus,
  isFinalAlignmentStatus,
  envParityAlignReviewPermission,
} from '@env-parity/plugin-env-parity-common';
import { ReviewFlow, sameRef } from '../approvals';
import { parseCommentBody, requireUser } from '../http';
import { AlignmentEvents } from './AlignmentEvents';
import { AlignmentLifecycle } from './AlignmentLifecycle';
import type { AlignmentCaller } from './AlignmentService';
import { EnvironmentApprovers } from './approvers';
import { AlignOptions } from './config';
import { DatabaseAlignmentStore } from './DatabaseAlignmentStore';
import { AlignmentRecord } from './records';
import { viewOf } from './view';

/** The status a decision's outcome leads to: an approval completing N of M dispatches. */
const STATUS_AFTER: Record<'approved' | 'pending' | 'denied', AlignmentStatus> =
  {
    approved: 'dispatched',
    pending: 'pending-approval',
    denied: 'denied',
  };

/**
 * What people decide on an alignment once it exists: approve or deny (an
 * approver, N of M, never the requester) and cancel (the requester or an
 * admin), each a conditional write on the latest state; the loser of a
 * race sees the winner's outcome as a `ConflictError`.
 */
export class AlignmentDecisions {
  private readonly flow: ReviewFlow<AlignmentRecord>;

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
  ) {
    this.flow = new ReviewFlow({
      catalog: deps.catalog,
      noun: 'alignment',
      insteadOfDeny: 'cancel it',
      reviewPermission: envParityAlignReviewPermission,
      reviewAction: 'review alignments',
      read: id => deps.store.require(id),
    });
  }

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
    const result = await this.flow.onLatest(id, async record => {
      await this.flow.requireVisible(caller, record);
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
    const result = await this.flow.onLatest(id, async record => {
      const { outcome, approvals } = await this.flow.decide({
        caller,
        userRef,
        record,
        decision,
        requireStatus: () =>
          this.requireStatus(
            record,
            decision === 'approve' ? 'dispatched' : 'denied',
          ),
        isApprover: () => this.deps.approvers.isApprover(userRef, record),
        notApprover: async () =>
          `Only members of ${record.approverRef} can ${decision} aligning ${record.environment} of ${record.entityRef}`,
        decidedBy: async () =>
          (
            await this.deps.store.getDecisions([record.id])
          ).map(d => d.reviewer),
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

  /** A `ConflictError` unless the alignment still awaits a decision (pending, within its review timeout). */
  private requireStatus(record: AlignmentRecord, becoming: AlignmentStatus) {
    const status = this.deps.lifecycle.reviewTimedOut(record)
      ? 'timed-out'
      : record.status;
    if (status !== 'pending-approval') {
      throw new ConflictError(
        `Alignment ${record.id} is ${status}${
          isFinalAlignmentStatus(status) ? ', which is final' : ''
        }; it cannot become ${becoming}`,
      );
    }
  }
}
