import { LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { AccessRequest } from '@env-parity/plugin-env-parity-common';
import {
  AccessGrantResult,
  AccessProvisioner,
  AccessProvisionerContext,
} from '@env-parity/plugin-env-parity-node';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readWebhookConfig } from '../../http';

export const SIGNATURE_HEADER = 'x-env-parity-signature';
export const TIMESTAMP_HEADER = 'x-env-parity-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>`. */
export function signWebhook(secret: string, timestamp: string, body: string) {
  return `sha256=${createHmac('sha256', secret)
    .update(`${timestamp}.${body}`)
    .digest('hex')}`;
}

/**
 * What a receiver does: recompute the signature over the raw body, compare
 * in constant time, and refuse timestamps older than the tolerance (replays).
 */
export function verifyWebhookSignature(options: {
  secret: string;
  timestamp: string | undefined;
  body: string;
  signature: string | undefined;
  toleranceSeconds?: number;
  now?: Date;
}): boolean {
  const { secret, timestamp, body, signature } = options;
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) {
    return false;
  }
  const now = (options.now ?? new Date()).getTime() / 1000;
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) {
    return false;
  }
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const actual = Buffer.from(signature);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export interface WebhookProvisionerOptions {
  url: string;
  secret: string;
  /** Per call. Default 10 s. */
  timeoutMs?: number;
  /** Calls per grant or revoke before giving up to the sweep's slower retries. Default 4. */
  attempts?: number;
  /** First backoff, doubled after each failed call. Default 500 ms. */
  backoffMs?: number;
  logger?: LoggerService;
  /** For tests. */
  sleep?: (ms: number) => Promise<void>;
}

class WebhookCallError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
    this.name = 'WebhookCallError';
  }
}

const sleepFor = (ms: number) =>
  new Promise<void>(resolve => setTimeout(resolve, ms));

/**
 * Calls a configured URL to grant and to revoke, signed with HMAC-SHA256
 * over `<timestamp>.<body>`, with one idempotency key per transition
 * (`<request id>:grant`, `<request id>:revoke`) kept across retries.
 *
 * Network errors, timeouts, 408, 429 and 5xx are retried with exponential
 * backoff; other answers fail at once. A 2xx answer to a grant may carry
 * JSON `{ "instructions": string, "metadata": { string: string } }`.
 */
export class WebhookProvisioner implements AccessProvisioner {
  readonly name = 'webhook';

  static fromConfig(
    config: Config,
    options?: { logger?: LoggerService },
  ): WebhookProvisioner {
    return new WebhookProvisioner({
      ...readWebhookConfig(config),
      logger: options?.logger,
    });
  }

  constructor(private readonly options: WebhookProvisionerOptions) {
    if (!URL.canParse(options.url)) {
      throw new Error(`The access webhook URL "${options.url}" is not a URL`);
    }
    if (!options.secret) {
      throw new Error('The access webhook needs a secret');
    }
  }

  async grant(
    request: AccessRequest,
    context: AccessProvisionerContext,
  ): Promise<AccessGrantResult | void> {
    const answer = await this.call('grant', request, context);
    if (answer && typeof answer === 'object') {
      const { instructions, metadata } = answer as Record<string, unknown>;
      const result: AccessGrantResult = {};
      if (typeof instructions === 'string') {
        result.instructions = instructions;
      }
      if (metadata && typeof metadata === 'object') {
        result.metadata = Object.fromEntries(
          Object.entries(metadata).map(([k, v]) => [k, String(v)]),
        );
      }
      return result;
    }
    return undefined;
  }

  async revoke(
    request: AccessRequest,
    context: AccessProvisionerContext,
  ): Promise<void> {
    await this.call('revoke', request, context);
  }

  private async call(
    action: 'grant' | 'revoke',
    request: AccessRequest,
    context: AccessProvisionerContext,
  ): Promise<unknown> {
    const attempts = Math.max(1, this.options.attempts ?? 4);
    const sleep = this.options.sleep ?? sleepFor;
    const email = (context.user?.spec?.profile as { email?: string })?.email;
    // The same body and key on every retry; only the timestamp and its
    // signature are fresh, so receivers can refuse stale replays.
    const body = JSON.stringify({
      action,
      request,
      user: { entityRef: request.requester, ...(email && { email }) },
      grantMetadata: context.grantMetadata ?? {},
    });
    const idempotencyKey = `${request.id}:${action}`;
    let delay = this.options.backoffMs ?? 500;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.post(body, idempotencyKey);
      } catch (error) {
        const retryable =
          !(error instanceof WebhookCallError) || error.retryable;
        if (!retryable || attempt >= attempts) {
          throw new Error(
            `Access webhook ${action} failed after ${attempt} call${
              attempt > 1 ? 's' : ''
            }: ${(error as Error).message}`,
          );
        }
        this.options.logger?.warn(
          `Access webhook ${action} of ${
            request.id
          } failed (call ${attempt} of ${attempts}), retrying in ${delay} ms: ${
            (error as Error).message
          }`,
        );
        await sleep(delay);
        delay *= 2;
      }
    }
  }

  private async post(body: string, idempotencyKey: string): Promise<unknown> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: signWebhook(this.options.secret, timestamp, body),
          [IDEMPOTENCY_HEADER]: idempotencyKey,
        },
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (error) {
      throw new WebhookCallError(String((error as Error).message), true);
    }
    const text = await response.text();
    if (!response.ok) {
      const retryable =
        response.status >= 500 ||
        response.status === 408 ||
        response.status === 429;
      throw new WebhookCallError(
        `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`,
        retryable,
      );
    }
    if (!text) {
      return undefined;
    }
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }
}
