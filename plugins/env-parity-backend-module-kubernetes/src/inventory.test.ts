import { mockServices } from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import { FakeKubernetes } from '@env-parity/fake-apis';
import {
  component,
  configMap,
  digest,
  environments,
  pod,
  testConfig,
  workload,
} from './__testUtils__/objects';
import { deployApi, deployService, IMAGE } from './__testUtils__/scenario';
import { KubernetesCaches } from './caches';
import { KubernetesDeploymentProvider } from './KubernetesDeploymentProvider';

const ENVS = environments('staging', 'production');
const KUBE_ID = { 'backstage.io/kubernetes-id': 'api' };
const LIST_PATHS = [
  '/api/v1/pods',
  '/apis/apps/v1/deployments',
  '/apis/apps/v1/statefulsets',
  '/apis/apps/v1/daemonsets',
  '/apis/argoproj.io/v1alpha1/rollouts',
];

describe('KubernetesDeploymentProvider with the inventory', () => {
  let staging: FakeKubernetes;
  let production: FakeKubernetes;

  beforeEach(async () => {
    staging = await FakeKubernetes.start({
      name: 'staging-cluster',
      prefix: '/k8s/staging',
    });
    production = await FakeKubernetes.start({ name: 'prod-eu' });
  });

  afterEach(async () => {
    await Promise.all([staging.close(), production.close()]);
  });

  function provider(
    envParity: JsonObject = {},
    caches?: KubernetesCaches,
    logger = mockServices.logger.mock(),
  ) {
    const { provider: p, notices } = KubernetesDeploymentProvider.fromConfig(
      testConfig(
        [
          { fake: staging, environment: 'staging' },
          { fake: production, environment: 'production' },
        ],
        envParity,
      ),
      {
        logger,
        client: { tokenPath: '/nonexistent' },
        caches,
      },
    );
    expect(notices).toEqual([]);
    return p!;
  }

  /** The number of objects a cluster-wide list of the fake returns. */
  async function count(fake: FakeKubernetes, path: string) {
    const res = await fetch(`${fake.url}${path}`, {
      headers: { Authorization: `Bearer ${fake.token}` },
    });
    return res.ok ? ((await res.json()) as any).items.length : undefined;
  }

  /** Fifty services per cluster, in two namespaces, of every kind, with some oddities. */
  function seed() {
    for (const [fake, build, tag] of [
      [staging, 'b', '2.0.0'],
      [production, 'a', '1.0.0'],
    ] as const) {
      fake.add(configMap('shared-config', { REGION: 'eu-west-1' }));
      for (let i = 0; i < 50; i++) {
        const name = `svc-${String(i).padStart(2, '0')}`;
        if (fake === production && i === 20) continue; // not deployed there
        let kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Rollout' =
          'Deployment';
        if (i % 7 === 3) kind = 'StatefulSet';
        if (i % 11 === 5) kind = 'DaemonSet';
        if (i === 8 && fake === production) kind = 'Rollout';
        let pods: string[] = [build, build];
        if (i % 6 === 1) pods = ['a', 'c'];
        if (i === 13) pods = [];
        deployService(fake, {
          name,
          kind,
          namespace: i % 5 === 0 ? 'team-b' : 'shop',
          tag,
          pods,
          logLevel: fake === staging && i % 4 === 0 ? 'debug' : 'info',
          // in team-b, shared-config does not exist: a missing reference
          sharedConfig: i % 2 === 0 ? 'shared-config' : undefined,
          labels: i % 3 === 0 ? { tier: 'web' } : {},
        });
      }
      // a finished pod of svc-01 does not count
      fake.add(
        pod({
          name: 'svc-01-job',
          labels: { 'backstage.io/kubernetes-id': 'svc-01', app: 'svc-01' },
          containers: [
            { name: 'svc-01', image: 'x', imageID: `x@${digest('f')}` },
          ],
          phase: 'Succeeded',
        }),
      );
    }
    production.rolloutsInstalled = true;

    const entities = Array.from({ length: 50 }, (_, i) => {
      const name = `svc-${String(i).padStart(2, '0')}`;
      if (i % 4 === 1) {
        return component(
          {
            'backstage.io/kubernetes-label-selector': `app in (${name}),!legacy`,
          },
          name,
        );
      }
      if (i % 4 === 2) {
        return component(
          {
            'backstage.io/kubernetes-id': name,
            'backstage.io/kubernetes-namespace':
              i % 5 === 0 ? 'team-b' : 'shop',
          },
          name,
        );
      }
      return component({ 'backstage.io/kubernetes-id': name }, name);
    });
    // selectors without an equality requirement, and one matching many services
    entities.push(
      component(
        { 'backstage.io/kubernetes-label-selector': 'tier=web,app!=svc-03' },
        'web-tier',
      ),
      component(
        { 'backstage.io/kubernetes-label-selector': 'tier,app notin (svc-00)' },
        'web-tier-2',
      ),
      component(
        {
          'backstage.io/kubernetes-label-selector': '!tier',
          'backstage.io/kubernetes-namespace': 'team-b',
        },
        'no-tier',
      ),
    );
    return entities;
  }

  it('observes many entities with a bounded number of requests per cluster, answering as per-entity queries do', async () => {
    const entities = seed();
    const pageSize = 10;
    const expectedLists = new Map<FakeKubernetes, Record<string, number>>();
    for (const fake of [staging, production]) {
      const lists: Record<string, number> = {};
      for (const path of LIST_PATHS) {
        const n = await count(fake, path);
        // a type that is not served: one request answered 404
        lists[path] = n === undefined ? 1 : Math.max(1, Math.ceil(n / 10));
      }
      expectedLists.set(fake, lists);
      fake.clearRequests();
    }
    expect(expectedLists.get(production)!['/api/v1/pods']).toBe(10); // 97 pods

    const withInventory = provider({ inventory: { pageSize } });
    const observed = await Promise.all(
      entities.map(entity =>
        withInventory.observe({ entity, environments: ENVS }),
      ),
    );

    for (const fake of [staging, production]) {
      const counts = fake.requestCounts();
      const lists = Object.fromEntries(
        Object.entries(counts).filter(([path]) => LIST_PATHS.includes(path)),
      );
      expect({ cluster: fake.name, lists }).toEqual({
        cluster: fake.name,
        lists: expectedLists.get(fake),
      });
      // nothing listed with a selector or per namespace
      expect(
        fake.requests.filter(
          r =>
            r.query.has('labelSelector') ||
            /\/namespaces\/[^/]+\/(pods|deployments|statefulsets|daemonsets|rollouts)$/.test(
              r.path,
            ),
        ),
      ).toEqual([]);
      // every ConfigMap and Secret read once, however many workloads use it
      const gets = Object.entries(counts).filter(
        ([path]) => !LIST_PATHS.includes(path),
      );
      expect(gets.length).toBeGreaterThanOrEqual(100);
      expect(gets.filter(([, n]) => n !== 1)).toEqual([]);
      expect(counts['/api/v1/namespaces/shop/configmaps/shared-config']).toBe(
        1,
      );
    }
    const inventoryRequests = staging.requests.length;

    staging.clearRequests();
    production.clearRequests();
    const perEntity = provider({ inventory: { enabled: false } });
    const expected = await Promise.all(
      entities.map(entity => perEntity.observe({ entity, environments: ENVS })),
    );
    // per-entity queries: five lists per entity and cluster
    expect(staging.requests.length).toBeGreaterThan(entities.length * 5);
    expect(inventoryRequests).toBeLessThan(staging.requests.length / 2);

    expect(observed).toEqual(expected);
    // the comparison covers what matters: deployments, findings, errors-free
    const text = JSON.stringify(observed);
    for (const needle of [
      'mixed-digests',
      'missing-reference',
      '"kind":"Rollout"',
      '"kind":"DaemonSet"',
      '"kind":"StatefulSet"',
      'configmap/shared-config.REGION',
      'secret/svc-00-secrets.DB_PASSWORD',
    ]) {
      expect({ needle, found: text.includes(needle) }).toEqual({
        needle,
        found: true,
      });
    }
    expect(text).not.toContain(digest('f'));
    expect(observed.flat().filter(o => o.error)).toEqual([]);
    const webTier = observed[50];
    expect(webTier[1].deployment!.resources!.length).toBeGreaterThan(10);
    // svc-20 runs in staging only
    expect(observed[20].map(o => o.environment)).toEqual(['staging']);
  });

  it('lists each cluster once per maxAge, shared by concurrent observations; with maxStale equal to maxAge they wait for the new listing', async () => {
    deployApi(staging, {
      tag: '1.5.0',
      pods: ['b'],
      logLevel: 'debug',
      dbPassword: 'x',
    });
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a'],
      logLevel: 'info',
      dbPassword: 'y',
    });
    let now = 1_000_000;
    const p = provider(
      {},
      new KubernetesCaches({
        maxAgeMs: 120_000,
        maxStaleMs: 120_000,
        now: () => now,
      }),
    );
    const observeAll = () =>
      Promise.all(
        Array.from({ length: 10 }, () =>
          p.observe({ entity: component(KUBE_ID), environments: ENVS }),
        ),
      );
    const podLists = (fake: FakeKubernetes) =>
      fake.requestsTo('/api/v1/pods').length;

    const first = await observeAll();
    expect(first.flat().map(o => o.deployment?.artifact)).toEqual(
      Array.from({ length: 10 }, () => [
        `${IMAGE}:1.5.0@${digest('b')}`,
        `${IMAGE}:1.4.2@${digest('a')}`,
      ]).flat(),
    );
    expect([podLists(staging), podLists(production)]).toEqual([1, 1]);
    expect(production.requestsTo('/configmaps/api-config')).toHaveLength(1);
    expect(production.requestsTo('/secrets/api-secrets')).toHaveLength(1);

    // a new build rolls out; within maxAge the inventory is reused
    deployApi(production, {
      tag: '1.5.0',
      pods: ['b'],
      logLevel: 'info',
      dbPassword: 'y',
    });
    now += 119_999;
    const [, prod] = await p.observe({
      entity: component(KUBE_ID),
      environments: ENVS,
    });
    expect(prod.deployment!.artifact).toBe(`${IMAGE}:1.4.2@${digest('a')}`);
    expect([podLists(staging), podLists(production)]).toEqual([1, 1]);

    // then listed again, once, and the ConfigMaps and Secrets read again
    now += 1;
    const again = await observeAll();
    expect(again.map(([, o]) => o.deployment!.artifact)).toEqual(
      Array.from({ length: 10 }, () => `${IMAGE}:1.5.0@${digest('b')}`),
    );
    expect([podLists(staging), podLists(production)]).toEqual([2, 2]);
    for (const path of LIST_PATHS.slice(1, 4)) {
      expect(production.requestsTo(path)).toHaveLength(2);
    }
    expect(production.requestsTo('/configmaps/api-config')).toHaveLength(2);
    expect(production.requestsTo('/secrets/api-secrets')).toHaveLength(2);
  });

  describe('serving the previous inventory while refreshing it', () => {
    const PROD = environments('production');
    const observe = (p: KubernetesDeploymentProvider) =>
      p.observe({ entity: component(KUBE_ID), environments: PROD });
    const artifact = (observed: Awaited<ReturnType<typeof observe>>) =>
      observed.map(o => o.deployment?.artifact ?? o.error);
    const OLD = `${IMAGE}:1.4.2@${digest('a')}`;
    const NEW = `${IMAGE}:1.5.0@${digest('b')}`;
    const deployments = () =>
      production.requestsTo('/apis/apps/v1/deployments').length;
    const podLists = () => production.requestsTo('/api/v1/pods').length;
    let now: number;
    let caches: KubernetesCaches;

    beforeEach(() => {
      deployApi(production, {
        tag: '1.4.2',
        pods: ['a'],
        logLevel: 'info',
        dbPassword: 'y',
      });
      now = 1_000_000;
      caches = new KubernetesCaches({
        maxAgeMs: 120_000,
        maxStaleMs: 360_000,
        now: () => now,
      });
    });

    /** The new build is rolled out in the cluster. */
    function rollOut() {
      deployApi(production, {
        tag: '1.5.0',
        pods: ['b'],
        logLevel: 'info',
        dbPassword: 'y',
      });
    }

    it('waits for the first listing of a cluster', async () => {
      const p = provider({}, caches);
      const listing = production.holdNext('/apis/apps/v1/deployments');
      const observed = observe(p);
      await listing.requested;
      listing.release();
      expect(artifact(await observed)).toEqual([OLD]);
      expect(listing.answered).toBe(true);
      expect(caches.inventories.settled('prod-eu')).toBeUndefined();
    });

    it('answers at once with the previous inventory after maxAge while one listing refreshes it, then with the new one', async () => {
      const p = provider({}, caches);
      expect(artifact(await observe(p))).toEqual([OLD]);
      expect([deployments(), podLists()]).toEqual([1, 1]);
      rollOut();

      // within maxAge: no request
      now += 119_999;
      expect(artifact(await observe(p))).toEqual([OLD]);
      expect([deployments(), podLists()]).toEqual([1, 1]);

      // after maxAge: the old data at once, while the (slow) listing runs
      now += 1;
      const listing = production.holdNext('/apis/apps/v1/deployments');
      const controller = new AbortController();
      const observed = await p.observe({
        entity: component(KUBE_ID),
        environments: PROD,
        signal: controller.signal,
      });
      expect(artifact(observed)).toEqual([OLD]);
      expect(listing.answered).toBe(false);
      // the observation's signal does not reach the refresh
      controller.abort();
      const refresh = caches.inventories.settled('prod-eu');
      expect(refresh).toBeDefined();
      listing.release();
      await refresh;
      expect(listing.answered).toBe(true);
      expect([deployments(), podLists()]).toEqual([2, 2]);

      // the next observation sees the new data, without listing again
      expect(artifact(await observe(p))).toEqual([NEW]);
      expect([deployments(), podLists()]).toEqual([2, 2]);
      // and the new inventory is fresh for maxAge from its listing
      now += 119_999;
      expect(artifact(await observe(p))).toEqual([NEW]);
      expect([deployments(), podLists()]).toEqual([2, 2]);
    });

    it('lists once for many observations during a refresh, and lets those past maxStale wait for that listing', async () => {
      const p = provider({}, caches);
      await observe(p);
      rollOut();
      now += 300_000;
      const listing = production.holdNext('/apis/apps/v1/deployments');
      const during = await Promise.all(
        Array.from({ length: 20 }, () => observe(p)),
      );
      expect(during.map(artifact)).toEqual(
        Array.from({ length: 20 }, () => [OLD]),
      );
      // more while it runs, some after maxStale: these wait for the same listing
      now += 59_999;
      const stillOld = await Promise.all(
        Array.from({ length: 10 }, () => observe(p)),
      );
      expect(stillOld.map(artifact)).toEqual(
        Array.from({ length: 10 }, () => [OLD]),
      );
      expect(listing.answered).toBe(false);
      now += 1;
      const waiting = Promise.all(Array.from({ length: 10 }, () => observe(p)));
      listing.release();
      expect((await waiting).map(artifact)).toEqual(
        Array.from({ length: 10 }, () => [NEW]),
      );
      expect(listing.answered).toBe(true);
      expect([deployments(), podLists()]).toEqual([2, 2]);
    });

    it('keeps serving the previous inventory while refreshes fail, retrying after 10 seconds and logging each failure once, until maxStale', async () => {
      const logger = mockServices.logger.mock();
      const p = provider({}, caches, logger);
      await observe(p);
      rollOut();
      const PLANTED = 'planted-body-text-8c1e';
      // the next four pod lists fail
      production.answerNext(
        '/api/v1/pods',
        {
          status: 500,
          body: { kind: 'Status', code: 500, message: PLANTED },
        },
        4,
      );
      const warnings = () =>
        logger.warn.mock.calls.map(([message]) => String(message));

      now += 120_000;
      expect(artifact(await observe(p))).toEqual([OLD]);
      await caches.inventories.settled('prod-eu');
      expect(podLists()).toBe(2);
      expect(warnings()).toEqual([
        expect.stringContaining(
          'cluster prod-eu: 500 Internal Server Error from the API server (could not list pods cluster-wide); refreshing the inventory',
        ),
      ]);

      // within the retry delay: the old one, no request, no new warning
      now += 9_999;
      expect(artifact(await observe(p))).toEqual([OLD]);
      expect(caches.inventories.settled('prod-eu')).toBeUndefined();
      expect(podLists()).toBe(2);
      expect(warnings()).toHaveLength(1);

      // then one more refresh, failing too
      now += 1;
      const [again] = await Promise.all(
        Array.from({ length: 5 }, () => observe(p)),
      );
      expect(artifact(again)).toEqual([OLD]);
      await caches.inventories.settled('prod-eu');
      expect(podLists()).toBe(3);
      expect(warnings()).toHaveLength(2);

      // up to maxStale the old inventory is served
      now = 1_000_000 + 359_999;
      expect(artifact(await observe(p))).toEqual([OLD]);
      await caches.inventories.settled('prod-eu');
      expect(podLists()).toBe(4);
      expect(warnings()).toHaveLength(3);

      // past it, the failure of the last refresh (10 seconds ago at most) is
      // answered; then observations wait for a listing, and its failure is theirs
      now += 1;
      const failing = [
        'cluster prod-eu: 500 Internal Server Error from the API server (could not list pods cluster-wide)',
      ];
      expect(artifact(await observe(p))).toEqual(failing);
      expect(podLists()).toBe(4);
      now += 9_999;
      const past = await Promise.all(
        Array.from({ length: 5 }, () => observe(p)),
      );
      expect(past.map(artifact)).toEqual(
        Array.from({ length: 5 }, () => failing),
      );
      expect(podLists()).toBe(5);
      // a failure somebody waited for is theirs to report, not logged at warn
      expect(warnings()).toHaveLength(3);
      const logged = JSON.stringify(logger.warn.mock.calls);
      expect(logged).not.toContain(PLANTED);
      expect(logged).not.toContain(production.token);

      // the cluster answers again: after the retry delay, the new data
      now += 9_999;
      expect(artifact(await observe(p))).toEqual(failing);
      now += 1;
      expect(artifact(await observe(p))).toEqual([NEW]);
      expect(podLists()).toBe(6);
      expect(warnings()).toHaveLength(3);
    });
  });

  it('shares a failed listing with the waiting observations and retries it after 10 seconds, in its cluster only', async () => {
    deployApi(staging, {
      tag: '1.5.0',
      pods: ['b'],
      logLevel: 'debug',
      dbPassword: 'x',
    });
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a'],
      logLevel: 'info',
      dbPassword: 'y',
    });
    let now = 0;
    const p = provider(
      {},
      new KubernetesCaches({ maxAgeMs: 120_000, now: () => now }),
    );
    production.answerNext('/api/v1/pods', {
      status: 500,
      body: { kind: 'Status', code: 500 },
      delayMs: 100,
    });
    const observe = () =>
      p.observe({ entity: component(KUBE_ID), environments: ENVS });
    const failing = {
      environment: 'production',
      error:
        'cluster prod-eu: 500 Internal Server Error from the API server (could not list pods cluster-wide)',
    };

    const results = await Promise.all(Array.from({ length: 5 }, observe));
    for (const [stg, prod] of results) {
      expect(stg.deployment!.artifact).toBe(`${IMAGE}:1.5.0@${digest('b')}`);
      expect(prod).toEqual(failing);
    }
    expect(production.requestsTo('/api/v1/pods')).toHaveLength(1);

    // within the retry delay the failure is answered without asking again
    now += 9_999;
    expect((await observe())[1]).toEqual(failing);
    expect(production.requestsTo('/api/v1/pods')).toHaveLength(1);

    now += 1;
    const [, prod] = await observe();
    expect(prod.deployment!.artifact).toBe(`${IMAGE}:1.4.2@${digest('a')}`);
    expect(production.requestsTo('/api/v1/pods')).toHaveLength(2);
    // the healthy cluster was listed once all along
    expect(staging.requestsTo('/api/v1/pods')).toHaveLength(1);
  });

  it('lets an aborted observation stop waiting without cancelling the listing the others wait for', async () => {
    deployApi(production, {
      tag: '1.4.2',
      pods: ['a'],
      logLevel: 'info',
      dbPassword: 'y',
    });
    const p = provider();
    production.answerNext('/apis/apps/v1/deployments', {
      status: 200,
      body: {
        kind: 'DeploymentList',
        metadata: {},
        items: [
          workload({
            name: 'api',
            containers: [{ name: 'api', image: `${IMAGE}:1.4.2` }],
          }),
        ],
      },
      delayMs: 300,
    });
    const controller = new AbortController();
    const request = {
      entity: component(KUBE_ID),
      environments: environments('production'),
    };
    const aborted = p.observe({ ...request, signal: controller.signal });
    const patient = p.observe(request);
    setTimeout(() => controller.abort(), 50);
    expect(await aborted).toEqual([
      {
        environment: 'production',
        error:
          'cluster prod-eu: aborted while waiting for the inventory of workloads and pods',
      },
    ]);
    const [obs] = await patient;
    expect(obs.deployment!.artifact).toBe(`${IMAGE}:1.4.2@${digest('a')}`);
    expect(production.requestsTo('/apis/apps/v1/deployments')).toHaveLength(1);
  });

  it('reads a ConfigMap shared by ten workloads once, and keeps no secret or configuration value', async () => {
    const PLANTED = 'planted-s3cret-93ad';
    production.add(
      configMap('shared-config', { SHARED_VALUE: 'planted-config-value-51' }),
    );
    for (let i = 0; i < 10; i++) {
      deployService(production, {
        name: `svc-${i}`,
        tag: '1.0.0',
        pods: ['a'],
        secretValue: `${PLANTED}-${i}`,
        logLevel: 'planted-log-level-77',
        sharedConfig: 'shared-config',
      });
    }
    const caches = new KubernetesCaches({ maxAgeMs: 120_000 });
    const p = provider({}, caches);
    const observed = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        p.observe({
          entity: component(
            { 'backstage.io/kubernetes-id': `svc-${i}` },
            `svc-${i}`,
          ),
          environments: environments('production'),
        }),
      ),
    );
    expect(
      observed.map(
        ([o]) => o.deployment!.config!['configmap/shared-config.SHARED_VALUE'],
      ),
    ).toEqual(Array.from({ length: 10 }, () => ({ hash: expect.any(String) })));
    expect(production.requestsTo('/configmaps/shared-config')).toHaveLength(1);
    expect(production.requestsTo('/secrets/')).toHaveLength(10);

    const dump = JSON.stringify(caches.dump());
    // what the caches hold: the inventory and the fingerprints of every key
    expect(dump).toContain('svc-9');
    expect(dump).toContain('DB_PASSWORD');
    expect(dump).toContain('SHARED_VALUE');
    for (const needle of [
      PLANTED,
      Buffer.from(`${PLANTED}-1`).toString('base64'),
      'planted-config-value-51',
      'planted-log-level-77',
      // the literal env value MODE=literal is kept as a hash only
      '"literal"',
    ]) {
      expect({ needle, found: dump.includes(needle) }).toEqual({
        needle,
        found: false,
      });
    }
    expect(JSON.stringify(observed)).not.toContain(PLANTED);
  });

  it('keeps one copy of what the pods of a workload and the workloads of a cluster have in common', async () => {
    for (let i = 0; i < 3; i++) {
      deployService(production, {
        name: `svc-${i}`,
        tag: '1.0.0',
        pods: ['a', 'a'],
      });
    }
    const caches = new KubernetesCaches({ maxAgeMs: 120_000 });
    const p = provider({}, caches);
    const [observed] = await p.observe({
      entity: component({ 'backstage.io/kubernetes-id': 'svc-0' }, 'svc-0'),
      environments: environments('production'),
    });
    expect(observed.deployment!.artifact).toBe(
      `ghcr.io/acme/svc-0:1.0.0@${digest('a')}`,
    );
    const [[, inventory]] = caches.inventories.values();
    const pods = inventory.pods.items;
    expect(pods).toHaveLength(6);
    // the two pods of a workload: one label set, one list of digests,
    // one record listed twice
    expect(pods[0].labels).toEqual({
      'backstage.io/kubernetes-id': 'svc-0',
      app: 'svc-0',
      'pod-template-hash': '5c8d',
    });
    expect(pods[1].labels).toBe(pods[0].labels);
    expect(pods[1].digests).toBe(pods[0].digests);
    expect(pods[1]).toBe(pods[0]);
    // pods of different workloads: their own
    expect(pods[2].labels).not.toBe(pods[0].labels);
    expect(pods[2]).not.toBe(pods[0]);
    expect(pods[2].labels!.app).toBe('svc-1');
    // what every workload's container has alike: one copy
    const workloads = inventory.workloads.get('Deployment')!.items;
    expect(workloads).toHaveLength(3);
    const [a, b] = workloads.map(w => w.containers[0]);
    expect(b.resources).toBe(a.resources);
    expect(b.env[0]).toMatchObject({ name: 'MODE' });
    expect((b.env[0] as any).fingerprint).toBe((a.env[0] as any).fingerprint);
    // and the replica counts
    expect(workloads[0].replicas).toEqual({ desired: 2, ready: 2 });
    expect(workloads[1].replicas).toBe(workloads[0].replicas);
  });

  it("keeps of each ConfigMap and Secret read only its keys' fingerprints, in one string, and still compares them", async () => {
    const PLANTED = 'planted-s3cret-41bc';
    for (const [fake, secretValue] of [
      [staging, `${PLANTED}-staging`],
      [production, `${PLANTED}-production`],
    ] as const) {
      deployService(fake, {
        name: 'svc-0',
        tag: '1.0.0',
        pods: ['a'],
        secretValue,
        logLevel: 'debug',
      });
    }
    const caches = new KubernetesCaches({ maxAgeMs: 120_000 });
    const p = provider({}, caches);
    const observe = () =>
      p.observe({
        entity: component({ 'backstage.io/kubernetes-id': 'svc-0' }, 'svc-0'),
        environments: ENVS,
      });
    const [stage, prod] = await observe();

    const held = caches.sources();
    expect(held.map(([key]) => key)).toEqual(
      expect.arrayContaining([
        ['prod-eu', 'configmaps', 'shop', 'svc-0-config'],
        ['prod-eu', 'secrets', 'shop', 'svc-0-secrets'],
      ]),
    );
    for (const [, record] of held) {
      // no Map, no object per key: one string of fingerprints
      expect(record).toEqual(expect.any(String));
      expect(record).not.toContain(PLANTED);
    }
    const [, secrets] = held.find(
      ([[cluster, type]]) => cluster === 'prod-eu' && type === 'secrets',
    )!;
    expect(JSON.parse(secrets as string)).toEqual([
      ['DB_PASSWORD', { hash: expect.any(String), secret: true }],
    ]);

    // what is compared is still there: the secret's hash differs between
    // the environments, the ConfigMap's value is the same
    for (const observed of [stage, prod]) {
      expect(observed.deployment!.config).toMatchObject({
        'secret/svc-0-secrets.DB_PASSWORD': {
          hash: expect.any(String),
          secret: true,
        },
        'configmap/svc-0-config.LOG_LEVEL': { hash: expect.any(String) },
        'deployment/svc-0/svc-0.env.DB_PASSWORD': { secret: true },
      });
    }
    const secretOf = (o: typeof stage) =>
      o.deployment!.config!['secret/svc-0-secrets.DB_PASSWORD'].hash;
    expect(secretOf(stage)).not.toBe(secretOf(prod));
    expect(
      stage.deployment!.config!['configmap/svc-0-config.LOG_LEVEL'].hash,
    ).toBe(prod.deployment!.config!['configmap/svc-0-config.LOG_LEVEL'].hash);
    expect(
      prod.deployment!.config!['deployment/svc-0/svc-0.env.DB_PASSWORD'].hash,
    ).toBe(secretOf(prod));

    // observed again from the cache: the same fingerprints, no request
    const requests = production.requests.length;
    const [, again] = await observe();
    expect(production.requests.length).toBe(requests);
    expect(again.deployment!.config).toEqual(prod.deployment!.config);
  });
});
