import { NotAllowedError } from '@backstage/errors';
import http from 'node:http';
import https from 'node:https';
import { AddressInfo } from 'node:net';
import { GuardedHttpClient } from './GuardedHttpClient';
import { GuardedHttpError } from './errors';

type Handler = http.RequestListener;

const servers: http.Server[] = [];

async function serve(handler: Handler, host = '127.0.0.1', port = 0) {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: actual } = server.address() as AddressInfo;
  return { server, port: actual, url: `http://${host}:${actual}` };
}

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      server =>
        new Promise(resolve => {
          server.closeAllConnections();
          server.close(resolve);
        }),
    ),
  );
});

const json =
  (body: unknown, status = 200): Handler =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the request to fail');
}

describe('GuardedHttpClient', () => {
  it('fetches from an allowed loopback host when private networks are allowed', async () => {
    const { url, port } = await serve(json({ version: '1.2.3' }));
    const client = GuardedHttpClient.create({
      allowedHosts: [`127.0.0.1:${port}`],
      allowPrivateNetworks: true,
    });
    const res = await client.request(`${url}/version`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString('utf8'))).toEqual({ version: '1.2.3' });
    expect(res.address).toBe('127.0.0.1');
    expect(res.url).toBe(`${url}/version`);
    expect(res.redirect).toBeUndefined();
    expect(res.timings.totalMs).toBeGreaterThanOrEqual(0);
  });

  it('sends PATCH and DELETE only with allowWriteMethods', async () => {
    const seen: string[] = [];
    const { url, port } = await serve((req, res) => {
      let body = '';
      req.on('data', chunk => (body += chunk));
      req.on('end', () => {
        seen.push(`${req.method} ${body}`);
        res.end('{}');
      });
    });
    const options = {
      allowedHosts: [`127.0.0.1:${port}`],
      allowPrivateNetworks: true,
    };
    const readOnly = GuardedHttpClient.create(options);
    for (const method of ['PATCH', 'DELETE'] as const) {
      const error = await failure(readOnly.request(`${url}/x`, { method }));
      expect(error.message).toBe(
        `Method ${method} is not allowed, only GET, HEAD and POST`,
      );
    }
    expect(seen).toEqual([]);
    const writer = GuardedHttpClient.create({
      ...options,
      allowWriteMethods: true,
    });
    await writer.request(`${url}/x`, { method: 'PATCH', body: '{"a":1}' });
    await writer.request(`${url}/x`, { method: 'DELETE' });
    expect(seen).toEqual(['PATCH {"a":1}', 'DELETE ']);
    const error = await failure(
      writer.request(`${url}/x`, { method: 'DELETE', body: '{}' }),
    );
    expect(error.message).toBe('A DELETE request cannot have a body');
  });

  it('refuses a real loopback server without allowPrivateNetworks', async () => {
    let hits = 0;
    const { url, port } = await serve((_req, res) => {
      hits++;
      res.end('{}');
    });
    const client = GuardedHttpClient.create({
      allowedHosts: [`127.0.0.1:${port}`],
      configKey: 'envParity.http',
    });
    const error = await failure(client.request(`${url}/version`));
    expect(error).toBeInstanceOf(NotAllowedError);
    expect(error.message).toBe(
      '127.0.0.1 is a loopback address; requests to non-public addresses are refused unless envParity.http.allowPrivateNetworks is true or envParity.http.allowedNetworks covers it',
    );
    expect(hits).toBe(0);
  });

  it('names the host and the allow-list key when a host is not allowed', async () => {
    const client = GuardedHttpClient.create({
      allowedHosts: ['api.example.com', '*.internal.example.com'],
      configKey: 'envParity.http',
    });
    await expect(client.request('https://evil.example.net/x')).rejects.toThrow(
      'host evil.example.net is not in envParity.http.allowedHosts',
    );
    await expect(
      client.request('https://api.example.com:8443/x'),
    ).rejects.toThrow(
      'host api.example.com:8443 is not in envParity.http.allowedHosts (api.example.com allows only the default port 443; add api.example.com:8443 to allow this one)',
    );
    await expect(
      GuardedHttpClient.create({
        allowedHosts: ['api.example.com:8443'],
      }).request('https://api.example.com/x'),
    ).rejects.toThrow(
      'host api.example.com is not in allowedHosts (api.example.com:8443 allows another port)',
    );
    await expect(
      client.request('https://internal.example.com/x'),
    ).rejects.toBeInstanceOf(NotAllowedError);
  });

  it('checks every resolved address, naming the one refused', async () => {
    const lookup = jest.fn(async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ]);
    const client = GuardedHttpClient.create({
      allowedHosts: ['api.example.com'],
      configKey: 'envParity.http',
      lookup,
    });
    await expect(
      client.request('https://api.example.com/version'),
    ).rejects.toThrow(
      'api.example.com resolves to 10.0.0.5, a private address (RFC 1918); requests to non-public addresses are refused unless envParity.http.allowPrivateNetworks is true or envParity.http.allowedNetworks covers it',
    );
    expect(lookup).toHaveBeenCalledWith('api.example.com');
  });

  it.each([
    ['169.254.169.254', 'a cloud metadata endpoint, which is never allowed'],
    [
      '::ffff:169.254.169.254',
      'a cloud metadata endpoint, which is never allowed',
    ],
    ['fd00:ec2::254', 'a cloud metadata endpoint, which is never allowed'],
    ['::ffff:10.1.2.3', 'a private address (RFC 1918)'],
    ['100.64.1.1', 'a carrier-grade NAT address'],
    ['fd12::1', 'a unique-local address'],
    ['fe80::1', 'a link-local address'],
    ['0.0.0.0', 'the unspecified address, which is never allowed'],
    ['224.0.0.251', 'a multicast address, which is never allowed'],
  ])('refuses a host resolving to %s', async (address, message) => {
    const client = GuardedHttpClient.create({
      allowedHosts: ['api.example.com'],
      lookup: async () => [{ address, family: address.includes(':') ? 6 : 4 }],
    });
    const error = await failure(client.request('https://api.example.com/'));
    expect(error).toBeInstanceOf(NotAllowedError);
    expect(error.message).toContain(message);
  });

  it('never reaches cloud metadata, even with private networks allowed', async () => {
    const client = GuardedHttpClient.create({
      allowedHosts: ['169.254.169.254', 'metadata.google.internal'],
      allowPrivateNetworks: true,
      lookup: async () => [{ address: '169.254.169.254', family: 4 }],
    });
    await expect(
      client.request('http://169.254.169.254/latest/meta-data/'),
    ).rejects.toThrow('169.254.169.254 is a cloud metadata endpoint');
    await expect(
      client.request('http://metadata.google.internal/computeMetadata/v1/'),
    ).rejects.toThrow(
      'metadata.google.internal resolves to 169.254.169.254, a cloud metadata endpoint, which is never allowed',
    );
  });

  describe('DNS rebinding', () => {
    // 127.0.0.1 plays the public address (allowed through allowedNetworks)
    // and 127.0.0.2 the internal one a rebinding name switches to.
    async function setUp() {
      const good = await serve((req, res) => {
        res.end(JSON.stringify({ server: 'checked', host: req.headers.host }));
      });
      const internalHits: string[] = [];
      // the internal service the name rebinds to (127.0.0.2 is loopback on
      // Linux; elsewhere it may not exist, which proves nothing less)
      await serve(
        (req, res) => {
          internalHits.push(req.url ?? '');
          res.end(JSON.stringify({ server: 'internal' }));
        },
        '127.0.0.2',
        good.port,
      ).catch(() => undefined);
      const answers = ['127.0.0.1', '127.0.0.2', '127.0.0.2', '127.0.0.2'];
      const lookup = jest.fn(async () => [
        { address: answers.shift() ?? '127.0.0.2', family: 4 },
      ]);
      const client = GuardedHttpClient.create({
        allowedHosts: [`rebind.test:${good.port}`],
        allowedNetworks: ['127.0.0.1/32'],
        configKey: 'envParity.http',
        lookup,
      });
      return { good, internalHits, lookup, client };
    }

    it('resolves once and connects to the address it checked, keeping the Host header', async () => {
      const { good, internalHits, lookup, client } = await setUp();
      const res = await client.request(
        `http://rebind.test:${good.port}/version`,
      );
      // rebind.test exists nowhere: only the checked answer can have been used
      expect(JSON.parse(res.body.toString('utf8'))).toEqual({
        server: 'checked',
        host: `rebind.test:${good.port}`,
      });
      expect(res.address).toBe('127.0.0.1');
      expect(lookup).toHaveBeenCalledTimes(1);
      expect(internalHits).toEqual([]);
    });

    it('refuses when the name later resolves to a private address', async () => {
      const { good, internalHits, lookup, client } = await setUp();
      await client.request(`http://rebind.test:${good.port}/version`);
      await expect(
        client.request(`http://rebind.test:${good.port}/version`),
      ).rejects.toThrow(
        'rebind.test resolves to 127.0.0.2, a loopback address; requests to non-public addresses are refused',
      );
      expect(lookup).toHaveBeenCalledTimes(2);
      expect(internalHits).toEqual([]);
    });
  });

  describe('connections', () => {
    async function counted(handler: Handler = json({ ok: true })) {
      const connections: string[] = [];
      const served = await serve(handler);
      served.server.on('connection', socket =>
        connections.push(socket.remoteAddress ?? ''),
      );
      return { ...served, connections };
    }

    it('reuses one connection for requests one after another', async () => {
      const { url, port, connections } = await counted();
      const client = GuardedHttpClient.create({
        allowedHosts: [`127.0.0.1:${port}`],
        allowPrivateNetworks: true,
      });
      for (let i = 0; i < 20; i++) {
        const res = await client.request(`${url}/version`);
        expect(res.status).toBe(200);
      }
      expect(connections).toHaveLength(1);
    });

    it('adds no listener to a reused connection per request', async () => {
      const { url, port, connections } = await counted();
      const client = GuardedHttpClient.create({
        allowedHosts: [`127.0.0.1:${port}`],
        allowPrivateNetworks: true,
      });
      // one after another (a connection reused), then more at once than
      // connections are opened (requests waiting for a connection get
      // one as it is freed)
      for (let i = 0; i < 30; i++) {
        await client.request(`${url}/version`);
      }
      for (let round = 0; round < 3; round++) {
        await Promise.all(
          Array.from({ length: 40 }, () => client.request(`${url}/version`)),
        );
      }
      // connections go back to their agent on the next tick
      await new Promise(resolve => setImmediate(resolve));
      expect(connections.length).toBeLessThanOrEqual(16);
      const agents: http.Agent[] = [...(client as any).agents.values()];
      const sockets = agents.flatMap(agent =>
        Object.values(agent.freeSockets).flatMap(list => list ?? []),
      );
      expect(sockets.length).toBeGreaterThan(0);
      expect(sockets.map(socket => socket.listenerCount('connect'))).toEqual(
        sockets.map(() => 0),
      );
    });

    it('sends a GET once more on a new connection when the server closed the kept-alive one unanswered', async () => {
      const served = new WeakMap<object, number>();
      const paths: string[] = [];
      const { url, port, connections } = await counted((req, res) => {
        const n = (served.get(req.socket) ?? 0) + 1;
        served.set(req.socket, n);
        if (n > 1) {
          // closes a kept-alive connection as the next request arrives
          req.socket.destroy();
          return;
        }
        paths.push(req.url ?? '');
        res.end('"ok"');
      });
      const client = GuardedHttpClient.create({
        allowedHosts: [`127.0.0.1:${port}`],
        allowPrivateNetworks: true,
      });
      const first = await client.request(`${url}/a`);
      const second = await client.request(`${url}/b`);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(second.body.toString()).toBe('"ok"');
      expect(paths).toEqual(['/a', '/b']);
      expect(connections).toHaveLength(2);
    });

    it('opens a connection of its own for a POST', async () => {
      const { url, port, connections } = await counted();
      const client = GuardedHttpClient.create({
        allowedHosts: [`127.0.0.1:${port}`],
        allowPrivateNetworks: true,
      });
      await client.request(`${url}/version`);
      await client.request(`${url}/hook`, { method: 'POST', body: '{}' });
      await client.request(`${url}/hook`, { method: 'POST', body: '{}' });
      expect(connections).toHaveLength(3);
    });

    it('never sends a request for a name that resolves elsewhere since on the connection to the old address', async () => {
      // the name first resolves to 127.0.0.1, then to 127.0.0.2 (loopback
      // on Linux), both allowed: the second request must connect to
      // 127.0.0.2, not reuse the open connection to 127.0.0.1
      const first = await counted((_req, res) => res.end('"first"'));
      const secondHits: string[] = [];
      const second = await serve(
        (req, res) => {
          secondHits.push(req.url ?? '');
          res.end('"second"');
        },
        '127.0.0.2',
        first.port,
      ).catch(() => undefined);
      if (!second) {
        // no 127.0.0.2 on this machine: the case cannot be set up
        return;
      }
      const answers = ['127.0.0.1', '127.0.0.2'];
      const client = GuardedHttpClient.create({
        allowedHosts: [`moving.test:${first.port}`],
        allowedNetworks: ['127.0.0.0/8'],
        lookup: async () => [
          { address: answers.shift() ?? '127.0.0.2', family: 4 },
        ],
      });
      const a = await client.request(`http://moving.test:${first.port}/a`);
      const b = await client.request(`http://moving.test:${first.port}/b`);
      expect([a.address, a.body.toString()]).toEqual(['127.0.0.1', '"first"']);
      expect([b.address, b.body.toString()]).toEqual(['127.0.0.2', '"second"']);
      expect(first.connections).toHaveLength(1);
      expect(secondHits).toEqual(['/b']);
    });
  });

  describe('redirects', () => {
    it('reports a redirect to another host instead of following it', async () => {
      const lookup = jest.fn(async () => [{ address: '127.0.0.1', family: 4 }]);
      const { url, port } = await serve((_req, res) => {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/' });
        res.end('moved');
      });
      const client = GuardedHttpClient.create({
        allowedHosts: [`127.0.0.1:${port}`],
        allowPrivateNetworks: true,
        maxRedirects: 5,
        lookup,
      });
      const res = await client.request(`${url}/version`);
      expect(res.status).toBe(302);
      expect(res.redirect).toEqual({
        location: 'http://169.254.169.254/latest/',
        sameOrigin: false,
      });
      expect(res.body.length).toBe(0);
      expect(lookup).not.toHaveBeenCalled();
    });

    it('follows same-origin redirects up to maxRedirects, then reports', async () => {
      const { url, port } = await serve((req, res) => {
        if (req.url === '/version') {
          res.writeHead(301, { location: '/v2/version' });
          res.end();
        } else if (req.url === '/v2/version') {
          res.end('{"version":"2"}');
        } else {
          res.writeHead(307, { location: req.url });
          res.end();
        }
      });
      const options = {
        allowedHosts: [`127.0.0.1:${port}`],
        allowPrivateNetworks: true,
      };
      const none = GuardedHttpClient.create(options);
      expect((await none.request(`${url}/version`)).redirect).toEqual({
        location: `${url}/v2/version`,
        sameOrigin: true,
      });

      const some = GuardedHttpClient.create({ ...options, maxRedirects: 2 });
      const followed = await some.request(`${url}/version`);
      expect(followed.status).toBe(200);
      expect(followed.url).toBe(`${url}/v2/version`);
      expect(followed.redirect).toBeUndefined();

      const loop = await some.request(`${url}/loop`);
      expect(loop.status).toBe(307);
      expect(loop.redirect?.sameOrigin).toBe(true);
    });
  });

  it('times out on a server that never answers', async () => {
    const { url, port } = await serve(() => {
      // accepts the connection, never answers
    });
    const client = GuardedHttpClient.create({
      allowedHosts: [`127.0.0.1:${port}`],
      allowPrivateNetworks: true,
      timeoutMs: 200,
      configKey: 'envParity.http',
    });
    const error = await failure(client.request(`${url}/version`));
    expect(error).toBeInstanceOf(GuardedHttpError);
    expect((error as GuardedHttpError).reason).toBe('timeout');
    expect(error.message).toBe(
      `GET ${url}/version timed out after 200 ms (envParity.http.timeout)`,
    );
  });

  it('aborts a response that streams past the size cap', async () => {
    let timer: NodeJS.Timeout | undefined;
    const { url, port } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, 'x');
      timer = setInterval(() => res.write(chunk), 1);
      res.on('close', () => clearInterval(timer));
    });
    const client = GuardedHttpClient.create({
      allowedHosts: [`127.0.0.1:${port}`],
      allowPrivateNetworks: true,
      maxBodyBytes: 100_000,
    });
    const error = await failure(client.request(`${url}/version`));
    clearInterval(timer);
    expect((error as GuardedHttpError).reason).toBe('body-too-large');
    expect(error.message).toBe(
      `the response to GET ${url}/version is larger than 100000 bytes (maxBodyBytes)`,
    );
  });

  it('refuses a declared Content-Length past the cap without reading', async () => {
    const { url, port } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': '5000000' });
      res.write('x');
    });
    const client = GuardedHttpClient.create({
      allowedHosts: [`127.0.0.1:${port}`],
      allowPrivateNetworks: true,
      maxBodyBytes: 1000,
    });
    await expect(client.request(`${url}/`)).rejects.toMatchObject({
      reason: 'body-too-large',
    });
  });

  it('stops when the caller aborts', async () => {
    const { url, port } = await serve(() => {});
    const client = GuardedHttpClient.create({
      allowedHosts: [`127.0.0.1:${port}`],
      allowPrivateNetworks: true,
    });
    const controller = new AbortController();
    const pending = client.request(`${url}/`, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toMatchObject({
      reason: 'aborted',
      message: `GET ${url}/ was aborted`,
    });
    controller.abort();
    await expect(
      client.request(`${url}/`, { signal: controller.signal }),
    ).rejects.toMatchObject({ reason: 'aborted' });
  });

  it('reports a refused connection as a network error', async () => {
    const { port, server } = await serve(() => {});
    await new Promise(resolve => server.close(resolve));
    const client = GuardedHttpClient.create({
      allowedHosts: [`127.0.0.1:${port}`],
      allowPrivateNetworks: true,
    });
    await expect(
      client.request(`http://127.0.0.1:${port}/`),
    ).rejects.toMatchObject({ reason: 'network' });
  });

  it('reports a name that does not resolve', async () => {
    const client = GuardedHttpClient.create({
      allowedHosts: ['nowhere.test'],
      lookup: async () => {
        throw Object.assign(new Error('getaddrinfo ENOTFOUND'), {
          code: 'ENOTFOUND',
        });
      },
    });
    await expect(client.request('http://nowhere.test/')).rejects.toMatchObject({
      reason: 'dns',
      message: 'could not resolve nowhere.test (ENOTFOUND)',
    });
  });

  it.each([
    ['not a url', 'is not a valid URL'],
    ['http://', 'is not a valid URL'],
    ['ftp://127.0.0.1/x', 'ftp:// URLs are not allowed, only http: and https:'],
    ['file:///etc/passwd', 'file:// URLs are not allowed'],
    [
      'http://user:secret@127.0.0.1/x',
      'URLs with credentials (user:password@) are not allowed',
    ],
    ['http://user@127.0.0.1/x', 'URLs with credentials'],
  ])('refuses the URL %j', async (url, message) => {
    const client = GuardedHttpClient.create({
      allowedHosts: ['127.0.0.1'],
      allowPrivateNetworks: true,
    });
    const error = await failure(client.request(url));
    expect(error.name).toBe('InputError');
    expect(error.message).toContain(message);
  });

  it('sends configured headers to their host only, and nothing else', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const { url, port } = await serve((req, res) => {
      seen.push(req.headers);
      res.end('{}');
    });
    const other = await serve((req, res) => {
      seen.push(req.headers);
      res.end('{}');
    });
    const client = GuardedHttpClient.create({
      allowedHosts: [`127.0.0.1:${port}`, `127.0.0.1:${other.port}`],
      allowPrivateNetworks: true,
      hostHeaders: [
        {
          host: `127.0.0.1:${port}`,
          headers: { Authorization: 'Bearer s3cret' },
        },
      ],
    });
    await client.request(`${url}/`, {
      headers: { Accept: 'application/json' },
    });
    await client.request(`${other.url}/`);
    expect(seen[0]).toMatchObject({
      authorization: 'Bearer s3cret',
      accept: 'application/json',
      host: `127.0.0.1:${port}`,
    });
    expect(seen[1].authorization).toBeUndefined();
    expect(seen.every(h => h.cookie === undefined)).toBe(true);
  });

  it('sends per-request credentials to the origin of the request only, across its same-origin redirects', async () => {
    const seen: Array<{ url?: string; authorization?: string }> = [];
    const elsewhere = await serve((req, res) => {
      seen.push({
        url: `elsewhere${req.url}`,
        authorization: req.headers.authorization,
      });
      res.end('{}');
    });
    const { url, port } = await serve((req, res) => {
      seen.push({ url: req.url, authorization: req.headers.authorization });
      if (req.url === '/a') {
        res.writeHead(302, { location: '/b' });
      } else if (req.url === '/b') {
        res.writeHead(302, { location: `${elsewhere.url}/c` });
      }
      res.end();
    });
    const client = GuardedHttpClient.create({
      allowedHosts: [`127.0.0.1:${port}`, `127.0.0.1:${elsewhere.port}`],
      allowPrivateNetworks: true,
      maxRedirects: 5,
    });
    const res = await client.request(`${url}/a`, {
      credentials: { Authorization: 'token ghs_rotating' },
    });
    expect(res.redirect).toEqual({
      location: `${elsewhere.url}/c`,
      sameOrigin: false,
    });
    expect(seen).toEqual([
      { url: '/a', authorization: 'token ghs_rotating' },
      { url: '/b', authorization: 'token ghs_rotating' },
    ]);
    await expect(
      client.request(`${url}/x`, {
        credentials: { Authorization: 'token a\r\nInjected: 1' },
      }),
    ).rejects.toThrow('without line breaks');
  });

  it.each([
    [{ Authorization: 'Bearer user-token' }, 'configure it per host'],
    [{ Cookie: 'session=1' }, 'never sent'],
    [{ Host: 'other.example.com' }, 'never sent'],
    [{ 'X-Bad': 'a\r\nInjected: 1' }, 'without line breaks'],
    [{ 'Bad Name': 'x' }, 'not a valid header name'],
  ])('refuses the request headers %j', async (headers, message) => {
    const client = GuardedHttpClient.create({ allowedHosts: ['127.0.0.1'] });
    await expect(
      client.request('http://127.0.0.1/', { headers }),
    ).rejects.toThrow(message);
  });

  it('validates its options up front', () => {
    expect(() => GuardedHttpClient.create({ allowedHosts: ['*'] })).toThrow(
      'would allow every host',
    );
    expect(() =>
      GuardedHttpClient.create({
        allowedHosts: [],
        hostHeaders: [{ host: 'api.example.com', headers: { Cookie: 'a' } }],
      }),
    ).toThrow('never sent');
    expect(() =>
      GuardedHttpClient.create({ allowedHosts: [], timeoutMs: -1 }),
    ).toThrow('timeoutMs must be a positive number');
    expect(() =>
      GuardedHttpClient.create({ allowedHosts: undefined as any }),
    ).toThrow('allowedHosts must be a list');
  });

  it('sends HEAD without reading a body, and refuses other methods', async () => {
    const { url, port } = await serve((req, res) => {
      res.writeHead(204, { 'x-method': req.method });
      res.end();
    });
    const client = GuardedHttpClient.create({
      allowedHosts: [`127.0.0.1:${port}`],
      allowPrivateNetworks: true,
    });
    const res = await client.request(`${url}/`, { method: 'HEAD' });
    expect(res.headers['x-method']).toBe('HEAD');
    await expect(
      client.request(`${url}/`, { method: 'PUT' as any }),
    ).rejects.toThrow('Method PUT is not allowed');
    await expect(
      client.request(`${url}/`, { method: 'GET', body: 'x' }),
    ).rejects.toThrow('A GET request cannot have a body');
  });

  it('sends a POST with its body, and never follows a redirect answering it', async () => {
    const received: Array<{ method?: string; type?: string; body: string }> =
      [];
    const { url, port } = await serve((req, res) => {
      let body = '';
      req.on('data', chunk => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({
          method: req.method,
          type: req.headers['content-type'],
          body,
        });
        if (req.url === '/moved') {
          res.writeHead(307, { location: '/' });
          res.end();
          return;
        }
        res.writeHead(202, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    const client = GuardedHttpClient.create({
      allowedHosts: [`127.0.0.1:${port}`],
      allowPrivateNetworks: true,
      maxRedirects: 3,
    });
    const res = await client.request(`${url}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"é":1}',
    });
    expect(res.status).toBe(202);
    expect(res.body.toString()).toBe('{"ok":true}');
    const moved = await client.request(`${url}/moved`, {
      method: 'POST',
      body: 'again',
    });
    expect(moved.status).toBe(307);
    expect(moved.redirect).toMatchObject({ sameOrigin: true });
    expect(received).toEqual([
      { method: 'POST', type: 'application/json', body: '{"é":1}' },
      { method: 'POST', type: undefined, body: 'again' },
    ]);
  });
});

// A self-signed certificate for 127.0.0.1, made for this test only
// (openssl req -x509 -newkey ec, valid 100 years); its key protects nothing.
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBjzCCATagAwIBAgIUQPMFffDTcIawdg0C43IjyQHwKg4wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyODAwNDczMVoYDzIxMjYxMTA0
MDA0NzMxWjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAQK9CBT89+SVHVlpj6mEEO9ewzzVG7vCDeIy6OtVUUT+eQct0rMo1fA
HcVBODgtGbX0D2ngoiiLpJ5vCsFMtiF2o2QwYjAdBgNVHQ4EFgQUNLJCCCE1qae4
KAdULdj62zNxUJQwHwYDVR0jBBgwFoAUNLJCCCE1qae4KAdULdj62zNxUJQwDwYD
VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0cAMEQC
IDidOT9JY7UBDbos5caYCQe1qCoHSxYpjt8Uz8YgE3UJAiA7euo7b2HaLlcvjnUK
yRe0auuuQB6wamqAsgSPuuuezw==
-----END CERTIFICATE-----
`;
const TEST_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg91CC/n3wHpJqBc/z
oJcXGZWGmBhtT9yy7KD+mltzNVOhRANCAAQK9CBT89+SVHVlpj6mEEO9ewzzVG7v
CDeIy6OtVUUT+eQct0rMo1fAHcVBODgtGbX0D2ngoiiLpJ5vCsFMtiF2
-----END PRIVATE KEY-----
`;

describe('GuardedHttpClient over https', () => {
  let server: https.Server;
  let port: number;
  beforeAll(async () => {
    server = https.createServer(
      { cert: TEST_CERT, key: TEST_KEY },
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      },
    );
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  });

  const base = () => ({
    allowedHosts: [`127.0.0.1:${port}`],
    allowPrivateNetworks: true,
  });

  it('refuses a certificate no trusted CA signed', async () => {
    const error = await failure(
      GuardedHttpClient.create(base()).request(`https://127.0.0.1:${port}/`),
    );
    expect(error.message).toMatch(/self[- ]signed|certificate/i);
  });

  it('trusts the configured CA', async () => {
    const res = await GuardedHttpClient.create({
      ...base(),
      ca: TEST_CERT,
    }).request(`https://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);
  });

  it('skips verification only when told to', async () => {
    const res = await GuardedHttpClient.create({
      ...base(),
      rejectUnauthorized: false,
    }).request(`https://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);
  });
});
