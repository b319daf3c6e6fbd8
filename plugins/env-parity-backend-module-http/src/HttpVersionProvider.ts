import { Entity } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { Config } from '@backstage/config';
import { JsonValue } from '@backstage/types';
import {
  EnvironmentDefinition,
  environmentAnnotation,
  parseEnvironmentAnnotation,
} from '@env-parity/plugin-env-parity-common';
import {
  DeploymentProvider,
  GuardedHttpClient,
  GuardedHttpError,
  GuardedHttpLookup,
  normaliseUrlPath,
  ObserveRequest,
  ProviderObservation,
} from '@env-parity/plugin-env-parity-node';
import {
  CONFIG_KEY,
  HttpProviderOptions,
  readHttpProviderOptions,
} from './config';
import { extractDeployment, FieldPaths } from './extract';

const RATE_LIMITED = new Set([429, 503]);
const MAX_BACKOFF_MS = 60 * 60 * 1000;

/** Retry-After in ms: delay-seconds or an HTTP date; undefined if absent or bad. */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number,
): number | undefined {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) {
    return undefined;
  }
  const ms = /^\d+$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms) || ms <= 0) {
    return undefined;
  }
  return Math.min(ms, MAX_BACKOFF_MS);
}

/**
 * Reads what each environment of a service says it runs, from a version
 * endpoint: `env-parity/<env>.version-url`, or `env-parity/<env>.url` plus
 * `envParity.http.defaultPath`. Every request goes through the
 * {@link GuardedHttpClient}.
 */
export class HttpVersionProvider implements DeploymentProvider {
  /** What the service says it runs beats what CI wrote (annotations: 0). */
  readonly precedence = 80;

  /** Origins that asked, with Retry-After, not to be called before a time. */
  private readonly backoff = new Map<string, number>();

  /** The provider configured by `envParity.http`, or undefined without that block. */
  static fromConfig(
    config: Config,
    options: { lookup?: GuardedHttpLookup; now?: () => number } = {},
  ): HttpVersionProvider | undefined {
    const read = readHttpProviderOptions(config);
    return read ? HttpVersionProvider.create(read, options) : undefined;
  }

  static create(
    options: HttpProviderOptions,
    extra: { lookup?: GuardedHttpLookup; now?: () => number } = {},
  ): HttpVersionProvider {
    let client: GuardedHttpClient;
    try {
      // validates the default path once, against a placeholder base
      normaliseUrlPath('http://placeholder.invalid/', options.defaultPath);
      client = GuardedHttpClient.create({
        allowedHosts: options.allowedHosts,
        allowPrivateNetworks: options.allowPrivateNetworks,
        allowedNetworks: options.allowedNetworks,
        timeoutMs: options.timeoutMs,
        // the connection gets the whole timeout too: a backend busy for a few
        // seconds (or a slow DNS answer) is not a server that timed out
        connectTimeoutMs: options.timeoutMs,
        maxBodyBytes: options.maxBodyBytes,
        maxRedirects: options.maxRedirects,
        hostHeaders: options.hosts,
        configKey: CONFIG_KEY,
        lookup: extra.lookup,
      });
    } catch (error) {
      throw new InputError(`Invalid ${CONFIG_KEY} configuration`, error);
    }
    return new HttpVersionProvider(
      client,
      options.defaultPath,
      options.fieldPaths,
      options.maxRedirects,
      extra.now ?? Date.now,
    );
  }

  private constructor(
    private readonly client: GuardedHttpClient,
    private readonly defaultPath: string,
    private readonly fieldPaths: FieldPaths,
    private readonly maxRedirects: number,
    private readonly now: () => number,
  ) {}

  getProviderName() {
    return 'http';
  }

  supports(entity: Entity): boolean {
    return Object.keys(entity.metadata.annotations ?? {}).some(key => {
      const field = parseEnvironmentAnnotation(key)?.field;
      return field === 'version-url' || field === 'url';
    });
  }

  async observe({
    entity,
    environments,
    signal,
  }: ObserveRequest): Promise<ProviderObservation[]> {
    const observations = await Promise.all(
      environments.map(env => this.observeEnvironment(entity, env, signal)),
    );
    return observations.filter((o): o is ProviderObservation => Boolean(o));
  }

  private async observeEnvironment(
    entity: Entity,
    environment: EnvironmentDefinition,
    signal?: AbortSignal,
  ): Promise<ProviderObservation | undefined> {
    const annotations = entity.metadata.annotations ?? {};
    const env = environment.name;
    const versionUrlKey = environmentAnnotation(env, 'version-url');
    const urlKey = environmentAnnotation(env, 'url');
    const versionUrl = annotations[versionUrlKey]?.trim();
    const baseUrl = annotations[urlKey]?.trim();
    if (!versionUrl && !baseUrl) {
      return undefined;
    }
    const source = versionUrl ? versionUrlKey : urlKey;
    const fail = (error: string): ProviderObservation => ({
      environment: env,
      error,
    });

    let url: string;
    try {
      url = versionUrl ?? normaliseUrlPath(baseUrl!, this.defaultPath);
    } catch (error) {
      return fail(`Annotation ${source}: ${(error as Error).message}`);
    }
    const display = `GET ${url}`;

    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      return fail(`Annotation ${source}: "${url}" is not a valid URL`);
    }
    const until = this.backoff.get(origin);
    if (until !== undefined) {
      if (until > this.now()) {
        return fail(
          `${origin} asked (Retry-After) not to be called before ${new Date(
            until,
          ).toISOString()}; not asked again until then`,
        );
      }
      this.backoff.delete(origin);
    }

    let res;
    try {
      res = await this.client.request(url, {
        method: 'GET',
        headers: { accept: 'application/json' },
        signal,
      });
    } catch (error) {
      const message = (error as Error).message;
      // transport errors already name the request; policy errors name the rule
      return fail(
        error instanceof GuardedHttpError
          ? message
          : `${source} (${url}): ${message}`,
      );
    }

    if (res.redirect) {
      return fail(
        `${display} answered ${res.status}, redirecting to ${
          res.redirect.location
        }, which is not followed (${
          res.redirect.sameOrigin
            ? `more than ${CONFIG_KEY}.maxRedirects (${this.maxRedirects}) redirects`
            : 'redirects to another host or scheme are never followed'
        }); set ${versionUrlKey} to the final URL`,
      );
    }
    const status = `${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    if (RATE_LIMITED.has(res.status)) {
      const wait = parseRetryAfter(res.headers['retry-after'], this.now());
      if (wait !== undefined) {
        this.backoff.set(origin, this.now() + wait);
        return fail(
          `${display} answered ${status}; retry after ${Math.ceil(
            wait / 1000,
          )} s`,
        );
      }
    }
    if (res.status === 404) {
      return fail(
        `${display} answered 404 Not Found: no version endpoint there; set ${versionUrlKey}, or ${CONFIG_KEY}.defaultPath (now ${this.defaultPath})`,
      );
    }
    if (res.status < 200 || res.status > 299) {
      return fail(`${display} answered ${status}`);
    }

    let body: JsonValue;
    try {
      body = JSON.parse(res.body.toString('utf8'));
    } catch {
      // the body itself is never quoted: it could be any page of an allowed host
      const type = res.headers['content-type'];
      return fail(
        `the response to ${display} is not JSON${
          type ? ` (Content-Type ${type})` : ''
        }`,
      );
    }
    try {
      const deployment = extractDeployment(body, this.fieldPaths, CONFIG_KEY);
      return {
        environment: env,
        deployment: {
          ...deployment,
          links: [{ title: 'Version endpoint', url }],
        },
      };
    } catch (error) {
      return fail(`${display}: ${(error as Error).message}`);
    }
  }
}
