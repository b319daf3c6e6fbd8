import { Entity } from '@backstage/catalog-model';
import { convertLegacyRouteRef } from '@backstage/core-compat-api';
import { ResponseError } from '@backstage/errors';
import { mockApis, renderInTestApp } from '@backstage/frontend-test-utils';
import {
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { ParityReport } from '@env-parity/plugin-env-parity-common';
import { EnvParityApi, envParityApiRef } from '../api';
import { EnvParityContent } from '../components/EnvParityContent';
import { paymentsEntity } from './reports';

/** A stand-in for the backend, not for the component under test. */
export class FakeEnvParityApi implements EnvParityApi {
  readonly getReportCalls: string[] = [];
  readonly refreshCalls: string[] = [];

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
  options: { entity?: Entity; canRefresh?: boolean } = {},
) {
  return renderInTestApp(
    <EntityProvider entity={options.entity ?? paymentsEntity}>
      <EnvParityContent />
    </EntityProvider>,
    {
      apis: [
        [envParityApiRef, api],
        mockApis.permission({
          authorize: () =>
            options.canRefresh ?? true ? ('ALLOW' as any) : ('DENY' as any),
        }),
      ],
      mountedRoutes: entityRoutes,
    },
  );
}
