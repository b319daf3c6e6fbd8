import { ConfigReader } from '@backstage/config';
import { ARGOCD_TOKEN, FakeArgocd } from '@env-parity/fake-apis';
import { configFingerprinterFromConfig } from '@env-parity/plugin-env-parity-node';
import { ArgocdDeployer, imageValue, undoneBy } from './ArgocdDeployer';
import { ArgocdDeploymentProvider } from './ArgocdDeploymentProvider';
import { readArgocdModuleOptions } from './config';
import {
  component,
  CONFIG_REPO,
  environments,
  OWN_REPO,
  testConfig,
} from './__testUtils__/setup';

const STAGING_SHA = '5f0c3a1b2d4e6f708192a3b4c5d6e7f809a1b2c3';
const PROD_SHA = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807';
const PROD_DIGEST = `sha256:${'6'.repeat(64)}`;
const TARGET = {
  version: '1.4.2',
  revision: PROD_SHA,
  artifact: `ghcr.io/acme/shop:1.4.2@${PROD_DIGEST}`,
  digest: PROD_DIGEST,
};
const ENTITY = component({
  'argocd/app-name': 'shop',
  'github.com/project-slug': 'acme/shop',
});
const [STAGING] = environments('staging', 'production');

describe('ArgocdDeployer', () => {
  let staging: FakeArgocd;
  let prod: FakeArgocd;

  beforeEach(async () => {
    staging = await FakeArgocd.start({ basePath: '/argocd/staging' });
    prod = await FakeArgocd.start({ basePath: '/argocd/prod' });
    prod.addApp({
      name: 'shop',
      repoURL: OWN_REPO,
      revision: PROD_SHA,
      targetRevision: PROD_SHA,
      images: ['ghcr.io/acme/shop:1.4.2'],
    });
  });

  afterEach(async () => {
    await staging.close();
    await prod.close();
  });

  function deployer(
    options: {
      imageParameter?: string;
      timeout?: string;
      tokens?: Record<string, string>;
    } = {},
  ) {
    const config = testConfig(
      { 'argo-staging': staging, 'argo-prod': prod },
      {
        instances: { 'argo-staging': 'staging', 'argo-prod': 'production' },
        ...(options.timeout && { timeout: options.timeout }),
      },
      { tokens: options.tokens },
    );
    const { provider } = ArgocdDeploymentProvider.fromConfig(config);
    return new ArgocdDeployer(provider!, {
      ...(options.imageParameter && {
        imageParameter: options.imageParameter,
      }),
    });
  }

  const dispatch = (d: ArgocdDeployer, signal = new AbortController().signal) =>
    d.dispatch(
      {
        alignmentId: 'a1',
        entityRef: 'component:default/shop',
        environment: 'staging',
        target: TARGET,
        requester: 'user:default/bob',
      },
      {
        idempotencyKey: 'a1',
        signal,
        context: { entity: ENTITY, environment: STAGING, target: TARGET },
      },
    );

  function stagingApp(extra: Record<string, unknown> = {}) {
    return staging.addApp({
      name: 'shop',
      repoURL: OWN_REPO,
      targetRevision: 'main',
      revision: STAGING_SHA,
      images: ['ghcr.io/acme/shop:1.5.0'],
      helm: { parameters: [{ name: 'image.tag', value: '1.5.0' }] },
      sync: 'Synced',
      ...extra,
    });
  }

  it("sets production's revision and image tag, then syncs; the next observation runs production", async () => {
    stagingApp();
    const d = deployer({ imageParameter: 'image.tag' });
    await expect(
      d.describe({ entity: ENTITY, environment: STAGING, target: TARGET }),
    ).resolves.toEqual({
      summary:
        "Sets the Argo CD application of Staging to production's revision and Helm parameter image.tag, then syncs it",
      carriesConfig: ['helm.parameters.image.tag'],
    });
    expect(staging.mutations).toEqual([]);

    const result = await dispatch(d);

    expect(result).toEqual({
      reference: `${staging.url}/applications/argocd/shop`,
      message: `Argo CD application shop on argo-staging: targetRevision=${PROD_SHA}, helm.parameters.image.tag=1.4.2; sync requested`,
    });
    expect(prod.mutations).toEqual([]);
    expect(staging.mutations.map(m => m.path)).toEqual([
      '/api/v1/applications?upsert=true&validate=true',
      '/api/v1/applications/shop/sync',
    ]);
    const [upsert, sync] = staging.mutations;
    expect(upsert.body.metadata).toEqual({
      name: 'shop',
      namespace: 'argocd',
      labels: {},
      annotations: expect.any(Object),
      finalizers: ['resources-finalizer.argocd.argoproj.io'],
    });
    expect(upsert.body.status).toBeUndefined();
    expect(upsert.body.spec.source).toMatchObject({
      repoURL: OWN_REPO,
      targetRevision: PROD_SHA,
      helm: { parameters: [{ name: 'image.tag', value: '1.4.2' }] },
    });
    expect(sync.body).toEqual({
      name: 'shop',
      appNamespace: 'argocd',
      prune: false,
      dryRun: false,
    });
    expect(
      staging.requests.every(r => r.authorization === `Bearer ${ARGOCD_TOKEN}`),
    ).toBe(true);

    // the fake rolled it out: the provider now observes production's build
    const config = testConfig(
      { 'argo-staging': staging, 'argo-prod': prod },
      { instances: { 'argo-staging': 'staging', 'argo-prod': 'production' } },
    );
    const provider = new ArgocdDeploymentProvider(
      readArgocdModuleOptions(config).options!,
      configFingerprinterFromConfig(new ConfigReader({})),
    );
    const observed = await provider.observe({
      entity: ENTITY,
      environments: environments('staging', 'production'),
    } as any);
    const stagingNow = observed.find(o => o.environment === 'staging');
    expect(stagingNow?.deployment).toMatchObject({
      revision: PROD_SHA,
      artifact: 'ghcr.io/acme/shop:1.4.2',
    });
  });

  it('only syncs when the application already has production', async () => {
    stagingApp({
      targetRevision: PROD_SHA,
      helm: { parameters: [{ name: 'image.tag', value: '1.4.2' }] },
    });
    const result = await dispatch(deployer({ imageParameter: 'image.tag' }));
    expect(result.message).toContain('already set to production');
    expect(staging.mutations.map(m => m.path)).toEqual([
      '/api/v1/applications/shop/sync',
    ]);
  });

  it('sets only the image parameter of an application deployed from a GitOps repository', async () => {
    stagingApp({ repoURL: CONFIG_REPO });
    await dispatch(deployer({ imageParameter: 'image.digest' }));
    const [upsert] = staging.mutations;
    expect(upsert.body.spec.source.targetRevision).toBe('main');
    expect(upsert.body.spec.source.helm.parameters).toEqual([
      { name: 'image.tag', value: '1.5.0' },
      { name: 'image.digest', value: PROD_DIGEST },
    ]);
  });

  it('refuses, changing nothing, an application deployed from a GitOps repository without an image parameter', async () => {
    stagingApp({ repoURL: CONFIG_REPO });
    await expect(dispatch(deployer())).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        'set envParity.align.argocd.imageParameter',
      ),
    });
    expect(staging.mutations).toEqual([]);
  });

  it.each([
    [
      'an app-of-apps parent (annotation tracking)',
      {
        metadata: {
          annotations: {
            'argocd.argoproj.io/tracking-id':
              'platform-apps:argoproj.io/Application:argocd/shop',
          },
        },
      },
      'the application platform-apps that defines it from Git',
    ],
    [
      'an app-of-apps parent (label tracking)',
      {
        metadata: { labels: { 'app.kubernetes.io/instance': 'platform-apps' } },
      },
      'the application platform-apps that defines it from Git',
    ],
    [
      'an ApplicationSet',
      {
        metadata: {
          ownerReferences: [{ kind: 'ApplicationSet', name: 'shop-envs' }],
        },
      },
      'the ApplicationSet shop-envs that generates it',
    ],
  ])(
    'refuses before any change an application with self-heal defined in Git by %s',
    async (_, extra, why) => {
      const app = stagingApp();
      Object.assign(app.metadata, extra.metadata, {
        labels: { ...app.metadata.labels, ...(extra.metadata as any).labels },
      });
      const error = await dispatch(
        deployer({ imageParameter: 'image.tag' }),
      ).catch(e => e);
      expect(error.name).toBe('ConflictError');
      expect(error.message).toBe(
        `Argo CD application shop on argo-staging syncs automatically with self-heal and ${why} would undo a change made through the Argo CD API; use a Git-based deployer (github or webhook) that changes the GitOps repository instead`,
      );
      expect(staging.mutations).toEqual([]);
    },
  );

  it('changes an application defined in Git whose self-heal is off', async () => {
    const app = stagingApp();
    app.metadata.labels['app.kubernetes.io/instance'] = 'platform-apps';
    app.spec.syncPolicy = { automated: { prune: true, selfHeal: false } };
    await dispatch(deployer({ imageParameter: 'image.tag' }));
    expect(staging.mutations).toHaveLength(2);
  });

  it('fails with NotFoundError, changing nothing, when no application is mapped to the environment', async () => {
    await expect(dispatch(deployer())).rejects.toMatchObject({
      name: 'NotFoundError',
      message:
        'No Argo CD application of component:default/shop in staging was found (envParity.argocd maps applications to environments)',
    });
    expect(staging.mutations).toEqual([]);
  });

  it.each([
    [
      401,
      'AuthenticationError',
      'answered 401 Unauthorized (invalid session: token signature is invalid); check argocd.appLocatorMethods token of argo-staging',
    ],
    [
      403,
      'NotAllowedError',
      'answered 403 Forbidden (permission denied); the token of argo-staging needs the Argo CD permission "applications, update, <project>/<application>"',
    ],
    [
      404,
      'NotFoundError',
      'answered 404 Not Found (applications.argoproj.io "shop" not found)',
    ],
    [
      400,
      'InputError',
      'answered 400 Bad Request (application spec for shop is invalid: InvalidSpecError: Unable to generate manifests)',
    ],
    [
      422,
      'InputError',
      'answered 422 Unprocessable Entity (application spec for shop is invalid: InvalidSpecError: Unable to generate manifests)',
    ],
    [
      503,
      'ServiceUnavailableError',
      'answered 503 Service Unavailable (upstream connect error)',
    ],
  ])(
    'an upsert answered %s fails with %s and a reason, before any sync',
    async (status, name, said) => {
      stagingApp();
      const messages: Record<number, string> = {
        401: 'invalid session: token signature is invalid',
        403: 'permission denied',
        404: 'applications.argoproj.io "shop" not found',
        400: 'application spec for shop is invalid: InvalidSpecError: Unable to generate manifests',
        422: 'application spec for shop is invalid: InvalidSpecError: Unable to generate manifests',
        503: 'upstream connect error',
      };
      staging.answerNext(/upsert=true/, {
        status,
        body: { error: messages[status], code: 3, message: messages[status] },
      });
      const error = await dispatch(
        deployer({ imageParameter: 'image.tag' }),
      ).catch(e => e);
      expect(error.name).toBe(name);
      expect(error.message).toContain(
        `Argo CD argo-staging: POST ${staging.url}/api/v1/applications?upsert=true&validate=true ${said}`,
      );
      expect(error.message).not.toContain(ARGOCD_TOKEN);
      expect(staging.mutations.map(m => m.path)).toEqual([
        '/api/v1/applications?upsert=true&validate=true',
      ]);
    },
  );

  it('a sync refused for want of permission fails with NotAllowedError naming the permission', async () => {
    stagingApp();
    staging.answerNext('/sync', {
      status: 403,
      body: {
        error: 'permission denied',
        code: 7,
        message: 'permission denied',
      },
    });
    await expect(
      dispatch(deployer({ imageParameter: 'image.tag' })),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        'needs the Argo CD permission "applications, sync, <project>/<application>"',
      ),
    });
  });

  it('a wrong token fails reading the application with AuthenticationError, changing nothing, the token never shown', async () => {
    stagingApp();
    const wrong = 'wrong-token-planted-7f3k';
    const error = await dispatch(
      deployer({ tokens: { 'argo-staging': wrong } }),
    ).catch(e => e);
    expect(error.name).toBe('AuthenticationError');
    expect(error.message).toContain('answered 401');
    expect(staging.mutations).toEqual([]);
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(ARGOCD_TOKEN);
  });

  it('an Argo CD that does not answer in time fails with ServiceUnavailableError', async () => {
    stagingApp();
    staging.answerNext('/sync', 'hang');
    const error = await dispatch(
      deployer({ imageParameter: 'image.tag', timeout: '1s' }),
    ).catch(e => e);
    expect(error.name).toBe('ServiceUnavailableError');
    expect(error.message).toMatch(/Argo CD argo-staging: .*sync/);
  });

  it('the image value follows the parameter name', () => {
    expect(imageValue('image.tag', TARGET)).toBe('1.4.2');
    expect(imageValue('image.digest', TARGET)).toBe(PROD_DIGEST);
    expect(imageValue('image', TARGET)).toBe(TARGET.artifact);
    expect(
      imageValue('image.tag', { version: '2.0.0', digest: PROD_DIGEST }),
    ).toBe('2.0.0');
    expect(
      undoneBy({
        metadata: { name: 'x' },
        spec: { syncPolicy: { automated: { selfHeal: true } } },
      }),
    ).toBeUndefined();
  });
});
