import {
  AuditorService,
  AuditorServiceCreateEventOptions,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  compareProbeResults,
  ProbeResult,
} from '@env-parity/plugin-env-parity-common';
import { JsonObject } from '@backstage/types';
import request from 'supertest';
import { envParityPlugin } from '../plugin';
import { component, createTestCatalog } from '../testUtils';
import { closeServers, json, serve, TestServer } from './__testUtils__/servers';

jest.setTimeout(30_000);

afterEach(closeServers);

const API = '/api/env-parity/entities/component/default/payments/probe';

type AuditRecord = {
  options: AuditorServiceCreateEventOptions;
  outcome?: 'success' | 'fail';
  meta?: JsonObject;
  error?: Error;
};

function recordingAuditor() {
  const events: AuditRecord[] = [];
  const auditor = mockServices.auditor.mock({
    createEvent: (async (options: AuditorServiceCreateEventOptions) => {
      const record: AuditRecord = { options };
      events.push(record);
      return {
        async success(o?: { meta?: JsonObject }) {
          record.outcome = 'success';
          record.meta = o?.meta;
        },
        async fail(o: { meta?: JsonObject; error: Error }) {
          record.outcome = 'fail';
          record.meta = o.meta;
          record.error = o.error;
        },
      };
    }) as AuditorService['createEvent'],
  });
  return { events, factory: auditor.factory };
}

/** Two environments, each on its own loopback server, like a real setup. */
async function environments(
  handlers: {
    staging?: Parameters<typeof serve>[0];
    production?: Parameters<typeof serve>[0];
  } = {},
) {
  const staging = await serve(
    handlers.staging ??
      json(
        { version: '1.5.0', features: { newCheckout: true, darkMode: true } },
        200,
        { 'x-version': '1.5.0' },
      ),
  );
  const production = await serve(
    handlers.production ??
      json(
        { version: '1.4.2', features: { newCheckout: false, darkMode: true } },
        200,
        { 'x-version': '1.4.2' },
      ),
  );
  return { staging, production };
}

function payments(servers: { staging: TestServer; production: TestServer }) {
  return component('payments', {
    'env-parity/staging.url': `${servers.staging.url}/payments/staging`,
    'env-parity/production.url': `${servers.production.url}/payments/production/`,
    'env-parity/production.version': '1.4.2',
  });
}

function hostsOf(...servers: TestServer[]) {
  return servers.map(s => `127.0.0.1:${s.port}`);
}

async function start(options: {
  probe?: JsonObject;
  entities: ReturnType<typeof component>[];
  permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
  hiddenFrom?: Record<string, string[]>;
}) {
  const { factory } = createTestCatalog(options.entities, options.hiddenFrom);
  const audit = recordingAuditor();
  const { server } = await startTestBackend({
    features: [
      envParityPlugin,
      factory,
      audit.factory,
      mockServices.rootConfig.factory({
        data: {
          envParity: {
            environmentsFromCatalog: false,
            environments: [
              { name: 'development' },
              { name: 'staging', title: 'Staging' },
              { name: 'production', title: 'Production', reference: true },
            ],
            ...(options.probe ? { probe: options.probe } : {}),
          },
        },
      }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ...(options.permission
        ? [mockServices.permissions.factory({ result: options.permission })]
        : []),
    ],
  });
  return { server, audits: audit.events };
}

/** The usual setup: both servers allowed, loopback allowed for the test. */
async function startWith(
  servers: { staging: TestServer; production: TestServer },
  probe: JsonObject = {},
  extra: Partial<Parameters<typeof start>[0]> = {},
) {
  return start({
    entities: [payments(servers)],
    probe: {
      allowedHosts: hostsOf(servers.staging, servers.production),
      allowPrivateNetworks: true,
      ...probe,
    },
    ...extra,
  });
}

const probeEnv = (body: ProbeResult, name: string) =>
  body.environments.find(e => e.environment === name)!;

describe('POST /entities/:kind/:namespace/:name/probe', () => {
  it('asks every environment with a URL the same question, answers side by side', async () => {
    const servers = await environments();
    const { server } = await startWith(servers);

    const res = await request(server)
      .post(API)
      .send({ path: '/version', method: 'GET' });

    expect(res.status).toBe(200);
    const result: ProbeResult = res.body;
    expect(result).toMatchObject({
      entityRef: 'component:default/payments',
      method: 'GET',
      path: '/version',
      reference: 'production',
    });
    expect(result.id).toMatch(/^[0-9a-f-]{36}$/);
    // development has no URL: not asked; promotion order kept
    expect(result.environments.map(e => e.environment)).toEqual([
      'staging',
      'production',
    ]);
    const staging = probeEnv(result, 'staging');
    const production = probeEnv(result, 'production');
    expect(staging).toMatchObject({
      title: 'Staging',
      reference: false,
      url: `${servers.staging.url}/payments/staging/version`,
      status: 200,
      bodyType: 'json',
      headers: { 'content-type': 'application/json', 'x-version': '1.5.0' },
    });
    expect(production).toMatchObject({
      reference: true,
      url: `${servers.production.url}/payments/production/version`,
      status: 200,
    });
    expect(JSON.parse(production.body!)).toEqual({
      version: '1.4.2',
      features: { newCheckout: false, darkMode: true },
    });
    expect(staging.latencyMs).toBeGreaterThanOrEqual(0);
    expect(servers.staging.hits.map(h => [h.method, h.url])).toEqual([
      ['GET', '/payments/staging/version'],
    ]);
    expect(servers.production.hits.map(h => [h.method, h.url])).toEqual([
      ['GET', '/payments/production/version'],
    ]);

    // what the Parity tab highlights
    const diff = compareProbeResults(production, staging);
    expect(diff.entries.map(e => [e.kind, e.path, e.change])).toEqual([
      ['header', 'x-version', 'changed'],
      ['json', '$.version', 'changed'],
      ['json', '$.features.newCheckout', 'changed'],
    ]);
  });

  it('asks only the environments named, keeping the query', async () => {
    const servers = await environments();
    const { server } = await startWith(servers);
    const res = await request(server)
      .post(API)
      .send({
        path: 'api/config?verbose=true&x=a b',
        environments: ['production'],
      });
    expect(res.status).toBe(200);
    expect(res.body.method).toBe('GET');
    expect(res.body.path).toBe('/api/config?verbose=true&x=a%20b');
    expect(res.body.environments.map((e: any) => e.environment)).toEqual([
      'production',
    ]);
    expect(servers.staging.hits).toEqual([]);
    expect(servers.production.hits[0].url).toBe(
      '/payments/production/api/config?verbose=true&x=a%20b',
    );
  });

  it('sends HEAD when asked, with no body in the answer', async () => {
    const servers = await environments();
    const { server } = await startWith(servers);
    const res = await request(server)
      .post(API)
      .send({ path: '/health', method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(servers.staging.hits.map(h => h.method)).toEqual(['HEAD']);
    expect(servers.production.hits.map(h => h.method)).toEqual(['HEAD']);
    const production = probeEnv(res.body, 'production');
    expect(production).toMatchObject({
      status: 200,
      bodyType: 'none',
      headers: { 'content-type': 'application/json' },
    });
    expect(production.body).toBeUndefined();
  });

  it.each(['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'CONNECT'])(
    'refuses method %s with 400, asking nobody',
    async method => {
      const servers = await environments();
      const { server } = await startWith(servers);
      const res = await request(server)
        .post(API)
        .send({ path: '/version', method });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toBe(
        `Method "${method}" is not allowed: a probe uses GET or HEAD only`,
      );
      expect(servers.staging.hits).toEqual([]);
      expect(servers.production.hits).toEqual([]);
    },
  );

  it.each([
    ['../admin', /contains "\.\."/],
    ['/version/../../admin', /contains "\.\."/],
    ['/%2e%2e/admin', /contains "\.\."/],
    ['/%252e%252e/admin', /contains "\.\."/],
    ['/.%2E/admin', /contains "\.\."/],
    ['/a%2F..%2Fadmin', /encoded slash/],
    ['%2F', /encoded slash/],
    ['/a%5cb', /encoded slash or backslash/],
    ['\\\\evil.example\\x', /backslash/],
    ['//evil.example/', /absolute URL/],
    ['http://evil/', /absolute URL/],
    ['https://evil.example/version', /absolute URL/],
    ['file:///etc/passwd', /absolute URL/],
    ['/version\r\nX-Injected: 1', /control characters/],
  ])('refuses the path %j with 400, asking nobody', async (path, message) => {
    const servers = await environments();
    const { server, audits } = await startWith(servers);
    const res = await request(server).post(API).send({ path });
    expect(res.status).toBe(400);
    expect(res.body.error.name).toBe('InputError');
    expect(res.body.error.message).toMatch(message);
    expect(servers.staging.hits).toEqual([]);
    expect(servers.production.hits).toEqual([]);
    expect(audits.map(a => a.outcome)).toEqual(['fail']);
  });

  it.each([
    [{}, 'path is required, e.g. "/version"'],
    [{ path: '   ' }, 'path is required, e.g. "/version"'],
    [{ path: 42 }, 'path is required, e.g. "/version"'],
    [
      { path: `/${'a'.repeat(2048)}` },
      'path is 2049 characters long; at most 2048',
    ],
    [
      { path: '/version', environments: ['qa'] },
      'Unknown environment "qa" (configured: development, staging, production)',
    ],
    [
      { path: '/version', environments: ['development'] },
      'payments has no env-parity/development.url annotation, so environment development cannot be probed',
    ],
    [
      { path: '/version', environments: [] },
      'environments is empty; leave it out to ask every environment with a URL',
    ],
    [
      { path: '/version', environments: 'production' },
      'environments must be a list of environment names',
    ],
    [
      { path: '/version', headers: { authorization: 'x' } },
      'Request headers cannot be set on a probe; per-environment headers come from envParity.probe.environments.<env>.headers',
    ],
    [
      { path: '/version', url: 'http://evil/' },
      'Unknown field "url"; a probe takes path, method and environments',
    ],
  ])('refuses %j with 400', async (body, message) => {
    const servers = await environments();
    const { server } = await startWith(servers);
    const res = await request(server).post(API).send(body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(message);
    expect(servers.staging.hits).toEqual([]);
    expect(servers.production.hits).toEqual([]);
  });

  it('answers 400 for an entity without any environment URL', async () => {
    const { server } = await start({
      entities: [
        component('payments', { 'env-parity/production.version': '1' }),
      ],
      probe: { allowedHosts: ['127.0.0.1:1'] },
    });
    const res = await request(server).post(API).send({ path: '/version' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'payments has no env-parity/<environment>.url annotations, so there is nothing to probe',
    );
  });

  it('never reaches a host outside allowedHosts, however it is annotated', async () => {
    const servers = await environments();
    const { server } = await startWith(servers, {
      allowedHosts: hostsOf(servers.staging),
    });
    const res = await request(server).post(API).send({ path: '/version' });
    expect(res.status).toBe(200);
    expect(probeEnv(res.body, 'staging').status).toBe(200);
    expect(probeEnv(res.body, 'production')).toMatchObject({
      url: `${servers.production.url}/payments/production/version`,
      error: {
        reason: 'not-allowed',
        message: `host 127.0.0.1:${servers.production.port} is not in envParity.probe.allowedHosts (127.0.0.1:${servers.staging.port} allows another port)`,
      },
    });
    expect(probeEnv(res.body, 'production').status).toBeUndefined();
    expect(servers.production.hits).toEqual([]);
  });

  it('reaches nothing at all without an envParity.probe block', async () => {
    const servers = await environments();
    const { server } = await start({ entities: [payments(servers)] });
    const res = await request(server).post(API).send({ path: '/version' });
    expect(res.status).toBe(200);
    expect(res.body.environments.map((e: any) => e.error.reason)).toEqual([
      'not-allowed',
      'not-allowed',
    ]);
    expect(servers.staging.hits).toEqual([]);
    expect(servers.production.hits).toEqual([]);
  });

  it('refuses loopback and private addresses unless explicitly allowed', async () => {
    const servers = await environments();
    const { server } = await startWith(servers, {
      allowPrivateNetworks: false,
    });
    const res = await request(server).post(API).send({ path: '/version' });
    expect(res.status).toBe(200);
    for (const env of res.body.environments) {
      expect(env.error.reason).toBe('not-allowed');
      expect(env.error.message).toBe(
        '127.0.0.1 is a loopback address; requests to non-public addresses are refused unless envParity.probe.allowPrivateNetworks is true or envParity.probe.allowedNetworks covers it',
      );
    }
    expect(servers.staging.hits).toEqual([]);
    expect(servers.production.hits).toEqual([]);
  });

  it('allows a private network listed in allowedNetworks only', async () => {
    const servers = await environments();
    const { server } = await startWith(servers, {
      allowPrivateNetworks: false,
      allowedNetworks: ['127.0.0.1/32'],
    });
    const res = await request(server).post(API).send({ path: '/version' });
    expect(res.body.environments.map((e: any) => e.status)).toEqual([200, 200]);
  });

  it('never reaches a cloud metadata or link-local address, even when listed', async () => {
    const { server } = await start({
      entities: [
        component('payments', {
          'env-parity/staging.url': 'http://169.254.169.254/latest',
          'env-parity/production.url': 'http://[fe80::1]/',
        }),
      ],
      probe: {
        allowedHosts: ['169.254.169.254', '[fe80::1]'],
        allowPrivateNetworks: false,
      },
    });
    const res = await request(server).post(API).send({ path: '/meta-data/' });
    expect(res.status).toBe(200);
    expect(probeEnv(res.body, 'staging').error).toEqual({
      reason: 'not-allowed',
      message:
        '169.254.169.254 is a cloud metadata endpoint, which is never allowed',
    });
    expect(probeEnv(res.body, 'production').error?.message).toContain(
      'a link-local address',
    );
  });

  it('reports a redirect to another host instead of following it', async () => {
    const elsewhere = await serve(json({ stolen: true }));
    const servers = await environments({
      staging: (_req, res) => {
        res.writeHead(302, {
          location: `${elsewhere.url}/latest/meta-data/`,
        });
        res.end();
      },
      production: (_req, res) => {
        res.writeHead(301, { location: '/payments/production/v2/version' });
        res.end('moved');
      },
    });
    // even an allowed host is not followed to
    const { server } = await startWith(servers, {
      allowedHosts: hostsOf(servers.staging, servers.production, elsewhere),
    });
    const res = await request(server).post(API).send({ path: '/version' });
    expect(res.status).toBe(200);
    expect(probeEnv(res.body, 'staging')).toMatchObject({
      status: 302,
      bodyType: 'none',
      redirect: {
        location: `${elsewhere.url}/latest/meta-data/`,
        sameOrigin: false,
      },
    });
    // a same-origin redirect could leave the base path: reported too
    expect(probeEnv(res.body, 'production')).toMatchObject({
      status: 301,
      redirect: {
        location: `${servers.production.url}/payments/production/v2/version`,
        sameOrigin: true,
      },
    });
    expect(elsewhere.hits).toEqual([]);
    expect(servers.staging.hits).toHaveLength(1);
    expect(servers.production.hits).toHaveLength(1);
  });

  it('fails only the environment whose answer is too large', async () => {
    const servers = await environments({
      production: json({ padding: 'x'.repeat(10_000) }),
    });
    const { server } = await startWith(servers, { maxBodyBytes: 1000 });
    const res = await request(server).post(API).send({ path: '/version' });
    expect(res.status).toBe(200);
    expect(probeEnv(res.body, 'staging').status).toBe(200);
    expect(probeEnv(res.body, 'production').error).toEqual({
      reason: 'body-too-large',
      message: `the response to GET ${servers.production.url}/payments/production/version is larger than 1000 bytes (envParity.probe.maxBodyBytes)`,
    });
  });

  it('fails a streamed answer past the cap too', async () => {
    const servers = await environments({
      production: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(512, 'x');
        const timer = setInterval(() => res.write(chunk), 1);
        res.on('close', () => clearInterval(timer));
      },
    });
    const { server } = await startWith(servers, { maxBodyBytes: 4096 });
    const res = await request(server).post(API).send({ path: '/version' });
    expect(probeEnv(res.body, 'production').error?.reason).toBe(
      'body-too-large',
    );
  });

  it('times out a slow environment alone', async () => {
    const servers = await environments({
      production: () => {
        // accepts the connection, never answers
      },
    });
    // long enough for the answering environment on a loaded machine
    const { server } = await startWith(servers, {
      timeout: { milliseconds: 3000 },
    });
    const res = await request(server).post(API).send({ path: '/version' });
    expect(res.status).toBe(200);
    expect(probeEnv(res.body, 'staging').status).toBe(200);
    expect(probeEnv(res.body, 'production').error).toEqual({
      reason: 'timeout',
      message: `GET ${servers.production.url}/payments/production/version timed out after 3000 ms (envParity.probe.timeout)`,
    });
  });

  it("never forwards the caller's token or cookies; sends configured headers to their environment only", async () => {
    const echo =
      (env: string): Parameters<typeof serve>[0] =>
      (req, res) =>
        json({ env, saw: req.headers })(req, res);
    const servers = await environments({
      staging: echo('staging'),
      production: echo('production'),
    });
    const { server } = await startWith(servers, {
      environments: {
        production: {
          headers: {
            Authorization: 'Bearer prod-monitoring-secret-123',
            'X-Env-Key': 'prod-key-456789',
          },
        },
      },
    });
    const callerToken = mockCredentials.user.header('user:default/alice');
    const res = await request(server)
      .post(API)
      .set('Authorization', callerToken)
      .set('Cookie', 'backstage-session=sess-abc123; other=xyz')
      .set('X-Forwarded-For', '10.1.2.3')
      .send({ path: '/version' });
    expect(res.status).toBe(200);

    const [stagingSaw] = servers.staging.hits;
    const [productionSaw] = servers.production.hits;
    for (const saw of [stagingSaw, productionSaw]) {
      expect(saw.headers.cookie).toBeUndefined();
      expect(saw.headers['x-forwarded-for']).toBeUndefined();
      expect(JSON.stringify(saw.headers)).not.toContain(
        callerToken.replace(/^Bearer /, ''),
      );
      expect(JSON.stringify(saw.headers)).not.toContain('sess-abc123');
    }
    expect(stagingSaw.headers.authorization).toBeUndefined();
    expect(stagingSaw.headers['x-env-key']).toBeUndefined();
    expect(productionSaw.headers.authorization).toBe(
      'Bearer prod-monitoring-secret-123',
    );
    expect(productionSaw.headers['x-env-key']).toBe('prod-key-456789');

    // an endpoint that echoes request headers does not leak them back
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('prod-monitoring-secret-123');
    expect(text).not.toContain('prod-key-456789');
    expect(
      JSON.parse(probeEnv(res.body, 'production').body!).saw,
    ).toMatchObject({
      authorization: '[redacted]',
      'x-env-key': '[redacted]',
    });
  });

  it('sends configured headers only to the hosts configured for them', async () => {
    const servers = await environments();
    const { server } = await startWith(servers, {
      environments: {
        production: {
          headers: { Authorization: 'Bearer prod-monitoring-secret-123' },
          hosts: ['prod.example.com'],
        },
      },
    });
    await request(server).post(API).send({ path: '/version' }).expect(200);
    expect(servers.production.hits[0].headers.authorization).toBeUndefined();
  });

  it('redacts Set-Cookie and configured headers, shows only listed ones', async () => {
    const servers = await environments({
      production: json({ ok: true }, 200, {
        'set-cookie': ['session=s3cr3t-session; HttpOnly', 'csrf=t0k3n'],
        'www-authenticate': 'Bearer realm="prod"',
        'x-internal-token': 'int-abc-999',
        'x-debug-host': 'prod-node-7.internal',
        'x-version': '1.4.2',
      }),
    });
    const { server } = await startWith(servers, {
      redactHeaders: ['X-Internal-Token'],
      showHeaders: ['content-type', 'x-version'],
    });
    const res = await request(server).post(API).send({ path: '/version' });
    const production = probeEnv(res.body, 'production');
    expect(production.headers).toEqual({
      'content-type': 'application/json',
      'set-cookie': '[redacted]',
      'www-authenticate': '[redacted]',
      'x-internal-token': '[redacted]',
      'x-version': '1.4.2',
    });
    expect(production.redactedHeaders).toEqual([
      'set-cookie',
      'www-authenticate',
      'x-internal-token',
    ]);
    const text = JSON.stringify(res.body);
    for (const secret of ['s3cr3t', 't0k3n', 'int-abc-999', 'prod-node-7']) {
      expect(text).not.toContain(secret);
    }
  });

  it('sends the fields expected to differ, from config and annotation; malformed ones noted, not applied', async () => {
    const build = (time: string) =>
      json({ build: { version: '1.4.2', time }, uptime: 7 }, 200, {
        'x-version': '1.4.2',
      });
    const servers = await environments({
      staging: build('2026-11-09T11:30:02Z'),
      production: build('2026-11-10T14:47:51Z'),
    });
    const entity = payments(servers);
    entity.metadata.annotations!['env-parity/probe-ignore'] =
      '$.build.time, build..time, $.build[';
    const { server } = await start({
      entities: [entity],
      probe: {
        allowedHosts: hostsOf(servers.staging, servers.production),
        allowPrivateNetworks: true,
        ignore: ['X-Served-By', '$.uptime', 'bad entry!'],
      },
    });
    const res = await request(server).post(API).send({ path: '/version' });
    expect(res.status).toBe(200);
    const result: ProbeResult = res.body;
    expect(result.ignore).toEqual({
      fields: ['$.uptime', 'x-served-by', '$.build.time'],
      invalid: [
        {
          entry: 'bad entry!',
          source: 'config',
          message: 'neither a JSON path (e.g. $.build.time) nor a header name',
        },
        {
          entry: 'build..time',
          source: 'annotation',
          message: 'neither a JSON path (e.g. $.build.time) nor a header name',
        },
        {
          entry: '$.build[',
          source: 'annotation',
          message:
            'not a JSON path: expected .key, [index], ["key"] or * at character 8',
        },
      ],
    });
    // the same build: only the build time differs, and it is ignored
    const diff = compareProbeResults(
      probeEnv(result, 'production'),
      probeEnv(result, 'staging'),
      { ignore: result.ignore!.fields },
    );
    expect(diff.same).toBe(true);
    expect(diff.ignored?.map(e => e.path)).toEqual(['$.build.time']);
  });

  it('sends no ignore list when none is configured', async () => {
    const servers = await environments();
    const { server } = await startWith(servers);
    const res = await request(server).post(API).send({ path: '/version' });
    expect(res.body.ignore).toBeUndefined();
  });

  it('answers 429 past the per-user rate limit, with Retry-After', async () => {
    const servers = await environments();
    const { server, audits } = await startWith(servers, {
      rateLimit: { requests: 2, window: { minutes: 1 } },
    });
    const alice = mockCredentials.user.header('user:default/alice');
    for (let i = 0; i < 2; i++) {
      await request(server)
        .post(API)
        .set('Authorization', alice)
        .send({ path: '/version' })
        .expect(200);
    }
    const limited = await request(server)
      .post(API)
      .set('Authorization', alice)
      .send({ path: '/version' });
    expect(limited.status).toBe(429);
    expect(limited.body.error.message).toMatch(
      /^Too many probes; try again in \d+ s$/,
    );
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(servers.staging.hits).toHaveLength(2);

    // another user has a limit of their own
    await request(server)
      .post(API)
      .set('Authorization', mockCredentials.user.header('user:default/bob'))
      .send({ path: '/version' })
      .expect(200);
    expect(audits.map(a => a.outcome)).toEqual([
      'success',
      'success',
      'fail',
      'success',
    ]);
  });

  it('answers 403 without env-parity.probe.run, asking nobody', async () => {
    const servers = await environments();
    const { server } = await startWith(
      servers,
      {},
      { permission: AuthorizeResult.DENY },
    );
    const res = await request(server).post(API).send({ path: '/version' });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toBe(
      'You are not allowed to probe environments: this needs the permission env-parity.probe.run.',
    );
    expect(servers.staging.hits).toEqual([]);
    expect(servers.production.hits).toEqual([]);
  });

  it('accepts users only, not service tokens or anonymous callers', async () => {
    const servers = await environments();
    const { server } = await startWith(servers);
    const service = await request(server)
      .post(API)
      .set('Authorization', mockCredentials.service.header())
      .send({ path: '/version' });
    expect(service.status).toBe(403);
    const anonymous = await request(server)
      .post(API)
      .set('Authorization', mockCredentials.none.header())
      .send({ path: '/version' });
    expect(anonymous.status).toBe(401);
    expect(servers.staging.hits).toEqual([]);
  });

  it('answers 404 for an entity the caller may not see, asking nobody', async () => {
    const servers = await environments();
    const { server } = await startWith(
      servers,
      {},
      {
        hiddenFrom: {
          'component:default/payments': ['user:default/mallory'],
        },
      },
    );
    const hidden = await request(server)
      .post(API)
      .set('Authorization', mockCredentials.user.header('user:default/mallory'))
      .send({ path: '/version' });
    expect(hidden.status).toBe(404);
    expect(hidden.body.error.message).toBe(
      'No entity component:default/payments in the catalog',
    );
    const missing = await request(server)
      .post('/api/env-parity/entities/component/default/nothing/probe')
      .send({ path: '/version' });
    expect(missing.status).toBe(404);
    expect(servers.staging.hits).toEqual([]);
  });

  it('refuses kinds Env Parity does not report on, asking nobody', async () => {
    const servers = await environments();
    const { server } = await startWith(servers);
    const res = await request(server)
      .post('/api/env-parity/entities/group/default/payments/probe')
      .send({ path: '/version' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      'Env Parity reports on Component entities only (envParity.collector.kinds), not on group',
    );
    expect(servers.staging.hits).toEqual([]);
    expect(servers.production.hits).toEqual([]);
  });

  it('never sends a segment that a server could read as "..", such as "..;"', async () => {
    const servers = await environments();
    const { server } = await startWith(servers);
    for (const path of [
      '/..;/..;/k8s/production/api/v1/secrets',
      '/%2e%2e%3b/admin',
      '/..%20/admin',
    ]) {
      const res = await request(server).post(API).send({ path });
      expect(res.status).toBe(400);
    }
    expect(servers.staging.hits).toEqual([]);
    expect(servers.production.hits).toEqual([]);
  });

  it('records every probe as an audit event, without bodies or headers', async () => {
    const servers = await environments({
      production: () => {
        // never answers
      },
    });
    const { server, audits } = await startWith(servers, {
      timeout: { milliseconds: 200 },
      environments: {
        staging: { headers: { Authorization: 'Bearer staging-secret-1234' } },
      },
    });
    const res = await request(server)
      .post(API)
      .set('Authorization', mockCredentials.user.header('user:default/alice'))
      .send({ path: '/version?full=1', method: 'GET' });
    expect(res.status).toBe(200);
    await request(server).post(API).send({ path: '../etc/passwd' }).expect(400);

    expect(audits).toHaveLength(2);
    const [ok, refused] = audits;
    expect(ok.options).toMatchObject({
      eventId: 'probe',
      severityLevel: 'medium',
      meta: { entityRef: 'component:default/payments' },
    });
    expect(ok.options.request).toBeDefined();
    expect(ok.outcome).toBe('success');
    expect(ok.meta).toEqual({
      entityRef: 'component:default/payments',
      method: 'GET',
      path: '/version?full=1',
      probeId: res.body.id,
      environments: ['staging', 'production'],
      statuses: { staging: 200, production: 'timeout' },
    });
    expect(JSON.stringify(ok.meta)).not.toContain('1.5.0');
    expect(JSON.stringify(ok.meta)).not.toContain('staging-secret');

    expect(refused.outcome).toBe('fail');
    expect(refused.error?.name).toBe('InputError');
    expect(refused.meta).toEqual({ entityRef: 'component:default/payments' });
  });
});
