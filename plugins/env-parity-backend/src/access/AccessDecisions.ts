import { ConflictError, NotAllowedError } from '@backstage/errors';
import {
  AccessRequestStatus,
  envParityAccessReviewPermission,
  isFinalAccessRequestStatus,
} from '@env-parity/plugin-env-parity-common';
import { ApproverResolver, ReviewFlow, sameRef } from '../approvals';
import { parseCommentBody, requireUser } from '../http';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AccessEvents } from './AccessEvents';
import { AccessLifecycle } from './AccessLifecycle';
import { AccessCaller } from './caller';
import { AccessOptions } from './config';
import { DatabaseAccessStore } from './DatabaseAccessStore';
import { AccessRequestRecord } from './records';
import {
  describeRequest,
  effectiveStatus,
  REVOCABLE,
  toAccessRequest,
} from './view';

const MAX_RACE_RETRIES = 3;

/**
 * What people decide on a request once it exists: approve or deny (by an
 * approver, N of M, never the requester), withdraw (the requester), revoke
 * (the requester, an approver or an admin) and the after-the-fact review of
 * break-glass access. Each is a conditional write on the latest state; the
 * loser of a race sees the winner's outcome as a `ConflictError`.
 */
export class AccessDecisions {
  private readonly now: () => Date;
  private readonly flow: ReviewFlow<AccessRequestRecord>;

  constructor(
    private readonly deps: {
      store: DatabaseAccessStore;
      catalog: CatalogService;
      approvers: ApproverResolver;
      lifecycle: AccessLifecycle;
      events: AccessEvents;
      options: AccessOptions;
      now: () => Date;
    },
  ) {
    this.now = deps.now;
    this.flow = new ReviewFlow({
      catalog: deps.catalog,
      noun: 'access request',
      insteadOfDeny: 'withdraw it',
      reviewPermission: envParityAccessReviewPermission,
      reviewAction: 'review access requests',
      read: id => deps.store.require(id),
    });
  }

  async approve(caller: AccessCaller, id: string, body: unknown) {
    return this.decide(caller, id, 'approve', body);
  }

  async deny(caller: AccessCaller, id: string, body: unknown) {
    return this.decide(caller, id, 'deny', body);
  }

  async withdraw(caller: AccessCaller, id: string, body: unknown) {
    const userRef = requireUser(caller);
    const comment = this.parseComment(body, false);
    const result = await this.flow.onLatest(id, async record => {
      await this.flow.requireVisible(caller, record);
      if (!sameRef(record.requester, userRef)) {
        throw new NotAllowedError('Only the requester can withdraw a request');
      }
      this.requireStatus(record, ['pending'], 'withdrawn');
      const now = this.now();
      return this.deps.store.transition({
        from: record,
        to: 'withdrawn',
        set: { resolvedAt: now },
        event: { type: 'withdrawn', actor: userRef, comment },
        at: now,
      });
    });
    await this.deps.events.audited(result, 'pending', 'withdrawn', userRef);
    return this.viewOf(result);
  }

  async revoke(caller: AccessCaller, id: string, body: unknown) {
    const userRef = requireUser(caller);
    const comment = this.parseComment(body, false);
    let current = await this.deps.store.require(id);
    await this.flow.requireVisible(caller, current);
    const isRequester = sameRef(current.requester, userRef);
    if (
      !isRequester &&
      !caller.can.admin &&
      !(
        caller.can.review &&
        (await this.deps.approvers.isApprover(userRef, current))
      )
    ) {
      throw new NotAllowedError(
        `Only the requester, an approver (member of ${current.approverRef}) or an admin can revoke this access`,
      );
    }
    // Not onLatest: a revoke that loses to the grant it revokes tries again
    // on the granted request, through the provisioner each time.
    for (let attempt = 0; ; attempt++) {
      this.requireStatus(current, REVOCABLE, 'revoked');
      const result = await this.deps.lifecycle.revokeNow(
        current,
        'revoked',
        userRef,
        comment,
      );
      if (result) {
        if (result.status === 'revoked' && !isRequester) {
          this.deps.events.notify({
            request: result,
            to: [result.requester],
            severity: 'high',
            title: `Access revoked: ${describeRequest(result)}`,
            naming: [userRef],
            description: name =>
              `${name(
                userRef,
              )} revoked your read-only access to ${describeRequest(result)}${
                comment ? `: ${comment}` : '.'
              }`,
          });
        }
        return this.viewOf(result);
      }
      current = await this.deps.store.require(id);
      if (attempt >= MAX_RACE_RETRIES) {
        throw this.conflict(current, 'revoked');
      }
    }
  }

  /** Records the after-the-fact review of a break-glass access. */
  async review(caller: AccessCaller, id: string, body: unknown) {
    const userRef = requireUser(caller);
    const comment = this.parseComment(body, false);
    const result = await this.flow.onLatest(id, async record => {
      await this.flow.requireVisible(caller, record);
      if (!record.reviewRequired || record.reviewedAt) {
        throw new ConflictError(
          record.reviewedAt
            ? `Access request ${record.id} was already reviewed by ${record.reviewedBy}`
            : `Access request ${record.id} is not a break-glass access; nothing to review`,
        );
      }
      if (sameRef(record.requester, userRef)) {
        throw new NotAllowedError(
          'You cannot review your own break-glass access',
        );
      }
      if (
        !caller.can.admin &&
        !(
          caller.can.review &&
          (await this.deps.approvers.isApprover(userRef, record))
        )
      ) {
        throw new NotAllowedError(
          `Only an approver (member of ${record.approverRef}) or an admin can review this access`,
        );
      }
      const now = this.now();
      return this.deps.store.transition({
        from: record,
        to: record.status,
        annotateFinal: true,
        set: { reviewedBy: userRef, reviewedAt: now, reviewComment: comment },
        event: { type: 'reviewed', actor: userRef, comment },
        at: now,
      });
    });
    await this.deps.events.audited(result, result.status, 'reviewed', userRef);
    return this.viewOf(result);
  }

  /**
   * An approval or denial by a reviewer, as one conditional write: N of M
   * approvals approve (and grant at once), one denial denies.
   */
  private async decide(
    caller: AccessCaller,
    id: string,
    decision: 'approve' | 'deny',
    body: unknown,
  ) {
    const userRef = requireUser(caller);
    const comment = this.parseComment(body, decision === 'deny');
    const result = await this.flow.onLatest(id, async record => {
      const { outcome, approvals: count } = await this.flow.decide({
        caller,
        userRef,
        record,
        decision,
        requireStatus: () =>
          this.requireStatus(
            record,
            ['pending'],
            decision === 'approve' ? 'approved' : 'denied',
          ),
        isApprover: () => this.deps.approvers.isApprover(userRef, record),
        notApprover: async () => {
          const current = await this.deps.approvers.current(record);
          return current
            ? `Only members of ${current} can ${decision} access to ${record.environment} of ${record.entityRef}`
            : `Nobody can ${decision} this request: its approvers cannot be resolved from the catalog`;
        },
        decidedBy: async () =>
          (
            await this.deps.store.getApprovals([record.id])
          ).map(a => a.approver),
      });
      const now = this.now();
      return this.deps.store.transition({
        from: record,
        to: outcome,
        set:
          outcome === 'denied'
            ? { decidedAt: now, resolvedAt: now }
            : {
                approvals: count,
                ...(outcome === 'approved' && { decidedAt: now }),
              },
        approval: { approver: userRef, decision, comment },
        event:
          decision === 'deny'
            ? { type: 'denied', actor: userRef, comment }
            : {
                type: 'approved',
                actor: userRef,
                comment,
                details: {
                  approvals: count,
                  requiredApprovals: record.requiredApprovals,
                },
              },
        at: now,
      });
    });
    if (decision === 'deny') {
      await this.deps.events.audited(result, 'pending', 'denied', userRef);
      this.deps.events.notify({
        request: result,
        to: [result.requester],
        severity: 'normal',
        title: `Access denied: ${describeRequest(result)}`,
        naming: [userRef],
        description: name =>
          `${name(
            userRef,
          )} denied your request for read-only access to ${describeRequest(
            result,
          )}: ${comment}`,
      });
      return this.viewOf(result);
    }
    await this.deps.events.audited(result, 'pending', 'approved', userRef);
    if (result.status === 'approved') {
      this.deps.events.notify({
        request: result,
        to: [result.requester],
        severity: 'normal',
        title: `Access approved: ${describeRequest(result)}`,
        naming: [userRef],
        description: name =>
          `${name(
            userRef,
          )} approved your request for read-only access to ${describeRequest(
            result,
          )}${comment ? `: ${comment}` : ''}. It is being granted now.`,
      });
      await this.deps.lifecycle.grantNow(result);
    }
    return this.viewOf(await this.deps.store.require(id));
  }

  private requireStatus(
    record: AccessRequestRecord,
    allowed: readonly AccessRequestStatus[],
    becoming: AccessRequestStatus,
  ) {
    const effective = effectiveStatus(record, this.now());
    if (!allowed.includes(effective)) {
      if (effective !== record.status) {
        this.deps.lifecycle.enforceInBackground([record]);
      }
      throw this.conflict({ ...record, status: effective }, becoming);
    }
  }

  private conflict(record: AccessRequestRecord, becoming: AccessRequestStatus) {
    return new ConflictError(
      `Access request ${record.id} is ${record.status}${
        isFinalAccessRequestStatus(record.status) ? ', which is final' : ''
      }; it cannot become ${becoming}`,
    );
  }

  private async viewOf(record: AccessRequestRecord) {
    return toAccessRequest(
      record,
      await this.deps.store.getApprovals([record.id]),
      this.now(),
    );
  }

  private parseComment(body: unknown, required: boolean) {
    return parseCommentBody(body, {
      required,
      maxLength: this.deps.options.maxCommentLength,
    });
  }
}
