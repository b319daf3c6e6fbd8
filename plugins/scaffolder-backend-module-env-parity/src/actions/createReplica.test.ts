import { mockServices } from '@backstage/backend-test-utils';
import { actionContext, GUEST, outputsOf } from '../__testUtils__/context';
import { FakeEnvParity } from '../__testUtils__/FakeEnvParity';
import { PAYMENTS, paymentsReport } from '../__testUtils__/reports';
import { createEnvParityReplicaCreateAction } from './createReplica';

const NAMESPACE = /^envp-payments-api-[0-9a-f]{8}$/;

describe('env-parity:replica:create', () => {
  let fake: FakeEnvParity;
  let action: ReturnType<typeof createEnvParityReplicaCreateAction>;

  beforeEach(async () => {
    fake = await FakeEnvParity.start();
    fake.reports.set(PAYMENTS, paymentsReport());
    fake.workloads.set(PAYMENTS, ['payments-api', 'payments-worker']);
    action = createEnvParityReplicaCreateAction({
      discovery: fake.discovery,
      auth: mockServices.auth({ pluginId: 'scaffolder' }),
      pollIntervalMs: 10,
    });
  });

  afterEach(async () => {
    await fake.close();
  });

  it('launches a replica as the initiator and waits until it is ready', async () => {
    fake.progress = [
      { status: 'creating' },
      { status: 'creating' },
      { status: 'ready' },
    ];
    const ctx = actionContext({
      entityRef: PAYMENTS,
      reason: 'Reproduce INC-42',
      lifetimeMinutes: 120,
    });
    await action.handler(ctx);

    const [launch, ...polls] = fake.requests;
    expect(launch).toEqual({
      method: 'POST',
      path: '/api/env-parity/replicas',
      user: GUEST,
      target: 'env-parity',
      body: {
        entityRef: PAYMENTS,
        reason: 'Reproduce INC-42',
        lifetimeMinutes: 120,
      },
    });
    const [replica] = fake.replicas.values();
    expect(polls).toEqual(
      [1, 2, 3].map(() => ({
        method: 'GET',
        path: `/api/env-parity/replicas/${replica.id}`,
        user: GUEST,
        target: 'env-parity',
      })),
    );
    const outputs = outputsOf(ctx);
    expect(outputs).toEqual({
      id: replica.id,
      entityRef: PAYMENTS,
      environment: `replica-${replica.id.replace(/-/g, '').slice(0, 8)}`,
      cluster: 'sandbox',
      namespace: expect.stringMatching(NAMESPACE),
      status: 'ready',
      expiresAt: replica.expiresAt,
      endpoints: [
        {
          service: 'payments-api',
          port: 8080,
          command: `kubectl --context sandbox -n ${replica.namespace} port-forward svc/payments-api 8080:8080`,
        },
      ],
      config: [
        {
          object: 'payments-api-config',
          kind: 'ConfigMap',
          key: 'LOG_LEVEL',
          source: 'production',
        },
        {
          object: 'payments-api-secrets',
          kind: 'Secret',
          key: 'DATABASE_PASSWORD',
          source: 'empty',
        },
      ],
    });
    expect(Date.parse(outputs.expiresAt) - Date.parse(replica.createdAt)).toBe(
      120 * 60_000,
    );
  });

  it('launches production plus one change', async () => {
    const ctx = actionContext({
      entityRef: 'payments-api',
      reason: 'Try 1.5.0 on production',
      override: { workload: 'payments-api', image: '1.5.0' },
    });
    await action.handler(ctx);

    expect(fake.requests[0].body).toEqual({
      entityRef: PAYMENTS,
      reason: 'Try 1.5.0 on production',
      override: { workload: 'payments-api', image: '1.5.0' },
    });
    expect(outputsOf(ctx).status).toBe('ready');
  });

  it('returns at once with status creating when told not to wait', async () => {
    const ctx = actionContext({
      entityRef: PAYMENTS,
      reason: 'Reproduce INC-42',
      waitUntilReady: false,
    });
    await action.handler(ctx);

    expect(fake.requests.map(r => r.method)).toEqual(['POST']);
    expect(outputsOf(ctx)).toMatchObject({
      status: 'creating',
      namespace: expect.stringMatching(NAMESPACE),
    });
  });

  it('fails naming the reason when the replica fails', async () => {
    fake.progress = [
      { status: 'creating' },
      {
        status: 'failed',
        statusReason:
          'quota exceeded: requests.cpu 4 of 2 (envParity.replicas.quota)',
      },
    ];
    const ctx = actionContext({ entityRef: PAYMENTS, reason: 'Reproduce' });
    const error = await action.handler(ctx).catch(e => e);

    const [launched] = fake.replicas.values();
    expect(error).toMatchObject({
      name: 'ReplicaNotReadyError',
      message: `Replica ${launched.id} of component:default/payments-api failed: quota exceeded: requests.cpu 4 of 2 (envParity.replicas.quota)`,
    });
    // the outputs say what happened, for a later step or the task page
    expect(outputsOf(ctx)).toMatchObject({
      id: launched.id,
      status: 'failed',
      statusReason:
        'quota exceeded: requests.cpu 4 of 2 (envParity.replicas.quota)',
    });
  });

  it('fails when the replica ends before it is ready', async () => {
    fake.progress = [{ status: 'deleted', statusReason: 'deleted by admin' }];
    await expect(
      action.handler(actionContext({ entityRef: PAYMENTS, reason: 'x' })),
    ).rejects.toThrow(
      /ended \(deleted: deleted by admin\) before it was ready$/,
    );
  });

  it('stops waiting after timeoutMinutes, saying the replica is still being created', async () => {
    fake.progress = [{ status: 'creating' }];
    const ctx = actionContext({
      entityRef: PAYMENTS,
      reason: 'Reproduce',
      timeoutMinutes: 0.001,
    });
    await expect(action.handler(ctx)).rejects.toThrow(
      /^Replica [0-9a-f-]{36} of component:default\/payments-api was not ready within 0\.001 minutes \(timeoutMinutes\); it is still being created in namespace envp-payments-api-[0-9a-f]{8}/,
    );
    expect(outputsOf(ctx).status).toBe('creating');
  });

  it('stops waiting when the task is cancelled', async () => {
    fake.progress = [{ status: 'creating' }];
    const controller = new AbortController();
    const ctx = {
      ...actionContext({ entityRef: PAYMENTS, reason: 'Reproduce' }),
      signal: controller.signal,
    };
    const run = action.handler(ctx).catch(e => e);
    while (!fake.requests.some(r => r.method === 'GET')) {
      await new Promise(resolve => setTimeout(resolve, 5));
    }
    controller.abort(new Error('Task cancelled'));

    expect(await run).toEqual(new Error('Task cancelled'));
    expect(outputsOf(ctx).status).toBe('creating');
  });

  it('launches once when a resumed task runs the step again', async () => {
    const checkpoints = new Map<string, unknown>();
    const resumable = () => {
      const ctx = actionContext({ entityRef: PAYMENTS, reason: 'Reproduce' });
      ctx.checkpoint = async ({ key, fn }: any) => {
        if (!checkpoints.has(key)) {
          checkpoints.set(key, await fn());
        }
        return checkpoints.get(key) as any;
      };
      return ctx;
    };
    await action.handler(resumable());
    const again = resumable();
    await action.handler(again);

    expect(fake.requests.filter(r => r.method === 'POST')).toHaveLength(1);
    expect(fake.replicas.size).toBe(1);
    expect(outputsOf(again)).toMatchObject({
      id: [...fake.replicas.keys()][0],
      status: 'ready',
    });
  });

  describe('refusals', () => {
    it('403: the initiator may not launch replicas of the entity', async () => {
      fake.refusedCreate.add(`${GUEST} ${PAYMENTS}`);
      const refused = action.handler(
        actionContext({ entityRef: PAYMENTS, reason: 'x' }),
      );
      await expect(refused).rejects.toMatchObject({ name: 'NotAllowedError' });
      await expect(refused).rejects.toThrow(
        'Could not launch a replica of component:default/payments-api: the template initiator is not allowed to (You are not allowed to launch a replica of component:default/payments-api (env-parity.replica.create))',
      );
    });

    it('404: the entity is not visible to the initiator', async () => {
      fake.hidden.set(GUEST, new Set([PAYMENTS]));
      const refused = action.handler(
        actionContext({ entityRef: PAYMENTS, reason: 'x' }),
      );
      await expect(refused).rejects.toMatchObject({ name: 'NotFoundError' });
      await expect(refused).rejects.toThrow(
        'Could not launch a replica of component:default/payments-api: No entity component:default/payments-api in the catalog',
      );
    });

    it('409: the initiator is at their replica limit', async () => {
      fake.perUserLimit = 1;
      await action.handler(
        actionContext({
          entityRef: PAYMENTS,
          reason: 'first',
          waitUntilReady: false,
        }),
      );
      const refused = action.handler(
        actionContext({ entityRef: PAYMENTS, reason: 'second' }),
      );
      await expect(refused).rejects.toMatchObject({ name: 'ConflictError' });
      await expect(refused).rejects.toThrow(
        'Could not launch a replica of component:default/payments-api: You have 1 active replicas, the most one user may have (envParity.replicas.perUserLimit); delete one first',
      );
      expect(fake.replicas.size).toBe(1);
    });

    it('400: the override names a workload production does not run', async () => {
      const refused = action.handler(
        actionContext({
          entityRef: PAYMENTS,
          reason: 'x',
          override: { workload: 'payments-web', image: '1.5.0' },
        }),
      );
      await expect(refused).rejects.toMatchObject({ name: 'InputError' });
      await expect(refused).rejects.toThrow(
        'Could not launch a replica of component:default/payments-api: component:default/payments-api has no workload payments-web in production',
      );
    });

    it('refuses an empty reason before calling anyone', async () => {
      await expect(
        action.handler(actionContext({ entityRef: PAYMENTS, reason: '  ' })),
      ).rejects.toThrow('Give a reason for the replica');
      expect(fake.requests).toEqual([]);
    });
  });
});
