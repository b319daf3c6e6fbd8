import { FakeKubernetes, TOKEN } from './FakeKubernetes';

describe('FakeKubernetes writes (a sandbox)', () => {
  let fake: FakeKubernetes;

  beforeEach(async () => {
    fake = await FakeKubernetes.start({ name: 'sandbox', writable: true });
  });

  afterEach(() => fake.close());

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    type = 'application/json',
  ) => {
    const res = await fetch(`${fake.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body !== undefined ? { 'content-type': type } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };

  const deployment = (image: string) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image }] },
      },
    },
  });

  it('creates, lists, patches and deletes, answering Status objects as the API server does', async () => {
    expect(
      (
        await call('POST', '/api/v1/namespaces/r1/configmaps', {
          metadata: { name: 'c' },
          data: { A: '1' },
        })
      ).body,
    ).toMatchObject({
      kind: 'Status',
      code: 404,
      reason: 'NotFound',
      message: 'namespaces "r1" not found',
    });

    const ns = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'r1',
        labels: { 'app.kubernetes.io/managed-by': 'env-parity' },
      },
    };
    expect((await call('POST', '/api/v1/namespaces', ns)).status).toBe(201);
    expect((await call('POST', '/api/v1/namespaces', ns)).body).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'namespaces "r1" already exists',
    });
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'other' } });
    const listed = await call(
      'GET',
      `/api/v1/namespaces?labelSelector=${encodeURIComponent(
        'app.kubernetes.io/managed-by=env-parity',
      )}`,
    );
    expect(listed.body.items.map((n: any) => n.metadata.name)).toEqual(['r1']);

    const patched = await call(
      'PATCH',
      '/api/v1/namespaces/r1',
      { metadata: { annotations: { a: 'b' }, labels: { x: null } } },
      'application/strategic-merge-patch+json',
    );
    expect(patched.body.metadata.annotations).toEqual({ a: 'b' });
    expect(
      (
        await call(
          'PATCH',
          '/api/v1/namespaces/r1',
          [],
          'application/json-patch+json',
        )
      ).status,
    ).toBe(415);

    expect(
      (
        await call(
          'POST',
          '/apis/apps/v1/namespaces/r1/deployments',
          deployment(`ghcr.io/acme/web@sha256:${'a'.repeat(64)}`),
        )
      ).status,
    ).toBe(201);
    const pods = await call('GET', '/api/v1/namespaces/r1/pods');
    expect(pods.body.items).toHaveLength(1);
    expect(pods.body.items[0].status.containerStatuses[0]).toMatchObject({
      ready: true,
      imageID: `ghcr.io/acme/web@sha256:${'a'.repeat(64)}`,
    });
    expect(fake.sandbox!.written().map(o => o.kind)).toEqual([
      'Namespace',
      'Namespace',
      'Namespace',
      'Deployment',
    ]);

    expect((await call('DELETE', '/api/v1/namespaces/r1')).status).toBe(200);
    expect((await call('DELETE', '/api/v1/namespaces/r1')).body).toMatchObject({
      code: 404,
      reason: 'NotFound',
    });
    expect(fake.stored('deployments')).toEqual([]);
    expect(fake.stored('pods')).toEqual([]);
  });

  it('simulates pods: ready after a delay, or waiting on an image it cannot pull', async () => {
    await call('POST', '/api/v1/namespaces', { metadata: { name: 'r2' } });
    fake.sandbox!.readyAfterMs = 3600_000;
    await call(
      'POST',
      '/apis/apps/v1/namespaces/r2/deployments',
      deployment('ghcr.io/acme/web:1.0'),
    );
    let [pod] = (await call('GET', '/api/v1/namespaces/r2/pods')).body.items;
    expect(pod.status.containerStatuses[0].state.waiting.reason).toBe(
      'ContainerCreating',
    );
    fake.sandbox!.readyAfterMs = 0;
    [pod] = (await call('GET', '/api/v1/namespaces/r2/pods')).body.items;
    expect(pod.status.phase).toBe('Running');
    const web = (
      await call('GET', '/apis/apps/v1/namespaces/r2/deployments/web')
    ).body;
    expect(web.status.readyReplicas).toBe(1);

    await call('DELETE', '/apis/apps/v1/namespaces/r2/deployments/web');
    await call(
      'POST',
      '/apis/apps/v1/namespaces/r2/deployments',
      deployment('ghcr.io/acme/web:does-not-exist'),
    );
    [pod] = (await call('GET', '/api/v1/namespaces/r2/pods')).body.items;
    expect(pod.status.containerStatuses[0].state.waiting.reason).toBe(
      'ErrImagePull',
    );

    fake.sandbox!.quotaRefusal = 'create';
    await call('DELETE', '/apis/apps/v1/namespaces/r2/deployments/web');
    expect(
      (
        await call(
          'POST',
          '/apis/apps/v1/namespaces/r2/deployments',
          deployment('x:1'),
        )
      ).body,
    ).toMatchObject({
      code: 403,
      message: expect.stringContaining('exceeded quota'),
    });
  });

  it('stays read-only unless writable', async () => {
    const readOnly = await FakeKubernetes.start({ name: 'prod' });
    try {
      const res = await fetch(`${readOnly.url}/api/v1/namespaces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}` },
        body: '{}',
      });
      expect(res.status).toBe(405);
    } finally {
      await readOnly.close();
    }
  });
});
