import { CompoundEntityRef } from '@backstage/catalog-model';
import { createApiRef } from '@backstage/frontend-plugin-api';
import {
  AccessRequest,
  AccessRequestDetails,
  AccessRequestStatus,
  AccessSettings,
  Alignment,
  AlignmentPreview,
  AlignmentRequestBody,
  AlignmentStatus,
  CreateAccessRequestBody,
  ParityReport,
  ProbeRequest,
  ProbeResult,
  Replica,
  ReplicaRequestBody,
  ReplicaSettings,
  ScorecardEnvironments,
  ScorecardFilter,
  ScorecardPage,
  ScorecardQuery,
  ScorecardSummary,
  ScorecardTrend,
  TeamRollup,
} from '@env-parity/plugin-env-parity-common';

/**
 * Which access requests to list; see {@link EnvParityApi.listAccessRequests}.
 *
 * @public
 */
export interface AccessRequestFilter {
  /** Only the caller's own requests. */
  mine?: boolean;
  /** Only the requests waiting for the caller's decision or review. */
  reviewable?: boolean;
  /** Only requests for this service, e.g. `component:default/payments`. */
  entityRef?: string;
  /** Only requests for this environment, e.g. `production`. */
  environment?: string;
  /** Only requests in one of these statuses. */
  status?: AccessRequestStatus[];
  limit?: number;
  offset?: number;
}

/**
 * What can be done to an access request, see
 * {@link EnvParityApi.decideAccessRequest}.
 *
 * @public
 */
export type AccessRequestAction =
  | 'approve'
  | 'deny'
  | 'withdraw'
  | 'revoke'
  | 'review';

/**
 * Which alignments to list; see {@link EnvParityApi.listAlignments}.
 *
 * @public
 */
export interface AlignmentFilter {
  /** Only the caller's own alignments. */
  mine?: boolean;
  /** Only the alignments waiting for the caller's approval. */
  reviewable?: boolean;
  /** Only alignments of this service, e.g. `component:default/checkout-web`. */
  entityRef?: string;
  /** Only alignments of this environment, e.g. `staging`. */
  environment?: string;
  /** Only alignments in one of these statuses. */
  status?: AlignmentStatus[];
  limit?: number;
  offset?: number;
}

/**
 * What can be done to an alignment, see {@link EnvParityApi.decideAlignment}.
 *
 * @public
 */
export type AlignmentAction = 'approve' | 'deny' | 'cancel';

/**
 * Reads and refreshes the parity report of a catalog entity.
 *
 * @public
 */
export interface EnvParityApi {
  /**
   * The current parity report of an entity.
   *
   * @param entityRef - The entity, as a compound ref or a string such as
   *   `component:default/payments`.
   */
  getReport(entityRef: CompoundEntityRef | string): Promise<ParityReport>;

  /**
   * Re-collects the entity's deployments now and returns the new report.
   *
   * @param entityRef - The entity, as a compound ref or a string such as
   *   `component:default/payments`.
   */
  refresh(entityRef: CompoundEntityRef | string): Promise<ParityReport>;

  /**
   * Sends the same GET or HEAD request to each environment of the entity
   * (through the backend's outbound-request guard) and returns the answers
   * side by side.
   *
   * @param entityRef - The entity, as a compound ref or a string such as
   *   `component:default/payments`.
   * @param request - The path, method and (optionally) environments.
   */
  probe(
    entityRef: CompoundEntityRef | string,
    request: ProbeRequest,
  ): Promise<ProbeResult>;

  /** The rules of the access request form. */
  getAccessSettings(): Promise<AccessSettings>;

  /** Asks for temporary read-only access to a service in an environment. */
  createAccessRequest(body: CreateAccessRequestBody): Promise<AccessRequest>;

  /** Lists access requests, newest first. */
  listAccessRequests(
    filter?: AccessRequestFilter,
  ): Promise<{ items: AccessRequest[] }>;

  /** One access request with its timeline and what the caller may do. */
  getAccessRequest(id: string): Promise<AccessRequestDetails>;

  /**
   * Approves, denies (a comment is required), withdraws, revokes or
   * reviews (after break-glass) an access request.
   */
  decideAccessRequest(
    id: string,
    action: AccessRequestAction,
    comment?: string,
  ): Promise<AccessRequest>;

  /**
   * What aligning an environment of a service with production would do:
   * what is deployed, by which deployer, what stays different and who
   * approves. Refused (as asking would be) when the environment cannot be
   * aligned: a 400 when alignment is not enabled for it, a 409 when it is
   * already in sync or production's artifact is unknown, a 404 when
   * alignment is not configured at all.
   */
  previewAlignment(
    entityRef: string,
    environment: string,
  ): Promise<AlignmentPreview>;

  /** Asks to align an environment of a service with production. */
  createAlignment(body: AlignmentRequestBody): Promise<Alignment>;

  /** Lists alignments, newest first. */
  listAlignments(filter?: AlignmentFilter): Promise<{ items: Alignment[] }>;

  /** One alignment with its timeline. */
  getAlignment(id: string): Promise<Alignment>;

  /**
   * Approves, denies (a comment is required) or cancels an alignment
   * pending approval.
   */
  decideAlignment(
    id: string,
    action: AlignmentAction,
    comment?: string,
  ): Promise<Alignment>;

  /**
   * Whether production replicas are enabled here, and their lifetimes and
   * caps; `enabled` is false when `envParity.replicas` is not configured.
   */
  getReplicaSettings(): Promise<ReplicaSettings>;

  /**
   * The caller's production replicas (everyone's with
   * `env-parity.replica.admin`), newest first.
   *
   * @param entityRef - Only the replicas of this entity, e.g.
   *   `component:default/payments`.
   */
  listReplicas(entityRef?: string): Promise<{ items: Replica[] }>;

  /**
   * Launches a private, expiring replica of what production runs (status
   * `creating`). Refused with a 409 at the per-user or global cap, a 400
   * for a bad body (a lifetime over the maximum, an unknown workload to
   * override) and a 403 without `env-parity.replica.create` on the entity.
   */
  launchReplica(body: ReplicaRequestBody): Promise<Replica>;

  /** One replica, with its timeline. */
  getReplica(id: string): Promise<Replica>;

  /**
   * Moves a replica's expiry to now plus `lifetimeMinutes`, never past its
   * creation plus the maximum lifetime; a 409 when it is no longer active.
   */
  extendReplica(id: string, lifetimeMinutes: number): Promise<Replica>;

  /** Deletes a replica now: its namespace is removed. */
  deleteReplica(id: string): Promise<Replica>;

  /**
   * The environments the scorecard can compare with the reference, in
   * promotion order, and the one it shows by default.
   */
  getScorecardEnvironments(): Promise<ScorecardEnvironments>;

  /**
   * One page of the catalog-wide scorecard, filtered and sorted, for the
   * environment of the query (`environment`; the default one when absent).
   */
  getScorecard(query?: ScorecardQuery): Promise<ScorecardPage>;

  /** The scorecard's summary tiles over the filtered services. */
  getScorecardSummary(filter?: ScorecardFilter): Promise<ScorecardSummary>;

  /** The scorecard per owner, worst average score first. */
  getScorecardTeams(filter?: ScorecardFilter): Promise<TeamRollup>;

  /**
   * The daily trend of the whole catalog or of one owner.
   *
   * @param options - `owner`: an owner entity ref; `days`: the window, 90
   *   by default; `environment`: the compared environment or `worst`, the
   *   default one when absent.
   */
  getScorecardTrend(options?: {
    owner?: string;
    days?: number;
    environment?: string;
  }): Promise<ScorecardTrend>;

  /**
   * Every scorecard row matching the filters, in the given order, as CSV
   * (`text/csv`), fetched with the user's credentials.
   */
  exportScorecardCsv(
    query?: Omit<ScorecardQuery, 'page' | 'pageSize'>,
  ): Promise<Blob>;
}

/**
 * The API reference of {@link EnvParityApi}. Usable in both the legacy and
 * the new frontend system.
 *
 * @public
 */
export const envParityApiRef = createApiRef<EnvParityApi>().with({
  id: 'plugin.env-parity.service',
  pluginId: 'env-parity',
});
