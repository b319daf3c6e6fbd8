import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  AccessGrant,
  AccessRequest,
  AccessRequestActions,
  AccessRequestDetails,
  AccessRequestStatus,
  AccessSettings,
  EnvironmentDefinition,
  envParityAccessCreatePermission,
  envParityAccessReviewPermission,
  permissionDeniedMessage,
} from '@env-parity/plugin-env-parity-common';
import { AccessProvisioner } from '@env-parity/plugin-env-parity-node';
import { randomUUID } from 'node:crypto';
import {
  ApprovalListQuery,
  ApprovalServiceDeps,
  ApproverResolver,
  canSee,
  listForCaller,
  sameRef,
  settleWithin,
} from '../approvals';
import { requireUser } from '../http';
import { AccessDecisions } from './AccessDecisions';
import { AccessEvents } from './AccessEvents';
import { AccessLifecycle } from './AccessLifecycle';
import { AccessSweep } from './AccessSweep';
import { parseCreateBody } from './body';
import { AccessCaller } from './caller';
import { AccessOptions } from './config';
import { DatabaseAccessStore } from './DatabaseAccessStore';
import {
  AccessApprovalRecord,
  AccessRequestRecord,
  NewAccessEvent,
} from './records';
import {
  actionsOf,
  describeRequest,
  effectiveStatus,
  minutes,
  NO_ACTIONS,
  toAccessRequest,
} from './view';

export type { AccessCaller } from './caller';

export type AccessListQuery = ApprovalListQuery<AccessRequestStatus>;

export interface AccessServiceDeps extends ApprovalServiceDeps {
  store: DatabaseAccessStore;
  /** Every installed provisioner; `options.provisioner` names the one new requests use. */
  provisioners: AccessProvisioner[];
  options: AccessOptions;
}

function errorMessage(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Temporary read-only access: requests made, read and listed here;
 * decisions on them in {@link AccessDecisions}; what the system does on its
 * own (grants, expiry, retries) in {@link AccessLifecycle} and
 * {@link AccessSweep}. Approvers, self-approval, N-of-M and conditional
 * writes come from the approval machine (`../approvals`).
 * Every status change goes through {@link DatabaseAccessStore.transition},
 * a conditional write; whoever loses a race gets a `ConflictError` naming
 * the winner's outcome.
 */
export class AccessService {
  private readonly now: () => Date;
  private readonly events: AccessEvents;
  private readonly lifecycle: AccessLifecycle;
  private readonly sweeper: AccessSweep;
  private readonly approvers: ApproverResolver;
  private readonly decisions: AccessDecisions;

  constructor(private readonly deps: AccessServiceDeps) {
    const now = deps.clock ?? (() => new Date());
    this.now = now;
    this.events = new AccessEvents(deps);
    this.lifecycle = new AccessLifecycle({ ...deps, events: this.events, now });
    this.sweeper = new AccessSweep({
      ...deps,
      lifecycle: this.lifecycle,
      now,
    });
    this.approvers = new ApproverResolver({
      rule: deps.options.approvers,
      catalog: deps.catalog,
      auth: deps.auth,
      environments: deps.environments,
      nestedGroups: deps.options.nestedGroups,
    });
    this.decisions = new AccessDecisions({
      ...deps,
      approvers: this.approvers,
      lifecycle: this.lifecycle,
      events: this.events,
      now,
    });
    if (!this.lifecycle.provisioner(deps.options.provisioner)) {
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
    const userRef = requireUser(caller);
    if (!caller.can.create) {
      throw new NotAllowedError(
        permissionDeniedMessage(
          'request access',
          envParityAccessCreatePermission.name,
        ),
      );
    }
    const { options } = this.deps;
    const input = parseCreateBody(body, options);
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

    const approver = this.approvers.forNew(entity, environment);
    if (!approver) {
      throw new InputError(
        options.approvers.type === 'service-owner'
          ? `${entityRef} has no owner, so nobody could approve access to it`
          : `Environment ${environment.name} has no owner, so nobody could approve access to it; set envParity.environments[].owner`,
      );
    }

    const now = this.now();
    const provisioner = this.lifecycle.provisioner(options.provisioner)!;
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
      const context = await this.lifecycle.provisionerContext(record, entity);
      await provisioner.validate(
        toAccessRequest({ ...record, status: 'approved' }, [], now),
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
    await this.events.audited(
      stored,
      undefined,
      input.breakGlass ? 'break-glass' : 'requested',
      userRef,
    );

    if (input.breakGlass) {
      this.events.notify({
        request: stored,
        to: [stored.approverRef],
        exclude: [userRef],
        severity: 'critical',
        title: `Break-glass access to ${describeRequest(stored)}`,
        naming: [userRef],
        description: name =>
          `${name(userRef)} activated ${minutes(
            stored.durationMinutes,
          )} of read-only access to ${describeRequest(
            stored,
          )} without review: ${stored.reason}. Review it afterwards.`,
      });
      await this.lifecycle.grantNow(stored);
    } else {
      this.events.notify({
        request: stored,
        to: [stored.approverRef],
        exclude: [userRef],
        severity: 'high',
        title: `Access requested to ${describeRequest(stored)}`,
        naming: [userRef],
        description: name =>
          `${name(userRef)} asks for ${minutes(
            stored.durationMinutes,
          )} of read-only access to ${describeRequest(stored)}: ${
            stored.reason
          }`,
      });
    }
    return this.viewOf(await this.deps.store.require(stored.id));
  }

  async get(caller: AccessCaller, id: string): Promise<AccessRequestDetails> {
    const record = await this.deps.store.get(id);
    if (!record || !(await this.canSee(caller, record))) {
      throw new NotFoundError(`No access request ${id}`);
    }
    this.lifecycle.enforceInBackground([record]);
    const [approvals, events] = await Promise.all([
      this.deps.store.getApprovals([id]),
      this.deps.store.getEvents(id),
    ]);
    return {
      ...toAccessRequest(record, approvals, this.now()),
      events,
      actions: await this.actionsFor(caller, record, approvals),
    };
  }

  async list(
    caller: AccessCaller,
    query: AccessListQuery,
  ): Promise<AccessRequest[]> {
    let records = await listForCaller({
      catalog: this.deps.catalog,
      caller,
      query,
      nouns: 'access requests',
      reviewPermission: envParityAccessReviewPermission,
      approverRefsOf: userRef => this.approvers.approverRefsOf(userRef),
      reviewable: { awaitingReview: true },
      list: q => this.deps.store.list(q),
    });
    this.lifecycle.enforceInBackground(records);
    const now = this.now();
    if (query.reviewable) {
      // Past its deadline, a pending request is no longer reviewable.
      records = records.filter(
        r => r.status !== 'pending' || effectiveStatus(r, now) === 'pending',
      );
    }
    const approvals = await this.deps.store.getApprovals(
      records.map(r => r.id),
    );
    return records.map(r =>
      toAccessRequest(
        r,
        approvals.filter(a => a.requestId === r.id),
        now,
      ),
    );
  }

  async approve(caller: AccessCaller, id: string, body: unknown) {
    return this.decisions.approve(caller, id, body);
  }

  async deny(caller: AccessCaller, id: string, body: unknown) {
    return this.decisions.deny(caller, id, body);
  }

  async withdraw(caller: AccessCaller, id: string, body: unknown) {
    return this.decisions.withdraw(caller, id, body);
  }

  async revoke(caller: AccessCaller, id: string, body: unknown) {
    return this.decisions.revoke(caller, id, body);
  }

  /** Records the after-the-fact review of a break-glass access. */
  async review(caller: AccessCaller, id: string, body: unknown) {
    return this.decisions.review(caller, id, body);
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
      !(caller.userRef && sameRef(caller.userRef, user))
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

  /** One pass of the sweep; see {@link AccessSweep.run}. */
  async sweep(): Promise<void> {
    return this.sweeper.run();
  }

  /** Waits (a bounded time) for background enforcement, notifications and the sweep. */
  close(timeoutMs = 10_000): Promise<void> {
    return settleWithin(
      (async () => {
        await this.events.settled();
        await this.sweeper.settled();
      })(),
      timeoutMs,
    );
  }

  // ---------------------------------------------------------------- helpers

  private async referenceEnvironment(): Promise<EnvironmentDefinition> {
    const environments = await this.deps.environments.list();
    return (
      environments.find(e => e.reference) ??
      environments[environments.length - 1]
    );
  }

  private canSee(caller: AccessCaller, record: AccessRequestRecord) {
    return canSee({
      catalog: this.deps.catalog,
      caller,
      record,
      isApprover: userRef => this.approvers.isApprover(userRef, record),
    });
  }

  private async actionsFor(
    caller: AccessCaller,
    record: AccessRequestRecord,
    approvals: AccessApprovalRecord[],
  ): Promise<AccessRequestActions> {
    const userRef = caller.userRef;
    if (!userRef) {
      return NO_ACTIONS;
    }
    const isRequester = sameRef(userRef, record.requester);
    return actionsOf({
      record,
      status: effectiveStatus(record, this.now()),
      isRequester,
      isApprover:
        !isRequester &&
        caller.can.review &&
        (await this.approvers.isApprover(userRef, record)),
      decided: approvals.some(a => sameRef(a.approver, userRef)),
      admin: caller.can.admin,
    });
  }

  private async viewOf(record: AccessRequestRecord) {
    return toAccessRequest(
      record,
      await this.deps.store.getApprovals([record.id]),
      this.now(),
    );
  }
}

export type { NewAccessEvent };
