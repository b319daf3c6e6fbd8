import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { HttpVersionProvider } from './HttpVersionProvider';

const SHA = 'ef4e9bda211ed9da057ddc0c296392a3947514b1';
const DIGEST = `sha256:${'e'.repeat(64)}`;

const hits: Record<string, number> = {};
const received: http.IncomingHttpHeaders[] = [];

function json(body: unknown, status = 200, headers = {}) {
  return ((_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }) as http.RequestListener;
}

/** Every shape and every failure, one path each, on one loopback server. */
const routes: Record<string, http.RequestListener> = {
  '/flat/version': json({ version: '1.4.2', commit: SHA }),
  '/revision/version': json({ version: '1.4.2', revision: SHA.slice(0, 7) }),
  '/spring/actuator/info': json({
    build: {
      artifact: 'payments',
      name: 'payments',
      version: '2.14.3',
      time: '2026-11-09T09:12:44.000Z',
    },
    git: {
      branch: 'main',
      commit: { id: SHA.slice(0, 7), time: '2026-11-08T10:00:00Z' },
    },
  }),
  '/spring-full/actuator/info': json({
    build: { version: '2.14.3', time: '2026-11-09T09:12:44Z' },
    git: {
      commit: {
        id: { abbrev: SHA.slice(0, 7), full: SHA, describe: 'v2.14.3' },
        message: { short: 'Release' },
      },
    },
  }),
  '/app/version': json({ app: { version: '0.9.0', name: 'worker' } }),
  '/image/version': json({
    version: '3.2.0',
    revision: SHA,
    image: 'ghcr.io/acme/search:3.2.0',
    digest: DIGEST,
    deployedAt: 1763971200,
  }),
  '/custom/version': json({
    release: { name: 'r-77' },
    scm: { sha: SHA.toUpperCase() },
  }),
  '/flat-keys/version': json({
    'build.version': '5.0.0',
    'git.commit.id': SHA,
  }),
  '/404/version': json({ message: 'not found' }, 404),
  '/500/version': json({ message: 'boom' }, 500),
  '/503/version': json({ message: 'down' }, 503),
  '/429/version': json({ message: 'slow down' }, 429, { 'retry-after': '120' }),
  '/slow/version': () => {
    // never answers
  },
  '/big/version': (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(`{"version":"1","padding":"`);
    const chunk = 'x'.repeat(64 * 1024);
    const timer = setInterval(() => res.write(chunk), 1);
    res.on('close', () => clearInterval(timer));
  },
  '/html/version': (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>Secret internal page</body></html>');
  },
  '/no-version/version': json({ status: 'UP', commit: SHA }),
  '/bad-revision/version': json({ version: '1.0.0', commit: 'main' }),
  '/bad-artifact/version': json({
    version: '1.0.0',
    image: 'ghcr.io/acme/x:1@sha256:xyz',
  }),
  '/bad-time/version': json({ version: '1.0.0', buildTime: 'yesterday' }),
  '/array/version': json([{ version: '1' }]),
  '/redirect/version': (_req, res) => {
    res.writeHead(302, { location: 'http://evil.example.com/version' });
    res.end();
  },
  '/moved/version': (_req, res) => {
    res.writeHead(301, { location: '/flat/version' });
    res.end();
  },
  '/headers/version': (req, res) => {
    received.push(req.headers);
    json({ version: '1.0.0' })(req, res);
  },
};

let server: http.Server;
let base: string;
let port: number;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    hits[path] = (hits[path] ?? 0) + 1;
    const route = routes[path];
    if (route) {
      route(req, res);
    } else {
      json({ message: 'no route' }, 404)(req, res);
    }
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
});

const staging: EnvironmentDefinition = {
  name: 'staging',
  title: 'Staging',
  reference: false,
  source: 'config',
};
const production: EnvironmentDefinition = {
  name: 'production',
  title: 'Production',
  reference: true,
  source: 'config',
};

function entity(annotations: Record<string, string>): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'svc', namespace: 'default', annotations },
    spec: { type: 'service', owner: 'team', lifecycle: 'production' },
  };
}

function provider(http_: Record<string, unknown> = {}, now?: () => number) {
  const config = new ConfigReader({
    envParity: {
      http: {
        allowedHosts: [`127.0.0.1:${port}`],
        allowPrivateNetworks: true,
        // generous: a loaded machine must not turn a success into a timeout
        timeout: { minutes: 2 },
        ...http_,
      },
    },
  });
  return HttpVersionProvider.fromConfig(config, { now })!;
}

async function observeUrl(
  url: string,
  p = provider(),
  annotation: 'version-url' | 'url' = 'version-url',
) {
  const [observation] = await p.observe({
    entity: entity({ [`env-parity/staging.${annotation}`]: url }),
    environments: [staging],
  });
  return observation;
}

describe('HttpVersionProvider', () => {
  it('is named http, ranks above annotations, and supports url and version-url', () => {
    const p = provider();
    expect(p.getProviderName()).toBe('http');
    expect(p.precedence).toBe(80);
    expect(p.supports(entity({ 'env-parity/staging.url': base }))).toBe(true);
    expect(p.supports(entity({ 'env-parity/staging.version-url': base }))).toBe(
      true,
    );
    expect(p.supports(entity({ 'env-parity/staging.version': '1' }))).toBe(
      false,
    );
    expect(p.supports(entity({}))).toBe(false);
  });

  it('is not created without envParity.http', () => {
    expect(
      HttpVersionProvider.fromConfig(new ConfigReader({})),
    ).toBeUndefined();
  });

  it.each([
    ['{version, commit}', '/flat/version', { version: '1.4.2', revision: SHA }],
    [
      '{version, revision}',
      '/revision/version',
      { version: '1.4.2', revision: SHA.slice(0, 7) },
    ],
    [
      'Spring Boot actuator info, simple git mode',
      '/spring/actuator/info',
      {
        version: '2.14.3',
        revision: SHA.slice(0, 7),
        deployedAt: '2026-11-09T09:12:44.000Z',
      },
    ],
    [
      'Spring Boot actuator info, full git mode',
      '/spring-full/actuator/info',
      {
        version: '2.14.3',
        revision: SHA,
        deployedAt: '2026-11-09T09:12:44.000Z',
      },
    ],
    ['{app: {version}}', '/app/version', { version: '0.9.0' }],
    [
      '{version, revision, image, digest, deployedAt: epoch seconds}',
      '/image/version',
      {
        version: '3.2.0',
        revision: SHA,
        artifact: `ghcr.io/acme/search:3.2.0@${DIGEST}`,
        deployedAt: '2025-11-24T08:00:00.000Z',
      },
    ],
    [
      'flat property keys',
      '/flat-keys/version',
      { version: '5.0.0', revision: SHA },
    ],
  ])('reads %s', async (_shape, path, expected) => {
    const observation = await observeUrl(`${base}${path}`);
    expect(observation).toEqual({
      environment: 'staging',
      deployment: {
        ...expected,
        links: [{ title: 'Version endpoint', url: `${base}${path}` }],
      },
    });
  });

  it('waits for the connection as long as for the answer: a process busy for seconds is no timeout', async () => {
    const pending = observeUrl(
      `${base}/custom/version`,
      provider({
        timeout: { minutes: 1 },
        fieldPaths: { version: 'release.name' },
      }),
    );
    // the request is on its way; then this process is busy for longer than
    // the guard's default connection deadline (5 s), as a loaded machine
    // or a long synchronous task can make it
    await new Promise(resolve => setImmediate(resolve));
    const busyUntil = Date.now() + 5_500;
    while (Date.now() < busyUntil) {
      // busy
    }
    expect((await pending).deployment).toMatchObject({ version: 'r-77' });
  });

  it('reads configured field paths', async () => {
    const observation = await observeUrl(
      `${base}/custom/version`,
      provider({
        fieldPaths: { version: 'release.name', revision: 'scm.sha' },
      }),
    );
    expect(observation.deployment).toMatchObject({
      version: 'r-77',
      revision: SHA,
    });
  });

  it('appends the default path to env-parity/<env>.url', async () => {
    expect(
      (await observeUrl(`${base}/flat`, provider(), 'url')).deployment?.version,
    ).toBe('1.4.2');
    expect(
      (
        await observeUrl(
          `${base}/spring`,
          provider({ defaultPath: '/actuator/info' }),
          'url',
        )
      ).deployment?.version,
    ).toBe('2.14.3');
  });

  it('prefers version-url over url, and observes each environment', async () => {
    const observations = await provider().observe({
      entity: entity({
        'env-parity/staging.url': `${base}/404`,
        'env-parity/staging.version-url': `${base}/flat/version`,
        'env-parity/production.url': `${base}/app`,
        'env-parity/preprod.url': `${base}/flat`,
      }),
      environments: [staging, production],
    });
    expect(
      observations.map(o => [o.environment, o.deployment?.version]),
    ).toEqual([
      ['staging', '1.4.2'],
      ['production', '0.9.0'],
    ]);
  });

  it('follows a same-host redirect', async () => {
    const observation = await observeUrl(`${base}/moved/version`);
    expect(observation.deployment?.version).toBe('1.4.2');
  });

  it.each([
    [
      '404',
      '/404/version',
      `GET ${'BASE'}/404/version answered 404 Not Found: no version endpoint there; set env-parity/staging.version-url, or envParity.http.defaultPath (now /version)`,
    ],
    [
      '500',
      '/500/version',
      `GET BASE/500/version answered 500 Internal Server Error`,
    ],
    [
      '503 without Retry-After',
      '/503/version',
      `GET BASE/503/version answered 503 Service Unavailable`,
    ],
    [
      'a body past the size cap',
      '/big/version',
      'the response to GET BASE/big/version is larger than 100000 bytes (envParity.http.maxBodyBytes)',
    ],
    [
      'a body that is not JSON',
      '/html/version',
      'the response to GET BASE/html/version is not JSON (Content-Type text/html)',
    ],
    [
      'JSON without a version',
      '/no-version/version',
      'GET BASE/no-version/version: the response has no version: looked for version, build.version, app.version; set envParity.http.fieldPaths.version for another field',
    ],
    [
      'JSON that is not an object',
      '/array/version',
      'GET BASE/array/version: the response is JSON but not an object (an array)',
    ],
    [
      'a revision that is no SHA',
      '/bad-revision/version',
      'GET BASE/bad-revision/version: field commit is "main", not a git commit SHA (7 to 40 hexadecimal characters)',
    ],
    [
      'a malformed artifact',
      '/bad-artifact/version',
      'GET BASE/bad-artifact/version: field image: "sha256:xyz" is not a valid digest: expected sha256: followed by 64 lowercase hex characters',
    ],
    [
      'a malformed time',
      '/bad-time/version',
      'GET BASE/bad-time/version: field buildTime is "yesterday", not an ISO 8601 timestamp with a time zone or epoch seconds',
    ],
    [
      'a redirect to another host',
      '/redirect/version',
      'GET BASE/redirect/version answered 302, redirecting to http://evil.example.com/version, which is not followed (redirects to another host or scheme are never followed); set env-parity/staging.version-url to the final URL',
    ],
  ])(
    'contains %s as an error of the environment',
    async (_name, path, message) => {
      const observation = await observeUrl(
        `${base}${path}`,
        provider({ maxBodyBytes: 100_000 }),
      );
      expect(observation).toEqual({
        environment: 'staging',
        error: message.replace('BASE', base),
      });
    },
  );

  it('does not quote a body that is not JSON', async () => {
    const observation = await observeUrl(`${base}/html/version`);
    expect(observation.error).not.toContain('Secret');
  });

  it('times out on an endpoint that never answers', async () => {
    const observation = await observeUrl(
      `${base}/slow/version`,
      provider({ timeout: { milliseconds: 500 } }),
    );
    expect(observation.error).toBe(
      `GET ${base}/slow/version timed out after 500 ms (envParity.http.timeout)`,
    );
  });

  it('honours Retry-After of a 429 and does not ask again before then', async () => {
    let now = Date.parse('2026-11-20T10:00:00Z');
    const p = provider({}, () => now);
    const url = `${base}/429/version`;
    const before = hits['/429/version'] ?? 0;
    expect((await observeUrl(url, p)).error).toBe(
      `GET ${url} answered 429 Too Many Requests; retry after 120 s`,
    );
    now += 60_000;
    expect((await observeUrl(url, p)).error).toBe(
      `${base} asked (Retry-After) not to be called before 2026-11-20T10:02:00.000Z; not asked again until then`,
    );
    expect(hits['/429/version']).toBe(before + 1);
    now += 61_000;
    await observeUrl(url, p);
    expect(hits['/429/version']).toBe(before + 2);
  });

  it('names the config key when a host is not allowed, without requesting it', async () => {
    const observation = await observeUrl('http://evil.example.com/version');
    expect(observation.error).toBe(
      'env-parity/staging.version-url (http://evil.example.com/version): host evil.example.com is not in envParity.http.allowedHosts',
    );
  });

  it('refuses loopback without allowPrivateNetworks', async () => {
    const observation = await observeUrl(
      `${base}/flat/version`,
      provider({ allowPrivateNetworks: false }),
    );
    expect(observation.error).toBe(
      `env-parity/staging.version-url (${base}/flat/version): 127.0.0.1 is a loopback address; requests to non-public addresses are refused unless envParity.http.allowPrivateNetworks is true or envParity.http.allowedNetworks covers it`,
    );
  });

  it('refuses credentials in an annotation URL', async () => {
    const observation = await observeUrl(
      `http://user:pw@127.0.0.1:${port}/flat/version`,
    );
    expect(observation.error).toContain(
      'URLs with credentials (user:password@) are not allowed; configure headers for 127.0.0.1 in envParity.http.hosts instead',
    );
  });

  it('sends configured headers to their host only', async () => {
    received.length = 0;
    const p = provider({
      hosts: [
        {
          host: `127.0.0.1:${port}`,
          headers: { Authorization: 'Bearer from-config' },
        },
        { host: 'other.example.com', headers: { 'X-Api-Key': 'not-for-you' } },
      ],
    });
    await observeUrl(`${base}/headers/version`, p);
    expect(received[0].authorization).toBe('Bearer from-config');
    expect(received[0]['x-api-key']).toBeUndefined();
    expect(received[0].accept).toBe('application/json');
    expect(received[0].cookie).toBeUndefined();
  });

  it('refuses a default path that could leave the base URL', () => {
    expect(() => provider({ defaultPath: '/../admin' })).toThrow(
      'Invalid envParity.http configuration; caused by InputError: Path "/../admin" contains ".."',
    );
  });

  it('explains an invalid allowed host at startup', () => {
    expect(() => provider({ allowedHosts: ['*'] })).toThrow(
      'Invalid envParity.http configuration; caused by InputError: Allowed host "*" would allow every host',
    );
  });

  it('reports an aborted collection per environment', async () => {
    const controller = new AbortController();
    const pending = provider().observe({
      entity: entity({
        'env-parity/staging.version-url': `${base}/slow/version`,
      }),
      environments: [staging],
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 20);
    expect(await pending).toEqual([
      { environment: 'staging', error: `GET ${base}/slow/version was aborted` },
    ]);
  });
});
