import { AccessRequest } from '@env-parity/plugin-env-parity-common';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
  WebhookProvisioner,
} from './WebhookProvisioner';

const SECRET = 'webhook-secret-for-tests';

const request = {
  id: '11111111-2222-4333-8444-555555555555',
  entityRef: 'component:default/payments',
  environment: 'production',
  requester: 'user:default/alice',
  reason: 'Is checkout broken in production too?',
  durationMinutes: 30,
  status: 'approved',
  activatedAt: '2026-11-28T09:00:00.000Z',
  expiresAt: '2026-11-28T09:30:00.000Z',
} as AccessRequest;

interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  valid: boolean;
}

/** A receiver that verifies every call like a real one would, answering from a script. */
async function receiver(answers: Array<{ status: number; body?: unknown }>) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const valid = verifyWebhookSignature({
        secret: SECRET,
        timestamp: req.headers[TIMESTAMP_HEADER] as string,
        signature: req.headers[SIGNATURE_HEADER] as string,
        body,
      });
      received.push({ headers: req.headers, body, valid });
      const answer = valid
        ? answers.shift() ?? { status: 200 }
        : { status: 401, body: { error: 'bad signature' } };
      res.writeHead(answer.status, { 'content-type': 'application/json' });
      res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/access`,
    received,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

function provisioner(url: string, secret = SECRET) {
  const sleeps: number[] = [];
  return {
    sleeps,
    webhook: new WebhookProvisioner({
      url,
      secret,
      attempts: 3,
      backoffMs: 5,
      sleep: async ms => {
        sleeps.push(ms);
      },
    }),
  };
}

const context = {
  now: new Date(),
  user: {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'alice' },
    spec: { profile: { email: 'alice@example.com' } },
  },
};

describe('WebhookProvisioner', () => {
  it('signs HMAC-SHA256 over timestamp and body, which a receiver verifies', async () => {
    const server = await receiver([
      {
        status: 200,
        body: {
          instructions: 'Use the read-only role prod-ro',
          metadata: { role: 'prod-ro', ttl: 1800 },
        },
      },
    ]);
    try {
      const { webhook } = provisioner(server.url);
      await expect(webhook.grant(request, context)).resolves.toEqual({
        instructions: 'Use the read-only role prod-ro',
        metadata: { role: 'prod-ro', ttl: '1800' },
      });
      const [call] = server.received;
      expect(call.valid).toBe(true);
      expect(call.headers[IDEMPOTENCY_HEADER]).toBe(`${request.id}:grant`);
      expect(call.headers[SIGNATURE_HEADER]).toBe(
        signWebhook(
          SECRET,
          call.headers[TIMESTAMP_HEADER] as string,
          call.body,
        ),
      );
      expect(
        Math.abs(Number(call.headers[TIMESTAMP_HEADER]) - Date.now() / 1000),
      ).toBeLessThan(60);
      expect(JSON.parse(call.body)).toEqual({
        action: 'grant',
        request,
        user: { entityRef: 'user:default/alice', email: 'alice@example.com' },
        grantMetadata: {},
      });

      // A tampered body, another secret, or an old timestamp do not verify.
      const timestamp = call.headers[TIMESTAMP_HEADER] as string;
      const signature = call.headers[SIGNATURE_HEADER] as string;
      expect(
        verifyWebhookSignature({
          secret: SECRET,
          timestamp,
          signature,
          body: call.body.replace('alice', 'mallory'),
        }),
      ).toBe(false);
      expect(
        verifyWebhookSignature({
          secret: 'other',
          timestamp,
          signature,
          body: call.body,
        }),
      ).toBe(false);
      expect(
        verifyWebhookSignature({
          secret: SECRET,
          timestamp,
          signature,
          body: call.body,
          now: new Date(Date.now() + 10 * 60_000),
        }),
      ).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('is refused by a receiver with another secret, without retrying', async () => {
    const server = await receiver([]);
    try {
      const { webhook } = provisioner(server.url, 'wrong-secret');
      await expect(webhook.grant(request, context)).rejects.toThrow(
        'Access webhook grant failed after 1 call: HTTP 401',
      );
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('retries 5xx with backoff, keeping the idempotency key and body', async () => {
    const server = await receiver([
      { status: 500, body: { error: 'boom' } },
      { status: 503 },
      { status: 204 },
    ]);
    try {
      const { webhook, sleeps } = provisioner(server.url);
      await expect(webhook.revoke(request, context)).resolves.toBeUndefined();
      expect(server.received).toHaveLength(3);
      expect(server.received.every(r => r.valid)).toBe(true);
      expect(
        new Set(server.received.map(r => r.headers[IDEMPOTENCY_HEADER])),
      ).toEqual(new Set([`${request.id}:revoke`]));
      expect(new Set(server.received.map(r => r.body)).size).toBe(1);
      expect(JSON.parse(server.received[0].body).action).toBe('revoke');
      expect(sleeps).toEqual([5, 10]);
    } finally {
      await server.close();
    }
  });

  it('gives up after the configured calls, leaving the rest to the sweep', async () => {
    const server = await receiver([
      { status: 502 },
      { status: 502 },
      { status: 502 },
      { status: 200 },
    ]);
    try {
      const { webhook, sleeps } = provisioner(server.url);
      await expect(webhook.grant(request, context)).rejects.toThrow(
        'Access webhook grant failed after 3 calls: HTTP 502',
      );
      expect(server.received).toHaveLength(3);
      expect(sleeps).toEqual([5, 10]);
    } finally {
      await server.close();
    }
  });

  it('does not retry a 4xx answer other than 408 and 429', async () => {
    const server = await receiver([
      { status: 429 },
      { status: 422, body: { error: 'unknown user' } },
    ]);
    try {
      const { webhook } = provisioner(server.url);
      await expect(webhook.grant(request, context)).rejects.toThrow(
        'Access webhook grant failed after 2 calls: HTTP 422: {"error":"unknown user"}',
      );
      expect(server.received).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  it('retries when the receiver is unreachable', async () => {
    const server = await receiver([]);
    await server.close();
    const { webhook, sleeps } = provisioner(server.url);
    await expect(webhook.revoke(request, context)).rejects.toThrow(
      'failed after 3 calls',
    );
    expect(sleeps).toEqual([5, 10]);
  });
});
