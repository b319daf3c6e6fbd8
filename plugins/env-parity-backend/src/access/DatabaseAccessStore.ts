import {
  DatabaseService,
  isDatabaseConflictError,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  AccessApproverSource,
  AccessEvent,
  AccessEventType,
  AccessRequestStatus,
  isFinalAccessRequestStatus,
} from '@env-parity/plugin-env-parity-common';
import { Knex } from 'knex';
import { migratedClient } from '../database/migrations';
import {
  chunks,
  DbTime,
  IN_LIST_CHUNK,
  isRolledBackRace,
  optional,
  toDate,
} from '../database/rows';
import { createHash } from 'node:crypto';

const REQUESTS = 'env_parity_access_requests';
const APPROVALS = 'env_parity_access_approvals';
const EVENTS = 'env_parity_access_events';

/** A stored access request, with times as Dates. */
export interface AccessRequestRecord {
  id: string;
  entityRef: string;
  environment: string;
  requester: string;
  reason: string;
  ticket?: string;
  durationMinutes: number;
  breakGlass: boolean;
  status: AccessRequestStatus;
  version: number;
  approverRef: string;
  approverSource: AccessApproverSource;
  requiredApprovals: number;
  approvals: number;
  provisioner: string;
  grantMetadata?: Record<string, string>;
  instructions?: string;
  provisioningOperation?: 'grant' | 'revoke';
  provisioningTarget?: 'expired' | 'revoked';
  provisioningAttempts: number;
  provisioningNextAt?: Date;
  provisioningError?: string;
  reviewRequired: boolean;
  reviewedBy?: string;
  reviewedAt?: Date;
  reviewComment?: string;
  createdAt: Date;
  updatedAt: Date;
  reviewDeadlineAt: Date;
  decidedAt?: Date;
  activatedAt?: Date;
  expiresAt?: Date;
  warnedAt?: Date;
  resolvedAt?: Date;
}

export interface AccessApprovalRecord {
  requestId: string;
  approver: string;
  decision: 'approve' | 'deny';
  comment?: string;
  decidedAt: Date;
}

/** The fields a transition may set besides the status. */
export type AccessRequestUpdate = Partial<
  Pick<
    AccessRequestRecord,
    | 'approvals'
    | 'grantMetadata'
    | 'instructions'
    | 'provisioningOperation'
    | 'provisioningTarget'
    | 'provisioningAttempts'
    | 'provisioningNextAt'
    | 'provisioningError'
    | 'reviewedBy'
    | 'reviewedAt'
    | 'reviewComment'
    | 'decidedAt'
    | 'activatedAt'
    | 'expiresAt'
    | 'warnedAt'
    | 'resolvedAt'
  >
>;

export interface NewAccessEvent {
  type: AccessEventType;
  actor: string;
  comment?: string;
  details?: Record<string, unknown>;
}

/**
 * The state machine: which status may follow which. A status may follow
 * itself where a write records something without changing the status (a
 * partial approval, a failed retry, an expiry warning).
 */
export const ACCESS_TRANSITIONS: Record<
  AccessRequestStatus,
  readonly AccessRequestStatus[]
> = {
  pending: ['pending', 'approved', 'denied', 'withdrawn', 'timed-out'],
  approved: ['active', 'provisioning-failed', 'revoked'],
  active: ['active', 'expired', 'revoked', 'provisioning-failed'],
  'provisioning-failed': [
    'provisioning-failed',
    'active',
    'expired',
    'revoked',
  ],
  expired: [],
  revoked: [],
  denied: [],
  withdrawn: [],
  'timed-out': [],
};

interface RequestRow {
  id: string;
  entity_ref: string;
  environment: string;
  requester: string;
  reason: string;
  ticket: string | null;
  duration_minutes: number;
  break_glass: boolean | number;
  status: AccessRequestStatus;
  version: number;
  open_key: string | null;
  approver_ref: string;
  approver_source: AccessApproverSource;
  required_approvals: number;
  approvals: number;
  provisioner: string;
  grant_metadata: string | null;
  instructions: string | null;
  provisioning_operation: 'grant' | 'revoke' | null;
  provisioning_target: 'expired' | 'revoked' | null;
  provisioning_attempts: number;
  provisioning_next_at: DbTime | null;
  provisioning_error: string | null;
  review_required: boolean | number;
  reviewed_by: string | null;
  reviewed_at: DbTime | null;
  review_comment: string | null;
  created_at: DbTime;
  updated_at: DbTime;
  review_deadline_at: DbTime;
  decided_at: DbTime | null;
  activated_at: DbTime | null;
  expires_at: DbTime | null;
  warned_at: DbTime | null;
  resolved_at: DbTime | null;
}

interface EventRow {
  id: number;
  request_id: string;
  type: AccessEventType;
  actor: string;
  from_status: AccessRequestStatus | null;
  to_status: AccessRequestStatus | null;
  comment: string | null;
  details: string | null;
  at: DbTime;
}

interface ApprovalRow {
  request_id: string;
  approver: string;
  decision: 'approve' | 'deny';
  comment: string | null;
  decided_at: DbTime;
}

function fromRow(row: RequestRow): AccessRequestRecord {
  return {
    id: row.id,
    entityRef: row.entity_ref,
    environment: row.environment,
    requester: row.requester,
    reason: row.reason,
    ticket: optional(row.ticket),
    durationMinutes: Number(row.duration_minutes),
    breakGlass: Boolean(row.break_glass),
    status: row.status,
    version: Number(row.version),
    approverRef: row.approver_ref,
    approverSource: row.approver_source,
    requiredApprovals: Number(row.required_approvals),
    approvals: Number(row.approvals),
    provisioner: row.provisioner,
    grantMetadata: row.grant_metadata
      ? JSON.parse(row.grant_metadata)
      : undefined,
    instructions: optional(row.instructions),
    provisioningOperation: optional(row.provisioning_operation),
    provisioningTarget: optional(row.provisioning_target),
    provisioningAttempts: Number(row.provisioning_attempts),
    provisioningNextAt: toDate(row.provisioning_next_at),
    provisioningError: optional(row.provisioning_error),
    reviewRequired: Boolean(row.review_required),
    reviewedBy: optional(row.reviewed_by),
    reviewedAt: toDate(row.reviewed_at),
    reviewComment: optional(row.review_comment),
    createdAt: toDate(row.created_at)!,
    updatedAt: toDate(row.updated_at)!,
    reviewDeadlineAt: toDate(row.review_deadline_at)!,
    decidedAt: toDate(row.decided_at),
    activatedAt: toDate(row.activated_at),
    expiresAt: toDate(row.expires_at),
    warnedAt: toDate(row.warned_at),
    resolvedAt: toDate(row.resolved_at),
  };
}

const COLUMNS: Record<keyof AccessRequestUpdate, keyof RequestRow> = {
  approvals: 'approvals',
  grantMetadata: 'grant_metadata',
  instructions: 'instructions',
  provisioningOperation: 'provisioning_operation',
  provisioningTarget: 'provisioning_target',
  provisioningAttempts: 'provisioning_attempts',
  provisioningNextAt: 'provisioning_next_at',
  provisioningError: 'provisioning_error',
  reviewedBy: 'reviewed_by',
  reviewedAt: 'reviewed_at',
  reviewComment: 'review_comment',
  decidedAt: 'decided_at',
  activatedAt: 'activated_at',
  expiresAt: 'expires_at',
  warnedAt: 'warned_at',
  resolvedAt: 'resolved_at',
};

/** `undefined` in an update means "set to null"; absent keys are left alone. */
function toColumns(update: AccessRequestUpdate): Partial<RequestRow> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(update)) {
    const column = COLUMNS[key as keyof AccessRequestUpdate];
    if (!column) {
      throw new Error(`Unknown access request field ${key}`);
    }
    if (key === 'grantMetadata') {
      result[column] = value === undefined ? null : JSON.stringify(value);
    } else {
      result[column] = value === undefined ? null : value;
    }
  }
  return result as Partial<RequestRow>;
}

/** One open request per requester, service and environment. */
export function openKey(
  requester: string,
  entityRef: string,
  environment: string,
) {
  return createHash('sha256')
    .update(JSON.stringify([requester, entityRef, environment]))
    .digest('hex');
}

export interface AccessRequestQuery {
  /** Only requests by this user. */
  requester?: string;
  /** Only requests not by this user. */
  notRequester?: string;
  /** Only requests whose approver is one of these refs. */
  approverRefs?: string[];
  /** Requests by this user or approved by one of these refs. */
  involving?: { user: string; approverRefs: string[] };
  /** Pending, or break-glass awaiting review. */
  awaitingReview?: boolean;
  entityRef?: string;
  environment?: string;
  statuses?: AccessRequestStatus[];
  limit: number;
  offset: number;
}

/** The requests the sweep has to act on. */
export interface DueRequests {
  /** Pending past their review deadline. */
  timedOut: AccessRequestRecord[];
  /** Active past their end, or failing to be granted past the end of their window. */
  overdue: AccessRequestRecord[];
  /** Approved but not granted for longer than a grant should take (a crash, a lost replica). */
  stuck: AccessRequestRecord[];
  /** Failed provisioning due for a retry. */
  retries: AccessRequestRecord[];
  /** Active, ending soon, not yet warned. */
  ending: AccessRequestRecord[];
}

/**
 * The knex store of access requests. Every status change is a single
 * conditional write, `UPDATE ... WHERE id = ? AND status = ? AND version = ?`,
 * in one transaction with its append-only event; zero rows updated means
 * someone else changed the request first.
 */
export class DatabaseAccessStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseAccessStore> {
    const { database, skipMigrations } = options;
    const client = await migratedClient(database, skipMigrations);
    return new DatabaseAccessStore(client);
  }

  private readonly rowLocks: boolean;

  private constructor(private readonly db: Knex) {
    const client = String(db.client.config.client ?? '');
    this.rowLocks = !client.includes('sqlite');
  }

  /**
   * Stores a new request with its first event. Throws `ConflictError` when
   * the requester already has an open request for the same service and
   * environment.
   */
  async insert(
    request: AccessRequestRecord,
    event: NewAccessEvent,
  ): Promise<AccessRequestRecord> {
    const row: RequestRow = {
      id: request.id,
      entity_ref: request.entityRef,
      environment: request.environment,
      requester: request.requester,
      reason: request.reason,
      ticket: request.ticket ?? null,
      duration_minutes: request.durationMinutes,
      break_glass: request.breakGlass,
      status: request.status,
      version: 1,
      open_key: isFinalAccessRequestStatus(request.status)
        ? null
        : openKey(request.requester, request.entityRef, request.environment),
      approver_ref: request.approverRef,
      approver_source: request.approverSource,
      required_approvals: request.requiredApprovals,
      approvals: request.approvals,
      provisioner: request.provisioner,
      grant_metadata: null,
      instructions: null,
      provisioning_operation: null,
      provisioning_target: null,
      provisioning_attempts: 0,
      provisioning_next_at: null,
      provisioning_error: null,
      review_required: request.reviewRequired,
      reviewed_by: null,
      reviewed_at: null,
      review_comment: null,
      created_at: request.createdAt,
      updated_at: request.createdAt,
      review_deadline_at: request.reviewDeadlineAt,
      decided_at: request.decidedAt ?? null,
      activated_at: null,
      expires_at: null,
      warned_at: null,
      resolved_at: null,
    };
    try {
      await this.db.transaction(async tx => {
        await tx(REQUESTS).insert(row);
        await tx(EVENTS).insert(
          this.eventRow(
            request.id,
            event,
            undefined,
            request.status,
            request.createdAt,
          ),
        );
      });
    } catch (error) {
      if (isDatabaseConflictError(error)) {
        throw new ConflictError(
          `You already have an open access request for ${request.entityRef} in ${request.environment}; withdraw it or wait for it to end`,
        );
      }
      throw error;
    }
    return (await this.get(request.id))!;
  }

  async get(id: string): Promise<AccessRequestRecord | undefined> {
    const row = await this.db<RequestRow>(REQUESTS).where('id', id).first();
    return row ? fromRow(row) : undefined;
  }

  /**
   * Moves a request from the exact state it was read in to `to`, as one
   * conditional write with its event (and the reviewer's decision, if any).
   *
   * Returns the updated request, or `undefined` when the request was changed
   * by someone else since it was read: the caller lost the race.
   */
  async transition(options: {
    from: AccessRequestRecord;
    to: AccessRequestStatus;
    set?: AccessRequestUpdate;
    event: NewAccessEvent;
    approval?: Omit<AccessApprovalRecord, 'requestId' | 'decidedAt'>;
    /** Records something on a final request without changing its status (a break-glass review). */
    annotateFinal?: boolean;
    at: Date;
  }): Promise<AccessRequestRecord | undefined> {
    const { from, to, set = {}, event, approval, at } = options;
    const allowed =
      ACCESS_TRANSITIONS[from.status].includes(to) ||
      (options.annotateFinal === true && to === from.status);
    if (!allowed) {
      throw new Error(
        `Access request ${from.id} cannot go from ${from.status} to ${to}`,
      );
    }
    const update: Partial<RequestRow> = {
      ...toColumns(set),
      status: to,
      version: from.version + 1,
      updated_at: at,
    };
    if (isFinalAccessRequestStatus(to)) {
      update.open_key = null;
    }
    try {
      const won = await this.db.transaction(async tx => {
        if (this.rowLocks) {
          // Queue writers of one request on its primary key first; on MySQL
          // the conditional update alone also takes gap locks on the status
          // index, where two writers can deadlock.
          await tx<RequestRow>(REQUESTS)
            .select('id')
            .where('id', from.id)
            .forUpdate();
        }
        const changed = await tx<RequestRow>(REQUESTS)
          .where({ id: from.id, status: from.status, version: from.version })
          .update(update);
        if (changed !== 1) {
          return false;
        }
        if (approval) {
          await tx<ApprovalRow>(APPROVALS).insert({
            request_id: from.id,
            approver: approval.approver,
            decision: approval.decision,
            comment: approval.comment ?? null,
            decided_at: at,
          });
        }
        await tx(EVENTS).insert(
          this.eventRow(from.id, event, from.status, to, at),
        );
        return true;
      });
      return won ? this.get(from.id) : undefined;
    } catch (error) {
      if (isRolledBackRace(error)) {
        return undefined;
      }
      if (approval && isDatabaseConflictError(error)) {
        throw new ConflictError(
          `${approval.approver} has already decided on access request ${from.id}`,
        );
      }
      throw error;
    }
  }

  async getApprovals(requestIds: string[]): Promise<AccessApprovalRecord[]> {
    const result: AccessApprovalRecord[] = [];
    for (const chunk of chunks(requestIds)) {
      const rows = await this.db<ApprovalRow>(APPROVALS)
        .whereIn('request_id', chunk)
        .orderBy('id');
      result.push(
        ...rows.map(row => ({
          requestId: row.request_id,
          approver: row.approver,
          decision: row.decision,
          comment: optional(row.comment),
          decidedAt: toDate(row.decided_at)!,
        })),
      );
    }
    return result;
  }

  async getEvents(requestId: string): Promise<AccessEvent[]> {
    const rows = await this.db<EventRow>(EVENTS)
      .where('request_id', requestId)
      .orderBy('id');
    return rows.map(row => ({
      id: Number(row.id),
      requestId: row.request_id,
      type: row.type,
      actor: row.actor,
      ...(row.from_status !== null && { fromStatus: row.from_status }),
      ...(row.to_status !== null && { toStatus: row.to_status }),
      ...(row.comment !== null && { comment: row.comment }),
      ...(row.details !== null && { details: JSON.parse(row.details) }),
      at: toDate(row.at)!.toISOString(),
    }));
  }

  async list(query: AccessRequestQuery): Promise<AccessRequestRecord[]> {
    const q = this.db<RequestRow>(REQUESTS);
    if (query.requester !== undefined) {
      q.where('requester', query.requester);
    }
    if (query.notRequester !== undefined) {
      q.whereNot('requester', query.notRequester);
    }
    if (query.approverRefs !== undefined) {
      q.whereIn('approver_ref', query.approverRefs.slice(0, IN_LIST_CHUNK));
    }
    if (query.involving) {
      const { user, approverRefs } = query.involving;
      q.where(w =>
        w
          .where('requester', user)
          .orWhereIn('approver_ref', approverRefs.slice(0, IN_LIST_CHUNK)),
      );
    }
    if (query.awaitingReview) {
      q.where(w =>
        w
          .where('status', 'pending')
          .orWhere(r =>
            r
              .where('review_required', true)
              .whereNull('reviewed_at')
              .whereNot('status', 'pending'),
          ),
      );
    }
    if (query.entityRef !== undefined) {
      q.where('entity_ref', query.entityRef);
    }
    if (query.environment !== undefined) {
      q.where('environment', query.environment);
    }
    if (query.statuses !== undefined) {
      q.whereIn('status', query.statuses);
    }
    const rows = await q
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(query.limit)
      .offset(query.offset);
    return rows.map(fromRow);
  }

  /** Grants in force at `now`: active and not yet past their end. */
  async activeGrants(filter: {
    user: string;
    entityRef?: string;
    environment?: string;
    now: Date;
  }): Promise<AccessRequestRecord[]> {
    const q = this.db<RequestRow>(REQUESTS)
      .where('status', 'active')
      .where('requester', filter.user)
      .where('expires_at', '>', filter.now);
    if (filter.entityRef !== undefined) {
      q.where('entity_ref', filter.entityRef);
    }
    if (filter.environment !== undefined) {
      q.where('environment', filter.environment);
    }
    return (await q.orderBy('expires_at')).map(fromRow);
  }

  async due(options: {
    now: Date;
    stuckBefore: Date;
    warnBefore: Date;
    limit: number;
  }): Promise<DueRequests> {
    const { now, stuckBefore, warnBefore, limit } = options;
    const rows = (q: Knex.QueryBuilder<RequestRow>) =>
      q
        .orderBy('id')
        .limit(limit)
        .then(r => r.map(fromRow));
    const table = () => this.db<RequestRow>(REQUESTS);
    return {
      timedOut: await rows(
        table()
          .where('status', 'pending')
          .where('review_deadline_at', '<=', now),
      ),
      overdue: await rows(
        table().where(w =>
          w
            .where(a =>
              a.where('status', 'active').where('expires_at', '<=', now),
            )
            .orWhere(f =>
              f
                .where('status', 'provisioning-failed')
                .where('provisioning_operation', 'grant')
                .whereNotNull('expires_at')
                .where('expires_at', '<=', now),
            ),
        ),
      ),
      stuck: await rows(
        table()
          .where('status', 'approved')
          .where('updated_at', '<=', stuckBefore),
      ),
      retries: await rows(
        table()
          .where('status', 'provisioning-failed')
          .where('provisioning_next_at', '<=', now),
      ),
      ending: await rows(
        table()
          .where('status', 'active')
          .whereNull('warned_at')
          .where('expires_at', '>', now)
          .where('expires_at', '<=', warnBefore),
      ),
    };
  }

  /** Which of these request ids are final (or unknown ids: not). */
  async finalIds(ids: string[]): Promise<Set<string>> {
    const result = new Set<string>();
    for (const chunk of chunks(ids)) {
      const rows = await this.db<RequestRow>(REQUESTS)
        .select('id', 'status')
        .whereIn('id', chunk);
      rows
        .filter(row => isFinalAccessRequestStatus(row.status))
        .forEach(row => result.add(row.id));
    }
    return result;
  }

  /** Throws `NotFoundError` for an unknown id. */
  async require(id: string): Promise<AccessRequestRecord> {
    const request = await this.get(id);
    if (!request) {
      throw new NotFoundError(`No access request ${id}`);
    }
    return request;
  }

  private eventRow(
    requestId: string,
    event: NewAccessEvent,
    fromStatus: AccessRequestStatus | undefined,
    toStatus: AccessRequestStatus,
    at: Date,
  ): Omit<EventRow, 'id'> {
    return {
      request_id: requestId,
      type: event.type,
      actor: event.actor,
      from_status: fromStatus ?? null,
      to_status: toStatus,
      comment: event.comment ?? null,
      details: event.details ? JSON.stringify(event.details) : null,
      at,
    };
  }
}
