import { mockServices } from '@backstage/backend-test-utils';
import { actionContext, GUEST, outputsOf } from '../__testUtils__/context';
import { FakeEnvParity } from '../__testUtils__/FakeEnvParity';
import {
  PAYMENTS,
  paymentsReport,
  PLANTED_VALUE,
  PRODUCTION_DIGEST,
  PRODUCTION_WORKLOADS,
  STAGING_DIGEST,
  WORKER_DIGEST,
} from '../__testUtils__/reports';
import { createEnvParityResolveAction } from './resolve';

describe('env-parity:resolve', () => {
  let fake: FakeEnvParity;
  let action: ReturnType<typeof createEnvParityResolveAction>;

  beforeEach(async () => {
    fake = await FakeEnvParity.start();
    fake.reports.set(PAYMENTS, paymentsReport());
    action = createEnvParityResolveAction({
      discovery: fake.discovery,
      auth: mockServices.auth({ pluginId: 'scaffolder' }),
    });
  });

  afterEach(async () => {
    await fake.close();
  });

  it("outputs what production runs, read on the initiator's behalf", async () => {
    const ctx = actionContext({ entityRef: PAYMENTS });
    await action.handler(ctx);

    expect(fake.requests).toEqual([
      {
        method: 'GET',
        path: '/api/env-parity/entities/component/default/payments-api',
        user: GUEST,
        target: 'env-parity',
      },
    ]);
    expect(outputsOf(ctx)).toEqual({
      entityRef: PAYMENTS,
      environment: 'production',
      title: 'Production',
      reference: true,
      status: 'ok',
      version: '1.4.2',
      revision: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      artifact: `ghcr.io/acme/payments-api@${PRODUCTION_DIGEST}`,
      deployedAt: '2026-11-20T10:02:00Z',
      url: 'https://payments.acme.example',
      digests: {
        'payments-api': [PRODUCTION_DIGEST],
        'payments-worker': [WORKER_DIGEST],
      },
      workloads: PRODUCTION_WORKLOADS,
      configKeys: ['API_TOKEN', 'DATABASE_URL', 'LOG_LEVEL'],
      links: [
        {
          title: 'Commit a1b2c3d',
          url: 'https://github.com/acme/payments-api/commit/a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
        },
      ],
    });
    // configuration key names only, never a value
    expect(JSON.stringify(outputsOf(ctx))).not.toContain(PLANTED_VALUE);
  });

  it('resolves a named environment, with its verdict against production', async () => {
    const ctx = actionContext({
      entityRef: 'payments-api',
      environment: 'staging',
    });
    await action.handler(ctx);

    expect(outputsOf(ctx)).toMatchObject({
      entityRef: PAYMENTS,
      environment: 'staging',
      reference: false,
      status: 'stale',
      version: '1.5.0',
      verdict: 'ahead',
      digests: { 'payments-api': [STAGING_DIGEST] },
      configKeys: [],
      links: [],
    });
  });

  it('names the environments there are when the one asked for is not', async () => {
    await expect(
      action.handler(
        actionContext({ entityRef: PAYMENTS, environment: 'prod' }),
      ),
    ).rejects.toThrow(
      'component:default/payments-api has no environment prod in Env Parity; its environments are production, staging, qa',
    );
  });

  it('fails when Env Parity knows no deployment there', async () => {
    await expect(
      action.handler(actionContext({ entityRef: PAYMENTS, environment: 'qa' })),
    ).rejects.toThrow(
      'Env Parity knows no deployment of component:default/payments-api in qa (error: kubernetes: cluster qa-eu unreachable)',
    );
  });

  it('answers an entity the initiator cannot see as not found', async () => {
    fake.hidden.set('user:default/dana', new Set([PAYMENTS]));
    const denied = action.handler(
      actionContext({ entityRef: PAYMENTS }, 'user:default/dana'),
    );
    await expect(denied).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(denied).rejects.toThrow(
      'Could not read the parity report of component:default/payments-api: No entity component:default/payments-api in the catalog',
    );
    expect(fake.requests.map(r => r.user)).toEqual(['user:default/dana']);
  });

  it('refuses an entity ref it cannot parse before calling anyone', async () => {
    await expect(
      action.handler(actionContext({ entityRef: 'component:' })),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(fake.requests).toEqual([]);
  });

  it('says when the env-parity backend cannot be reached', async () => {
    await fake.close();
    await expect(
      action.handler(actionContext({ entityRef: PAYMENTS })),
    ).rejects.toThrow(
      /^Could not read the parity report of component:default\/payments-api: the env-parity backend at http:\/\/127\.0\.0\.1:\d+\/api\/env-parity did not answer/,
    );
  });
});
