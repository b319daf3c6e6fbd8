import { ResponseError } from '@backstage/errors';
import {
  AccessEvent,
  AccessEventType,
  AccessRequest,
  AccessRequestDetails,
  AccessRequestStatus,
  AccessSettings,
  CreateAccessRequestBody,
  isFinalAccessRequestStatus,
} from '@env-parity/plugin-env-parity-common';
import {
  AccessRequestAction,
  AccessRequestFilter,
  EnvParityApi,
} from '../../../api';

/** The access methods of the API. */
export type AccessApi = Pick<
  EnvParityApi,
  | 'getAccessSettings'
  | 'createAccessRequest'
  | 'listAccessRequests'
  | 'getAccessRequest'
  | 'decideAccessRequest'
>;

/** A ResponseError as the client makes it from a Backstage error body. */
export async function accessError(
  status: number,
  name: string,
  message: string,
): Promise<ResponseError> {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name, message },
        request: { method: 'POST', url: '/api/env-parity/access/requests' },
        response: { statusCode: status },
      }),
      {
        status,
        statusText: name,
        headers: { 'content-type': 'application/json' },
      },
    ),
  );
}

export const defaultAccessSettings: AccessSettings = {
  maxDurationMinutes: 480,
  minReasonLength: 10,
  maxReasonLength: 2000,
  ticketRequired: false,
  breakGlassEnabled: false,
  requiredApprovals: 1,
  reviewTimeoutMinutes: 1440,
  defaultEnvironment: 'production',
  provisioner: 'record-only',
};

type Stored = Omit<AccessRequestDetails, 'actions'>;

const MINUTE = 60_000;

/**
 * An in-memory stand-in for the access part of the env-parity backend: the
 * same lifecycle, validation and answers, for one signed-in user.
 */
export class FakeAccessApi implements AccessApi {
  settings: AccessSettings = { ...defaultAccessSettings };
  /** The signed-in user. */
  user = 'user:default/guest';
  /** Whether the user may review (and is an approver of every request). */
  canReview = false;
  /** Rendered into active requests. */
  instructions = 'kubectl --context prod -n payments get pods';
  readonly requests = new Map<string, Stored>();
  readonly calls: Array<{ method: string; args: unknown[] }> = [];
  private nextId = 1;
  private nextEvent = 1;
  private failures: Array<{ method: keyof AccessApi; error: Error }> = [];

  /** The next call of `method` fails with `error`. */
  failNext(method: keyof AccessApi, error: Error) {
    this.failures.push({ method, error });
  }

  private async enter(method: keyof AccessApi, args: unknown[]) {
    this.calls.push({ method, args });
    const index = this.failures.findIndex(f => f.method === method);
    if (index >= 0) {
      const [failure] = this.failures.splice(index, 1);
      throw failure.error;
    }
  }

  callsOf(method: keyof AccessApi) {
    return this.calls.filter(c => c.method === method).map(c => c.args);
  }

  private event(
    request: Stored,
    type: AccessEventType,
    actor: string,
    from: AccessRequestStatus | undefined,
    to: AccessRequestStatus,
    comment?: string,
    details?: Record<string, unknown>,
  ) {
    const event: AccessEvent = {
      id: this.nextEvent++,
      requestId: request.id,
      type,
      actor,
      ...(from && { fromStatus: from }),
      toStatus: to,
      ...(comment && { comment }),
      ...(details && { details }),
      at: new Date().toISOString(),
    };
    request.events.push(event);
  }

  /** Adds a request as if someone had made it; returns it. */
  seed(
    partial: Partial<Stored> & Pick<Stored, 'entityRef'>,
  ): AccessRequestDetails {
    const now = Date.now();
    const id = `00000000-0000-4000-8000-${String(this.nextId++).padStart(
      12,
      '0',
    )}`;
    const request: Stored = {
      id,
      environment: 'production',
      requester: this.user,
      reason: 'Checking whether refunds fail there too',
      durationMinutes: 60,
      breakGlass: false,
      status: 'pending',
      version: 1,
      approverRef: 'group:default/sre',
      approverSource: 'environment-owner',
      requiredApprovals: 1,
      approvals: [],
      provisioner: 'record-only',
      createdAt: new Date(now).toISOString(),
      updatedAt: new Date(now).toISOString(),
      reviewDeadline: new Date(now + 24 * 60 * MINUTE).toISOString(),
      events: [],
      ...partial,
    };
    if (!partial.events) {
      this.event(
        request,
        'requested',
        request.requester,
        undefined,
        'pending',
        request.reason,
        { durationMinutes: request.durationMinutes },
      );
    }
    this.requests.set(id, request);
    return this.withActions(request);
  }

  private actionsFor(r: Stored) {
    const mine = r.requester === this.user;
    return {
      approve: r.status === 'pending' && !mine && this.canReview,
      deny: r.status === 'pending' && !mine && this.canReview,
      withdraw: r.status === 'pending' && mine,
      revoke:
        ['approved', 'active', 'provisioning-failed'].includes(r.status) &&
        (mine || this.canReview),
      review:
        Boolean(r.review?.required && !r.review.reviewedBy) &&
        !mine &&
        this.canReview,
    };
  }

  private withActions(r: Stored): AccessRequestDetails {
    return JSON.parse(
      JSON.stringify({ ...r, actions: this.actionsFor(r) }),
    ) as AccessRequestDetails;
  }

  private view(r: Stored): AccessRequest {
    const { events, ...rest } = this.withActions(r);
    const { actions, ...request } = rest;
    return request;
  }

  async getAccessSettings() {
    await this.enter('getAccessSettings', []);
    return { ...this.settings };
  }

  async createAccessRequest(body: CreateAccessRequestBody) {
    await this.enter('createAccessRequest', [body]);
    const reason = body.reason.trim();
    if (reason.length < this.settings.minReasonLength) {
      throw await accessError(
        400,
        'InputError',
        `reason must be at least ${this.settings.minReasonLength} characters`,
      );
    }
    if (
      body.durationMinutes < 1 ||
      body.durationMinutes > this.settings.maxDurationMinutes
    ) {
      throw await accessError(
        400,
        'InputError',
        `durationMinutes must be a whole number from 1 to ${this.settings.maxDurationMinutes}`,
      );
    }
    const created = this.seed({
      entityRef: body.entityRef,
      environment: body.environment ?? this.settings.defaultEnvironment,
      requester: this.user,
      reason,
      ...(body.ticket && { ticket: body.ticket }),
      durationMinutes: body.durationMinutes,
      breakGlass: Boolean(body.breakGlass),
    });
    const stored = this.requests.get(created.id)!;
    if (body.breakGlass) {
      stored.events = [];
      this.event(
        stored,
        'break-glass',
        this.user,
        undefined,
        'approved',
        reason,
      );
      stored.review = { required: true };
      this.activate(stored);
    }
    return this.view(stored);
  }

  private activate(r: Stored) {
    const from = r.status;
    r.status = 'active';
    r.activatedAt = new Date().toISOString();
    r.expiresAt = new Date(
      Date.now() + r.durationMinutes * MINUTE,
    ).toISOString();
    r.instructions = this.instructions;
    r.version++;
    this.event(r, 'granted', 'system', from, 'active');
  }

  async listAccessRequests(filter: AccessRequestFilter = {}) {
    await this.enter('listAccessRequests', [filter]);
    let items = [...this.requests.values()];
    if (filter.reviewable) {
      if (!this.canReview) {
        throw await accessError(
          403,
          'NotAllowedError',
          'You are not allowed to review access requests: this needs the permission env-parity.access.review.',
        );
      }
      items = items.filter(
        r =>
          r.requester !== this.user &&
          (r.status === 'pending' ||
            Boolean(r.review?.required && !r.review.reviewedBy)),
      );
    } else if (filter.mine) {
      items = items.filter(r => r.requester === this.user);
    } else if (!this.canReview) {
      items = items.filter(r => r.requester === this.user);
    }
    if (filter.entityRef) {
      items = items.filter(r => r.entityRef === filter.entityRef);
    }
    if (filter.environment) {
      items = items.filter(r => r.environment === filter.environment);
    }
    if (filter.status) {
      items = items.filter(r => filter.status!.includes(r.status));
    }
    items.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { items: items.map(r => this.view(r)) };
  }

  async getAccessRequest(id: string) {
    await this.enter('getAccessRequest', [id]);
    const r = this.requests.get(id);
    if (!r) {
      throw await accessError(404, 'NotFoundError', `No access request ${id}`);
    }
    return this.withActions(r);
  }

  async decideAccessRequest(
    id: string,
    action: AccessRequestAction,
    comment?: string,
  ) {
    await this.enter('decideAccessRequest', [id, action, comment]);
    const r = this.requests.get(id);
    if (!r) {
      throw await accessError(404, 'NotFoundError', `No access request ${id}`);
    }
    if (!this.actionsFor(r)[action]) {
      throw await accessError(
        409,
        'ConflictError',
        `Access request ${id} is ${r.status}${
          isFinalAccessRequestStatus(r.status) ? ', which is final' : ''
        }; it cannot be ${action}d`,
      );
    }
    const now = new Date().toISOString();
    const from = r.status;
    r.updatedAt = now;
    switch (action) {
      case 'approve':
        r.approvals.push({
          approver: this.user,
          decision: 'approve',
          comment,
          at: now,
        });
        r.status = 'approved';
        this.event(r, 'approved', this.user, from, 'approved', comment, {
          approvals: 1,
          requiredApprovals: r.requiredApprovals,
        });
        this.activate(r);
        break;
      case 'deny':
        if (!comment) {
          throw await accessError(
            400,
            'InputError',
            'comment is required: say why',
          );
        }
        r.approvals.push({
          approver: this.user,
          decision: 'deny',
          comment,
          at: now,
        });
        r.status = 'denied';
        r.resolvedAt = now;
        this.event(r, 'denied', this.user, from, 'denied', comment);
        break;
      case 'withdraw':
        r.status = 'withdrawn';
        r.resolvedAt = now;
        this.event(r, 'withdrawn', this.user, from, 'withdrawn', comment);
        break;
      case 'revoke':
        r.status = 'revoked';
        r.resolvedAt = now;
        delete r.instructions;
        this.event(r, 'revoked', this.user, from, 'revoked', comment);
        break;
      case 'review':
        r.review = {
          required: true,
          reviewedBy: this.user,
          reviewedAt: now,
          comment,
        };
        this.event(r, 'reviewed', this.user, from, from, comment);
        break;
      default:
        break;
    }
    r.version++;
    return this.view(r);
  }
}
