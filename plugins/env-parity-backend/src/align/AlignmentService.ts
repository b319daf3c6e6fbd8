import {
  AuditorService,
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  Alignment,
  AlignmentStatus,
  EnvironmentDefinition,
  isFinalAlignmentStatus,
  referenceEnvironment,
} from '@env-parity/plugin-env-parity-common';
import { EnvParityDeployer } from '@env-parity/plugin-env-parity-node';
import { randomUUID } from 'node:crypto';
import {
  ApproverResolver,
  onLatest,
  outcomeOfDecision,
  ResolvedApprover,
  reviewRefusal,
  sameRef,
} from '../approvals';
import { AlignmentEvents } from './AlignmentEvents';
import { AlignmentLifecycle } from './AlignmentLifecycle';
import { parseAlignmentBody, parseCommentBody } from './body';
import { AlignOptions } from './config';
import { DatabaseAlignmentStore } from './DatabaseAlignmentStore';
import { AlignmentRecord } from './records';
import { AlignmentReports, runsTarget, targetOf } from './verification';
import { toAlignment } from './view';

/** Who calls, and what the permission policy lets them do. */
export interface AlignmentCaller {
  credentials: BackstageCredentials;
  /** Absent for services. */
  userRef?: string;
  can: { review: boolean; admin: boolean };
}

export interface AlignmentListQuery {
  mine?: boolean;
  reviewable?: boolean;
  entityRef?: string;
  environment?: string;
  statuses?: AlignmentStatus[];
  limit?: number;
  offset?: number;
}

export interface AlignmentServiceDeps {
  store: DatabaseAlignmentStore;
  environments: { list(): Promise<EnvironmentDefinition[]> };
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  auditor?: AuditorService;
  deployers: EnvParityDeployer[];
  reports: AlignmentReports;
  options: AlignOptions;
  clock?: () => Date;
}

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
  private readonly resolvers = new Map<string, ApproverResolver>();

  constructor(private readonly deps: AlignmentServiceDeps) {
    this.now = deps.clock ?? (() => new Date());
    this.events = new AlignmentEvents(deps);
    this.lifecycle = new AlignmentLifecycle({
      ...deps,
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
    const { options } = this.deps;
    const input = parseAlignmentBody(body, options);
    const kind = parseEntityRef(input.entityRef).kind.toLocaleLowerCase(
      'en-US',
    );
    if (!options.kinds.some(k => k.toLocaleLowerCase('en-US') === kind)) {
      throw new InputError(
        `Only ${options.kinds.join(
          ', ',
        )} entities can be aligned (envParity.collector.kinds), not ${
          input.entityRef
        }`,
      );
    }
    const environments = await this.deps.environments.list();
    const environment = environments.find(e => e.name === input.environment);
    if (!environment) {
      throw new NotFoundError(
        `Unknown environment "${input.environment}"; known: ${environments
          .map(e => e.name)
          .join(', ')}`,
      );
    }
    const reference = referenceEnvironment(environments)!;
    if (environment.name === reference.name) {
      throw new InputError(
        `${environment.name} is the reference environment: other environments are aligned with it, never it with them`,
      );
    }
    const policy = options.environments[environment.name];
    if (!policy) {
      throw new InputError(
        `Alignment is not enabled for ${environment.name} (envParity.align.environments.${environment.name})`,
      );
    }
    // the caller's credentials decide visibility: a service they cannot see
    // is one that does not exist
    const entity = await this.deps.catalog.getEntityByRef(input.entityRef, {
      credentials: caller.credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${input.entityRef} in the catalog`);
    }
    const entityRef = stringifyEntityRef(entity);

    const open = await this.deps.store.openOf(entityRef, environment.name);
    if (open) {
      throw new ConflictError(
        `${entityRef} already has an open alignment of ${environment.name} (${open.id}, ${open.status}); wait for it to end or cancel it`,
      );
    }
    if (
      (await this.deps.store.countOpenBy(userRef)) >= options.maxOpenPerUser
    ) {
      throw new ConflictError(
        `You have ${options.maxOpenPerUser} open alignments, the most allowed (envParity.align.maxOpenPerUser); wait for one to end or cancel one`,
      );
    }

    const report = await this.deps.reports.current(entity);
    const production = report.environments.find(e => e.name === reference.name);
    const target = targetOf(production?.deployment);
    if (!target) {
      throw new ConflictError(
        `The artifact digest and revision of ${entityRef} in ${reference.name} are unknown, so there is nothing to align ${environment.name} with and no way to verify it`,
      );
    }
    const current = report.environments.find(e => e.name === environment.name);
    if (runsTarget(current?.deployment, target)) {
      throw new ConflictError(
        `${environment.name} already runs what ${reference.name} runs (${
          target.digest ?? target.revision
        }); there is nothing to align`,
      );
    }

    let approver: ResolvedApprover | undefined;
    if (policy.approval) {
      const resolved = this.resolverFor(environment.name)!.forNew(
        entity,
        environment,
      );
      if (!resolved) {
        throw new InputError(
          policy.approval.approvers.type === 'service-owner'
            ? `${entityRef} has no owner, so nobody could approve aligning it`
            : `Environment ${environment.name} has no owner, so nobody could approve aligning it; set envParity.environments[].owner`,
        );
      }
      approver = resolved;
    }
    const deployer = this.lifecycle.deployer(policy.deployer)!;
    await deployer.describe({ entity, environment, target });

    const now = this.now();
    const needsApproval = Boolean(policy.approval);
    const record: AlignmentRecord = {
      id: randomUUID(),
      entityRef,
      environment: environment.name,
      reference: reference.name,
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
    const stored = await this.deps.store.insert(record, {
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
    });
    await this.events.audited(stored, undefined, userRef);
    if (!needsApproval) {
      // the insert is the one write that made it dispatched
      this.lifecycle.dispatchInBackground(stored);
    }
    return this.viewOf(stored);
  }

  // ---------------------------------------------------------------- read

  async get(caller: AlignmentCaller, id: string): Promise<Alignment> {
    const record = await this.deps.store.get(id);
    if (!record || !(await this.canSee(caller, record))) {
      throw new NotFoundError(`No alignment ${id}`);
    }
    return this.viewOf(record, true);
  }

  async list(
    caller: AlignmentCaller,
    query: AlignmentListQuery,
  ): Promise<Alignment[]> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    const offset = Math.max(query.offset ?? 0, 0);
    const userRef = caller.userRef;
    if (!userRef && !caller.can.admin) {
      throw new NotAllowedError('Only users and admins can list alignments');
    }
    if (query.reviewable && !caller.can.review) {
      throw new NotAllowedError(
        'You are not allowed to review alignments (env-parity.align.review)',
      );
    }
    const base = {
      entityRef: query.entityRef,
      environment: query.environment,
      statuses: query.statuses,
      limit,
      offset,
    };
    let records: AlignmentRecord[];
    if (query.reviewable) {
      records = await this.deps.store.list({
        ...base,
        statuses: ['pending-approval'],
        approverRefs: await this.approverRefsOf(userRef!),
        notRequester: userRef,
      });
    } else if (query.mine) {
      if (!userRef) {
        throw new InputError('mine=true needs a user');
      }
      records = await this.deps.store.list({ ...base, requester: userRef });
    } else if (caller.can.admin) {
      records = await this.deps.store.list(base);
    } else {
      records = await this.deps.store.list({
        ...base,
        involving: {
          user: userRef!,
          approverRefs: caller.can.review
            ? await this.approverRefsOf(userRef!)
            : [],
        },
      });
    }
    // only services the caller can see
    const refs = [...new Set(records.map(r => r.entityRef))];
    const visible = new Set<string>();
    if (refs.length) {
      const { items } = await this.deps.catalog.getEntitiesByRefs(
        {
          entityRefs: refs,
          fields: ['kind', 'metadata.namespace', 'metadata.name'],
        },
        { credentials: caller.credentials },
      );
      items.forEach(
        e => e && visible.add(stringifyEntityRef(e).toLocaleLowerCase('en-US')),
      );
    }
    records = records.filter(r =>
      visible.has(r.entityRef.toLocaleLowerCase('en-US')),
    );
    const decisions = await this.deps.store.getDecisions(
      records.map(r => r.id),
    );
    return records.map(r => toAlignment(r, decisions));
  }

  // ---------------------------------------------------------------- decide

  async approve(caller: AlignmentCaller, id: string, body: unknown) {
    return this.decide(caller, id, 'approve', body);
  }

  async deny(caller: AlignmentCaller, id: string, body: unknown) {
    return this.decide(caller, id, 'deny', body);
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
        at: this.now(),
      });
    });
    await this.events.audited(result, 'pending-approval', userRef);
    return this.viewOf(result);
  }

  /**
   * An approval or denial, as one conditional write: the approval that
   * completes N of M moves the alignment to `dispatched`, and this replica,
   * having won that write, calls the deployer.
   */
  private async decide(
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
          'You are not allowed to review alignments (env-parity.align.review)',
        );
      }
      this.requireStatus(
        record,
        decision === 'approve' ? 'dispatched' : 'denied',
      );
      const resolver = this.resolverFor(record.environment);
      if (
        !record.approverRef ||
        !record.approverSource ||
        !(await resolver.isApprover(userRef, {
          entityRef: record.entityRef,
          environment: record.environment,
          approverRef: record.approverRef,
          approverSource: record.approverSource,
        }))
      ) {
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
      const now = this.now();
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
    await this.events.audited(result, 'pending-approval', userRef);
    if (result.status === 'dispatched') {
      this.lifecycle.dispatchInBackground(result);
    }
    return this.viewOf(result);
  }

  // ---------------------------------------------------------------- system

  /** One pass of the sweep; see {@link AlignmentLifecycle.sweep}. */
  sweep(): Promise<void> {
    return this.lifecycle.sweep();
  }

  /** Waits (a bounded time) for deployer calls and the sweep under way. */
  async close(timeoutMs = 10_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.settled(),
      new Promise<void>(resolve => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  /** Resolves once background deployer calls and the sweep have ended. */
  async settled(): Promise<void> {
    await this.events.settled();
    await this.lifecycle.settled();
  }

  // ---------------------------------------------------------------- helpers

  private resolverFor(environment: string): ApproverResolver {
    let resolver = this.resolvers.get(environment);
    if (!resolver) {
      resolver = new ApproverResolver({
        rule: this.deps.options.environments[environment]?.approval
          ?.approvers ?? { type: 'environment-owner' },
        catalog: this.deps.catalog,
        auth: this.deps.auth,
        environments: this.deps.environments,
        nestedGroups: this.deps.options.nestedGroups,
      });
      this.resolvers.set(environment, resolver);
    }
    return resolver;
  }

  private approverRefsOf(userRef: string): Promise<string[]> {
    return this.resolverFor('').approverRefsOf(userRef);
  }

  private async canSee(caller: AlignmentCaller, record: AlignmentRecord) {
    const entity = await this.deps.catalog.getEntityByRef(record.entityRef, {
      credentials: caller.credentials,
    });
    if (!entity) {
      return false;
    }
    if (caller.can.admin) {
      return true;
    }
    if (!caller.userRef) {
      return false;
    }
    if (sameRef(caller.userRef, record.requester)) {
      return true;
    }
    return Boolean(
      caller.can.review &&
        record.approverRef &&
        record.approverSource &&
        (await this.resolverFor(record.environment).isApprover(caller.userRef, {
          entityRef: record.entityRef,
          environment: record.environment,
          approverRef: record.approverRef,
          approverSource: record.approverSource,
        })),
    );
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

  private async viewOf(record: AlignmentRecord, withTimeline = false) {
    const [decisions, timeline] = await Promise.all([
      this.deps.store.getDecisions([record.id]),
      withTimeline ? this.deps.store.getSteps(record.id) : undefined,
    ]);
    return toAlignment(record, decisions, timeline);
  }
}
