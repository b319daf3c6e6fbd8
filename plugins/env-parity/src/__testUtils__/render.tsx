import { Entity } from '@backstage/catalog-model';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { ResponseError } from '@backstage/errors';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { SignalApi, signalApiRef } from '@backstage/plugin-signals-react';
import {
  AlignmentRequestBody,
  CreateAccessRequestBody,
  ParityReport,
  ProbeRequest,
  ProbeResult,
  ReplicaRequestBody,
  ScorecardFilter,
  ScorecardQuery,
} from '@env-parity/plugin-env-parity-common';
import {
  AccessRequestAction,
  AccessRequestFilter,
  AlignmentAction,
  AlignmentFilter,
  EnvParityApi,
  envParityApiRef,
} from '../api';
import { FakeAccessApi } from '../components/Access/__testUtils__/FakeAccessApi';
import { FakeAlignmentApi } from '../components/Align/__testUtils__/FakeAlignmentApi';
import { FakeReplicaApi } from '../components/Replica/__testUtils__/FakeReplicaApi';
import { FakeScorecardApi } from '../components/Scorecard/__testUtils__/FakeScorecardApi';
import { EnvParityContent } from '../components/EnvParityContent';
import { paymentsEntity } from './reports';

/** A stand-in for the backend, not for the component under test. */
export class FakeEnvParityApi implements EnvParityApi {
  readonly getReportCalls: string[] = [];
  readonly refreshCalls: string[] = [];
  readonly probeCalls: Array<{ entityRef: string; request: ProbeRequest }> = [];
  /** What `probe` answers; set by probe tests. */
  probeImpl: (request: ProbeRequest) => Promise<ProbeResult> = async () => {
    throw new Error('probe is not faked in this test');
  };

  constructor(
    private readonly getReportImpl: () => Promise<ParityReport>,
    private readonly refreshImpl: () => Promise<ParityReport> = getReportImpl,
  ) {}

  getReport(entityRef: string | object) {
    this.getReportCalls.push(String(entityRef));
    return this.getReportImpl();
  }

  refresh(entityRef: string | object) {
    this.refreshCalls.push(String(entityRef));
    return this.refreshImpl();
  }

  probe(entityRef: string | object, request: ProbeRequest) {
    this.probeCalls.push({ entityRef: String(entityRef), request });
    return this.probeImpl(request);
  }

  /** The access backend: in memory, no requests unless a test adds some. */
  access = new FakeAccessApi();

  getAccessSettings() {
    return this.access.getAccessSettings();
  }

  createAccessRequest(body: CreateAccessRequestBody) {
    return this.access.createAccessRequest(body);
  }

  listAccessRequests(filter?: AccessRequestFilter) {
    return this.access.listAccessRequests(filter);
  }

  getAccessRequest(id: string) {
    return this.access.getAccessRequest(id);
  }

  decideAccessRequest(
    id: string,
    action: AccessRequestAction,
    comment?: string,
  ) {
    return this.access.decideAccessRequest(id, action, comment);
  }

  /**
   * The alignment backend: in memory, not configured (as by default);
   * `align.configured = true` makes staging alignable.
   */
  align = Object.assign(new FakeAlignmentApi(), { configured: false });

  previewAlignment(entityRef: string, environment: string) {
    return this.align.previewAlignment(entityRef, environment);
  }

  createAlignment(body: AlignmentRequestBody) {
    return this.align.createAlignment(body);
  }

  listAlignments(filter?: AlignmentFilter) {
    return this.align.listAlignments(filter);
  }

  getAlignment(id: string) {
    return this.align.getAlignment(id);
  }

  decideAlignment(id: string, action: AlignmentAction, comment?: string) {
    return this.align.decideAlignment(id, action, comment);
  }

  /**
   * The replica backend: in memory, not enabled (as by default);
   * `replica.settings.enabled = true` enables it.
   */
  replica = new FakeReplicaApi();

  getReplicaSettings() {
    return this.replica.getReplicaSettings();
  }

  listReplicas(entityRef?: string) {
    return this.replica.listReplicas(entityRef);
  }

  launchReplica(body: ReplicaRequestBody) {
    return this.replica.launchReplica(body);
  }

  getReplica(id: string) {
    return this.replica.getReplica(id);
  }

  extendReplica(id: string, lifetimeMinutes: number) {
    return this.replica.extendReplica(id, lifetimeMinutes);
  }

  deleteReplica(id: string) {
    return this.replica.deleteReplica(id);
  }

  /** The scorecard backend: in memory, eight services unless a test changes them. */
  scorecard = new FakeScorecardApi();

  getScorecardEnvironments() {
    return this.scorecard.getScorecardEnvironments();
  }

  getScorecard(query?: ScorecardQuery) {
    return this.scorecard.getScorecard(query);
  }

  getScorecardSummary(filter?: ScorecardFilter) {
    return this.scorecard.getScorecardSummary(filter);
  }

  getScorecardTeams(filter?: ScorecardFilter) {
    return this.scorecard.getScorecardTeams(filter);
  }

  getScorecardTrend(options?: {
    owner?: string;
    days?: number;
    environment?: string;
  }) {
    return this.scorecard.getScorecardTrend(options);
  }

  exportScorecardCsv(query?: ScorecardQuery) {
    return this.scorecard.exportScorecardCsv(query);
  }
}

export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A ResponseError as the client makes it from a Backstage error body. */
export async function backstageError(
  status: number,
  name: string,
  message: string,
): Promise<ResponseError> {
  return ResponseError.fromResponse(
    new Response(
      JSON.stringify({
        error: { name, message },
        request: {
          method: 'GET',
          url: '/api/env-parity/entities/component/default/payments',
        },
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

/** The catalog's entity route, so that entity links resolve. */
export const entityRoutes = {
  '/catalog/:namespace/:kind/:name': convertLegacyRouteRef(entityRouteRef),
};

/** Renders the Parity tab for an entity in a new-frontend-system test app. */
export function renderContent(
  api: EnvParityApi,
  options: {
    entity?: Entity;
    canRefresh?: boolean;
    /** Permission names denied (in addition to all when canRefresh is false). */
    denied?: string[];
    /** App config, e.g. `envParity.reproduce`. */
    config?: NonNullable<Parameters<typeof renderInTestApp>[1]>['config'];
    /** The signals API; without it the app has no signals (the tab polls). */
    signals?: SignalApi;
  } = {},
) {
  return renderInTestApp(
    <EntityProvider entity={options.entity ?? paymentsEntity}>
      <EnvParityContent />
    </EntityProvider>,
    {
      apis: [
        [envParityApiRef, api],
        mockApis.permission({
          authorize: request =>
            (options.canRefresh ?? true) &&
            !(options.denied ?? []).includes(request.permission.name)
              ? ('ALLOW' as any)
              : ('DENY' as any),
        }),
        ...(options.signals ? [[signalApiRef, options.signals] as const] : []),
      ],
      mountedRoutes: entityRoutes,
      config: options.config,
    },
  );
}
