import { FakeKubernetes, TOKEN } from '@env-parity/fake-apis';
import { pod } from './__testUtils__/objects';
import { KubernetesClient, RESOURCES } from './KubernetesClient';
import { DirectTransport, KubernetesTransport } from './transports';

describe('KubernetesClient', () => {
  let fake: FakeKubernetes;

  beforeEach(async () => {
    fake = await FakeKubernetes.start({
      name: 'staging-cluster',
      prefix: '/k8s/staging',
    });
  });

  afterEach(async () => {
    await fake.close();
  });

  function client(
    options: {
      token?: string;
      pageSize?: number;
      maxPages?: number;
      timeoutMs?: number;
    } = {},
  ) {
    return new KubernetesClient(
      {
        name: 'staging-cluster',
        url: fake.url,
        serviceAccountToken: options.token ?? TOKEN,
        skipTLSVerify: false,
      },
      {
        // generous: a loaded machine must not turn a success into a timeout
        timeoutMs: options.timeoutMs ?? 120_000,
        pageSize: options.pageSize,
        maxPages: options.maxPages,
        tokenPath: '/nonexistent/token',
      },
    );
  }

  function pods(n: number, labels: Record<string, string>, namespace = 'shop') {
    return Array.from({ length: n }, (_, i) =>
      pod({
        name: `${labels.app ?? 'x'}-${i}`,
        namespace,
        labels,
        containers: [{ name: 'app', image: 'app:1', imageID: 'sha256:1' }],
      }),
    );
  }

  it('lists with the label selector under the path prefix, sending the bearer token', async () => {
    fake.add(
      ...pods(2, { app: 'api', tier: 'web' }),
      ...pods(1, { app: 'worker', tier: 'web' }),
      ...pods(1, { app: 'api', tier: 'web' }, 'other'),
    );
    const items = await client().list(RESOURCES.pods, {
      labelSelector: 'app=api,tier in (web,db)',
      namespace: 'shop',
    });
    expect(items?.map(i => i.metadata?.name)).toEqual(['api-0', 'api-1']);
    const [req] = fake.requests;
    expect(req.path).toBe('/api/v1/namespaces/shop/pods');
    expect(req.query.get('labelSelector')).toBe('app=api,tier in (web,db)');
    expect(req.authorization).toBe(`Bearer ${TOKEN}`);

    const all = await client().list(RESOURCES.pods, {
      labelSelector: 'app!=worker,!missing',
    });
    expect(
      all?.map(i => `${i.metadata?.namespace}/${i.metadata?.name}`),
    ).toEqual(['other/api-0', 'shop/api-0', 'shop/api-1']);
    expect(fake.requests[1].path).toBe('/api/v1/pods');
  });

  it('follows continue tokens page by page', async () => {
    fake.add(...pods(7, { app: 'api' }));
    const items = await client({ pageSize: 3 }).list(RESOURCES.pods, {
      labelSelector: 'app',
    });
    expect(items).toHaveLength(7);
    expect(fake.requests.map(r => r.query.get('limit'))).toEqual([
      '3',
      '3',
      '3',
    ]);
    expect(fake.requests[0].query.get('continue')).toBeNull();
    expect(fake.requests[1].query.get('continue')).toBeTruthy();
  });

  it('asks the transport whether an answer is foreign only for errors, not for every page', async () => {
    fake.add(...pods(5, { app: 'api' }));
    const direct = new DirectTransport(
      {
        name: 'staging-cluster',
        url: fake.url,
        serviceAccountToken: TOKEN,
        skipTLSVerify: false,
      },
      { timeoutMs: 120_000 },
    );
    const foreignError = jest.fn((res: { status: number }) =>
      res.status === 418 ? 'not the API server' : undefined,
    );
    const transport: KubernetesTransport = {
      clusterName: direct.clusterName,
      hints: direct.hints,
      get: (path, signal) => direct.get(path, signal),
      foreignError,
    };
    const c = new KubernetesClient(transport, {
      timeoutMs: 120_000,
      pageSize: 2,
    });
    await expect(
      c.list(RESOURCES.pods, { labelSelector: 'app' }),
    ).resolves.toHaveLength(5);
    await expect(c.get(RESOURCES.pods, 'shop', 'api-0')).resolves.toMatchObject(
      { metadata: { name: 'api-0' } },
    );
    // three pages and one object, all 200: parsed once each, never inspected
    expect(fake.requests).toHaveLength(4);
    expect(foreignError).not.toHaveBeenCalled();

    // an error answer is still inspected, and a foreign one is no status
    await expect(
      c.get(RESOURCES.configmaps, 'shop', 'gone'),
    ).resolves.toBeUndefined();
    expect(foreignError).toHaveBeenCalled();
    fake.answerNext('/api/v1/namespaces/shop/configmaps/x', { status: 418 });
    const error = await c.get(RESOURCES.configmaps, 'shop', 'x').catch(e => e);
    expect([error.message, error.status]).toEqual([
      'cluster staging-cluster: not the API server',
      undefined,
    ]);
  });

  it('stops after a bounded number of pages', async () => {
    fake.add(...pods(7, { app: 'api' }));
    await expect(
      client({ pageSize: 2, maxPages: 3 }).list(RESOURCES.pods, {
        labelSelector: 'app',
      }),
    ).rejects.toThrow(
      'cluster staging-cluster: more than 3 pages of pods cluster-wide match the label selector; narrow it',
    );
    expect(fake.requests).toHaveLength(3);
  });

  it('says so when a continue token expired (410)', async () => {
    fake.add(...pods(4, { app: 'api' }));
    fake.expireContinueTokens = true;
    await expect(
      client({ pageSize: 2 }).list(RESOURCES.pods, { labelSelector: 'app' }),
    ).rejects.toThrow(
      'cluster staging-cluster: 410 Gone listing pods cluster-wide: the continue token expired while paging',
    );
  });

  it('names the token on 401, without showing it', async () => {
    const error = await client({ token: 'wrong-token-123' })
      .list(RESOURCES.deployments, { labelSelector: 'app=api' })
      .catch(e => e);
    expect(error.message).toBe(
      'cluster staging-cluster: 401 Unauthorized — check kubernetes.clusterLocatorMethods serviceAccountToken',
    );
    expect(error.status).toBe(401);
    expect(error.message).not.toContain('wrong-token-123');
  });

  it('names the resource it may not list on 403', async () => {
    fake.forbidden.add('deployments');
    await expect(
      client().list(RESOURCES.deployments, {
        labelSelector: 'app=api',
        namespace: 'shop',
      }),
    ).rejects.toThrow(
      'cluster staging-cluster: 403 Forbidden: not allowed to list deployments.apps in namespace shop — grant the service account list on deployments.apps',
    );
  });

  it('returns undefined for an API group that is not served, when optional', async () => {
    await expect(
      client().list(RESOURCES.rollouts, {
        labelSelector: 'app',
        optional: true,
      }),
    ).resolves.toBeUndefined();
    await expect(
      client().list(RESOURCES.rollouts, { labelSelector: 'app' }),
    ).rejects.toThrow(
      'cluster staging-cluster: 404 Not Found listing rollouts.argoproj.io cluster-wide: the API server does not serve rollouts.argoproj.io',
    );
    fake.rolloutsInstalled = true;
    await expect(
      client().list(RESOURCES.rollouts, {
        labelSelector: 'app',
        optional: true,
      }),
    ).resolves.toEqual([]);
  });

  it('reports 5xx, malformed bodies and non-list bodies', async () => {
    fake.answerNext('/api/v1/pods', {
      status: 503,
      body: { kind: 'Status', code: 503 },
    });
    await expect(
      client().list(RESOURCES.pods, { labelSelector: 'app' }),
    ).rejects.toThrow(
      'cluster staging-cluster: 503 Service Unavailable from the API server (could not list pods cluster-wide)',
    );
    fake.answerNext('/api/v1/pods', { status: 200, text: '{"items": [' });
    await expect(
      client().list(RESOURCES.pods, { labelSelector: 'app' }),
    ).rejects.toThrow(
      'cluster staging-cluster: malformed response listing pods cluster-wide: not JSON',
    );
    fake.answerNext('/api/v1/pods', { status: 200, body: { kind: 'PodList' } });
    await expect(
      client().list(RESOURCES.pods, { labelSelector: 'app' }),
    ).rejects.toThrow('not a list (no items)');
  });

  it('waits for the connection as long as for the answer: a process busy for seconds is no timeout', async () => {
    fake.add(...pods(1, { app: 'api' }));
    const listing = client({ timeoutMs: 60_000 }).list(RESOURCES.pods, {
      labelSelector: 'app',
    });
    // the request is on its way; then this process is busy for longer than
    // the guard's default connection deadline (5 s), as a loaded machine
    // or a long synchronous task can make it
    await new Promise(resolve => setImmediate(resolve));
    const busyUntil = Date.now() + 5_500;
    while (Date.now() < busyUntil) {
      // busy
    }
    const items = await listing;
    expect(items?.map(i => i.metadata?.name)).toEqual(['api-0']);
  });

  it('times out on a slow answer', async () => {
    fake.answerNext('/api/v1/pods', 'hang');
    await expect(
      client({ timeoutMs: 200 }).list(RESOURCES.pods, { labelSelector: 'app' }),
    ).rejects.toThrow(
      'cluster staging-cluster: timed out after 200 ms listing pods cluster-wide (envParity.kubernetes.timeout)',
    );
  });

  it('gets objects by name, URL-encoded, with 404 as undefined', async () => {
    fake.add({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'api-config', namespace: 'shop' },
      data: { A: '1' },
    });
    await expect(
      client().get(RESOURCES.configmaps, 'shop', 'api-config'),
    ).resolves.toMatchObject({ data: { A: '1' } });
    await expect(
      client().get(RESOURCES.configmaps, 'shop', 'gone'),
    ).resolves.toBeUndefined();
    await client().get(RESOURCES.configmaps, 'shop', 'a/../b?x');
    expect(fake.requests[2].path).toBe(
      '/api/v1/namespaces/shop/configmaps/a%2F..%2Fb%3Fx',
    );
  });

  it('never puts the body of a secret response into an error', async () => {
    fake.answerNext('/api/v1/namespaces/shop/secrets/db', {
      status: 200,
      text: '{"data": {"password": "cGxhbnRlZA=="',
    });
    const error = await client()
      .get(RESOURCES.secrets, 'shop', 'db')
      .catch(e => e);
    expect(error.message).toBe(
      'cluster staging-cluster: malformed response reading secrets db in namespace shop: not JSON',
    );
    fake.answerNext('/api/v1/namespaces/shop/secrets/db', {
      status: 500,
      body: { data: { password: 'cGxhbnRlZA==' } },
    });
    const error2 = await client()
      .get(RESOURCES.secrets, 'shop', 'db')
      .catch(e => e);
    expect(error2.message).not.toContain('cGxhbnRlZA');
    expect(error2.message).toContain('500 Internal Server Error');
  });

  it('refuses hosts other than the cluster', async () => {
    const c = new KubernetesClient(
      {
        name: 'meta',
        url: 'http://169.254.169.254/latest',
        serviceAccountToken: TOKEN,
        skipTLSVerify: false,
      },
      { timeoutMs: 500 },
    );
    await expect(
      c.list(RESOURCES.pods, { labelSelector: 'app' }),
    ).rejects.toThrow(
      /cluster meta: listing pods cluster-wide: .*never allowed/,
    );
  });
});
