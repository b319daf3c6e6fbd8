import { HttpResponse } from 'msw';
import { EnvParityClient } from '../api';

/* The client against msw's loopback answers, and what it sent. */

/** Where the tests' backend answers. */
export const CLIENT_BASE = 'http://backstage.test:7007/api/env-parity';

/** A request the client sent. */
export type SeenRequest = {
  method: string;
  url: URL;
  body: unknown;
  auth: string | null;
  contentType: string | null;
};

/** A client at {@link CLIENT_BASE}, whose fetch adds the user's token. */
export function createTestClient() {
  return new EnvParityClient({
    discoveryApi: { getBaseUrl: async () => CLIENT_BASE },
    // like the app's fetchApi, which adds the user's token
    fetchApi: {
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('Authorization', 'Bearer user-token');
        return fetch(input, { ...init, headers });
      },
    },
  });
}

/** An msw resolver that keeps each request in `seen` and answers `answer`. */
export function recordInto(seen: SeenRequest[], answer: unknown, status = 200) {
  return async ({ request }: { request: Request }) => {
    const text = await request.text();
    seen.push({
      method: request.method,
      url: new URL(request.url),
      body: text ? JSON.parse(text) : undefined,
      auth: request.headers.get('authorization'),
      contentType: request.headers.get('content-type'),
    });
    return HttpResponse.json(answer as any, { status });
  };
}
