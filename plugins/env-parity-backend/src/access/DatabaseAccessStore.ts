import {
  DatabaseService,
  isDatabaseConflictError,
} from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  AccessEvent,
  AccessRequestStatus,
  isFinalAccessRequestStatus,
} from '@env-parity/plugin-env-parity-common';
import { Knex } from 'knex';
import { compareAndSet } from '../approvals';
import { migratedClient } from '../database/migrations';
import { chunks, IN_LIST_CHUNK, optional, toDate } from '../database/rows';
import {
  AccessApprovalRecord,
  AccessRequestRecord,
  AccessRequestUpdate,
  accessStateMachine,
  NewAccessEvent,
} from './records';
import {
  APPROVALS,
  ApprovalRow,
  EVENTS,
  EventRow,
  fromRow,
  openKey,
  REQUESTS,
  RequestRow,
  toColumns,
} from './rows';

export type {
  AccessApprovalRecord,
  AccessRequestRecord,
  AccessRequestUpdate,
  NewAccessEvent,
} from './records';
export { ACCESS_TRANSITIONS } from './records';
export { openKey } from './rows';

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

  private constructor(private readonly db: Knex) {}

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
    accessStateMachine.assert(from.id, from.status, to, options.annotateFinal);
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
      const won = await compareAndSet(this.db, {
        table: REQUESTS,
        id: from.id,
        expected: from,
        update,
        alsoWrite: async tx => {
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
        },
      });
      return won ? this.get(from.id) : undefined;
    } catch (error) {
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
