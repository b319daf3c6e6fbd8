import { createHash } from 'node:crypto';
import {
  createServer,
  IncomingMessage,
  Server,
  ServerResponse,
} from 'node:http';
import { AddressInfo } from 'node:net';

/** Starts a server on a free loopback port; `handler` answers every request. */
export async function listenOnLoopback(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** Closes a server, dropping its kept-alive connections first. */
export async function closeServer(server: Server | undefined): Promise<void> {
  if (server) {
    server.closeAllConnections();
    await new Promise(resolve => server.close(resolve));
  }
}

/** A weak ETag of a body: `W/"<sha256 hex>"`, cut to `length` hex digits if given. */
export function weakEtag(text: string, length?: number): string {
  const hex = createHash('sha256').update(text).digest('hex');
  return `W/"${length === undefined ? hex : hex.slice(0, length)}"`;
}

/**
 * Answers 304 Not Modified with `headers` when the request's `If-None-Match`
 * is `etag`, and returns whether it did.
 */
export function answeredNotModified(
  req: IncomingMessage,
  res: ServerResponse,
  etag: string,
  headers: Record<string, string>,
): boolean {
  if (req.headers['if-none-match'] !== etag) {
    return false;
  }
  res.writeHead(304, headers);
  res.end();
  return true;
}

/**
 * Calls `then` with a request's body once it has all arrived: parsed JSON,
 * the text when it is not JSON, or undefined when it is empty.
 */
export function onRequestBody(
  req: IncomingMessage,
  then: (body: unknown) => void,
): void {
  const chunks: Buffer[] = [];
  req.on('data', chunk => chunks.push(chunk));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    then(body);
  });
}
