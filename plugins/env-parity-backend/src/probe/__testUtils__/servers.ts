import http, { IncomingHttpHeaders } from 'node:http';
import { AddressInfo } from 'node:net';

/** What a loopback test server received. */
export interface Hit {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** A real HTTP server on loopback that records every request it gets. */
export interface TestServer {
  url: string;
  port: number;
  host: string;
  hits: Hit[];
}

const servers: http.Server[] = [];

export async function serve(
  handler: http.RequestListener,
  host = '127.0.0.1',
  port = 0,
): Promise<TestServer> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    hits.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
    });
    handler(req, res);
  });
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return { url: `http://${host}:${actual}`, port: actual, host, hits };
}

/** Closes every server started with {@link serve}; call in afterEach. */
export async function closeServers() {
  await Promise.all(
    servers.splice(0).map(
      server =>
        new Promise(resolve => {
          server.closeAllConnections();
          server.close(resolve);
        }),
    ),
  );
}

/** A handler answering JSON. */
export function json(
  body: unknown,
  status = 200,
  headers: Record<string, string | string[]> = {},
): http.RequestListener {
  return (_req, res) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };
}
