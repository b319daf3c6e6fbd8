import { ConfigReader } from '@backstage/config';
import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';
import { component } from '../testUtils';
import {
  DEFAULT_REDACT_HEADERS,
  DEFAULT_SHOW_HEADERS,
  ProbeOptions,
  readProbeOptions,
} from './config';
import { parseProbeRequest, ProbeService } from './ProbeService';
import { closeServers, serve } from './__testUtils__/servers';

afterEach(closeServers);

const ENVIRONMENTS: EnvironmentDefinition[] = [
  { name: 'staging', title: 'Staging', reference: false, source: 'config' },
  {
    name: 'production',
    title: 'Production',
    reference: true,
    source: 'config',
  },
];

function options(overrides: Partial<ProbeOptions>): ProbeOptions {
  return {
    ...readProbeOptions(new ConfigReader({})),
    ...overrides,
  };
}

describe('parseProbeRequest', () => {
  it.each([
    [{ path: '/version' }, { path: '/version', method: 'GET' }],
    [
      { path: 'version', method: 'head' },
      { path: '/version', method: 'HEAD' },
    ],
    [{ path: '/' }, { path: '/', method: 'GET' }],
    [{ path: '/./a//b/' }, { path: '/a/b', method: 'GET' }],
    [{ path: '/v#fragment' }, { path: '/v', method: 'GET' }],
    [{ path: '/caf\u00e9 menu' }, { path: '/caf%C3%A9%20menu', method: 'GET' }],
    [
      { path: '/x', environments: ['production', 'production', 'staging'] },
      {
        path: '/x',
        method: 'GET',
        environments: ['production', 'staging'],
      },
    ],
  ])('accepts %j', (body, expected) => {
    expect(parseProbeRequest(body)).toEqual(expected);
  });

  it.each([
    ['/..;/..;/k8s/production/api/v1/secrets', 'path parameter'],
    ['/app/..;x=1/admin', 'path parameter'],
    ['/app/%2e%2e%3b/admin', 'path parameter'],
    ['/app/%252e%252e%253b/admin', 'path parameter'],
    ['/status;jsessionid=abc', 'path parameter'],
    ['/app/.../admin', 'read as ".."'],
    ['/app/..%20/admin', 'read as ".."'],
    ['/app/..%2e/admin', 'read as ".."'],
    ['/app/\uff0e\uff0e/admin', 'read as ".."'],
    ['/app/%EF%BC%8E%EF%BC%8E/admin', 'read as ".."'],
    ['/app/..%00/admin', 'control characters'],
    ['/app/%0d%0aforged/admin', 'control characters'],
    ['/app/../admin', 'could leave the base URL'],
    ['/app/%2e%2e/admin', 'could leave the base URL'],
  ])('refuses %s, which a server could read as a step up', (path, why) => {
    expect(() => parseProbeRequest({ path })).toThrow(why);
  });

  it('still accepts dots and semicolons in the query', () => {
    expect(parseProbeRequest({ path: '/v1.2/a..b/status?x=..;y' })).toEqual({
      path: '/v1.2/a..b/status?x=..;y',
      method: 'GET',
    });
  });

  it.each([null, [], 'GET /version', 42])('refuses the body %j', body => {
    expect(() => parseProbeRequest(body)).toThrow('must be a JSON object');
  });
});

describe('ProbeService', () => {
  it('describes each kind of body', async () => {
    const { url, port } = await serve((req, res) => {
      switch (req.url) {
        case '/svc/json-as-text':
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end('{"a":1}');
          return;
        case '/svc/bad-json':
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end('{nope');
          return;
        case '/svc/binary':
          res.writeHead(200, { 'content-type': 'image/png' });
          res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0xff, 0xfe]));
          return;
        case '/svc/empty':
          res.writeHead(204);
          res.end();
          return;
        default:
          res.writeHead(404, { 'content-type': 'text/html' });
          res.end('<h1>not here</h1>');
      }
    });
    const service = new ProbeService(
      options({
        allowedHosts: [`127.0.0.1:${port}`],
        allowPrivateNetworks: true,
      }),
    );
    const entity = component('svc', {
      'env-parity/staging.url': `${url}/svc`,
      'env-parity/production.url': `${url}/svc`,
    });
    const ask = async (path: string) =>
      (
        await service.probe({
          entity,
          environments: ENVIRONMENTS,
          request: { path, method: 'GET', environments: ['production'] },
        })
      ).environments[0];

    expect(await ask('/json-as-text')).toMatchObject({
      bodyType: 'json',
      body: '{"a":1}',
      bodyBytes: 7,
    });
    expect(await ask('/bad-json')).toMatchObject({
      bodyType: 'text',
      body: '{nope',
    });
    const binary = await ask('/binary');
    expect(binary).toMatchObject({ bodyType: 'binary', bodyBytes: 7 });
    expect(binary.body).toBeUndefined();
    expect(await ask('/empty')).toMatchObject({
      status: 204,
      bodyType: 'none',
      bodyBytes: 0,
    });
    expect(await ask('/missing')).toMatchObject({
      status: 404,
      statusText: 'Not Found',
      bodyType: 'text',
      body: '<h1>not here</h1>',
    });
  });

  it('reports a malformed base URL on its environment', async () => {
    const service = new ProbeService(options({ allowedHosts: ['a.example'] }));
    const result = await service.probe({
      entity: component('svc', {
        'env-parity/staging.url': 'ftp://a.example/svc',
        'env-parity/production.url': 'http://user:pw@a.example/svc',
      }),
      environments: ENVIRONMENTS,
      request: { path: '/version', method: 'GET' },
    });
    expect(result.environments.map(e => e.error)).toEqual([
      {
        reason: 'invalid',
        message:
          'env-parity/staging.url "ftp://a.example/svc" is not an http or https URL',
      },
      {
        reason: 'invalid',
        message:
          'env-parity/production.url Base URL "a.example" may not carry credentials',
      },
    ]);
  });

  describe('DNS rebinding', () => {
    it('connects to the address it checked, and refuses a name that rebinds to a private one', async () => {
      const good = await serve((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ server: 'checked', host: req.headers.host }));
      });
      // the internal service the name rebinds to (127.0.0.2 is loopback on
      // Linux; where it is not, the refusal below proves the same)
      const internal = await serve(
        (_req, res) => res.end('{"server":"internal"}'),
        '127.0.0.2',
        good.port,
      ).catch(() => undefined);
      const answers = ['127.0.0.1', '127.0.0.2'];
      const lookup = jest.fn(async () => [
        { address: answers.shift() ?? '127.0.0.2', family: 4 },
      ]);
      const service = new ProbeService(
        options({
          allowedHosts: [`rebind.test:${good.port}`],
          // plays the "public" address; 127.0.0.2 stays refused
          allowedNetworks: ['127.0.0.1/32'],
        }),
        { lookup },
      );
      const entity = component('svc', {
        'env-parity/production.url': `http://rebind.test:${good.port}/svc`,
      });
      const probe = () =>
        service.probe({
          entity,
          environments: ENVIRONMENTS,
          request: { path: '/version', method: 'GET' },
        });

      const first = (await probe()).environments[0];
      // rebind.test exists nowhere: only the checked answer can have been used
      expect(first.status).toBe(200);
      expect(JSON.parse(first.body!)).toEqual({
        server: 'checked',
        host: `rebind.test:${good.port}`,
      });

      const second = (await probe()).environments[0];
      expect(second.error).toEqual({
        reason: 'not-allowed',
        message:
          'rebind.test resolves to 127.0.0.2, a loopback address; requests to non-public addresses are refused unless envParity.probe.allowPrivateNetworks is true or envParity.probe.allowedNetworks covers it',
      });
      expect(lookup).toHaveBeenCalledTimes(2);
      expect(good.hits).toHaveLength(1);
      expect(internal?.hits ?? []).toEqual([]);
    });
  });

  it('stops asking when the caller aborts', async () => {
    const { url, port } = await serve(() => {});
    const service = new ProbeService(
      options({
        allowedHosts: [`127.0.0.1:${port}`],
        allowPrivateNetworks: true,
      }),
    );
    const controller = new AbortController();
    const pending = service.probe({
      entity: component('svc', { 'env-parity/production.url': url }),
      environments: ENVIRONMENTS,
      request: { path: '/', method: 'GET' },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 50);
    expect((await pending).environments[0].error?.reason).toBe('aborted');
  });

  it('refuses a configured Cookie header at start-up', () => {
    expect(
      () =>
        new ProbeService(
          options({
            allowedHosts: ['a.example'],
            environments: { production: { headers: { Cookie: 'a=b' } } },
          }),
        ),
    ).toThrow('Header Cookie is never sent by the guard');
  });
});

describe('readProbeOptions', () => {
  it('has safe defaults without the block', () => {
    expect(readProbeOptions(new ConfigReader({}))).toEqual({
      allowedHosts: [],
      allowPrivateNetworks: false,
      timeoutMs: 10_000,
      maxBodyBytes: 262_144,
      redactHeaders: DEFAULT_REDACT_HEADERS,
      showHeaders: DEFAULT_SHOW_HEADERS,
      environments: {},
      rateLimit: { requests: 30, windowMs: 60_000 },
      ignore: [],
    });
  });

  it('reads every field; redactHeaders adds to the defaults', () => {
    const read = readProbeOptions(
      new ConfigReader({
        envParity: {
          probe: {
            allowedHosts: ['*.example.com'],
            allowPrivateNetworks: true,
            allowedNetworks: ['10.0.0.0/8'],
            timeout: '3s',
            maxBodyBytes: 1000,
            redactHeaders: ['X-Secret'],
            showHeaders: ['Content-Type'],
            environments: {
              production: {
                headers: { Authorization: 'Bearer x' },
                hosts: ['prod.example.com'],
              },
            },
            rateLimit: { requests: 5, window: { seconds: 10 } },
            ignore: ['$.build.time', 'X-Served-By'],
          },
        },
      }),
    );
    expect(read).toEqual({
      allowedHosts: ['*.example.com'],
      allowPrivateNetworks: true,
      allowedNetworks: ['10.0.0.0/8'],
      timeoutMs: 3000,
      maxBodyBytes: 1000,
      redactHeaders: [...DEFAULT_REDACT_HEADERS, 'x-secret'],
      showHeaders: ['content-type'],
      environments: {
        production: {
          headers: { Authorization: 'Bearer x' },
          hosts: ['prod.example.com'],
        },
      },
      rateLimit: { requests: 5, windowMs: 10_000 },
      ignore: ['$.build.time', 'X-Served-By'],
    });
  });

  it.each([
    [
      { maxBodyBytes: 0 },
      'envParity.probe.maxBodyBytes must be a whole number above 0, got 0',
    ],
    [
      { rateLimit: { requests: 1.5 } },
      'envParity.probe.rateLimit.requests must be a whole number above 0, got 1.5',
    ],
    [
      { showHeaders: ['bad header'] },
      'envParity.probe.showHeaders: "bad header" is not a header name',
    ],
    [
      { timeout: { seconds: 0 } },
      'envParity.probe.timeout must be longer than 0',
    ],
  ])('refuses %j', (probe, message) => {
    expect(() =>
      readProbeOptions(new ConfigReader({ envParity: { probe } })),
    ).toThrow(message);
  });
});
