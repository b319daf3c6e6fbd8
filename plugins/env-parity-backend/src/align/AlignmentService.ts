import { NotFoundError } from '@backstage/errors';
import {
  Alignment,
  AlignmentPreview,
  AlignmentStatus,
  envParityAlignReviewPermission,
} from '@env-parity/plugin-env-parity-common';
import { EnvParityDeployer } from '@env-parity/plugin-env-parity-node';
import { randomUUID } from 'node:crypto';
import {
  ApprovalListQuery,
  ApprovalServiceDeps,
  canSee,
  listForCaller,
  settleWithin,
} from '../approvals';
import { PermittedCaller, requireUser } from '../http';
import { AlignmentDecisions } from './AlignmentDecisions';
import { AlignmentEvents } from './AlignmentEvents';
import { EnvironmentApprovers } from './approvers';
import { AlignmentLifecycle } from './AlignmentLifecycle';
import { AlignmentPlanner } from './AlignmentPlanner';
import { parseAlignmentBody } from './body';
import { AlignOptions } from './config';
import { DatabaseAlignmentStore } from './DatabaseAlignmentStore';
import { AlignmentRecord } from './records';
import { AlignmentReports } from './verification';
import { toAlignment, viewOf } from './view';

/** Who calls, and what the permission policy lets them do. */
export type AlignmentCaller = PermittedCaller<'review' | 'admin'>;

export type AlignmentListQuery = ApprovalListQuery<AlignmentStatus>;

export interface AlignmentServiceDeps extends ApprovalServiceDeps {
  store: DatabaseAlignmentStore;
  deployers: EnvParityDeployer[];
  reports: AlignmentReports;
  options: AlignOptions;
}

/**
 * Aligning an environment with production: requests (with every policy
 * refusal before anything is stored), reviews (the approval machine of
 * `../approvals`: approvers from the catalog, nobody approves their own, N
 * of M), cancellation, and the views. The decision that approves moves the
 * alignment to `dispatched` in the same conditional write, and only its
 * writer calls the deployer ({@link AlignmentLifecycle}).
 */
export class AlignmentService {
  private readonly now: () => Date;
  private readonly events: AlignmentEvents;
  private readonly lifecycle: AlignmentLifecycle;
  private readonly approvers: EnvironmentApprovers;
  private readonly planner: AlignmentPlanner;
  private readonly decisions: AlignmentDecisions;

  constructor(private readonly deps: AlignmentServiceDeps) {
    this.now = deps.clock ?? (() => new Date());
    this.events = new AlignmentEvents(deps);
    this.lifecycle = new AlignmentLifecycle({
      ...deps,
      events: this.events,
      now: this.now,
    });
    this.approvers = new EnvironmentApprovers(deps);
    this.planner = new AlignmentPlanner({
      ...deps,
      approvers: this.approvers,
      deployer: id => this.lifecycle.deployer(id),
    });
    this.decisions = new AlignmentDecisions({
      ...deps,
      approvers: this.approvers,
      lifecycle: this.lifecycle,
      events: this.events,
      now: this.now,
    });
    for (const [name, policy] of Object.entries(deps.options.environments)) {
      if (!this.lifecycle.deployer(policy.deployer)) {
        throw new Error(
          `envParity.align.environments.${name}.deployer is "${
            policy.deployer
          }", which is not installed (installed: ${
            deps.deployers.map(d => d.id).join(', ') || 'none'
          })`,
        );
      }
    }
  }

  // ---------------------------------------------------------------- create

  /**
   * Asks to align an environment of a service with production. The caller's
   * `env-parity.align.create` on the entity is the router's check; every
   * refusal here happens before anything is stored.
   */
  async create(caller: AlignmentCaller, body: unknown): Promise<Alignment> {
    const userRef = requireUser(caller);
    const input = parseAlignmentBody(body, this.deps.options);
    const plan = await this.planner.plan(caller, input);
    const { policy, approver, deployer, target } = plan;

    const now = this.now();
    const needsApproval = Boolean(policy.approval);
    const record: AlignmentRecord = {
      id: randomUUID(),
      entityRef: plan.entityRef,
      environment: plan.environment.name,
      reference: plan.reference.name,
      target,
      deployer: deployer.id,
      requester: userRef,
      reason: input.reason,
      status: needsApproval ? 'pending-approval' : 'dispatched',
      version: 1,
      approverRef: approver?.ref,
      approverSource: approver?.source,
      requiredApprovals: policy.approval?.requiredApprovals ?? 0,
      approvals: 0,
      verifyTimeoutMs: policy.verifyTimeoutMs,
      createdAt: now,
      updatedAt: now,
      ...(!needsApproval && { dispatchedAt: now }),
    };
    const stored = await this.deps.store.insert(
      record,
      {
        type: 'requested',
        actor: userRef,
        comment: input.reason,
        details: {
          target,
          deployer: deployer.id,
          ...(record.approverRef && {
            approvers: record.approverRef,
            requiredApprovals: record.requiredApprovals,
          }),
        },
      },
      // the planner's check refuses early; this one holds under concurrency
      { maxOpenPerRequester: plan.openLimit },
    );
    await this.events.audited(stored, undefined, userRef);
    this.events.notify(stored, userRef);
    if (!needsApproval) {
      // the insert is the one write that made it dispatched
      this.lifecycle.dispatchInBackground(stored);
    }
    return viewOf(this.deps.store, stored);
  }

  /**
   * What aligning would do, for the dialog: production's target, the
   * deployer and what it carries, the configuration drift that remains, and
   * who approves. Refuses as `create` would, storing nothing.
   */
  async preview(
    caller: AlignmentCaller,
    query: { entityRef: string; environment: string },
  ): Promise<AlignmentPreview> {
    requireUser(caller);
    const plan = await this.planner.plan(caller, query);
    return {
      entityRef: plan.entityRef,
      environment: plan.environment.name,
      reference: plan.reference.name,
      target: plan.target,
      deployer: plan.deployer.id,
      summary: plan.description.summary,
      carriesConfig: plan.description.carriesConfig,
      remainingConfigDrift: plan.remainingConfigDrift,
      ...(plan.approver && { approvers: plan.approver.ref }),
      requiredApprovals: plan.policy.approval?.requiredApprovals ?? 0,
    };
  }

  // ---------------------------------------------------------------- read

  async get(caller: AlignmentCaller, id: string): Promise<Alignment> {
    const record = await this.deps.store.get(id);
    if (!record || !(await this.canSee(caller, record))) {
      throw new NotFoundError(`No alignment ${id}`);
    }
    return viewOf(this.deps.store, record, true);
  }

  async list(
    caller: AlignmentCaller,
    query: AlignmentListQuery,
  ): Promise<Alignment[]> {
    let records = await listForCaller({
      catalog: this.deps.catalog,
      caller,
      query,
      nouns: 'alignments',
      reviewPermission: envParityAlignReviewPermission,
      approverRefsOf: userRef => this.approvers.refsOf(userRef),
      reviewable: { statuses: ['pending-approval'] },
      list: q => this.deps.store.list(q),
    });
    if (query.reviewable) {
      // past its review timeout, an alignment is no longer reviewable
      records = records.filter(r => !this.lifecycle.reviewTimedOut(r));
    }
    const decisions = await this.deps.store.getDecisions(
      records.map(r => r.id),
    );
    return records.map(r => toAlignment(r, decisions));
  }

  // ---------------------------------------------------------------- decide

  async approve(caller: AlignmentCaller, id: string, body: unknown) {
    return this.decisions.decide(caller, id, 'approve', body);
  }

  async deny(caller: AlignmentCaller, id: string, body: unknown) {
    return this.decisions.decide(caller, id, 'deny', body);
  }

  async cancel(caller: AlignmentCaller, id: string, body: unknown) {
    return this.decisions.cancel(caller, id, body);
  }

  // ---------------------------------------------------------------- system

  /** One pass of the sweep; see {@link AlignmentLifecycle.sweep}. */
  sweep(): Promise<void> {
    return this.lifecycle.sweep();
  }

  /** Waits (a bounded time) for deployer calls and the sweep under way. */
  close(timeoutMs = 10_000): Promise<void> {
    return settleWithin(this.settled(), timeoutMs);
  }

  /** Resolves once background deployer calls and the sweep have ended. */
  async settled(): Promise<void> {
    await this.events.settled();
    await this.lifecycle.settled();
  }

  // ---------------------------------------------------------------- helpers

  private canSee(caller: AlignmentCaller, record: AlignmentRecord) {
    return canSee({
      catalog: this.deps.catalog,
      caller,
      record,
      isApprover: userRef => this.approvers.isApprover(userRef, record),
    });
  }
}
