import { FakeGithub, GITHUB_TOKEN } from './FakeGithub';

const headers = {
  authorization: `Bearer ${GITHUB_TOKEN}`,
  'content-type': 'application/json',
};

describe('FakeGithub writes', () => {
  let fake: FakeGithub;
  let live: string;
  let next: string;

  beforeEach(async () => {
    fake = await FakeGithub.start();
    const repo = fake.addRepo('acme', 'web');
    live = repo.commit('Release 1.0.0', { tag: 'v1.0.0' });
    next = repo.commit('Release 1.1.0', { tag: 'v1.1.0' });
    repo.deploy({
      environment: 'staging',
      sha: live,
      ref: 'v1.0.0',
      createdAt: '2026-11-01T10:00:00Z',
      statuses: [{ state: 'success' }],
    });
    repo.addWorkflow('deploy.yml', ['environment', 'ref', 'artifact']);
    repo.addWorkflow('ci.yml');
  });

  afterEach(() => fake.close());

  const post = (path: string, body: unknown) =>
    fetch(`${fake.apiBaseUrl}/repos/acme/web/${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
  const latest = async (environment: string) => {
    const list = await (
      await fetch(
        `${fake.apiBaseUrl}/repos/acme/web/deployments?environment=${environment}`,
        { headers },
      )
    ).json();
    const statuses = await (
      await fetch(
        `${fake.apiBaseUrl}/repos/acme/web/deployments/${list[0].id}/statuses`,
        { headers },
      )
    ).json();
    return { deployment: list[0], states: statuses.map((s: any) => s.state) };
  };

  it('creates a deployment that rolls out at once, retiring the previous one, and tells listeners', async () => {
    const heard: unknown[] = [];
    fake.onDeployment(r => heard.push(r));
    const res = await post('deployments', {
      ref: next,
      environment: 'staging',
      auto_merge: false,
      required_contexts: [],
      payload: { version: '1.1.0' },
    });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created).toMatchObject({
      sha: next,
      ref: next,
      environment: 'staging',
      payload: { version: '1.1.0' },
      creator: { login: 'env-parity-bot' },
    });
    const now = await latest('staging');
    expect(now.deployment.id).toBe(created.id);
    expect(now.states).toEqual(['success', 'in_progress']);
    const old = fake.getRepo('acme/web')!.deployments[0];
    expect(old.statuses.map(s => s.state)).toEqual(['success', 'inactive']);
    expect(heard).toEqual([
      {
        repository: 'acme/web',
        deploymentId: created.id,
        environment: 'staging',
        sha: next,
        ref: next,
        payload: { version: '1.1.0' },
        creator: 'env-parity-bot',
      },
    ]);
    expect(fake.mutations).toHaveLength(1);
  });

  it('refuses an unknown ref (422) and auto-merging an old commit (409)', async () => {
    const unknown = await post('deployments', {
      ref: 'f'.repeat(40),
      environment: 'staging',
    });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).message).toBe(
      `No ref found for: ${'f'.repeat(40)}`,
    );
    const merged = await post('deployments', {
      ref: live,
      environment: 'staging',
    });
    expect(merged.status).toBe(409);
    expect(fake.getRepo('acme/web')!.deployments).toHaveLength(1);
  });

  it('dispatches a workflow that deploys its ref input to its environment input', async () => {
    const res = await post('actions/workflows/deploy.yml/dispatches', {
      ref: 'main',
      inputs: { environment: 'staging', ref: next, artifact: 'web:1.1.0' },
    });
    expect(res.status).toBe(204);
    const now = await latest('staging');
    expect(now.deployment).toMatchObject({
      sha: next,
      payload: { artifact: 'web:1.1.0' },
      creator: { login: 'github-actions[bot]' },
    });
    expect(
      (await post('actions/workflows/missing.yml/dispatches', { ref: 'main' }))
        .status,
    ).toBe(404);
    expect(
      (await post('actions/workflows/ci.yml/dispatches', { ref: 'main' }))
        .status,
    ).toBe(422);
    const extra = await post('actions/workflows/deploy.yml/dispatches', {
      ref: 'main',
      inputs: { environment: 'staging', color: 'blue' },
    });
    expect(extra.status).toBe(422);
    expect((await extra.json()).message).toBe(
      'Unexpected inputs provided: ["color"]',
    );
  });

  it('answers 401 to a write without a token, and keeps it in mutations', async () => {
    const res = await fetch(`${fake.apiBaseUrl}/repos/acme/web/deployments`, {
      method: 'POST',
      body: JSON.stringify({ ref: next }),
    });
    expect(res.status).toBe(401);
    expect(fake.mutations).toEqual([
      {
        method: 'POST',
        path: '/api/v3/repos/acme/web/deployments',
        body: { ref: next },
      },
    ]);
  });
});
