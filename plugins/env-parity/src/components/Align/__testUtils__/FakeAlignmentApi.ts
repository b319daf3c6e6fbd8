import {
  Alignment,
  AlignmentPreview,
  AlignmentRequestBody,
  AlignmentStatus,
  AlignmentStep,
  AlignmentTarget,
  isFinalAlignmentStatus,
} from '@env-parity/plugin-env-parity-common';
import { AlignmentAction, AlignmentFilter, EnvParityApi } from '../../../api';
import { accessError } from '../../Access/__testUtils__/FakeAccessApi';

/** The alignment methods of the API. */
export type AlignApi = Pick<
  EnvParityApi,
  | 'previewAlignment'
  | 'createAlignment'
  | 'listAlignments'
  | 'getAlignment'
  | 'decideAlignment'
>;

/** One environment's policy, as `envParity.align.environments` sets it. */
export interface FakeAlignPolicy {
  deployer: string;
  /** Absent: no approval needed. */
  approvers?: string;
  requiredApprovals?: number;
  carriesConfig?: 'all' | string[];
  remainingConfigDrift?: string[];
}

export const productionTarget: AlignmentTarget = {
  version: '2.4.0',
  revision: '9f2c1e7a4b3d5f6e8a9b0c1d2e3f4a5b6c7d8e9f',
  artifact:
    'ghcr.io/acme/payments-api:2.4.0@sha256:3b1f0c9e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c',
  digest:
    'sha256:3b1f0c9e8d7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c',
};

/**
 * An in-memory stand-in for the alignment part of the env-parity backend:
 * the same refusals (with the backend's wording), lifecycle and answers, for
 * one signed-in user.
 */
export class FakeAlignmentApi implements AlignApi {
  /** Whether `envParity.align` is configured at all (404 everywhere if not). */
  configured = true;
  /** The environments alignment is enabled for. */
  policies: Record<string, FakeAlignPolicy> = {
    staging: {
      deployer: 'webhook',
      approvers: 'group:default/sre',
      requiredApprovals: 1,
      carriesConfig: [],
      remainingConfigDrift: ['LOG_LEVEL', 'FEATURE_NEW_CHECKOUT'],
    },
  };
  reference = 'production';
  target: AlignmentTarget = { ...productionTarget };
  /** Environments already running production's artifact. */
  inSync = new Set<string>();
  minReasonLength = 10;
  /** The signed-in user. */
  user = 'user:default/guest';
  canReview = false;
  canAdmin = false;
  readonly alignments = new Map<string, Alignment>();
  readonly calls: Array<{ method: keyof AlignApi; args: unknown[] }> = [];
  private nextId = 1;
  private failures: Array<{ method: keyof AlignApi; error: Error }> = [];

  /** The next call of `method` fails with `error`. */
  failNext(method: keyof AlignApi, error: Error) {
    this.failures.push({ method, error });
  }

  callsOf(method: keyof AlignApi) {
    return this.calls.filter(c => c.method === method).map(c => c.args);
  }

  private async enter(method: keyof AlignApi, args: unknown[]) {
    this.calls.push({ method, args });
    const index = this.failures.findIndex(f => f.method === method);
    if (index >= 0) {
      const [failure] = this.failures.splice(index, 1);
      throw failure.error;
    }
    if (!this.configured) {
      throw await accessError(
        404,
        'NotFoundError',
        'Aligning environments with production is not enabled here (envParity.align is not configured)',
      );
    }
  }

  private step(
    a: Alignment,
    type: AlignmentStep['type'],
    actor: string,
    to: AlignmentStatus,
    comment?: string,
    details?: Record<string, unknown>,
  ) {
    const from = a.status;
    a.timeline.push({
      type,
      actor,
      ...(a.timeline.length > 0 && { fromStatus: from }),
      toStatus: to,
      ...(comment && { comment }),
      ...(details && { details }),
      at: new Date().toISOString(),
    });
    a.status = to;
    a.updatedAt = new Date().toISOString();
    if (isFinalAlignmentStatus(to)) {
      a.finishedAt = a.updatedAt;
    }
  }

  /** Adds an alignment as if someone had asked for it; returns it. */
  seed(partial: Partial<Alignment> & Pick<Alignment, 'entityRef'>): Alignment {
    const now = new Date().toISOString();
    const id = `00000000-0000-4000-8000-a${String(this.nextId++).padStart(
      11,
      '0',
    )}`;
    const alignment: Alignment = {
      id,
      environment: 'staging',
      reference: this.reference,
      target: { ...this.target },
      deployer: 'webhook',
      status: 'pending-approval',
      requester: this.user,
      reason: 'Staging must run what production runs',
      approvers: 'group:default/sre',
      requiredApprovals: 1,
      decisions: [],
      timeline: [],
      createdAt: now,
      updatedAt: now,
      ...partial,
    };
    if (!partial.timeline) {
      alignment.timeline.push({
        type: 'requested',
        actor: alignment.requester,
        toStatus: 'pending-approval',
        comment: alignment.reason,
        details: { deployer: alignment.deployer },
        at: now,
      });
    }
    this.alignments.set(id, alignment);
    return clone(alignment);
  }

  /** Moves an alignment on as the system would, e.g. to `aligned`. */
  advance(id: string, to: AlignmentStatus, comment?: string) {
    const a = this.alignments.get(id)!;
    const type = (
      to === 'pending-approval' ? 'requested' : to
    ) as AlignmentStep['type'];
    if (to === 'failed' || to === 'timed-out') {
      a.failureReason = comment;
    }
    if (to === 'dispatched') {
      a.dispatchedAt = new Date().toISOString();
    }
    this.step(a, type, 'system', to, comment);
  }

  private async plan(entityRef: string, environment: string) {
    if (environment === this.reference) {
      throw await accessError(
        400,
        'InputError',
        `${environment} is the reference environment: other environments are aligned with it, never it with them`,
      );
    }
    const policy = this.policies[environment];
    if (!policy) {
      throw await accessError(
        400,
        'InputError',
        `Alignment is not enabled for ${environment} (envParity.align.environments.${environment})`,
      );
    }
    const open = [...this.alignments.values()].find(
      a =>
        a.entityRef === entityRef &&
        a.environment === environment &&
        !isFinalAlignmentStatus(a.status),
    );
    if (open) {
      throw await accessError(
        409,
        'ConflictError',
        `${entityRef} already has an open alignment of ${environment} (${open.id}, ${open.status}); wait for it to end or cancel it`,
      );
    }
    if (this.inSync.has(environment)) {
      throw await accessError(
        409,
        'ConflictError',
        `${environment} already runs what ${this.reference} runs (${this.target.digest}); there is nothing to align`,
      );
    }
    return policy;
  }

  async previewAlignment(
    entityRef: string,
    environment: string,
  ): Promise<AlignmentPreview> {
    await this.enter('previewAlignment', [entityRef, environment]);
    const policy = await this.plan(entityRef, environment);
    return {
      entityRef,
      environment,
      reference: this.reference,
      target: { ...this.target },
      deployer: policy.deployer,
      summary: `Calls the deployment webhook to deploy ${this.target.artifact} to ${environment}.`,
      carriesConfig: policy.carriesConfig ?? [],
      remainingConfigDrift: policy.remainingConfigDrift ?? [],
      ...(policy.approvers && { approvers: policy.approvers }),
      requiredApprovals: policy.approvers ? policy.requiredApprovals ?? 1 : 0,
    };
  }

  async createAlignment(body: AlignmentRequestBody): Promise<Alignment> {
    await this.enter('createAlignment', [body]);
    const reason = body.reason.trim();
    if (!reason) {
      throw await accessError(
        400,
        'InputError',
        'reason is required: say why to align',
      );
    }
    if (reason.length < this.minReasonLength) {
      throw await accessError(
        400,
        'InputError',
        `reason must be at least ${this.minReasonLength} characters`,
      );
    }
    const policy = await this.plan(body.entityRef, body.environment);
    const created = this.seed({
      entityRef: body.entityRef,
      environment: body.environment,
      reason,
      deployer: policy.deployer,
      approvers: policy.approvers,
      requiredApprovals: policy.approvers ? policy.requiredApprovals ?? 1 : 0,
      status: policy.approvers ? 'pending-approval' : 'dispatched',
    });
    return this.view(this.alignments.get(created.id)!);
  }

  private view(a: Alignment, withTimeline = false): Alignment {
    return clone({ ...a, timeline: withTimeline ? a.timeline : [] });
  }

  async listAlignments(filter: AlignmentFilter = {}) {
    await this.enter('listAlignments', [filter]);
    let items = [...this.alignments.values()];
    if (filter.reviewable) {
      if (!this.canReview) {
        throw await accessError(
          403,
          'NotAllowedError',
          'You are not allowed to review alignments: this needs the permission env-parity.align.review.',
        );
      }
      items = items.filter(
        a => a.status === 'pending-approval' && a.requester !== this.user,
      );
    } else if (filter.mine) {
      items = items.filter(a => a.requester === this.user);
    } else if (!this.canAdmin) {
      items = items.filter(
        a => a.requester === this.user || (this.canReview && a.approvers),
      );
    }
    if (filter.entityRef) {
      items = items.filter(a => a.entityRef === filter.entityRef);
    }
    if (filter.environment) {
      items = items.filter(a => a.environment === filter.environment);
    }
    if (filter.status) {
      items = items.filter(a => filter.status!.includes(a.status));
    }
    items.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    return { items: items.map(a => this.view(a)) };
  }

  async getAlignment(id: string) {
    await this.enter('getAlignment', [id]);
    const a = this.alignments.get(id);
    if (!a) {
      throw await accessError(404, 'NotFoundError', `No alignment ${id}`);
    }
    return this.view(a, true);
  }

  async decideAlignment(
    id: string,
    action: AlignmentAction,
    comment?: string,
  ): Promise<Alignment> {
    await this.enter('decideAlignment', [id, action, comment]);
    const a = this.alignments.get(id);
    if (!a) {
      throw await accessError(404, 'NotFoundError', `No alignment ${id}`);
    }
    if (action === 'cancel') {
      if (a.requester !== this.user && !this.canAdmin) {
        throw await accessError(
          403,
          'NotAllowedError',
          'Only the requester or an admin can cancel an alignment',
        );
      }
    } else {
      if (a.requester === this.user) {
        throw await accessError(
          403,
          'NotAllowedError',
          'Nobody approves or denies their own request',
        );
      }
      if (!this.canReview) {
        throw await accessError(
          403,
          'NotAllowedError',
          'You are not allowed to review alignments: this needs the permission env-parity.align.review.',
        );
      }
      if (action === 'deny' && !comment) {
        throw await accessError(
          400,
          'InputError',
          'comment is required: say why',
        );
      }
    }
    const becoming = {
      approve: 'dispatched',
      deny: 'denied',
      cancel: 'cancelled',
    }[action];
    if (a.status !== 'pending-approval') {
      throw await accessError(
        409,
        'ConflictError',
        `Alignment ${id} is ${a.status}${
          isFinalAlignmentStatus(a.status) ? ', which is final' : ''
        }; it cannot become ${becoming}`,
      );
    }
    const now = new Date().toISOString();
    if (action === 'cancel') {
      this.step(a, 'cancelled', this.user, 'cancelled', comment);
    } else {
      a.decisions.push({
        reviewer: this.user,
        decision: action,
        ...(comment && { comment }),
        at: now,
      });
      if (action === 'deny') {
        this.step(a, 'denied', this.user, 'denied', comment);
      } else {
        a.dispatchedAt = now;
        this.step(a, 'approved', this.user, 'dispatched', comment, {
          approvals: 1,
          requiredApprovals: a.requiredApprovals,
        });
      }
    }
    return this.view(a);
  }
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
