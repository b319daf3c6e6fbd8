import { DatabaseService } from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  AccessEvent,
  AccessRequestStatus,
  isFinalAccessRequestStatus,
} from '@env-parity/plugin-env-parity-common';
import { Knex } from 'knex';
import { ApprovalSubjectQuery, ApprovalTables } from '../approvals';
import { migratedClient } from '../database/migrations';
import { chunks } from '../database/rows';
import {
  AccessApprovalRecord,
  AccessRequestRecord,
  AccessRequestUpdate,
  accessStateMachine,
  NewAccessEvent,
} from './records';
import {
  APPROVALS,
  EVENTS,
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

export interface AccessRequestQuery
  extends ApprovalSubjectQuery<AccessRequestStatus> {
  /** Pending, or break-glass awaiting review. */
  awaitingReview?: boolean;
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

  private readonly tables: ApprovalTables<AccessRequestStatus>;

  private constructor(private readonly db: Knex) {
    this.tables = new ApprovalTables(db, {
      subjects: REQUESTS,
      decisions: APPROVALS,
      steps: EVENTS,
      subjectColumn: 'request_id',
      reviewerColumn: 'approver',
      noun: 'access request',
    });
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
    await this.tables.insert({
      row,
      step: event,
      at: request.createdAt,
      conflict: `You already have an open access request for ${request.entityRef} in ${request.environment}; withdraw it or wait for it to end`,
    });
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
    const won = await this.tables.transition({
      from,
      to,
      columns: toColumns(set),
      final: isFinalAccessRequestStatus(to),
      step: event,
      decision: approval && {
        reviewer: approval.approver,
        decision: approval.decision,
        comment: approval.comment,
      },
      at,
    });
    return won ? this.get(from.id) : undefined;
  }

  async getApprovals(requestIds: string[]): Promise<AccessApprovalRecord[]> {
    return (await this.tables.decisions(requestIds)).map(d => ({
      requestId: d.subjectId,
      approver: d.reviewer,
      decision: d.decision,
      comment: d.comment,
      decidedAt: d.decidedAt,
    }));
  }

  async getEvents(requestId: string): Promise<AccessEvent[]> {
    return (await this.tables.steps(requestId)).map(
      ({ id, subjectId, ...event }) =>
        ({ id, requestId: subjectId, ...event } as AccessEvent),
    );
  }

  async list(query: AccessRequestQuery): Promise<AccessRequestRecord[]> {
    const rows = await this.tables.list<RequestRow>(query, q => {
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
    });
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
}
