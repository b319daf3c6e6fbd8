import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
// the real backend plugin, to test the deployer as it is installed
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import envParityPlugin from '@env-parity/plugin-env-parity-backend';
import { ARGOCD_TOKEN as TOKEN, FakeArgocd } from '@env-parity/fake-apis';
import {
  manualScheduler,
  testTeam as team,
  testUser as person,
  waitForCondition as waitFor,
} from '@env-parity/plugin-env-parity-node/testUtils';
import { component, OWN_REPO } from './__testUtils__/setup';
import envParityModuleArgocd from './index';

jest.setTimeout(60_000);

const API = '/api/env-parity/alignments';
const BOB = 'user:default/bob';
const ALICE = 'user:default/alice';
const SRE = 'group:default/sre';
const as = (userRef: string) => mockCredentials.user.header(userRef);

const PROD_SHA = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807';
const STAGING_SHA = '5f0c3a1b2d4e6f708192a3b4c5d6e7f809a1b2c3';

describe('aligning staging with production through the argocd deployer', () => {
  let staging: FakeArgocd;
  let prod: FakeArgocd;

  beforeEach(async () => {
    staging = await FakeArgocd.start({ basePath: '/argocd/staging' });
    prod = await FakeArgocd.start({ basePath: '/argocd/prod' });
    prod.addApp({
      name: 'shop',
      repoURL: OWN_REPO,
      targetRevision: PROD_SHA,
      revision: PROD_SHA,
      images: ['ghcr.io/acme/shop:1.4.2'],
      helm: { parameters: [{ name: 'image.tag', value: '1.4.2' }] },
    });
    staging.addApp({
      name: 'shop',
      repoURL: OWN_REPO,
      targetRevision: 'main',
      revision: STAGING_SHA,
      images: ['ghcr.io/acme/shop:1.5.0'],
      helm: { parameters: [{ name: 'image.tag', value: '1.5.0' }] },
    });
  });

  afterEach(async () => {
    await staging.close();
    await prod.close();
  });

  async function start() {
    const scheduler = manualScheduler();
    const { server } = await startTestBackend({
      features: [
        envParityPlugin,
        envParityModuleArgocd,
        scheduler.factory,
        catalogServiceMock.factory({
          entities: [
            component({
              'argocd/app-name': 'shop',
              'github.com/project-slug': 'acme/shop',
            }),
            person('bob', 'group:default/team'),
            person('alice', SRE),
            team('sre', [ALICE]),
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            argocd: {
              appLocatorMethods: [
                {
                  type: 'config',
                  instances: [
                    { name: 'argo-staging', url: staging.url, token: TOKEN },
                    { name: 'argo-prod', url: prod.url, token: TOKEN },
                  ],
                },
              ],
            },
            envParity: {
              environmentsFromCatalog: false,
              argocd: {
                timeout: '2m',
                instances: {
                  'argo-staging': 'staging',
                  'argo-prod': 'production',
                },
              },
              environments: [
                { name: 'staging', owner: 'group:default/platform' },
                { name: 'production', reference: true, owner: SRE },
              ],
              align: {
                environments: {
                  staging: { deployer: 'argocd', approval: { group: SRE } },
                },
                argocd: { imageParameter: 'image.tag' },
              },
            },
          },
        }),
      ],
    });
    await scheduler.run('env-parity-collect');
    const call = async (
      method: string,
      path: string,
      userRef: string,
      body?: unknown,
    ) => {
      const res = await fetch(`http://localhost:${server.port()}${path}`, {
        method,
        headers: {
          Authorization: as(userRef),
          ...(body !== undefined && { 'Content-Type': 'application/json' }),
        },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: await res.json() };
    };
    return { scheduler, call };
  }

  const ask = (call: Awaited<ReturnType<typeof start>>['call']) =>
    call('POST', API, BOB, {
      entityRef: 'component:default/shop',
      environment: 'staging',
      reason: 'staging lacks the 1.4.2 hotfix',
    });

  it('updates and syncs the staging application only once approved, and the next collection verifies it', async () => {
    const { scheduler, call } = await start();
    const created = await ask(call);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'pending-approval',
      deployer: 'argocd',
      target: { revision: PROD_SHA },
    });
    const id = created.body.id;
    expect(staging.mutations).toEqual([]);

    const approved = await call('POST', `${API}/${id}/approve`, ALICE, {});
    expect(approved.status).toBe(200);
    const get = () => call('GET', `${API}/${id}`, BOB);
    await waitFor(async () => (await get()).body.status === 'verifying');
    expect(staging.mutations.map(m => m.path)).toEqual([
      '/api/v1/applications?upsert=true&validate=true',
      '/api/v1/applications/shop/sync',
    ]);
    expect(staging.mutations[0].body.spec.source).toMatchObject({
      targetRevision: PROD_SHA,
      helm: { parameters: [{ name: 'image.tag', value: '1.4.2' }] },
    });
    expect(prod.mutations).toEqual([]);

    await scheduler.run('env-parity-collect');
    await scheduler.run('env-parity-align-sweep');
    await waitFor(async () => (await get()).body.status === 'aligned');
  });

  it('refuses an application Argo CD would put back from Git, failing with the reason and changing nothing', async () => {
    const app = staging.getApp('shop')!;
    app.metadata.annotations['argocd.argoproj.io/tracking-id'] =
      'platform-apps:argoproj.io/Application:argocd/shop';
    const { call } = await start();
    const created = await ask(call);
    await call('POST', `${API}/${created.body.id}/approve`, ALICE, {});
    const get = () => call('GET', `${API}/${created.body.id}`, BOB);
    await waitFor(async () => (await get()).body.status === 'failed');
    const failed = (await get()).body;
    expect(failed.failureReason).toContain(
      'use a Git-based deployer (github or webhook)',
    );
    expect(JSON.stringify(failed)).not.toContain(TOKEN);
    expect(staging.mutations).toEqual([]);
  });
});
