import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
// the real backend plugin, to test the module as it is installed
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import envParityPlugin from '@env-parity/plugin-env-parity-backend';
import { ParityReport } from '@env-parity/plugin-env-parity-common';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { testComponent as component } from '@env-parity/plugin-env-parity-node/testUtils';
import envParityModuleHttp from './index';

const testCatalog = (entities: Entity[]) =>
  catalogServiceMock.factory({ entities });

const STAGING_SHA = 'fff1234def5678901234567890abcdef12345678';
const PROD_SHA = 'abc1234def5678901234567890abcdef12345678';

let checkoutProductionFails = true;
let server: http.Server;
let base: string;
let port: number;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const answers: Record<string, [number, unknown]> = {
      '/payments/staging/version': [
        200,
        { version: '1.5.0', commit: STAGING_SHA },
      ],
      '/payments/production/actuator/info': [
        200,
        { build: { version: '1.4.2' }, git: { commit: { id: PROD_SHA } } },
      ],
      '/checkout/staging/version': [200, { app: { version: '2.0.0' } }],
      '/checkout/production/version': checkoutProductionFails
        ? [500, { message: 'boom' }]
        : [200, { version: '1.9.0' }],
    };
    const [status, body] = answers[req.url ?? ''] ?? [404, { message: 'no' }];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
});

async function start(entities: Entity[]) {
  const { server: backend } = await startTestBackend({
    features: [
      envParityPlugin,
      envParityModuleHttp,
      testCatalog(entities),
      mockServices.rootConfig.factory({
        data: {
          envParity: {
            environments: [
              { name: 'staging', title: 'Staging' },
              { name: 'production', title: 'Production', reference: true },
            ],
            http: {
              allowedHosts: [`127.0.0.1:${port}`],
              allowPrivateNetworks: true,
            },
          },
        },
      }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
    ],
  });
  return backend;
}

describe('the http module in the env-parity backend', () => {
  it('shows what each environment endpoint reports', async () => {
    const backend = await start([
      component('payments', {
        'env-parity/staging.url': `${base}/payments/staging`,
        'env-parity/production.version-url': `${base}/payments/production/actuator/info`,
        // what CI wrote: the version endpoint ranks higher
        'env-parity/production.version': '1.4.1',
        'env-parity/production.deployed-by': 'argo-workflows',
      }),
    ]);
    const res = await request(backend).get(
      '/api/env-parity/entities/component/default/payments',
    );
    expect(res.status).toBe(200);
    const report: ParityReport = res.body;
    const [staging, production] = report.environments;
    expect(staging).toMatchObject({
      name: 'staging',
      status: 'ok',
      deployment: { version: '1.5.0', revision: STAGING_SHA, provider: 'http' },
    });
    expect(production).toMatchObject({
      name: 'production',
      status: 'ok',
      deployment: {
        version: '1.4.2',
        revision: PROD_SHA,
        deployedBy: 'argo-workflows',
        provider: 'http',
        providers: ['http', 'annotations'],
      },
    });
    expect(production.error).toBeUndefined();
  });

  it('shows a failing environment with its error while the other is fine', async () => {
    checkoutProductionFails = true;
    const backend = await start([
      component('checkout', {
        'env-parity/staging.url': `${base}/checkout/staging`,
        'env-parity/production.url': `${base}/checkout/production`,
      }),
    ]);
    const res = await request(backend).get(
      '/api/env-parity/entities/component/default/checkout',
    );
    expect(res.status).toBe(200);
    const report: ParityReport = res.body;
    const [staging, production] = report.environments;
    expect(staging).toMatchObject({
      status: 'ok',
      deployment: { version: '2.0.0', provider: 'http' },
    });
    expect(staging.error).toBeUndefined();
    // only the annotations' URL is known about production
    expect(production.deployment).toEqual({
      url: `${base}/checkout/production`,
      provider: 'annotations',
      providers: ['annotations'],
    });
    expect(production.error).toBe(
      `http: GET ${base}/checkout/production/version answered 500 Internal Server Error`,
    );
  });

  it('keeps the last good version, marked stale with the reason, when an endpoint starts failing', async () => {
    checkoutProductionFails = false;
    const backend = await start([
      component('checkout', {
        'env-parity/staging.url': `${base}/checkout/staging`,
        'env-parity/production.url': `${base}/checkout/production`,
      }),
    ]);
    const path = '/api/env-parity/entities/component/default/checkout';
    const first: ParityReport = (await request(backend).get(path)).body;
    expect(first.environments[1]).toMatchObject({
      status: 'ok',
      deployment: { version: '1.9.0', provider: 'http' },
    });

    checkoutProductionFails = true;
    const refreshed = await request(backend).post(`${path}/refresh`);
    expect(refreshed.status).toBe(200);
    const production = (refreshed.body as ParityReport).environments[1];
    expect(production).toMatchObject({
      status: 'stale',
      deployment: { version: '1.9.0', provider: 'http' },
      error: `http: GET ${base}/checkout/production/version answered 500 Internal Server Error`,
    });
  });
});
