import { createHash, timingSafeEqual } from 'node:crypto';
import {
  RequestDetails,
  RequestValidationContext,
  RequestValidator,
} from '@backstage/plugin-events-node';

/** The events topic (and `/api/events/http/argocd` path) of the webhook. */
export const ARGOCD_WEBHOOK_TOPIC = 'argocd';
/** The header carrying the shared secret. */
export const ARGOCD_WEBHOOK_SECRET_HEADER = 'x-env-parity-webhook-secret';

const APP_NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Equal secrets, compared in constant time (of their digests). */
function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Why an Argo CD Notifications webhook body is malformed, or undefined when
 * it is `{ "app": "<application name>", "instance"?: "<instance name>",
 * "revision"?: "<synced revision>" }`.
 */
export function malformedNotification(body: unknown): string | undefined {
  if (!isObject(body)) {
    return 'the body must be a JSON object';
  }
  if (typeof body.app !== 'string' || !APP_NAME.test(body.app)) {
    return '"app" must be an Argo CD application name';
  }
  for (const key of ['instance', 'revision'] as const) {
    const value = body[key];
    if (
      value !== undefined &&
      (typeof value !== 'string' || value.length > 256)
    ) {
      return `"${key}" must be a string of at most 256 characters`;
    }
  }
  return undefined;
}

/**
 * The webhook's validator: the shared secret in the
 * `X-Env-Parity-Webhook-Secret` header (401 when missing or wrong, compared
 * in constant time), then the body's shape (400 when malformed). Nothing is
 * published for a rejected request.
 */
export function createArgocdWebhookValidator(secret: string): RequestValidator {
  return async (request: RequestDetails, context: RequestValidationContext) => {
    const given = request.headers[ARGOCD_WEBHOOK_SECRET_HEADER];
    if (typeof given !== 'string' || !sameSecret(given, secret)) {
      context.reject({
        status: 401,
        payload: { message: 'missing or invalid webhook secret' },
      });
      return;
    }
    const malformed = malformedNotification(request.body);
    if (malformed) {
      context.reject({ status: 400, payload: { message: malformed } });
    }
  };
}
