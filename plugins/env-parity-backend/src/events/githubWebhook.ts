import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { Config } from '@backstage/config';
import { AuthenticationError, InputError } from '@backstage/errors';
import express, { NextFunction, Request, Response } from 'express';
import { GITHUB_DEPLOYMENT_TOPICS } from './eventSources';

/** The events backend's path of GitHub webhooks, under its plugin router. */
export const GITHUB_WEBHOOK_PATH = '/http/github';
/** The events backend reads at most this much of a webhook's body. */
const BODY_LIMIT = '5mb';

/**
 * The secrets a GitHub webhook may be signed with, as the events backend's
 * GitHub module reads them: `events.modules.github.webhookSecret` and each
 * GitHub App's `webhookSecret` in `integrations.github[].apps[]`.
 */
export function readGithubWebhookSecrets(config: Config): string[] {
  const secrets = new Set<string>();
  const generic = config.getOptionalString(
    'events.modules.github.webhookSecret',
  );
  if (generic) {
    secrets.add(generic);
  }
  for (const integration of config.getOptionalConfigArray(
    'integrations.github',
  ) ?? []) {
    for (const app of integration.getOptionalConfigArray('apps') ?? []) {
      const secret = app.getOptionalString('webhookSecret');
      if (secret) {
        secrets.add(secret);
      }
    }
  }
  return [...secrets];
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Whether `signature` (the `X-Hub-Signature-256` header, `sha256=<hex>`) is
 * the HMAC-SHA256 of the body with one of the secrets. Every secret is
 * tried and the strings are compared as digests of equal length, in
 * constant time.
 */
export function githubSignatureMatches(
  body: Buffer,
  signature: unknown,
  secrets: string[],
): boolean {
  if (typeof signature !== 'string') {
    return false;
  }
  const given = digest(signature);
  let matched = false;
  for (const secret of secrets) {
    const expected = `sha256=${createHmac('sha256', secret)
      .update(body)
      .digest('hex')}`;
    matched = timingSafeEqual(given, digest(expected)) || matched;
  }
  return matched;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Why a signed delivery is malformed, or undefined: a JSON body must parse,
 * and a `deployment` or `deployment_status` event (the ones Env Parity
 * follows) must be an object naming its repository (`repository.full_name`).
 * Other events and content types pass as they are.
 */
export function malformedGithubDelivery(
  req: Pick<Request, 'headers'>,
  body: Buffer,
): string | undefined {
  // the media type as the events backend's ingress reads it
  const [mediaType, ...parameters] = (req.headers['content-type'] ?? '').split(
    ';',
  );
  if (mediaType.trim().toLowerCase() !== 'application/json') {
    return undefined;
  }
  const charset = parameters
    .map(p => /^\s*charset\s*=\s*"?([^"]*)"?\s*$/i.exec(p)?.[1])
    .find(Boolean)
    ?.toLowerCase();
  if (charset && !Buffer.isEncoding(charset)) {
    return `unsupported charset ${charset}`;
  }
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString((charset as BufferEncoding) ?? 'utf8'));
  } catch {
    return 'the body is not JSON';
  }
  const event = req.headers['x-github-event'];
  if (
    typeof event === 'string' &&
    GITHUB_DEPLOYMENT_TOPICS.includes(`github.${event}`)
  ) {
    const repository = isObject(payload) ? payload.repository : undefined;
    if (!isObject(repository) || typeof repository.full_name !== 'string') {
      return `a ${event} event must name its repository (repository.full_name)`;
    }
  }
  return undefined;
}

/**
 * Express handlers for `POST /http/github` that run before the events
 * backend's own ingress: a delivery whose `X-Hub-Signature-256` is missing
 * or matches none of the secrets is answered 401 (nothing published, nothing
 * collected); a signed one that is malformed 400; any other goes on to the
 * ingress, which publishes it on `github` (the GitHub module checks the
 * signature again and routes it to `github.<event>`). The body is read
 * once, raw, as the ingress reads it; the ingress reuses it.
 */
export function createGithubWebhookGate(secrets: string[]): express.Router {
  const router = express.Router();
  router.post(
    GITHUB_WEBHOOK_PATH,
    express.raw({ type: '*/*', limit: BODY_LIMIT }),
    (req: Request, _res: Response, next: NextFunction) => {
      const body: Buffer = Buffer.isBuffer(req.body)
        ? req.body
        : Buffer.alloc(0);
      if (
        !githubSignatureMatches(
          body,
          req.headers['x-hub-signature-256'],
          secrets,
        )
      ) {
        next(new AuthenticationError('missing or invalid webhook signature'));
        return;
      }
      const malformed = malformedGithubDelivery(req, body);
      if (malformed) {
        next(new InputError(malformed));
        return;
      }
      next();
    },
  );
  return router;
}
