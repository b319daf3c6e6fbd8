import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
// the real backend plugin, to test the deployer as it is installed
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import envParityPlugin from '@env-parity/plugin-env-parity-backend';
import {
  FakeGithub,
  FakeRepo,
  GITHUB_HTML_HOST as HTML_HOST,
  GITHUB_TOKEN as TOKEN,
} from '@env-parity/fake-apis';
import {
  manualScheduler,
  testTeam as team,
  testUser as person,
  waitForCondition as waitFor,
} from '@env-parity/plugin-env-parity-node/testUtils';
import { component, repoAnnotations } from './__testUtils__/setup';
import envParityModuleGithub from './index';

jest.setTimeout(60_000);

const API = '/api/env-parity/alignments';
const BOB = 'user:default/bob';
const ALICE = 'user:default/alice';
const SRE = 'group:default/sre';
const as = (userRef: string) => mockCredentials.user.header(userRef);

describe('aligning staging with production through the github deployer', () => {
  let fake: FakeGithub;
  let repo: FakeRepo;
  let prodSha: string;

  beforeEach(async () => {
    fake = await FakeGithub.start();
    repo = fake.addRepo('acme', 'web');
    prodSha = repo.commit('Release 1.4.2', { tag: 'v1.4.2' });
    const stagingSha = repo.commit('Release 1.5.0', { tag: 'v1.5.0' });
    for (const [environment, sha, version] of [
      ['production', prodSha, '1.4.2'],
      ['staging', stagingSha, '1.5.0'],
    ]) {
      repo.deploy({
        environment,
        sha,
        ref: `v${version}`,
        payload: { version },
        createdAt: '2026-11-20T10:00:00Z',
        statuses: [{ state: 'success' }],
      });
    }
  });

  afterEach(() => fake.close());

  async function start() {
    const scheduler = manualScheduler();
    const { server } = await startTestBackend({
      features: [
        envParityPlugin,
        envParityModuleGithub,
        scheduler.factory,
        catalogServiceMock.factory({
          entities: [
            component(repoAnnotations('acme/web'), 'web'),
            person('bob', 'group:default/team'),
            person('alice', SRE),
            team('sre', [ALICE]),
          ],
        }),
        mockServices.rootConfig.factory({
          data: {
            integrations: {
              github: [
                { host: HTML_HOST, apiBaseUrl: fake.apiBaseUrl, token: TOKEN },
              ],
            },
            envParity: {
              environmentsFromCatalog: false,
              github: { host: HTML_HOST, timeout: '2m' },
              environments: [
                { name: 'staging', owner: 'group:default/platform' },
                { name: 'production', reference: true, owner: SRE },
              ],
              align: {
                environments: {
                  staging: { deployer: 'github', approval: { group: SRE } },
                },
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
      entityRef: 'component:default/web',
      environment: 'staging',
      reason: 'staging lacks the 1.4.2 hotfix',
    });

  it('creates one GitHub deployment of production, only once approved, and the next collection verifies it', async () => {
    const { scheduler, call } = await start();
    const created = await ask(call);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'pending-approval',
      deployer: 'github',
      approvers: SRE,
      target: { version: '1.4.2', revision: prodSha },
    });
    const id = created.body.id;
    // nothing reaches GitHub before approval
    expect(fake.mutations).toEqual([]);

    const approved = await call('POST', `${API}/${id}/approve`, ALICE, {
      comment: 'go',
    });
    expect(approved.status).toBe(200);
    const get = () => call('GET', `${API}/${id}`, BOB);
    await waitFor(async () => (await get()).body.status === 'verifying');
    expect(fake.mutations).toEqual([
      {
        method: 'POST',
        path: '/api/v3/repos/acme/web/deployments',
        body: expect.objectContaining({
          ref: prodSha,
          environment: 'staging',
          auto_merge: false,
          required_contexts: [],
          payload: expect.objectContaining({
            version: '1.4.2',
            alignmentId: id,
            requester: BOB,
          }),
        }),
      },
    ]);
    expect((await get()).body.deployerMessage).toMatch(
      /^GitHub deployment \d+ of [0-9a-f]{7} to staging created in acme\/web$/,
    );

    // the fake rolled it out: the next collection sees production's commit
    await scheduler.run('env-parity-collect');
    await scheduler.run('env-parity-align-sweep');
    await waitFor(async () => (await get()).body.status === 'aligned');
    expect(fake.mutations).toHaveLength(1);
    const report = await call(
      'GET',
      '/api/env-parity/entities/component/default/web',
      BOB,
    );
    const staging = report.body.environments.find(
      (e: { name: string }) => e.name === 'staging',
    );
    expect(staging.deployment).toMatchObject({
      provider: 'github',
      revision: prodSha,
      version: '1.4.2',
    });
  });

  it('a GitHub refusal ends the alignment failed with its reason, never the token', async () => {
    const { call } = await start();
    const created = await ask(call);
    fake.answerNext('/deployments', {
      status: 403,
      body: { message: 'Resource not accessible by integration' },
    });
    await call('POST', `${API}/${created.body.id}/approve`, ALICE, {});
    const get = () => call('GET', `${API}/${created.body.id}`, BOB);
    await waitFor(async () => (await get()).body.status === 'failed');
    const failed = (await get()).body;
    expect(failed.failureReason).toContain(
      'GitHub denied POST /repos/acme/web/deployments (403: Resource not accessible by integration): the credentials for ghe.example.test need Deployments: write on acme/web',
    );
    expect(JSON.stringify(failed)).not.toContain(TOKEN);
    expect(fake.mutations).toHaveLength(1);
  });
});
