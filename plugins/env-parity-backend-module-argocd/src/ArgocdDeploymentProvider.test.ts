import http from 'node:http';
import { ConfigReader } from '@backstage/config';
import {
  compareDeployments,
  Deployment,
  diffConfig,
} from '@env-parity/plugin-env-parity-common';
import { ProviderObservation } from '@env-parity/plugin-env-parity-node';
import { ArgocdDeploymentProvider } from './ArgocdDeploymentProvider';
import { ARGOCD_TOKEN, FakeArgocd } from '@env-parity/fake-apis';
import {
  component,
  CONFIG_REPO,
  environments,
  OWN_REPO,
  testConfig,
} from './__testUtils__/setup';

const STAGING_SHA = '5f0c3a1b2d4e6f708192a3b4c5d6e7f809a1b2c3';
const PROD_SHA = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807';
const DIGEST = `sha256:${'4f1e'.repeat(16)}`;

function provider(config: ConfigReader) {
  const { provider: p } = ArgocdDeploymentProvider.fromConfig(config);
  if (!p) {
    throw new Error('no provider');
  }
  return p;
}

function byEnvironment(observations: ProviderObservation[]) {
  return Object.fromEntries(observations.map(o => [o.environment, o]));
}

describe('ArgocdDeploymentProvider', () => {
  let staging: FakeArgocd;
  let prod: FakeArgocd;

  beforeEach(async () => {
    staging = await FakeArgocd.start({ basePath: '/argocd/staging' });
    prod = await FakeArgocd.start();
  });

  afterEach(async () => {
    await staging.close();
    await prod.close();
  });

  const mapped = () =>
    testConfig(
      { 'argo-staging': staging, 'argo-prod': prod },
      { instances: { 'argo-staging': 'staging', 'argo-prod': 'production' } },
    );

  it('waits for the connection as long as for the answer: a process busy for seconds is no timeout', async () => {
    prod.addApp({ name: 'shop', images: ['ghcr.io/acme/shop:1.4.2'] });
    // once the request is on its way, this process is busy for longer than
    // the guard's default connection deadline (5 s), as a loaded machine
    // or a long synchronous task can make it
    const original = http.request;
    const spy = jest
      .spyOn(http, 'request')
      .mockImplementation((...args: any[]) => {
        const req = (original as any)(...args);
        const busyUntil = Date.now() + 5_500;
        while (Date.now() < busyUntil) {
          // busy
        }
        return req;
      });
    try {
      const [observation] = await provider(mapped()).observe({
        entity: component({
          'argocd/app-name': 'shop',
          'argocd/instance-name': 'argo-prod',
        }),
        environments: environments('staging', 'production'),
      });
      expect(observation.error).toBeUndefined();
      expect(observation.deployment?.artifact).toBe('ghcr.io/acme/shop:1.4.2');
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('claims entities with an app name or an app selector only', () => {
    const p = provider(mapped());
    expect(p.getProviderName()).toBe('argocd');
    expect(p.precedence).toBe(90);
    expect(p.supports(component({ 'argocd/app-name': 'shop' }))).toBe(true);
    expect(p.supports(component({ 'argocd/app-selector': 'app=shop' }))).toBe(
      true,
    );
    expect(p.supports(component({ 'argocd/instance-name': 'argo-prod' }))).toBe(
      false,
    );
    expect(p.supports(component({ 'argocd/app-name': '  ' }))).toBe(false);
  });

  it('reads one application by name on every instance, each in its environment', async () => {
    staging.addApp({
      name: 'shop',
      repoURL: OWN_REPO,
      path: 'deploy/chart',
      revision: STAGING_SHA,
      images: ['ghcr.io/acme/shop-migrations:1.5.0', 'ghcr.io/acme/shop:1.5.0'],
      destination: {
        server: 'https://kubernetes.default.svc',
        namespace: 'shop-staging',
      },
      sync: 'OutOfSync',
      health: 'Progressing',
      initiatedBy: { username: 'alice' },
      finishedAt: '2026-11-22T08:00:00Z',
    });
    prod.addApp({
      name: 'shop',
      repoURL: OWN_REPO,
      path: 'deploy/chart',
      revision: PROD_SHA,
      images: [`ghcr.io/acme/shop:1.4.2@${DIGEST}`],
      destination: { name: 'prod-eu', namespace: 'shop' },
      finishedAt: '2026-11-20T10:02:13Z',
    });
    const entity = component({
      'argocd/app-name': 'shop',
      'github.com/project-slug': 'acme/shop',
    });
    const observations = await provider(mapped()).observe({
      entity,
      environments: environments('staging', 'production'),
    });
    expect(observations).toEqual([
      {
        environment: 'staging',
        deployment: {
          revision: STAGING_SHA,
          artifact: 'ghcr.io/acme/shop:1.5.0',
          deployedAt: '2026-11-22T08:00:00.000Z',
          deployedBy: 'alice',
          links: [
            {
              title: 'Argo CD: shop',
              url: `${staging.url}/applications/argocd/shop`,
            },
          ],
          resources: [
            {
              kind: 'Application',
              name: 'shop',
              namespace: 'argocd',
              location: 'argo-staging',
              status: 'OutOfSync / Progressing',
              images: [
                { image: 'ghcr.io/acme/shop-migrations:1.5.0' },
                { image: 'ghcr.io/acme/shop:1.5.0' },
              ],
              details: {
                revision: STAGING_SHA,
                destination: 'https://kubernetes.default.svc/shop-staging',
                project: 'default',
                lastSync: '2026-11-22T08:00:00Z',
              },
            },
          ],
          findings: [
            {
              type: 'out-of-sync',
              severity: 'warning',
              message: 'Application shop on argo-staging is OutOfSync',
              resource: {
                kind: 'Application',
                name: 'shop',
                location: 'argo-staging',
              },
            },
            {
              type: 'progressing',
              severity: 'info',
              message: 'Application shop on argo-staging is Progressing',
              resource: {
                kind: 'Application',
                name: 'shop',
                location: 'argo-staging',
              },
            },
          ],
        },
      },
      {
        environment: 'production',
        deployment: {
          revision: PROD_SHA,
          artifact: `ghcr.io/acme/shop:1.4.2@${DIGEST}`,
          deployedAt: '2026-11-20T10:02:13.000Z',
          deployedBy: 'automated sync',
          links: [
            {
              title: 'Argo CD: shop',
              url: `${prod.url}/applications/argocd/shop`,
            },
          ],
          resources: [
            {
              kind: 'Application',
              name: 'shop',
              namespace: 'argocd',
              location: 'argo-prod',
              status: 'Synced / Healthy',
              images: [
                {
                  image: `ghcr.io/acme/shop:1.4.2@${DIGEST}`,
                  digests: [DIGEST],
                },
              ],
              details: {
                revision: PROD_SHA,
                destination: 'prod-eu/shop',
                project: 'default',
                lastSync: '2026-11-20T10:02:13Z',
              },
            },
          ],
        },
      },
    ]);
    // the path prefix is kept and the token goes to each instance
    expect(staging.requests.map(r => [r.path, r.authorization])).toEqual([
      ['/api/v1/applications/shop', `Bearer ${ARGOCD_TOKEN}`],
    ]);
    expect(prod.requests.map(r => r.path)).toEqual([
      '/api/v1/applications/shop',
    ]);
  });

  it('takes the sync revision as the revision only for the entity’s own repository', async () => {
    // a config repository: its commit is no revision of the service
    staging.addApp({
      name: 'shop',
      repoURL: CONFIG_REPO,
      revision: STAGING_SHA,
    });
    // the own repository, spelled differently than the source location
    prod.addApp({
      name: 'shop',
      repoURL: 'git@github.com:Acme/Shop.git',
      revision: PROD_SHA,
    });
    const entity = component({
      'argocd/app-name': 'shop',
      'backstage.io/source-location':
        'url:https://github.com/acme/shop/tree/main/',
    });
    const result = byEnvironment(
      await provider(mapped()).observe({
        entity,
        environments: environments('staging', 'production'),
      }),
    );
    expect(result.staging.deployment?.revision).toBeUndefined();
    expect(result.staging.deployment?.resources?.[0].details?.revision).toBe(
      STAGING_SHA,
    );
    expect(result.production.deployment?.revision).toBe(PROD_SHA);
  });

  it('treats an application missing on one instance as not deployed there, not as an error', async () => {
    staging.addApp({ name: 'shop', images: ['ghcr.io/acme/shop:1.5.0'] });
    const observations = await provider(mapped()).observe({
      entity: component({ 'argocd/app-name': 'shop' }),
      environments: environments('staging', 'production'),
    });
    expect(observations.map(o => [o.environment, o.error])).toEqual([
      ['staging', undefined],
    ]);
    expect(prod.requests).toHaveLength(1);
  });

  it('passes app namespace, selector and project, and maps by rules, label and instance', async () => {
    const shopLabels = { 'app.kubernetes.io/part-of': 'shop' };
    const ns = 'team-shop';
    staging.addApp({
      name: 'shop-staging',
      project: 'shop',
      namespace: ns,
      labels: { ...shopLabels, env: 'staging' },
      images: ['ghcr.io/acme/shop:1.5.0'],
    });
    staging.addApp({
      name: 'shop-preview',
      project: 'shop',
      namespace: ns,
      labels: { ...shopLabels, env: 'preview' },
      images: ['ghcr.io/acme/shop:1.6.0-rc.1'],
    });
    // left out by the selector, the project and the namespace
    staging.addApp({
      name: 'shop-db',
      project: 'shop',
      namespace: ns,
      labels: { ...shopLabels, env: 'staging', tier: 'db' },
    });
    staging.addApp({
      name: 'shop-qa',
      project: 'shop',
      namespace: ns,
      labels: { ...shopLabels, env: 'qa' },
    });
    staging.addApp({
      name: 'shop-legacy',
      project: 'legacy',
      namespace: ns,
      labels: { ...shopLabels, env: 'staging' },
    });
    staging.addApp({
      name: 'shop-elsewhere',
      project: 'shop',
      labels: { ...shopLabels, env: 'staging' },
    });
    for (const name of ['shop-prod', 'shop-preprod']) {
      prod.addApp({
        name,
        project: 'shop',
        namespace: ns,
        labels: shopLabels,
        images: [
          `ghcr.io/acme/shop:${name === 'shop-prod' ? '1.4.2' : '1.5.0'}`,
        ],
        destination: {
          server: 'https://kubernetes.default.svc/',
          namespace: name === 'shop-prod' ? 'shop' : 'shop-preprod-eu',
        },
      });
    }
    const config = testConfig(
      { 'argo-staging': staging, 'argo-prod': prod },
      {
        environments: [
          {
            environment: 'preprod',
            instance: 'argo-prod',
            destinationServer: 'https://kubernetes.default.svc',
            destinationNamespace: 'shop-preprod*',
          },
        ],
        environmentLabel: 'env',
        instances: { 'argo-prod': 'production' },
      },
    );
    const selector = 'app.kubernetes.io/part-of=shop,tier notin (db),env!=qa';
    const observations = await provider(config).observe({
      entity: component({
        'argocd/app-selector': selector,
        'argocd/project-name': 'shop',
        'argocd/app-namespace': 'team-shop',
      }),
      environments: environments('staging', 'preprod', 'production'),
    });
    const result = byEnvironment(observations);
    expect(observations.map(o => o.environment)).toEqual([
      'staging',
      'preprod',
      'production',
      'preview',
    ]);
    expect(result.staging.deployment?.resources?.map(r => r.name)).toEqual([
      'shop-staging',
    ]);
    expect(result.preprod.deployment?.resources?.map(r => r.name)).toEqual([
      'shop-preprod',
    ]);
    expect(result.production.deployment?.artifact).toBe(
      'ghcr.io/acme/shop:1.4.2',
    );
    expect(result.production.deployment?.links).toEqual([
      {
        title: 'Argo CD: shop-prod',
        url: `${prod.url}/applications/team-shop/shop-prod`,
      },
    ]);
    expect(result.preview).toEqual({
      environment: 'preview',
      error:
        'Argo CD application shop-preview on argo-staging maps to no configured environment (configured: staging, preprod, production) (label env: "preview"); map it with a rule in envParity.argocd.environments, or envParity.argocd.instances.argo-staging, or its label env set to an environment name',
    });
    const [request] = staging.requests;
    expect(request.path.split('?')[0]).toBe('/api/v1/applications');
    expect(request.query.get('selector')).toBe(selector);
    expect(request.query.get('projects')).toBe('shop');
    expect(request.query.get('appNamespace')).toBe('team-shop');
  });

  it('names the application when nothing maps it', async () => {
    staging.addApp({ name: 'shop-qa' });
    const config = testConfig(
      { 'argo-staging': staging, 'argo-prod': prod },
      { instances: { 'argo-prod': 'production', 'argo-staging': 'qa' } },
    );
    const observations = await provider(config).observe({
      entity: component({ 'argocd/app-selector': 'app=shop' }),
      environments: environments('staging', 'production'),
    });
    // the fake filters by label: nothing matches app=shop on staging
    expect(observations).toEqual([]);

    staging.addApp({ name: 'shop-qa2', labels: { app: 'shop' } });
    expect(
      await provider(config).observe({
        entity: component({ 'argocd/app-selector': 'app=shop' }),
        environments: environments('staging', 'production'),
      }),
    ).toEqual([
      {
        environment: 'qa',
        error:
          'Argo CD application shop-qa2 on argo-staging maps to environment "qa" by envParity.argocd.instances.argo-staging, which is not configured (configured: staging, production)',
      },
    ]);

    const unmapped = testConfig(
      { 'argo-staging': staging, 'argo-prod': prod },
      { instances: { 'argo-prod': 'production' } },
    );
    expect(
      await provider(unmapped).observe({
        entity: component({ 'argocd/app-selector': 'app=shop' }),
        environments: environments('staging', 'production'),
      }),
    ).toEqual([
      {
        environment: 'shop-qa2',
        error:
          'Argo CD application shop-qa2 on argo-staging maps to no configured environment (configured: staging, production); map it with a rule in envParity.argocd.environments, or envParity.argocd.instances.argo-staging',
      },
    ]);
  });

  it('reads an empty list (items: null) as nothing deployed', async () => {
    const observations = await provider(mapped()).observe({
      entity: component({ 'argocd/app-selector': 'app=nothing' }),
      environments: environments('staging', 'production'),
    });
    expect(observations).toEqual([]);
    expect(staging.requests).toHaveLength(1);
    expect(prod.requests).toHaveLength(1);
  });

  describe('a failing instance', () => {
    const cases: Array<
      [string, (fake: FakeArgocd) => void, string, Record<string, unknown>?]
    > = [
      [
        'a rejected token',
        fake => {
          fake.token = 'rotated-token';
        },
        'answered 401 Unauthorized; check argocd.appLocatorMethods token of argo-prod',
      ],
      [
        'a token without permission',
        fake => fake.forbidden.add('shop'),
        'answered 403 Forbidden; the token of argo-prod needs the Argo CD permission "applications, get, */*"',
      ],
      [
        'a server error',
        fake =>
          fake.answerNext('/api/v1/applications', {
            status: 503,
            body: { error: 'upstream connect error', code: 14 },
          }),
        'answered 503 Service Unavailable',
      ],
      [
        'a malformed body',
        fake =>
          fake.answerNext('/api/v1/applications', {
            status: 200,
            body: '{"metadata":{"name":"shop"',
          }),
        `the answer to GET PROD/api/v1/applications/shop is not JSON`,
      ],
      [
        'a body of the wrong shape',
        fake =>
          fake.answerNext('/api/v1/applications', {
            status: 200,
            body: { items: [] },
          }),
        'is not an Application',
      ],
      [
        'a 404 that is not Argo CD’s',
        fake =>
          fake.answerNext('/api/v1/applications', {
            status: 404,
            body: '404 page not found',
            contentType: 'text/plain',
          }),
        'answered 404 Not Found; check the url of argo-prod in argocd.appLocatorMethods',
      ],
      [
        'no answer in time',
        fake => fake.answerNext('/api/v1/applications', 'hang'),
        // the other instance's answer comes well within 3 seconds, even on
        // a loaded machine
        'timed out after 3000 ms (envParity.argocd.timeout)',
        { timeout: { seconds: 3 } },
      ],
    ];

    it.each(cases)(
      'on %s fails only the environments it serves',
      async (_, breakIt, message, extra = {}) => {
        staging.addApp({ name: 'shop', images: ['ghcr.io/acme/shop:1.5.0'] });
        prod.addApp({ name: 'shop', images: ['ghcr.io/acme/shop:1.4.2'] });
        breakIt(prod);
        const config = testConfig(
          { 'argo-staging': staging, 'argo-prod': prod },
          {
            instances: { 'argo-staging': 'staging', 'argo-prod': 'production' },
            ...extra,
          },
        );
        const observations = await provider(config).observe({
          entity: component({ 'argocd/app-name': 'shop' }),
          environments: environments('staging', 'production'),
        });
        const result = byEnvironment(observations);
        expect(result.staging.error).toBeUndefined();
        expect(result.staging.deployment?.artifact).toBe(
          'ghcr.io/acme/shop:1.5.0',
        );
        expect(result.production.deployment).toBeUndefined();
        expect(result.production.error).toContain(
          message.replace('PROD', prod.url),
        );
        expect(result.production.error).toMatch(/^Argo CD argo-prod: /);
        const text = JSON.stringify(observations);
        expect(text).not.toContain(ARGOCD_TOKEN);
        expect(text).not.toContain('upstream connect error');
        expect(text).not.toContain('page not found');
      },
    );

    it('fails the environments of rules without an instance too, and every environment with an environment label', async () => {
      staging.addApp({ name: 'shop', images: ['ghcr.io/acme/shop:1.5.0'] });
      prod.answerNext('/api/v1/applications', { status: 500 });
      const withRule = testConfig(
        { 'argo-staging': staging, 'argo-prod': prod },
        {
          instances: { 'argo-staging': 'staging', 'argo-prod': 'production' },
          environments: [{ environment: 'preprod', destinationName: 'eu' }],
        },
      );
      const envs = environments('staging', 'preprod', 'production');
      const entity = component({ 'argocd/app-name': 'shop' });
      expect(
        (await provider(withRule).observe({ entity, environments: envs })).map(
          o => [o.environment, Boolean(o.error)],
        ),
      ).toEqual([
        ['staging', false],
        ['preprod', true],
        ['production', true],
      ]);

      prod.answerNext('/api/v1/applications', { status: 500 });
      const withLabel = testConfig(
        { 'argo-staging': staging, 'argo-prod': prod },
        {
          instances: { 'argo-staging': 'staging', 'argo-prod': 'production' },
          environmentLabel: 'env',
        },
      );
      expect(
        (await provider(withLabel).observe({ entity, environments: envs })).map(
          o => [o.environment, Boolean(o.error)],
        ),
      ).toEqual([
        ['staging', true],
        ['preprod', true],
        ['production', true],
      ]);
    });

    it('answers at once when the collection is aborted', async () => {
      prod.answerNext('/api/v1/applications', 'hang');
      staging.answerNext('/api/v1/applications', 'hang');
      const controller = new AbortController();
      const pending = provider(mapped()).observe({
        entity: component({ 'argocd/app-name': 'shop' }),
        environments: environments('staging', 'production'),
        signal: controller.signal,
      });
      setTimeout(() => controller.abort(), 50);
      // without the abort, the hanging answers would take the 2 minute timeout
      const observations = await pending;
      expect(observations.map(o => o.environment)).toEqual([
        'staging',
        'production',
      ]);
      expect(observations[0].error).toContain('was aborted');
    });
  });

  it('asks only the instance named by argocd/instance-name', async () => {
    prod.addApp({ name: 'shop' });
    const p = provider(mapped());
    const observations = await p.observe({
      entity: component({
        'argocd/app-name': 'shop',
        'argocd/instance-name': 'argo-prod',
      }),
      environments: environments('staging', 'production'),
    });
    expect(observations.map(o => o.environment)).toEqual(['production']);
    expect(staging.requests).toHaveLength(0);

    expect(
      await p.observe({
        entity: component({
          'argocd/app-name': 'shop',
          'argocd/instance-name': 'argo-dev',
        }),
        environments: environments('staging', 'production'),
      }),
    ).toEqual(
      ['staging', 'production'].map(environment => ({
        environment,
        error:
          'Annotation argocd/instance-name names Argo CD instance "argo-dev", which is not configured with a token in argocd.appLocatorMethods (configured: argo-staging, argo-prod)',
      })),
    );
  });

  it('refuses app, project and namespace annotations that are no Kubernetes names, sending nothing', async () => {
    prod.addApp({ name: 'shop' });
    const p = provider(mapped());
    const cases: Array<[Record<string, string>, string]> = [
      [{ 'argocd/app-name': '.' }, 'argocd/app-name'],
      [{ 'argocd/app-name': '..' }, 'argocd/app-name'],
      [{ 'argocd/app-name': 'shop/../..' }, 'argocd/app-name'],
      [{ 'argocd/app-name': 'Shop' }, 'argocd/app-name'],
      [{ 'argocd/app-name': 'shop..v2' }, 'argocd/app-name'],
      [{ 'argocd/app-name': '-shop' }, 'argocd/app-name'],
      [{ 'argocd/app-name': 'a'.repeat(254) }, 'argocd/app-name'],
      [
        { 'argocd/app-name': 'shop', 'argocd/app-namespace': '..' },
        'argocd/app-namespace',
      ],
      [
        { 'argocd/app-selector': 'app=shop', 'argocd/project-name': '..' },
        'argocd/project-name',
      ],
      [
        { 'argocd/app-selector': 'app=shop', 'argocd/app-namespace': 'a.b' },
        'argocd/app-namespace',
      ],
    ];
    for (const [annotations, key] of cases) {
      const observations = await p.observe({
        entity: component(annotations),
        environments: environments('staging', 'production'),
      });
      expect(observations.map(o => o.environment)).toEqual([
        'staging',
        'production',
      ]);
      for (const o of observations) {
        expect(o.deployment).toBeUndefined();
        expect(o.error).toMatch(new RegExp(`^Annotation ${key} is "`));
        expect(o.error).toContain('nothing was requested from Argo CD');
        // a long value is cut short
        expect(o.error!.length).toBeLessThan(400);
      }
    }
    expect(staging.requests).toEqual([]);
    expect(prod.requests).toEqual([]);

    // dotted names are Kubernetes names
    const valid = await p.observe({
      entity: component({
        'argocd/app-name': 'shop.v2-eu',
        'argocd/app-namespace': 'team-shop',
      }),
      environments: environments('staging', 'production'),
    });
    expect(valid).toEqual([]);
    expect(prod.requests.map(r => r.path)).toEqual([
      '/api/v1/applications/shop.v2-eu?appNamespace=team-shop',
    ]);
  });

  it('combines the configuration of several applications by their values, not their names', async () => {
    // two applications per environment, named after it, disagreeing the same way
    const addPair = (
      fake: FakeArgocd,
      env: string,
      values: {
        api: Record<string, string>;
        worker: Record<string, string>;
      },
    ) => {
      for (const part of ['api', 'worker'] as const) {
        fake.addApp({
          name: `shop-${part}-${env}`,
          labels: { app: 'shop' },
          health:
            env === 'staging' && part === 'worker' ? 'Degraded' : undefined,
          helm: {
            parameters: Object.entries(values[part]).map(([name, value]) => ({
              name,
              value,
            })),
          },
        });
      }
    };
    addPair(staging, 'staging', {
      api: { replicaCount: '2', logLevel: 'info', tracing: 'on' },
      worker: { replicaCount: '1', tracing: 'on', queue: 'jobs' },
    });
    addPair(prod, 'prod', {
      api: { replicaCount: '2', logLevel: 'info', tracing: 'on' },
      worker: { replicaCount: '1', queue: 'jobs' },
    });
    const result = byEnvironment(
      await provider(mapped()).observe({
        entity: component({ 'argocd/app-selector': 'app=shop' }),
        environments: environments('staging', 'production'),
      }),
    );
    const s = result.staging.deployment!;
    const p = result.production.deployment!;
    expect(s.resources?.map(r => r.name)).toEqual([
      'shop-api-staging',
      'shop-worker-staging',
    ]);
    // replicaCount: the same disagreement in both environments, no drift;
    // logLevel: set by one application only, in both environments, no drift;
    // tracing: set by both in staging, by one in production: drift
    expect(diffConfig(p.config!, s.config!)).toEqual([
      { type: 'config', field: 'helm.parameters.tracing', change: 'changed' },
    ]);
    expect(s.config!['helm.parameters.replicaCount']).toEqual(
      p.config!['helm.parameters.replicaCount'],
    );
    expect(s.config!['helm.parameters.replicaCount'].value).toBeUndefined();
    // a key all applications agree on keeps its fingerprint
    expect(s.config!['helm.parameters.queue']).toEqual(
      p.config!['helm.parameters.queue'],
    );

    expect(s.findings).toEqual([
      {
        type: 'degraded',
        severity: 'warning',
        message: 'Application shop-worker-staging on argo-staging is Degraded',
        resource: {
          kind: 'Application',
          name: 'shop-worker-staging',
          location: 'argo-staging',
        },
      },
    ]);
  });

  describe('configuration', () => {
    const helmApp = (
      fake: FakeArgocd,
      env: string,
      values: string,
      extra: { valuesObject?: unknown; replicas?: string } = {},
    ) =>
      fake.addApp({
        name: 'shop',
        repoURL: CONFIG_REPO,
        path: 'charts/shop',
        helm: {
          parameters: [
            {
              name: 'image.tag',
              value: env === 'production' ? '1.4.2' : '1.5.0',
            },
            { name: 'auth.clientSecret', value: `client-secret-${env}` },
          ],
          values,
          ...(extra.valuesObject ? { valuesObject: extra.valuesObject } : {}),
          valueFiles: ['values.yaml', `values-${env}.yaml`],
        },
      });

    async function observeBoth() {
      const observations = await provider(mapped()).observe({
        entity: component({ 'argocd/app-name': 'shop' }),
        environments: environments('staging', 'production'),
      });
      const result = byEnvironment(observations);
      return {
        observations,
        staging: result.staging.deployment as Deployment,
        production: result.production.deployment as Deployment,
      };
    }

    it('fingerprints Helm parameters, values and value files; drift names keys, never secret values', async () => {
      helmApp(
        staging,
        'staging',
        [
          'replicaCount: 2',
          'resources:',
          '  limits: { cpu: 500m, memory: 512Mi }',
          'database:',
          '  host: db.staging.internal',
          '  password: hunter2-staging-Xq9',
          'ingress:',
          '  hosts:',
          '    - host: shop.staging.example.com',
          'featureFlags: {}',
        ].join('\n'),
        { valuesObject: { auth: { apiToken: 'tok-staging-7Hh' } } },
      );
      helmApp(
        prod,
        'production',
        [
          'replicaCount: 6',
          'resources:',
          '  limits: { cpu: 500m, memory: 512Mi }',
          'database:',
          '  host: db.prod.internal',
          '  password: hunter2-prod-Zr4',
          'ingress:',
          '  hosts:',
          '    - host: shop.example.com',
          'featureFlags: {}',
        ].join('\n'),
        { valuesObject: { auth: { apiToken: 'tok-prod-3Kk' } } },
      );
      const { observations, staging: s, production: p } = await observeBoth();
      expect(Object.keys(s.config!).sort()).toEqual([
        'helm.parameters.auth.clientSecret',
        'helm.parameters.image.tag',
        'helm.valueFiles',
        'helm.values.auth.apiToken',
        'helm.values.database.host',
        'helm.values.database.password',
        'helm.values.featureFlags',
        'helm.values.ingress.hosts[0].host',
        'helm.values.replicaCount',
        'helm.values.resources.limits.cpu',
        'helm.values.resources.limits.memory',
      ]);
      expect(s.config!['helm.values.database.password']).toEqual({
        hash: expect.any(String),
        secret: true,
      });
      expect(s.config!['helm.values.replicaCount']).toEqual({
        hash: expect.any(String),
      });
      expect(s.config!['helm.valueFiles'].value).toBe(
        'values.yaml, values-staging.yaml',
      );

      expect(diffConfig(p.config!, s.config!)).toEqual([
        {
          type: 'config',
          field: 'helm.parameters.auth.clientSecret',
          change: 'changed',
        },
        {
          type: 'config',
          field: 'helm.parameters.image.tag',
          change: 'changed',
        },
        {
          type: 'config',
          field: 'helm.valueFiles',
          change: 'changed',
          reference: 'values.yaml, values-production.yaml',
          environment: 'values.yaml, values-staging.yaml',
        },
        {
          type: 'config',
          field: 'helm.values.auth.apiToken',
          change: 'changed',
        },
        {
          type: 'config',
          field: 'helm.values.database.host',
          change: 'changed',
        },
        {
          type: 'config',
          field: 'helm.values.database.password',
          change: 'changed',
        },
        {
          type: 'config',
          field: 'helm.values.ingress.hosts[0].host',
          change: 'changed',
        },
        {
          type: 'config',
          field: 'helm.values.replicaCount',
          change: 'changed',
        },
      ]);
      const { verdict, ignoredConfig } = compareDeployments(s, p, undefined, {
        ignoreConfig: ['helm.values.replicaCount', 'helm.parameters.*'],
      });
      expect(verdict).toBe('unknown');
      expect(ignoredConfig).toEqual([
        'helm.parameters.auth.clientSecret',
        'helm.parameters.image.tag',
        'helm.values.replicaCount',
      ]);

      const text = JSON.stringify(observations);
      for (const secret of [
        'hunter2',
        'tok-staging',
        'tok-prod',
        'client-secret',
        'db.prod.internal',
        '512Mi',
      ]) {
        expect(text).not.toContain(secret);
      }
    });

    it('keeps going on malformed Helm values, with one info finding that quotes nothing', async () => {
      helmApp(
        staging,
        'staging',
        'replicaCount: 2\n  password: [unclosed-s3cr3t',
      );
      helmApp(prod, 'production', '- just\n- a list');
      const { observations, staging: s, production: p } = await observeBoth();
      expect(s.findings).toEqual([
        {
          type: 'invalid-helm-values',
          severity: 'info',
          message:
            'The Helm values of Application shop on argo-staging are not a valid YAML mapping; they are not compared',
          resource: {
            kind: 'Application',
            name: 'shop',
            location: 'argo-staging',
          },
        },
      ]);
      expect(p.findings?.map(f => f.type)).toEqual(['invalid-helm-values']);
      expect(Object.keys(s.config!).sort()).toEqual([
        'helm.parameters.auth.clientSecret',
        'helm.parameters.image.tag',
        'helm.valueFiles',
      ]);
      expect(JSON.stringify(observations)).not.toContain('s3cr3t');
    });

    it('shows Kustomize images, name prefix and suffix', async () => {
      for (const [fake, env, tag] of [
        [staging, 'staging', '1.5.0'],
        [prod, 'production', '1.4.2'],
      ] as const) {
        fake.addApp({
          name: 'shop',
          repoURL: OWN_REPO,
          path: `deploy/overlays/${env}`,
          kustomize: {
            images: [
              `ghcr.io/acme/shop=ghcr.io/acme/shop:${tag}`,
              `redis@${DIGEST}`,
              ...(env === 'staging'
                ? ['busybox=ghcr.io/acme/busybox:1.36']
                : []),
            ],
            namePrefix: `${env}-`,
          },
        });
      }
      const { staging: s, production: p } = await observeBoth();
      expect(s.config!['kustomize.images.ghcr.io/acme/shop'].value).toBe(
        '1.5.0',
      );
      expect(s.config!['kustomize.images.redis'].value).toBe(`@${DIGEST}`);
      expect(diffConfig(p.config!, s.config!)).toEqual([
        {
          type: 'config',
          field: 'kustomize.images.busybox',
          change: 'added',
          environment: 'ghcr.io/acme/busybox:1.36',
        },
        {
          type: 'config',
          field: 'kustomize.images.ghcr.io/acme/shop',
          change: 'changed',
          reference: '1.4.2',
          environment: '1.5.0',
        },
        {
          type: 'config',
          field: 'kustomize.namePrefix',
          change: 'changed',
          reference: 'production-',
          environment: 'staging-',
        },
      ]);
    });

    it('prefixes the keys of multi-source applications and takes the own repository’s revision', async () => {
      for (const [fake, env, sha] of [
        [staging, 'staging', STAGING_SHA],
        [prod, 'production', PROD_SHA],
      ] as const) {
        fake.addApp({
          name: 'shop',
          sources: [
            {
              repoURL: 'https://charts.acme.example',
              chart: 'shop',
              targetRevision: '3.1.0',
              helm: {
                valueFiles: [`$values/deploy/values-${env}.yaml`],
                parameters: [{ name: 'replicaCount', value: '2' }],
              },
            },
            { repoURL: OWN_REPO, targetRevision: 'main', ref: 'values' },
          ],
          revisions: ['3.1.0', sha],
        });
      }
      const entity = component({
        'argocd/app-name': 'shop',
        'github.com/project-slug': 'acme/shop',
      });
      const result = byEnvironment(
        await provider(mapped()).observe({
          entity,
          environments: environments('staging', 'production'),
        }),
      );
      const s = result.staging.deployment!;
      expect(s.revision).toBe(STAGING_SHA);
      expect(s.resources?.[0].details?.revision).toBe('3.1.0');
      expect(Object.keys(s.config!).sort()).toEqual([
        'source[0].helm.parameters.replicaCount',
        'source[0].helm.valueFiles',
      ]);
      expect(
        diffConfig(result.production.deployment!.config!, s.config!).map(
          d => d.field,
        ),
      ).toEqual(['source[0].helm.valueFiles']);
    });
  });
});
