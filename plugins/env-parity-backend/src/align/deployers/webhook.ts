import { LoggerService } from '@backstage/backend-plugin-api';
import { Config, readDurationFromConfig } from '@backstage/config';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';
import {
  AlignmentDeployerDescription,
  AlignmentDeployRequest,
  AlignmentDispatchResult,
  EnvParityDeployer,
  GuardedHttpClient,
  GuardedHttpError,
} from '@env-parity/plugin-env-parity-node';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  signWebhook,
  TIMESTAMP_HEADER,
} from '../../access/provisioners/WebhookProvisioner';
import { logSafe } from '../../http';

/** Options of {@link WebhookDeployer}. */
export interface WebhookDeployerOptions {
  url: string;
  /** The HMAC key; never logged, stored or returned. */
  secret: string;
  /** Per call. Default 10 s. */
  timeoutMs?: number;
  /** Calls before giving up on 5xx, 408, 429 and timeouts. Default 4. */
  attempts?: number;
  /** First backoff, doubled after each failed call. Default 1 s. */
  backoffMs?: number;
  /** Let the URL be on a private network (e.g. an in-cluster receiver). */
  allowPrivateNetworks?: boolean;
  logger?: LoggerService;
  /** For tests: how to wait between calls. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** For tests: the time of the signature. */
  now?: () => Date;
}

const sleepFor = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(new Error('aborted'));
      },
      { once: true },
    );
  });

/** An answer of the receiver: the error to end with, and whether to try again. */
function answerError(status: number, text: string) {
  const said = text ? `: ${logSafe(text.slice(0, 200))}` : '';
  const message = `the webhook answered ${status}${said}`;
  if (status === 401) return { error: new AuthenticationError(message) };
  if (status === 403) return { error: new NotAllowedError(message) };
  if (status === 404) return { error: new NotFoundError(message) };
  if (status === 409) return { error: new ConflictError(message) };
  const retry = status >= 500 || status === 408 || status === 429;
  return {
    error: retry
      ? new ServiceUnavailableError(message)
      : new InputError(message),
    retry,
  };
}

/**
 * The built-in deployer for any delivery system: a JSON POST of
 * `{ alignmentId, entity, environment, version, revision, artifact, digest,
 * requester }`, signed with HMAC-SHA256 over `<timestamp>.<body>`
 * (`x-env-parity-timestamp`, `x-env-parity-signature: sha256=<hex>`), with the
 * alignment id as `idempotency-key`, through the outbound guard (only the
 * configured URL's host is reachable). 5xx, 408, 429, network errors and
 * timeouts are retried with exponential backoff, up to `attempts` calls;
 * other answers end at once.
 */
export class WebhookDeployer implements EnvParityDeployer {
  readonly id = 'webhook';
  private readonly client: GuardedHttpClient;
  private readonly url: URL;

  /** From `envParity.align.webhook`. */
  static fromConfig(
    config: Config,
    options: Pick<WebhookDeployerOptions, 'logger'> = {},
  ): WebhookDeployer {
    return new WebhookDeployer({
      url: config.getString('url'),
      secret: config.getString('secret'),
      timeoutMs: config.has('timeout')
        ? durationToMilliseconds(
            readDurationFromConfig(config, { key: 'timeout' }),
          )
        : undefined,
      attempts: config.getOptionalNumber('attempts'),
      allowPrivateNetworks: config.getOptionalBoolean('allowPrivateNetworks'),
      logger: options.logger,
    });
  }

  constructor(private readonly options: WebhookDeployerOptions) {
    if (!URL.canParse(options.url)) {
      throw new Error(
        'envParity.align.webhook.url is not a URL (its value is not shown)',
      );
    }
    if (!options.secret) {
      throw new Error('envParity.align.webhook.secret is required');
    }
    this.url = new URL(options.url);
    this.client = GuardedHttpClient.create({
      allowedHosts: [this.url.host],
      allowPrivateNetworks: options.allowPrivateNetworks ?? false,
      timeoutMs: options.timeoutMs ?? 10_000,
      configKey: 'envParity.align.webhook',
      userAgent: 'backstage-env-parity-align',
    });
    this.client.checkUrl(this.url);
  }

  async describe(): Promise<AlignmentDeployerDescription> {
    return {
      summary: `Sends a signed request to ${this.url.host}, whose delivery system deploys production's artifact`,
      carriesConfig: [],
    };
  }

  async dispatch(
    request: AlignmentDeployRequest,
    options: { idempotencyKey: string; signal: AbortSignal },
  ): Promise<AlignmentDispatchResult> {
    const attempts = Math.max(1, this.options.attempts ?? 4);
    const sleep = this.options.sleep ?? sleepFor;
    // the same body and key on every call; only the timestamp and its
    // signature are fresh, so receivers can refuse stale replays
    const body = JSON.stringify({
      alignmentId: request.alignmentId,
      entity: request.entityRef,
      environment: request.environment,
      version: request.target.version ?? null,
      revision: request.target.revision ?? null,
      artifact: request.target.artifact ?? null,
      digest: request.target.digest ?? null,
      requester: request.requester,
    });
    let delay = this.options.backoffMs ?? 1000;
    for (let call = 1; ; call++) {
      let failure: { error: Error; retry?: boolean };
      try {
        const answer = await this.post(body, options);
        if (answer.status >= 200 && answer.status < 300) {
          return this.result(answer.text, call);
        }
        failure = answerError(answer.status, answer.text);
      } catch (error) {
        if (error instanceof GuardedHttpError && error.reason !== 'aborted') {
          failure = {
            error: new ServiceUnavailableError(
              `the webhook could not be reached: ${error.message}`,
            ),
            retry: true,
          };
        } else {
          throw error;
        }
      }
      if (!failure.retry || call >= attempts || options.signal.aborted) {
        failure.error.message = `${failure.error.message}${
          call > 1 ? ` (after ${call} calls)` : ''
        }`;
        throw failure.error;
      }
      this.options.logger?.warn(
        `Alignment webhook call ${call} of ${attempts} for ${request.alignmentId} failed, retrying in ${delay} ms: ${failure.error.message}`,
      );
      await sleep(delay, options.signal);
      delay *= 2;
    }
  }

  private async post(
    body: string,
    options: { idempotencyKey: string; signal: AbortSignal },
  ) {
    const timestamp = String(
      Math.floor((this.options.now?.() ?? new Date()).getTime() / 1000),
    );
    const response = await this.client.request(this.url.toString(), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signWebhook(this.options.secret, timestamp, body),
        [IDEMPOTENCY_HEADER]: options.idempotencyKey,
      },
      body,
      signal: options.signal,
    });
    return { status: response.status, text: response.body.toString('utf8') };
  }

  /** A 2xx answer may carry JSON `{ "reference": string, "message": string }`. */
  private result(text: string, calls: number): AlignmentDispatchResult {
    let reference: string | undefined;
    let message: string | undefined;
    try {
      const json = JSON.parse(text) as Record<string, unknown>;
      if (typeof json?.reference === 'string') {
        reference = logSafe(json.reference.slice(0, 500));
      }
      if (typeof json?.message === 'string') {
        message = logSafe(json.message.slice(0, 500));
      }
    } catch {
      // not JSON: accepted all the same
    }
    return {
      ...(reference && { reference }),
      message:
        message ??
        `The webhook accepted the deployment${
          calls > 1 ? ` (after ${calls} calls)` : ''
        }`,
    };
  }
}
