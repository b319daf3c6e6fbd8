import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import {
  FakeGithub,
  FakeRepo,
  GITHUB_HTML_HOST as HTML_HOST,
  GITHUB_TOKEN as TOKEN,
} from '@env-parity/fake-apis';
import { memoryCache } from '@env-parity/plugin-env-parity-node/testUtils';
import {
  component,
  environments,
  repoAnnotations,
  testConfig,
} from './__testUtils__/setup';
import { GithubClient } from './GithubClient';
import { GithubDeployer, readGithubDeployerOptions } from './GithubDeployer';
import { GithubDeploymentProvider } from './GithubDeploymentProvider';

const DIGEST = `sha256:${'6'.repeat(64)}`;
const ENTITY = component(repoAnnotations('acme/web'), 'web');
const [STAGING] = environments('staging', 'production');

describe('GithubDeployer', () => {
  let fake: FakeGithub;
  let repo: FakeRepo;
  let prodSha: string;
  let stagingSha: string;

  beforeEach(async () => {
    fake = await FakeGithub.start();
    repo = fake.addRepo('acme', 'web');
    prodSha = repo.commit('Release 1.4.2', { tag: 'v1.4.2' });
    stagingSha = repo.commit('Release 1.5.0', { tag: 'v1.5.0' });
    repo.deploy({
      environment: 'staging',
      sha: stagingSha,
      ref: 'v1.5.0',
      payload: { version: '1.5.0' },
      createdAt: '2026-11-20T10:00:00Z',
      statuses: [{ state: 'success' }],
    });
    repo.addWorkflow('deploy.yml', ['environment', 'ref', 'artifact']);
  });

  afterEach(() => fake.close());

  const target = () => ({
    version: '1.4.2',
    revision: prodSha,
    artifact: `ghcr.io/acme/web:1.4.2@${DIGEST}`,
    digest: DIGEST,
  });

  function setup(
    options: {
      github?: JsonObject;
      integration?: JsonObject;
      align?: JsonObject;
    } = {},
  ) {
    const config = testConfig(fake, options.github, options.integration);
    const client = GithubClient.fromConfig(config, {
      logger: mockServices.logger.mock(),
      cache: memoryCache(),
    });
    const deployer = new GithubDeployer(
      client,
      readGithubDeployerOptions(
        new ConfigReader({ envParity: { align: { github: options.align } } }),
      ),
    );
    return { deployer, provider: new GithubDeploymentProvider(client) };
  }

  const dispatch = (deployer: GithubDeployer, t = target()) =>
    deployer.dispatch(
      {
        alignmentId: 'a-1',
        entityRef: 'component:default/web',
        environment: 'staging',
        target: t,
        requester: 'user:default/bob',
      },
      {
        idempotencyKey: 'a-1',
        signal: new AbortController().signal,
        context: { entity: ENTITY, environment: STAGING, target: t },
      },
    );

  it("creates a deployment of production's commit; the provider then observes it in staging", async () => {
    const { deployer, provider } = setup();
    await expect(
      deployer.describe({
        entity: ENTITY,
        environment: STAGING,
        target: target(),
      }),
    ).resolves.toEqual({
      summary:
        "Creates a GitHub deployment of production's commit to staging in acme/web, which its deployment workflow rolls out",
      carriesConfig: [],
    });
    expect(fake.mutations).toEqual([]);

    const result = await dispatch(deployer);

    const [created] = repo.deployments.slice(-1);
    expect(fake.mutations).toEqual([
      {
        method: 'POST',
        path: '/api/v3/repos/acme/web/deployments',
        body: {
          ref: prodSha,
          task: 'deploy',
          environment: 'staging',
          auto_merge: false,
          required_contexts: [],
          description: 'Align staging with production (Env Parity)',
          transient_environment: false,
          production_environment: false,
          payload: {
            version: '1.4.2',
            artifact: `ghcr.io/acme/web:1.4.2@${DIGEST}`,
            digest: DIGEST,
            alignmentId: 'a-1',
            requester: 'user:default/bob',
          },
        },
      },
    ]);
    expect(fake.requestsTo('/deployments')[0].headers.authorization).toBe(
      `Bearer ${TOKEN}`,
    );
    expect(result).toEqual({
      reference: `https://${HTML_HOST}/acme/web/deployments/staging#${created.id}`,
      message: `GitHub deployment ${created.id} of ${prodSha.slice(
        0,
        7,
      )} to staging created in acme/web`,
    });

    const observed = await provider.observe({
      entity: ENTITY,
      environments: [STAGING],
    } as any);
    expect(observed[0].deployment).toMatchObject({
      revision: prodSha,
      version: '1.4.2',
    });
  });

  it('creates it under the GitHub name of the environment', async () => {
    const { deployer } = setup({
      github: { environments: { staging: 'stage-eu' } },
    });
    await dispatch(deployer);
    expect(fake.mutations[0].body.environment).toBe('stage-eu');
  });

  it('dispatches the configured workflow with environment, ref and artifact instead', async () => {
    const { deployer, provider } = setup({
      align: { workflow: { file: 'deploy.yml', ref: 'main' } },
    });
    const result = await dispatch(deployer);
    expect(fake.mutations).toEqual([
      {
        method: 'POST',
        path: '/api/v3/repos/acme/web/actions/workflows/deploy.yml/dispatches',
        body: {
          ref: 'main',
          inputs: {
            environment: 'staging',
            ref: prodSha,
            artifact: `ghcr.io/acme/web:1.4.2@${DIGEST}`,
          },
        },
      },
    ]);
    expect(result.message).toBe(
      `GitHub workflow deploy.yml dispatched on main in acme/web to deploy ${prodSha.slice(
        0,
        7,
      )} to staging`,
    );
    const observed = await provider.observe({
      entity: ENTITY,
      environments: [STAGING],
    } as any);
    expect(observed[0].deployment?.revision).toBe(prodSha);
  });

  it("refuses without production's commit, calling nothing", async () => {
    const { deployer } = setup();
    await expect(
      dispatch(deployer, { ...target(), revision: undefined as any }),
    ).rejects.toMatchObject({ name: 'InputError' });
    expect(fake.mutations).toEqual([]);
  });

  it.each([
    [
      401,
      'AuthenticationError',
      'GitHub rejected the credentials for ghe.example.test (401: Bad credentials): check the token or GitHub App of ghe.example.test in integrations.github',
    ],
    [
      403,
      'NotAllowedError',
      'GitHub denied POST /repos/acme/web/deployments (403: Resource not accessible by integration): the credentials for ghe.example.test need Deployments: write on acme/web (or the classic repo scope)',
    ],
    [
      404,
      'NotFoundError',
      'GitHub answered 404 for the deployments of acme/web: the repository does not exist or the credentials cannot see it',
    ],
    [
      409,
      'ConflictError',
      'GitHub answered 409 Conflict for POST /repos/acme/web/deployments: Conflict merging main into the deployed ref.',
    ],
    [
      422,
      'InputError',
      'GitHub answered 422 Unprocessable Entity for POST /repos/acme/web/deployments: No ref found for: x',
    ],
    [
      502,
      'ServiceUnavailableError',
      'GitHub answered 502 Bad Gateway for POST /repos/acme/web/deployments: Server Error',
    ],
  ])(
    'an answer %s ends with %s and a reason, never the token',
    async (status, name, message) => {
      const bodies: Record<number, string> = {
        401: 'Bad credentials',
        403: 'Resource not accessible by integration',
        404: 'Not Found',
        409: 'Conflict merging main into the deployed ref.',
        422: 'No ref found for: x',
        502: 'Server Error',
      };
      fake.answerNext('/deployments', {
        status,
        body: { message: bodies[status], status: String(status) },
      });
      const { deployer } = setup();
      const error = await dispatch(deployer).catch(e => e);
      expect(error.name).toBe(name);
      expect(error.message).toBe(message);
      expect(error.message).not.toContain(TOKEN);
      expect(fake.mutations).toHaveLength(1);
    },
  );

  it('a wrong token ends with AuthenticationError, the token never shown', async () => {
    const wrong = 'ghp_planted0wrong0token0xyz';
    const { deployer } = setup({ integration: { token: wrong } });
    const error = await dispatch(deployer).catch(e => e);
    expect(error.name).toBe('AuthenticationError');
    expect(error.message).not.toContain(wrong);
  });

  it('an unknown workflow ends with NotFoundError naming the setting', async () => {
    const { deployer } = setup({
      align: { workflow: { file: 'missing.yml' } },
    });
    await expect(dispatch(deployer)).rejects.toMatchObject({
      name: 'NotFoundError',
      message:
        'GitHub answered 404 for the workflow missing.yml of acme/web (envParity.align.github.workflow.file): it does not exist or the credentials cannot see it',
    });
  });

  it('a GitHub that does not answer in time ends with ServiceUnavailableError', async () => {
    fake.answerNext('/deployments', 'hang');
    const { deployer } = setup({ github: { timeout: '1s' } });
    await expect(dispatch(deployer)).rejects.toMatchObject({
      name: 'ServiceUnavailableError',
      message:
        'GitHub did not answer POST /repos/acme/web/deployments on ghe.example.test within 1000 ms',
    });
  });
});
