import { ConfigReader } from '@backstage/config';
import {
  githubSignatureMatches,
  malformedGithubDelivery,
  readGithubWebhookSecrets,
} from './githubWebhook';
import {
  deploymentPayload,
  githubSignature,
  service,
  startEventsBackend,
  waitFor,
  WEBHOOK_SECRET,
} from './__testUtils__/eventsBackend';

const PAYMENTS = 'component:default/payments';
const OTHER = 'component:default/other';
const NEW_SHA = 'b'.repeat(40);

async function start(options: { withoutWebhookModule?: boolean } = {}) {
  const revisions = new Map([
    [PAYMENTS, 'a'.repeat(40)],
    [OTHER, 'd'.repeat(40)],
  ]);
  const backend = await startEventsBackend({
    entities: [
      service('payments', 'acme/payments'),
      service('other', 'acme/other'),
    ],
    revisions,
    ...options,
  });
  // first reads collect once each (nothing stored yet)
  for (const ref of [PAYMENTS, OTHER]) {
    await backend.reportedRevision(ref);
  }
  /** A valid delivery after the others, collected: they were handled. */
  const afterAll = async () => {
    const before = backend.collections(OTHER);
    expect(
      (await backend.github('deployment', deploymentPayload('acme/other')))
        .status,
    ).toBe(202);
    await waitFor(() => backend.collections(OTHER) === before + 1);
  };
  return { ...backend, revisions, afterAll };
}

describe('GitHub webhooks at the events backend', () => {
  it('answers 401 to a missing or bad signature and collects nothing', async () => {
    const t = await start();
    t.revisions.set(PAYMENTS, NEW_SHA);
    const body = JSON.stringify(deploymentPayload('acme/payments'));
    const answers = [
      await t.github('deployment', body, githubSignature(body, 'not-it')),
      await t.github('deployment', body, null),
      await t.github('deployment', body, ''),
      await t.github('deployment', body, 'sha256=00'),
      await t.github('deployment', body, githubSignature(`${body} `)),
      // the signature is checked first: strangers learn nothing of the body
      await t.github('deployment', '{"repository": ', 'sha256=00'),
      await t.github('deployment_status', body, githubSignature(body, '')),
    ];
    for (const res of answers) {
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({
        name: 'AuthenticationError',
        message: 'missing or invalid webhook signature',
      });
      expect(JSON.stringify(res.body)).not.toContain(WEBHOOK_SECRET);
    }
    await t.afterAll();
    expect(t.collections(PAYMENTS)).toBe(1);
    expect(await t.reportedRevision(PAYMENTS)).toBe('a'.repeat(40));
  });

  it('accepts a signed deployment and collects its services', async () => {
    const t = await start();
    t.revisions.set(PAYMENTS, NEW_SHA);
    const res = await t.github(
      'deployment',
      deploymentPayload('acme/payments'),
    );
    expect(res.status).toBe(202);
    await waitFor(async () => (await t.reportedRevision(PAYMENTS)) === NEW_SHA);
    expect(t.collections(PAYMENTS)).toBe(2);
  });

  it('answers 400 to a signed but malformed delivery and collects nothing', async () => {
    const t = await start();
    const signed = (event: string, body: string) =>
      t.github(event, body, githubSignature(body));
    const answers = [
      await signed('deployment', '{"repository": '),
      await signed('deployment', ''),
      await signed('deployment', JSON.stringify({ action: 'created' })),
      await signed('deployment', JSON.stringify([deploymentPayload('a/b')])),
      await signed(
        'deployment_status',
        JSON.stringify({ repository: { full_name: 42 } }),
      ),
      await signed('push', 'not JSON'),
    ];
    for (const res of answers) {
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
    }
    await t.afterAll();
    expect(t.collections(PAYMENTS)).toBe(1);
  });

  it('accepts and ignores a deployment of an unknown repository', async () => {
    const t = await start();
    const res = await t.github('deployment', deploymentPayload('acme/nobody'));
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ status: 'accepted' });
    await t.afterAll();
    expect(t.collections(PAYMENTS)).toBe(1);
  });

  it('without the module, the events backend alone answers a bad signature 403', async () => {
    // why eventsModuleEnvParityGithubWebhook is installed: the GitHub
    // events module's validator rejects with 403, not 401
    const t = await start({ withoutWebhookModule: true });
    const body = JSON.stringify(deploymentPayload('acme/payments'));
    expect(
      (await t.github('deployment', body, githubSignature(body, 'not-it')))
        .status,
    ).toBe(403);
    expect((await t.github('deployment', body, null)).status).toBe(403);
    await t.afterAll();
    expect(t.collections(PAYMENTS)).toBe(1);
  });
});

describe('GitHub webhook checks', () => {
  it('reads the generic secret and the GitHub Apps’ secrets', () => {
    const config = new ConfigReader({
      events: { modules: { github: { webhookSecret: 'generic' } } },
      integrations: {
        github: [
          {
            host: 'github.com',
            apps: [
              { appId: 1, webhookSecret: 'app-one' },
              { appId: 2 },
              { appId: 3, webhookSecret: 'generic' },
            ],
          },
          { host: 'ghe.example.test' },
        ],
      },
    });
    expect(readGithubWebhookSecrets(config)).toEqual(['generic', 'app-one']);
    expect(readGithubWebhookSecrets(new ConfigReader({}))).toEqual([]);
  });

  it('matches a signature made with any of the secrets, and nothing else', () => {
    const body = Buffer.from('{"a":1}');
    const secrets = ['generic', 'app-one'];
    expect(
      githubSignatureMatches(
        body,
        githubSignature('{"a":1}', 'app-one'),
        secrets,
      ),
    ).toBe(true);
    expect(
      githubSignatureMatches(
        body,
        githubSignature('{"a":1}', 'generic'),
        secrets,
      ),
    ).toBe(true);
    for (const bad of [
      githubSignature('{"a":1}', 'other'),
      githubSignature('{"a":2}', 'generic'),
      githubSignature('{"a":1}', 'generic').toUpperCase(),
      githubSignature('{"a":1}', 'generic').replace('sha256=', 'sha1='),
      undefined,
      ['a', 'b'],
      '',
    ]) {
      expect(githubSignatureMatches(body, bad, secrets)).toBe(false);
    }
    expect(
      githubSignatureMatches(body, githubSignature('{"a":1}', 'generic'), []),
    ).toBe(false);
  });

  it('reads a JSON body as the ingress does: media type, charset', () => {
    const body = Buffer.from(JSON.stringify(deploymentPayload('acme/x')));
    const check = (contentType: string | undefined, event = 'deployment') =>
      malformedGithubDelivery(
        {
          headers: {
            ...(contentType ? { 'content-type': contentType } : {}),
            'x-github-event': event,
          },
        },
        body,
      );
    expect(check('application/json')).toBeUndefined();
    expect(check('Application/JSON; charset="UTF-8"')).toBeUndefined();
    expect(check('application/json; charset=klingon')).toBe(
      'unsupported charset klingon',
    );
    // not JSON by its media type: left to the events backend (415)
    expect(check('application/x-www-form-urlencoded')).toBeUndefined();
    expect(check(undefined)).toBeUndefined();
    expect(
      malformedGithubDelivery(
        { headers: { 'content-type': 'application/json' } },
        Buffer.from('[1'),
      ),
    ).toBe('the body is not JSON');
  });
});
