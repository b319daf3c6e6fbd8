import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  AccessRequest,
  AccessRequestDetails,
  AccessSettings,
  Alignment,
  AlignmentPreview,
  AlignmentRequestBody,
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
  scorecardQueryParams,
  ScorecardSummary,
  ScorecardTrend,
  TeamRollup,
} from '@env-parity/plugin-env-parity-common';
import {
  AccessRequestAction,
  AccessRequestFilter,
  AlignmentAction,
  AlignmentFilter,
  EnvParityApi,
} from './EnvParityApi';

/**
 * The HTTP client of the Env Parity backend.
 *
 * @public
 */
export class EnvParityClient implements EnvParityApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async getReport(
    entityRef: CompoundEntityRef | string,
  ): Promise<ParityReport> {
    return this.request(entityRef, '', { method: 'GET' });
  }

  async refresh(entityRef: CompoundEntityRef | string): Promise<ParityReport> {
    return this.request(entityRef, '/refresh', { method: 'POST' });
  }

  async probe(
    entityRef: CompoundEntityRef | string,
    request: ProbeRequest,
  ): Promise<ProbeResult> {
    return this.request<ProbeResult>(entityRef, '/probe', {
      method: 'POST',
      body: JSON.stringify(request),
    });
  }

  async getAccessSettings(): Promise<AccessSettings> {
    return this.accessRequest<AccessSettings>('/settings', { method: 'GET' });
  }

  async createAccessRequest(
    body: CreateAccessRequestBody,
  ): Promise<AccessRequest> {
    return this.accessRequest<AccessRequest>('/requests', {
      method: 'POST',
      body: JSON.stringify(body),
    });
  }

  async listAccessRequests(
    filter: AccessRequestFilter = {},
  ): Promise<{ items: AccessRequest[] }> {
    return this.accessRequest<{ items: AccessRequest[] }>(
      `/requests${listQuery(filter)}`,
      { method: 'GET' },
    );
  }

  async getAccessRequest(id: string): Promise<AccessRequestDetails> {
    return this.accessRequest<AccessRequestDetails>(
      `/requests/${encodeURIComponent(id)}`,
      { method: 'GET' },
    );
  }

  async decideAccessRequest(
    id: string,
    action: AccessRequestAction,
    comment?: string,
  ): Promise<AccessRequest> {
    return this.accessRequest<AccessRequest>(
      `/requests/${encodeURIComponent(id)}/${action}`,
      {
        method: 'POST',
        body: JSON.stringify(comment ? { comment } : {}),
      },
    );
  }

  async previewAlignment(
    entityRef: string,
    environment: string,
  ): Promise<AlignmentPreview> {
    const query = new URLSearchParams({ entityRef, environment });
    return this.json<AlignmentPreview>(`/alignments/preview?${query}`, {
      method: 'GET',
    });
  }

  async createAlignment(body: AlignmentRequestBody): Promise<Alignment> {
    return this.json<Alignment>('/alignments', {
      method: 'POST',
      body: JSON.stringify(body),
    });
  }

  async listAlignments(
    filter: AlignmentFilter = {},
  ): Promise<{ items: Alignment[] }> {
    return this.json<{ items: Alignment[] }>(
      `/alignments${listQuery(filter)}`,
      { method: 'GET' },
    );
  }

  async getAlignment(id: string): Promise<Alignment> {
    return this.json<Alignment>(`/alignments/${encodeURIComponent(id)}`, {
      method: 'GET',
    });
  }

  async decideAlignment(
    id: string,
    action: AlignmentAction,
    comment?: string,
  ): Promise<Alignment> {
    return this.json<Alignment>(
      `/alignments/${encodeURIComponent(id)}/${action}`,
      {
        method: 'POST',
        body: JSON.stringify(comment ? { comment } : {}),
      },
    );
  }

  async getReplicaSettings(): Promise<ReplicaSettings> {
    return this.json<ReplicaSettings>('/replicas/settings', { method: 'GET' });
  }

  async listReplicas(entityRef?: string): Promise<{ items: Replica[] }> {
    const query = entityRef ? `?${new URLSearchParams({ entityRef })}` : '';
    return this.json<{ items: Replica[] }>(`/replicas${query}`, {
      method: 'GET',
    });
  }

  async launchReplica(body: ReplicaRequestBody): Promise<Replica> {
    return this.json<Replica>('/replicas', {
      method: 'POST',
      body: JSON.stringify(body),
    });
  }

  async getReplica(id: string): Promise<Replica> {
    return this.json<Replica>(`/replicas/${encodeURIComponent(id)}`, {
      method: 'GET',
    });
  }

  async extendReplica(id: string, lifetimeMinutes: number): Promise<Replica> {
    return this.json<Replica>(`/replicas/${encodeURIComponent(id)}/extend`, {
      method: 'POST',
      body: JSON.stringify({ lifetimeMinutes }),
    });
  }

  async deleteReplica(id: string): Promise<Replica> {
    return this.json<Replica>(`/replicas/${encodeURIComponent(id)}`, {
      method: 'DELETE',
    });
  }

  async getScorecardEnvironments(): Promise<ScorecardEnvironments> {
    const response = await this.scorecardFetch(
      '/environments',
      new URLSearchParams(),
    );
    return (await response.json()) as ScorecardEnvironments;
  }

  async getScorecard(query: ScorecardQuery = {}): Promise<ScorecardPage> {
    const response = await this.scorecardFetch('', scorecardQueryParams(query));
    return (await response.json()) as ScorecardPage;
  }

  async getScorecardSummary(
    filter: ScorecardFilter = {},
  ): Promise<ScorecardSummary> {
    const response = await this.scorecardFetch(
      '/summary',
      scorecardFilterParams(filter),
    );
    return (await response.json()) as ScorecardSummary;
  }

  async getScorecardTeams(filter: ScorecardFilter = {}): Promise<TeamRollup> {
    const response = await this.scorecardFetch(
      '/teams',
      scorecardFilterParams(filter),
    );
    return (await response.json()) as TeamRollup;
  }

  async getScorecardTrend(
    options: { owner?: string; days?: number; environment?: string } = {},
  ): Promise<ScorecardTrend> {
    const params = new URLSearchParams();
    if (options.owner) {
      params.set('owner', options.owner);
    }
    if (options.environment) {
      params.set('environment', options.environment);
    }
    if (options.days !== undefined) {
      params.set('days', String(options.days));
    }
    const response = await this.scorecardFetch('/trend', params);
    return (await response.json()) as ScorecardTrend;
  }

  async exportScorecardCsv(
    query: Omit<ScorecardQuery, 'page' | 'pageSize'> = {},
  ): Promise<Blob> {
    const { page, pageSize, ...rest } = query as ScorecardQuery;
    const response = await this.scorecardFetch(
      '/export.csv',
      scorecardQueryParams(rest),
      'text/csv',
    );
    return response.blob();
  }

  private async scorecardFetch(
    suffix: string,
    params: URLSearchParams,
    accept: string = 'application/json',
  ): Promise<Response> {
    const baseUrl = await this.discoveryApi.getBaseUrl('env-parity');
    const qs = params.toString();
    const response = await this.fetchApi.fetch(
      `${baseUrl}/scorecard${suffix}${qs ? `?${qs}` : ''}`,
      { method: 'GET', headers: { Accept: accept } },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }

  private accessRequest<T>(suffix: string, init: RequestInit) {
    return this.json<T>(`/access${suffix}`, init);
  }

  /** A JSON call to `<base>/<path>`; the backend's error as a ResponseError. */
  private async json<T>(path: string, init: RequestInit): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('env-parity');
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, {
      ...init,
      headers: {
        Accept: 'application/json',
        ...(init.body ? { 'Content-Type': 'application/json' } : {}),
      },
    });
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }

  private async request<T = ParityReport>(
    entityRef: CompoundEntityRef | string,
    suffix: string,
    init: RequestInit,
  ): Promise<T> {
    const { kind, namespace, name } =
      typeof entityRef === 'string' ? parseEntityRef(entityRef) : entityRef;
    const path = [kind, namespace, name].map(encodeURIComponent).join('/');
    return this.json<T>(`/entities/${path}${suffix}`, init);
  }
}

/** The query string of the filters alone: no sort or page. */
function scorecardFilterParams(filter: ScorecardFilter): URLSearchParams {
  const { sort, order, page, pageSize, ...rest } = filter as ScorecardQuery;
  return scorecardQueryParams(rest);
}

/**
 * The query string of a list of access requests or alignments (the same
 * filters), with its `?`, or empty.
 */
function listQuery(filter: AccessRequestFilter | AlignmentFilter): string {
  const query = new URLSearchParams();
  if (filter.mine !== undefined) {
    query.set('mine', String(filter.mine));
  }
  if (filter.reviewable !== undefined) {
    query.set('reviewable', String(filter.reviewable));
  }
  if (filter.entityRef) {
    query.set('entityRef', filter.entityRef);
  }
  if (filter.environment) {
    query.set('environment', filter.environment);
  }
  if (filter.status?.length) {
    query.set('status', filter.status.join(','));
  }
  if (filter.limit !== undefined) {
    query.set('limit', String(filter.limit));
  }
  if (filter.offset !== undefined) {
    query.set('offset', String(filter.offset));
  }
  const qs = query.toString();
  return qs ? `?${qs}` : '';
}
