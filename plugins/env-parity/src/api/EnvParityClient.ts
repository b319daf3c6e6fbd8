import { CompoundEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import { ParityReport } from '@env-parity/plugin-env-parity-common';
import { EnvParityApi } from './EnvParityApi';

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

  private async request(
    entityRef: CompoundEntityRef | string,
    suffix: string,
    init: RequestInit,
  ): Promise<ParityReport> {
    const { kind, namespace, name } =
      typeof entityRef === 'string' ? parseEntityRef(entityRef) : entityRef;
    const baseUrl = await this.discoveryApi.getBaseUrl('env-parity');
    const path = [kind, namespace, name].map(encodeURIComponent).join('/');
    const response = await this.fetchApi.fetch(
      `${baseUrl}/entities/${path}${suffix}`,
      { ...init, headers: { Accept: 'application/json' } },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as ParityReport;
  }
}
