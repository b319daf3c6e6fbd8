import http from 'node:http';
import { AddressInfo } from 'node:net';

/** One call the webhook receiver got. */
export interface ReceivedCall {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What the receiver answers: a status and body, or `hang` (never answers). */
export type Answer = { status: number; body?: string } | 'hang';

/**
 * A loopback HTTP server standing in for a delivery system's webhook: it
 * records every call and answers from a queue (then with `fallback`).
 */
export async function startReceiver(fallback: Answer = { status: 202 }) {
  const calls: ReceivedCall[] = [];
  const answers: Answer[] = [];
  const hanging: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', chunk => {
      body += chunk;
    });
    req.on('end', () => {
      calls.push({ headers: req.headers, body });
      const answer = answers.shift() ?? fallback;
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/deploy`,
    calls,
    /** Queues answers for the next calls. */
    answer(...next: Answer[]) {
      answers.push(...next);
    },
    async close() {
      hanging.forEach(res => res.destroy());
      server.closeAllConnections();
      await new Promise<void>(resolve => server.close(() => resolve()));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
