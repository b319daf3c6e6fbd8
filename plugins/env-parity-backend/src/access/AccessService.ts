import {
  AuditorService,
  AuditorServiceEventSeverityLevel,
  AuthService,
  BackstageCredentials,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationSeverity } from '@backstage/plugin-notifications-common';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  AccessApproverSource,
  AccessEventType,
  AccessGrant,
  AccessRequest,
  AccessRequestActions,
  AccessRequestDetails,
  AccessRequestStatus,
  AccessSettings,
  EnvironmentDefinition,
  isFinalAccessRequestStatus,
} from '@env-parity/plugin-env-parity-common';
import {
  AccessProvisioner,
  AccessProvisionerContext,
} from '@env-parity/plugin-env-parity-node';
import { randomUUID } from 'node:crypto';
import { AccessOptions } from './config';
import {
  AccessApprovalRecord,
  AccessRequestRecord,
  AccessRequestUpdate,
  DatabaseAccessStore,
  NewAccessEvent,
} from './DatabaseAccessStore';
import { GroupMembership } from './groupMembership';
import { renderTemplate } from './template';

/** Who is calling, with the permission decisions the router already made. */
export interface AccessCaller {
  credentials: BackstageCredentials;
  /** Absent for service principals. */
  userRef?: string;
  can: { create: boolean; review: boolean; admin: boolean };
}

export interface AccessListQuery {
  mine?: boolean;
  reviewable?: boolean;
  entityRef?: string;
  environment?: string;
  statuses?: AccessRequestStatus[];
  limit?: number;
  offset?: number;
}

export interface AccessServiceDeps {
  store: DatabaseAccessStore;
  environments: { list(): Promise<EnvironmentDefinition[]> };
  catalog: CatalogService;
  auth: AuthService;
  logger: LoggerService;
  auditor?: AuditorService;
  notifications?: NotificationService;
  /** Every installed provisioner; `options.provisioner` names the one new requests use. */
  provisioners: AccessProvisioner[];
  options: AccessOptions;
  /** The time; tests pass a fake clock. */
  clock?: () => Date;
}

const SYSTEM = 'system';
const SWEEP_BATCH = 100;
const MAX_RACE_RETRIES = 3;
const MAX_TICKET_LENGTH = 255;
const REVOCABLE: AccessRequestStatus[] = [
  'approved',
  'active',
  'provisioning-failed',
];

function lower(ref: string) {
  return ref.toLocaleLowerCase('en-US');
}

function errorMessage(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

function minutes(n: number) {
  if (n % 60 === 0) {
    return `${n / 60} hour${n === 60 ? '' : 's'}`;
  }
  return `${n} minute${n === 1 ? '' : 's'}`;
}

function optionalString(
  body: Record<string, unknown>,
  key: string,
): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new InputError(`${key} must be a string`);
  }
  return value;
}

/**
 * Temporary read-only access: the rules, the state machine, the approvers
 * from the catalog, provisioning and the sweep. Every status change goes
 * through {@link DatabaseAccessStore.transition}, a conditional write;
 * whoever loses a race gets a `ConflictError` naming the winner's outcome.
 */
export class AccessService {
  private readonly now: () => Date;
  private readonly background = new Set<Promise<unknown>>();
  private sweeping?: Promise<void>;
  private notificationsWarned = false;
  private readonly membership: GroupMembership;

  constructor(private readonly deps: AccessServiceDeps) {
    this.now = deps.clock ?? (() => new Date());
    this.membership = new GroupMembership({
      catalog: deps.catalog,
      auth: deps.auth,
      nested: deps.options.nestedGroups,
    });
    if (!this.provisioner(deps.options.provisioner)) {
      throw new Error(
        `envParity.access.provisioner is "${
          deps.options.provisioner
        }", which is not installed (installed: ${deps.provisioners
          .map(p => p.name)
          .join(', ')})`,
      );
    }
  }

  async settings(): Promise<AccessSettings> {
    const { options } = this.deps;
    return {
      maxDurationMinutes: options.maxDurationMinutes,
      minReasonLength: options.minReasonLength,
      maxReasonLength: options.maxReasonLength,
      ...(options.ticketPattern !== undefined && {
        ticketPattern: options.ticketPattern,
      }),
      ticketRequired: options.ticketRequired,
      breakGlassEnabled: options.breakGlassEnabled,
      requiredApprovals: options.requiredApprovals,
      reviewTimeoutMinutes: Math.round(options.reviewTimeoutMs / 60_000),
      defaultEnvironment: (await this.referenceEnvironment()).name,
      provisioner: options.provisioner,
    };
  }

  // ---------------------------------------------------------------- requests

  async create(caller: AccessCaller, body: unknown): Promise<AccessRequest> {
    const userRef = this.requireUser(caller);
    if (!caller.can.create) {
      throw new NotAllowedError(
        'You are not allowed to request access (env-parity.access.create)',
      );
    }
    const input = this.parseCreate(body);
    const { options } = this.deps;
    const kind = parseEntityRef(input.entityRef).kind.toLocaleLowerCase(
      'en-US',
    );
    if (!options.kinds.some(k => k.toLocaleLowerCase('en-US') === kind)) {
      // A grant to a group or a user would bind a role to something that
      // is not a deployed service.
      throw new InputError(
        `Access can be requested to ${options.kinds.join(
          ', ',
        )} entities only (envParity.collector.kinds), not to ${
          input.entityRef
        }`,
      );
    }

    const environments = await this.deps.environments.list();
    const environment = input.environment
      ? environments.find(e => e.name === input.environment)
      : await this.referenceEnvironment();
    if (!environment) {
      throw new InputError(
        `Unknown environment "${input.environment}"; known: ${environments
          .map(e => e.name)
          .join(', ')}`,
      );
    }
    if (input.breakGlass && !options.breakGlassEnabled) {
      throw new InputError(
        'Break-glass access is not enabled here (envParity.access.breakGlass.enabled)',
      );
    }

    // The caller's credentials decide visibility: a service they cannot see
    // is one that does not exist.
    const entity = await this.deps.catalog.getEntityByRef(input.entityRef, {
      credentials: caller.credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${input.entityRef} in the catalog`);
    }
    const entityRef = stringifyEntityRef(entity);

    const approver = this.approverFor(entity, environment);
    if (!approver) {
      throw new InputError(
        options.approvers.type === 'service-owner'
          ? `${entityRef} has no owner, so nobody could approve access to it`
          : `Environment ${environment.name} has no owner, so nobody could approve access to it; set envParity.environments[].owner`,
      );
    }

    const now = this.now();
    const provisioner = this.provisioner(options.provisioner)!;
    const record: AccessRequestRecord = {
      id: randomUUID(),
      entityRef,
      environment: environment.name,
      requester: userRef,
      reason: input.reason,
      ticket: input.ticket,
      durationMinutes: input.durationMinutes,
      breakGlass: input.breakGlass,
      status: input.breakGlass ? 'approved' : 'pending',
      version: 1,
      approverRef: approver.ref,
      approverSource: approver.source,
      requiredApprovals: options.requiredApprovals,
      approvals: 0,
      provisioner: provisioner.name,
      provisioningAttempts: 0,
      reviewRequired: input.breakGlass,
      createdAt: now,
      updatedAt: now,
      reviewDeadlineAt: new Date(now.getTime() + options.reviewTimeoutMs),
      ...(input.breakGlass && { decidedAt: now }),
    };

    if (provisioner.validate) {
      const context = await this.provisionerContext(record, entity);
      await provisioner.validate(
        this.view(record, [], { ...record, status: 'approved' }),
        context,
      );
    }

    const stored = await this.deps.store.insert(record, {
      type: input.breakGlass ? 'break-glass' : 'requested',
      actor: userRef,
      comment: input.reason,
      details: {
        durationMinutes: input.durationMinutes,
        ...(input.ticket && { ticket: input.ticket }),
        approverRef: approver.ref,
        requiredApprovals: record.requiredApprovals,
      },
    });
    await this.audited(
      stored,
      undefined,
      input.breakGlass ? 'break-glass' : 'requested',
      userRef,
    );

    if (input.breakGlass) {
      this.notify({
        request: stored,
        to: [stored.approverRef],
        exclude: [userRef],
        severity: 'critical',
        title: `Break-glass access to ${this.describe(stored)}`,
        description: `${userRef} activated ${minutes(
          stored.durationMinutes,
        )} of read-only access without review: ${
          stored.reason
        }. Review it afterwards.`,
      });
      await this.grantNow(stored);
    } else {
      this.notify({
        request: stored,
        to: [stored.approverRef],
        exclude: [userRef],
        severity: 'high',
        title: `Access requested to ${this.describe(stored)}`,
        description: `${userRef} asks for ${minutes(
          stored.durationMinutes,
        )} of read-only access: ${stored.reason}`,
      });
    }
    return this.viewOf(await this.deps.store.require(stored.id));
  }

  async get(caller: AccessCaller, id: string): Promise<AccessRequestDetails> {
    const record = await this.deps.store.get(id);
    if (!record || !(await this.canSee(caller, record))) {
      throw new NotFoundError(`No access request ${id}`);
    }
    this.enforceInBackground([record]);
    const [approvals, events] = await Promise.all([
      this.deps.store.getApprovals([id]),
      this.deps.store.getEvents(id),
    ]);
    return {
      ...this.view(record, approvals),
      events,
      actions: await this.actionsFor(caller, record, approvals),
    };
  }

  async list(
    caller: AccessCaller,
    query: AccessListQuery,
  ): Promise<AccessRequest[]> {
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    const offset = Math.max(query.offset ?? 0, 0);
    const userRef = caller.userRef;
    if (!userRef && !caller.can.admin) {
      throw new NotAllowedError(
        'Only users and admins can list access requests',
      );
    }
    if (query.reviewable && !caller.can.review) {
      throw new NotAllowedError(
        'You are not allowed to review access requests (env-parity.access.review)',
      );
    }
    const base = {
      entityRef: query.entityRef,
      environment: query.environment,
      statuses: query.statuses,
      limit,
      offset,
    };
    let records: AccessRequestRecord[];
    if (query.reviewable) {
      const refs = await this.approverRefsOf(userRef!);
      records = await this.deps.store.list({
        ...base,
        approverRefs: refs,
        notRequester: userRef,
        awaitingReview: true,
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

    // Only services the caller can see.
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
      items.forEach(e => e && visible.add(lower(stringifyEntityRef(e))));
    }
    records = records.filter(r => visible.has(lower(r.entityRef)));
    this.enforceInBackground(records);
    if (query.reviewable) {
      // Past its deadline, a pending request is no longer reviewable.
      const now = this.now();
      records = records.filter(
        r =>
          r.status !== 'pending' || this.effectiveStatus(r, now) === 'pending',
      );
    }
    const approvals = await this.deps.store.getApprovals(
      records.map(r => r.id),
    );
    return records.map(r =>
      this.view(
        r,
        approvals.filter(a => a.requestId === r.id),
      ),
    );
  }

  async approve(caller: AccessCaller, id: string, body: unknown) {
    const userRef = this.requireUser(caller);
    const comment = this.parseComment(body, false);
    let approved: AccessRequestRecord | undefined;
    const result = await this.raceSafe(id, async record => {
      await this.checkReviewer(caller, record, 'approve');
      const approvals = await this.deps.store.getApprovals([record.id]);
      if (approvals.some(a => lower(a.approver) === lower(userRef))) {
        throw new ConflictError(
          `You have already decided on access request ${record.id}`,
        );
      }
      const count = record.approvals + 1;
      const to = count >= record.requiredApprovals ? 'approved' : 'pending';
      const now = this.now();
      const updated = await this.deps.store.transition({
        from: record,
        to,
        set: {
          approvals: count,
          ...(to === 'approved' && { decidedAt: now }),
        },
        approval: { approver: userRef, decision: 'approve', comment },
        event: {
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
      if (updated && to === 'approved') {
        approved = updated;
      }
      return updated;
    });
    await this.audited(result, 'pending', 'approved', userRef);
    if (approved) {
      this.notify({
        request: approved,
        to: [approved.requester],
        severity: 'normal',
        title: `Access approved: ${this.describe(approved)}`,
        description: `${userRef} approved your request${
          comment ? `: ${comment}` : ''
        }. It is being granted now.`,
      });
      await this.grantNow(approved);
    }
    return this.viewOf(await this.deps.store.require(id));
  }

  async deny(caller: AccessCaller, id: string, body: unknown) {
    const userRef = this.requireUser(caller);
    const comment = this.parseComment(body, true);
    const result = await this.raceSafe(id, async record => {
      await this.checkReviewer(caller, record, 'deny');
      const now = this.now();
      return this.deps.store.transition({
        from: record,
        to: 'denied',
        set: { decidedAt: now, resolvedAt: now },
        approval: { approver: userRef, decision: 'deny', comment },
        event: { type: 'denied', actor: userRef, comment },
        at: now,
      });
    });
    await this.audited(result, 'pending', 'denied', userRef);
    this.notify({
      request: result,
      to: [result.requester],
      severity: 'normal',
      title: `Access denied: ${this.describe(result)}`,
      description: `${userRef} denied your request: ${comment}`,
    });
    return this.viewOf(result);
  }

  async withdraw(caller: AccessCaller, id: string, body: unknown) {
    const userRef = this.requireUser(caller);
    const comment = this.parseComment(body, false);
    const result = await this.raceSafe(id, async record => {
      await this.requireVisible(caller, record);
      if (lower(record.requester) !== lower(userRef)) {
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
    await this.audited(result, 'pending', 'withdrawn', userRef);
    return this.viewOf(result);
  }

  async revoke(caller: AccessCaller, id: string, body: unknown) {
    const userRef = this.requireUser(caller);
    const comment = this.parseComment(body, false);
    let current = await this.deps.store.require(id);
    await this.requireVisible(caller, current);
    const isRequester = lower(current.requester) === lower(userRef);
    if (
      !isRequester &&
      !caller.can.admin &&
      !(caller.can.review && (await this.isApprover(userRef, current)))
    ) {
      throw new NotAllowedError(
        `Only the requester, an approver (member of ${current.approverRef}) or an admin can revoke this access`,
      );
    }
    for (let attempt = 0; ; attempt++) {
      this.requireStatus(current, REVOCABLE, 'revoked');
      const result = await this.revokeNow(current, 'revoked', userRef, comment);
      if (result) {
        if (result.status === 'revoked' && !isRequester) {
          this.notify({
            request: result,
            to: [result.requester],
            severity: 'high',
            title: `Access revoked: ${this.describe(result)}`,
            description: `${userRef} revoked your access${
              comment ? `: ${comment}` : ''
            }.`,
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
    const userRef = this.requireUser(caller);
    const comment = this.parseComment(body, false);
    const result = await this.raceSafe(id, async record => {
      await this.requireVisible(caller, record);
      if (!record.reviewRequired || record.reviewedAt) {
        throw new ConflictError(
          record.reviewedAt
            ? `Access request ${record.id} was already reviewed by ${record.reviewedBy}`
            : `Access request ${record.id} is not a break-glass access; nothing to review`,
        );
      }
      if (lower(record.requester) === lower(userRef)) {
        throw new NotAllowedError(
          'You cannot review your own break-glass access',
        );
      }
      if (
        !caller.can.admin &&
        !(caller.can.review && (await this.isApprover(userRef, record)))
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
    await this.audited(result, result.status, 'reviewed', userRef);
    return this.viewOf(result);
  }

  /** Grants in force now, for other systems to check. */
  async activeGrants(
    caller: AccessCaller,
    filter: { user: string; entityRef?: string; environment?: string },
  ): Promise<AccessGrant[]> {
    let user: string;
    try {
      user = stringifyEntityRef(
        parseEntityRef(filter.user, {
          defaultKind: 'user',
          defaultNamespace: 'default',
        }),
      );
    } catch (error) {
      throw new InputError(`user: ${errorMessage(error)}`);
    }
    if (
      !caller.can.admin &&
      !(caller.userRef && lower(caller.userRef) === lower(user))
    ) {
      throw new NotAllowedError(
        'Only services, admins and the user themselves can check active grants',
      );
    }
    const records = await this.deps.store.activeGrants({
      user,
      entityRef: filter.entityRef,
      environment: filter.environment,
      now: this.now(),
    });
    return records.map(r => ({
      requestId: r.id,
      user: r.requester,
      entityRef: r.entityRef,
      environment: r.environment,
      activatedAt: r.activatedAt!.toISOString(),
      expiresAt: r.expiresAt!.toISOString(),
      breakGlass: r.breakGlass,
    }));
  }

  // ------------------------------------------------------------------- sweep

  /**
   * One pass: time out unreviewed requests, revoke what expired, grant what
   * was approved but never granted, retry failed provisioning that is due,
   * warn of access ending soon, and let provisioners repair drift. Safe to
   * run on several replicas at once: each change is a conditional write.
   */
  async sweep(): Promise<void> {
    if (!this.sweeping) {
      this.sweeping = this.sweepOnce().finally(() => {
        this.sweeping = undefined;
      });
    }
    return this.sweeping;
  }

  /** Waits (a bounded time) for background enforcement and notifications. */
  async close(timeoutMs = 10_000): Promise<void> {
    const settled = (async () => {
      while (this.background.size) {
        await Promise.allSettled([...this.background]);
      }
      await this.sweeping?.catch(() => undefined);
    })();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>(resolve => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([settled, timeout]);
    clearTimeout(timer);
  }

  private async sweepOnce() {
    const { options, store, logger } = this.deps;
    const now = this.now();
    const due = await store.due({
      now,
      stuckBefore: new Date(now.getTime() - options.grantLeaseMs),
      warnBefore: new Date(now.getTime() + options.expiryWarningMs),
      limit: SWEEP_BATCH,
    });
    const done = new Set<string>();
    const each = async (
      records: AccessRequestRecord[],
      what: string,
      fn: (r: AccessRequestRecord) => Promise<unknown>,
    ) => {
      for (const record of records) {
        if (done.has(record.id)) {
          continue;
        }
        done.add(record.id);
        try {
          await fn(record);
        } catch (error) {
          logger.error(
            `Access sweep could not ${what} request ${
              record.id
            }: ${errorMessage(error)}`,
          );
        }
      }
    };
    await each(due.timedOut, 'time out', r => this.timeOut(r));
    await each(due.overdue, 'expire', r =>
      this.revokeNow(r, 'expired', SYSTEM),
    );
    await each(due.stuck, 'grant', r => this.grantNow(r));
    await each(due.retries, 'retry provisioning of', r =>
      r.provisioningOperation === 'revoke'
        ? this.revokeNow(r, r.provisioningTarget ?? 'expired', SYSTEM)
        : this.grantNow(r),
    );
    await each(due.ending, 'warn about the end of', r => this.warn(r));

    for (const provisioner of this.deps.provisioners) {
      if (provisioner.reconcile) {
        try {
          await provisioner.reconcile({
            now,
            isFinal: ids => store.finalIds(ids),
          });
        } catch (error) {
          logger.error(
            `Access provisioner ${
              provisioner.name
            } could not reconcile: ${errorMessage(error)}`,
          );
        }
      }
    }
  }

  /** Reads show expired and timed-out requests as such at once; this makes it so. */
  private enforceInBackground(records: AccessRequestRecord[]) {
    const now = this.now();
    for (const record of records) {
      const effective = this.effectiveStatus(record, now);
      if (effective === record.status) {
        continue;
      }
      const work = (
        effective === 'timed-out'
          ? this.timeOut(record)
          : this.revokeNow(record, 'expired', SYSTEM)
      )
        .catch(error =>
          this.deps.logger.warn(
            `Could not end access request ${record.id} on read: ${errorMessage(
              error,
            )}`,
          ),
        )
        .finally(() => this.background.delete(work));
      this.background.add(work);
    }
  }

  private async timeOut(record: AccessRequestRecord) {
    const now = this.now();
    const updated = await this.deps.store.transition({
      from: record,
      to: 'timed-out',
      set: { resolvedAt: now },
      event: {
        type: 'timed-out',
        actor: SYSTEM,
        comment: 'Not reviewed in time',
      },
      at: now,
    });
    if (updated) {
      await this.audited(updated, record.status, 'timed-out', SYSTEM);
      this.notify({
        request: updated,
        to: [updated.requester],
        severity: 'normal',
        title: `Access request timed out: ${this.describe(updated)}`,
        description:
          'Nobody reviewed your request in time. Ask again if you still need access.',
      });
    }
    return updated;
  }

  private async warn(record: AccessRequestRecord) {
    const now = this.now();
    const updated = await this.deps.store.transition({
      from: record,
      to: record.status,
      set: { warnedAt: now },
      event: {
        type: 'expiry-warning',
        actor: SYSTEM,
        details: { expiresAt: record.expiresAt?.toISOString() },
      },
      at: now,
    });
    if (updated) {
      this.notify({
        request: updated,
        to: [updated.requester, updated.approverRef],
        severity: 'normal',
        title: `Access ends soon: ${this.describe(updated)}`,
        description: `Read-only access of ${
          updated.requester
        } ends at ${updated.expiresAt?.toISOString()}.`,
      });
    }
  }

  // ----------------------------------------------------------- provisioning

  /**
   * Grants an approved request (or retries a failed grant) and records the
   * outcome: `active`, or `provisioning-failed` with the next retry.
   */
  private async grantNow(record: AccessRequestRecord) {
    const provisioner = this.provisioner(record.provisioner);
    const now = this.now();
    const expiresAt = new Date(now.getTime() + record.durationMinutes * 60_000);
    const granting = { ...record, activatedAt: now, expiresAt };
    let context: AccessProvisionerContext = { now };
    let result;
    try {
      context = await this.provisionerContext(record);
      if (!provisioner) {
        throw new Error(
          `Access provisioner ${record.provisioner} is not installed`,
        );
      }
      result = await provisioner.grant(this.view(granting, []), context);
    } catch (error) {
      return this.provisioningFailed(record, 'grant', undefined, error);
    }
    const instructions =
      result?.instructions ??
      this.instructionsFor(granting, context, result?.metadata);
    const updated = await this.deps.store.transition({
      from: record,
      to: 'active',
      set: {
        activatedAt: now,
        expiresAt,
        grantMetadata: result?.metadata,
        instructions,
        provisioningOperation: undefined,
        provisioningTarget: undefined,
        provisioningAttempts: 0,
        provisioningNextAt: undefined,
        provisioningError: undefined,
        warnedAt: undefined,
      },
      event: {
        type: 'granted',
        actor: SYSTEM,
        details: {
          provisioner: record.provisioner,
          expiresAt: expiresAt.toISOString(),
          ...(result?.metadata && { metadata: result.metadata }),
        },
      },
      at: now,
    });
    if (!updated) {
      // Someone else changed the request while we granted. If it is over
      // (revoked, expired), take back what we just granted.
      const fresh = await this.deps.store.get(record.id);
      if (fresh && isFinalAccessRequestStatus(fresh.status) && provisioner) {
        await provisioner
          .revoke(this.view(fresh, []), {
            ...context,
            grantMetadata: result?.metadata,
          })
          .catch(error =>
            this.deps.logger.error(
              `Could not take back the grant of ${
                record.id
              }, which ended while it was granted: ${errorMessage(error)}`,
            ),
          );
      }
      return undefined;
    }
    await this.audited(updated, record.status, 'granted', SYSTEM);
    this.notify({
      request: updated,
      to: [updated.requester],
      severity: 'normal',
      title: `Access active: ${this.describe(updated)}`,
      description: `You have read-only access until ${expiresAt.toISOString()}.${
        instructions ? ` ${instructions}` : ''
      }`,
    });
    return updated;
  }

  /**
   * Revokes and records the final status; a failure records
   * `provisioning-failed` with the next retry. Undefined when someone else
   * changed the request first.
   */
  private async revokeNow(
    record: AccessRequestRecord,
    target: 'expired' | 'revoked',
    actor: string,
    comment?: string,
  ): Promise<AccessRequestRecord | undefined> {
    const provisioner = this.provisioner(record.provisioner);
    try {
      if (!provisioner) {
        throw new Error(
          `Access provisioner ${record.provisioner} is not installed`,
        );
      }
      await provisioner.revoke(
        this.view(record, []),
        await this.provisionerContext(record),
      );
    } catch (error) {
      return this.provisioningFailed(record, 'revoke', target, error);
    }
    const now = this.now();
    const updated = await this.deps.store.transition({
      from: record,
      to: target,
      set: {
        resolvedAt: now,
        provisioningOperation: undefined,
        provisioningTarget: undefined,
        provisioningNextAt: undefined,
        provisioningError: undefined,
      },
      event: {
        type: target,
        actor,
        comment:
          comment ??
          (target === 'expired' && record.status === 'provisioning-failed'
            ? 'The access window closed before the grant succeeded'
            : undefined),
      },
      at: now,
    });
    if (updated) {
      await this.audited(updated, record.status, target, actor);
      if (target === 'expired') {
        this.notify({
          request: updated,
          to: [updated.requester],
          severity: 'low',
          title: `Access expired: ${this.describe(updated)}`,
          description: 'Your temporary read-only access has ended.',
        });
      }
    }
    return updated;
  }

  private async provisioningFailed(
    record: AccessRequestRecord,
    operation: 'grant' | 'revoke',
    target: 'expired' | 'revoked' | undefined,
    error: unknown,
  ) {
    const { options, logger } = this.deps;
    const now = this.now();
    const attempts =
      (record.status === 'provisioning-failed' &&
      record.provisioningOperation === operation
        ? record.provisioningAttempts
        : 0) + 1;
    const backoff = Math.min(
      options.retryBaseMs * 2 ** Math.min(attempts - 1, 30),
      options.retryMaxMs,
    );
    const nextAt = new Date(now.getTime() + backoff);
    const message = errorMessage(error);
    logger.error(
      `Could not ${operation} access request ${
        record.id
      } (attempt ${attempts}, next at ${nextAt.toISOString()}): ${message}`,
    );
    const set: AccessRequestUpdate = {
      provisioningOperation: operation,
      provisioningTarget: target,
      provisioningAttempts: attempts,
      provisioningNextAt: nextAt,
      provisioningError: message.slice(0, 4000),
    };
    if (operation === 'grant' && !record.expiresAt) {
      // Retries of a grant stop where the access would have ended.
      set.expiresAt = new Date(
        (record.decidedAt ?? now).getTime() + record.durationMinutes * 60_000,
      );
    }
    const updated = await this.deps.store.transition({
      from: record,
      to: 'provisioning-failed',
      set,
      event: {
        type: 'provisioning-failed',
        actor: SYSTEM,
        comment: message.slice(0, 2000),
        details: {
          operation,
          attempt: attempts,
          nextAttemptAt: nextAt.toISOString(),
        },
      },
      at: now,
    });
    if (updated) {
      await this.audited(
        updated,
        record.status,
        'provisioning-failed',
        SYSTEM,
        {
          operation,
          error: message,
        },
      );
      if (attempts === 1) {
        this.notify({
          request: updated,
          to: [updated.requester, updated.approverRef],
          severity: 'high',
          title: `Access ${
            operation === 'grant'
              ? 'could not be granted'
              : 'could not be revoked'
          }: ${this.describe(updated)}`,
          description: `${message}. It is retried automatically.`,
        });
      }
    }
    return updated;
  }

  // -------------------------------------------------------------- approvers

  /** The approver a new request gets, by the configured rule. */
  private approverFor(
    entity: Entity | undefined,
    environment: EnvironmentDefinition | undefined,
    source?: AccessApproverSource,
    stored?: string,
  ): { ref: string; source: AccessApproverSource } | undefined {
    const rule = this.deps.options.approvers;
    const type = source ?? rule.type;
    if (type === 'group') {
      const ref = stored ?? (rule.type === 'group' ? rule.ref : undefined);
      return ref ? { ref, source: 'group' } : undefined;
    }
    if (type === 'environment-owner') {
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

  /**
   * Whether the user may approve the request now: the approver is resolved
   * again (owners change), and membership is read from the catalog with the
   * plugin's own credentials, never from the caller's token.
   */
  private async isApprover(
    userRef: string,
    record: AccessRequestRecord,
  ): Promise<boolean> {
    const current = await this.currentApproverRef(record);
    if (!current) {
      return false;
    }
    if (parseEntityRef(current).kind.toLocaleLowerCase('en-US') === 'user') {
      return lower(current) === lower(userRef);
    }
    return this.isMember(userRef, current);
  }

  private async currentApproverRef(record: AccessRequestRecord) {
    let entity: Entity | undefined;
    let environment: EnvironmentDefinition | undefined;
    if (record.approverSource === 'service-owner') {
      entity = await this.deps.catalog.getEntityByRef(record.entityRef, {
        credentials: await this.deps.auth.getOwnServiceCredentials(),
      });
    } else if (record.approverSource === 'environment-owner') {
      environment = (await this.deps.environments.list()).find(
        e => e.name === record.environment,
      );
    }
    return this.approverFor(
      entity,
      environment,
      record.approverSource,
      record.approverSource === 'group' ? record.approverRef : undefined,
    )?.ref;
  }

  /**
   * Membership of the approver group, from the catalog with the plugin's
   * own credentials; with `nestedGroups`, members of groups below it count.
   */
  private isMember(userRef: string, groupRef: string) {
    return this.membership.isMember(userRef, groupRef);
  }

  /**
   * The user and the groups the catalog says they are a member of (with
   * `nestedGroups`, also every group above those).
   */
  private async approverRefsOf(userRef: string): Promise<string[]> {
    return [userRef, ...(await this.membership.groupsOf(userRef))];
  }

  private async checkReviewer(
    caller: AccessCaller,
    record: AccessRequestRecord,
    action: 'approve' | 'deny',
  ) {
    const userRef = caller.userRef!;
    await this.requireVisible(caller, record);
    if (lower(record.requester) === lower(userRef)) {
      throw new NotAllowedError(
        action === 'approve'
          ? 'You cannot approve your own access request'
          : 'You cannot deny your own access request; withdraw it instead',
      );
    }
    if (!caller.can.review) {
      throw new NotAllowedError(
        'You are not allowed to review access requests (env-parity.access.review)',
      );
    }
    this.requireStatus(
      record,
      ['pending'],
      action === 'approve' ? 'approved' : 'denied',
    );
    if (!(await this.isApprover(userRef, record))) {
      const current = await this.currentApproverRef(record);
      throw new NotAllowedError(
        current
          ? `Only members of ${current} can ${action} access to ${record.environment} of ${record.entityRef}`
          : `Nobody can ${action} this request: its approvers cannot be resolved from the catalog`,
      );
    }
  }

  // ---------------------------------------------------------------- helpers

  private provisioner(name: string) {
    return this.deps.provisioners.find(p => p.name === name);
  }

  private async referenceEnvironment(): Promise<EnvironmentDefinition> {
    const environments = await this.deps.environments.list();
    return (
      environments.find(e => e.reference) ??
      environments[environments.length - 1]
    );
  }

  private async provisionerContext(
    record: AccessRequestRecord,
    entity?: Entity,
  ): Promise<AccessProvisionerContext> {
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const [service, user] = await Promise.all([
      entity ??
        this.deps.catalog.getEntityByRef(record.entityRef, { credentials }),
      this.deps.catalog
        .getEntityByRef(record.requester, { credentials })
        .catch(() => undefined),
    ]);
    return {
      entity: service,
      user,
      grantMetadata: record.grantMetadata,
      now: this.now(),
    };
  }

  private instructionsFor(
    record: AccessRequestRecord,
    context: AccessProvisionerContext,
    metadata?: Record<string, string>,
  ) {
    const template = this.deps.options.instructions[record.environment];
    if (!template) {
      return undefined;
    }
    const entity = parseEntityRef(record.entityRef);
    const user = parseEntityRef(record.requester);
    return renderTemplate(template, {
      request: {
        id: record.id,
        entityRef: record.entityRef,
        environment: record.environment,
        durationMinutes: record.durationMinutes,
        ticket: record.ticket,
      },
      environment: record.environment,
      entity: {
        kind: entity.kind,
        namespace: entity.namespace,
        name: entity.name,
        title: context.entity?.metadata.title ?? entity.name,
      },
      user: {
        ref: record.requester,
        name: user.name,
        namespace: user.namespace,
        email: (context.user?.spec?.profile as { email?: string })?.email,
      },
      grant: metadata ?? {},
      expiresAt: record.expiresAt?.toISOString(),
    });
  }

  /**
   * Runs `attempt` on the latest state of the request; when the conditional
   * write loses to a concurrent one, reads again and retries, so the loser
   * sees the winner's outcome as a clear conflict (or succeeds if the action
   * still makes sense, like a second approval in N-of-M).
   */
  private async raceSafe(
    id: string,
    attempt: (
      record: AccessRequestRecord,
    ) => Promise<AccessRequestRecord | undefined>,
  ): Promise<AccessRequestRecord> {
    for (let i = 0; i <= MAX_RACE_RETRIES; i++) {
      const record = await this.deps.store.require(id);
      const result = await attempt(record);
      if (result) {
        return result;
      }
    }
    throw new ConflictError(
      `Access request ${id} is changing too often; try again`,
    );
  }

  private requireStatus(
    record: AccessRequestRecord,
    allowed: AccessRequestStatus[],
    becoming: AccessRequestStatus,
  ) {
    const effective = this.effectiveStatus(record, this.now());
    if (!allowed.includes(effective)) {
      if (effective !== record.status) {
        this.enforceInBackground([record]);
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

  private async canSee(caller: AccessCaller, record: AccessRequestRecord) {
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
    if (lower(caller.userRef) === lower(record.requester)) {
      return true;
    }
    return caller.can.review && this.isApprover(caller.userRef, record);
  }

  private async requireVisible(
    caller: AccessCaller,
    record: AccessRequestRecord,
  ) {
    const entity = await this.deps.catalog.getEntityByRef(record.entityRef, {
      credentials: caller.credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No access request ${record.id}`);
    }
  }

  private async actionsFor(
    caller: AccessCaller,
    record: AccessRequestRecord,
    approvals: AccessApprovalRecord[],
  ): Promise<AccessRequestActions> {
    const status = this.effectiveStatus(record, this.now());
    const userRef = caller.userRef;
    if (!userRef) {
      return {
        approve: false,
        deny: false,
        withdraw: false,
        revoke: false,
        review: false,
      };
    }
    const isRequester = lower(userRef) === lower(record.requester);
    const approver =
      !isRequester &&
      caller.can.review &&
      (await this.isApprover(userRef, record));
    const decided = approvals.some(a => lower(a.approver) === lower(userRef));
    return {
      approve: status === 'pending' && approver && !decided,
      deny: status === 'pending' && approver && !decided,
      withdraw: status === 'pending' && isRequester,
      revoke:
        REVOCABLE.includes(status) &&
        (isRequester || approver || caller.can.admin),
      review:
        record.reviewRequired &&
        !record.reviewedAt &&
        !isRequester &&
        (approver || caller.can.admin),
    };
  }

  private effectiveStatus(
    record: AccessRequestRecord,
    now: Date,
  ): AccessRequestStatus {
    if (record.status === 'pending' && record.reviewDeadlineAt <= now) {
      return 'timed-out';
    }
    if (
      record.status === 'active' &&
      record.expiresAt &&
      record.expiresAt <= now
    ) {
      return 'expired';
    }
    return record.status;
  }

  private async viewOf(record: AccessRequestRecord) {
    return this.view(record, await this.deps.store.getApprovals([record.id]));
  }

  private view(
    record: AccessRequestRecord,
    approvals: AccessApprovalRecord[],
    override?: AccessRequestRecord,
  ): AccessRequest {
    const r = override ?? record;
    const status = this.effectiveStatus(r, this.now());
    return {
      id: r.id,
      entityRef: r.entityRef,
      environment: r.environment,
      requester: r.requester,
      reason: r.reason,
      ...(r.ticket && { ticket: r.ticket }),
      durationMinutes: r.durationMinutes,
      breakGlass: r.breakGlass,
      status,
      version: r.version,
      approverRef: r.approverRef,
      approverSource: r.approverSource,
      requiredApprovals: r.requiredApprovals,
      approvals: approvals.map(a => ({
        approver: a.approver,
        decision: a.decision,
        ...(a.comment && { comment: a.comment }),
        at: a.decidedAt.toISOString(),
      })),
      provisioner: r.provisioner,
      createdAt: r.createdAt.toISOString(),
      updatedAt: r.updatedAt.toISOString(),
      reviewDeadline: r.reviewDeadlineAt.toISOString(),
      ...(r.activatedAt && { activatedAt: r.activatedAt.toISOString() }),
      ...(r.activatedAt &&
        r.expiresAt && { expiresAt: r.expiresAt.toISOString() }),
      ...(r.resolvedAt && { resolvedAt: r.resolvedAt.toISOString() }),
      ...(r.provisioningOperation && {
        provisioning: {
          operation: r.provisioningOperation,
          attempts: r.provisioningAttempts,
          ...(r.provisioningNextAt && {
            nextAttemptAt: r.provisioningNextAt.toISOString(),
          }),
          ...(r.provisioningError && { lastError: r.provisioningError }),
        },
      }),
      ...(r.reviewRequired && {
        review: {
          required: true,
          ...(r.reviewedBy && { reviewedBy: r.reviewedBy }),
          ...(r.reviewedAt && { reviewedAt: r.reviewedAt.toISOString() }),
          ...(r.reviewComment && { comment: r.reviewComment }),
        },
      }),
      ...(status === 'active' &&
        r.instructions && { instructions: r.instructions }),
    };
  }

  private describe(record: AccessRequestRecord) {
    return `${parseEntityRef(record.entityRef).name} in ${record.environment}`;
  }

  private requireUser(caller: AccessCaller): string {
    if (!caller.userRef) {
      throw new NotAllowedError('This needs a signed-in user');
    }
    return caller.userRef;
  }

  private parseCreate(body: unknown) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw new InputError('The request body must be a JSON object');
    }
    const b = body as Record<string, unknown>;
    const { options } = this.deps;

    const rawRef = optionalString(b, 'entityRef');
    if (!rawRef) {
      throw new InputError(
        'entityRef is required, e.g. component:default/payments',
      );
    }
    let entityRef: string;
    try {
      entityRef = stringifyEntityRef(
        parseEntityRef(rawRef, {
          defaultKind: 'component',
          defaultNamespace: 'default',
        }),
      );
    } catch (error) {
      throw new InputError(`entityRef: ${errorMessage(error)}`);
    }

    const environment = optionalString(b, 'environment')?.trim() || undefined;

    const reason = optionalString(b, 'reason')?.trim() ?? '';
    if (!reason) {
      throw new InputError('reason is required: say why you need access');
    }
    if (reason.length < options.minReasonLength) {
      throw new InputError(
        `reason must be at least ${options.minReasonLength} characters`,
      );
    }
    if (reason.length > options.maxReasonLength) {
      throw new InputError(
        `reason must be at most ${options.maxReasonLength} characters`,
      );
    }

    const ticket = optionalString(b, 'ticket')?.trim() || undefined;
    if (!ticket && options.ticketRequired) {
      throw new InputError('ticket is required');
    }
    if (ticket) {
      if (ticket.length > MAX_TICKET_LENGTH) {
        throw new InputError(
          `ticket must be at most ${MAX_TICKET_LENGTH} characters`,
        );
      }
      if (
        options.ticketPattern !== undefined &&
        !new RegExp(`^(?:${options.ticketPattern})$`).test(ticket)
      ) {
        throw new InputError(
          `ticket "${ticket}" does not match the required pattern ${options.ticketPattern}`,
        );
      }
    }

    const duration = b.durationMinutes;
    if (
      typeof duration !== 'number' ||
      !Number.isInteger(duration) ||
      duration < 1 ||
      duration > options.maxDurationMinutes
    ) {
      throw new InputError(
        `durationMinutes must be a whole number from 1 to ${options.maxDurationMinutes}`,
      );
    }

    const breakGlass = b.breakGlass;
    if (breakGlass !== undefined && typeof breakGlass !== 'boolean') {
      throw new InputError('breakGlass must be true or false');
    }

    return {
      entityRef,
      environment,
      reason,
      ticket,
      durationMinutes: duration,
      breakGlass: breakGlass === true,
    };
  }

  private parseComment(body: unknown, required: boolean) {
    const b =
      body && typeof body === 'object' && !Array.isArray(body)
        ? (body as Record<string, unknown>)
        : {};
    const comment = optionalString(b, 'comment')?.trim() || undefined;
    if (required && !comment) {
      throw new InputError('comment is required: say why');
    }
    if (comment && comment.length > this.deps.options.maxCommentLength) {
      throw new InputError(
        `comment must be at most ${this.deps.options.maxCommentLength} characters`,
      );
    }
    return comment;
  }

  private async audited(
    record: AccessRequestRecord,
    from: AccessRequestStatus | undefined,
    type: AccessEventType,
    actor: string,
    extra?: Record<string, string>,
  ) {
    const auditor = this.deps.auditor;
    if (!auditor) {
      return;
    }
    let severityLevel: AuditorServiceEventSeverityLevel = 'medium';
    if (type === 'break-glass') {
      severityLevel = 'critical';
    } else if (
      ['granted', 'revoked', 'expired', 'provisioning-failed'].includes(type)
    ) {
      severityLevel = 'high';
    }
    try {
      const event = await auditor.createEvent({
        eventId: 'access-transition',
        severityLevel,
        meta: {
          action: type,
          requestId: record.id,
          entityRef: record.entityRef,
          environment: record.environment,
          requester: record.requester,
          actor,
          ...(from && { fromStatus: from }),
          toStatus: record.status,
          ...extra,
        },
      });
      await event.success();
    } catch (error) {
      this.deps.logger.error(
        `Could not audit ${type} of access request ${record.id}: ${errorMessage(
          error,
        )}`,
      );
    }
  }

  /** Fire and forget: a missing notifications backend never fails a request. */
  private notify(options: {
    request: AccessRequestRecord;
    to: string[];
    exclude?: string[];
    severity: NotificationSeverity;
    title: string;
    description: string;
  }) {
    const notifications = this.deps.notifications;
    if (!notifications) {
      return;
    }
    const entity = parseEntityRef(options.request.entityRef);
    const work = notifications
      .send({
        recipients: {
          type: 'entity',
          entityRef: options.to,
          ...(options.exclude && { excludeEntityRef: options.exclude }),
        },
        payload: {
          title: options.title,
          description: options.description,
          link: `/catalog/${entity.namespace}/${entity.kind}/${entity.name}/parity?accessRequest=${options.request.id}`,
          severity: options.severity,
          topic: 'env-parity-access',
          scope: `env-parity-access:${options.request.id}`,
        },
      })
      .catch(error => {
        const message = `Could not send an access notification (is the notifications backend installed?): ${errorMessage(
          error,
        )}`;
        if (this.notificationsWarned) {
          this.deps.logger.debug(message);
        } else {
          this.notificationsWarned = true;
          this.deps.logger.warn(message);
        }
      })
      .finally(() => this.background.delete(work));
    this.background.add(work);
  }
}

export type { NewAccessEvent };
