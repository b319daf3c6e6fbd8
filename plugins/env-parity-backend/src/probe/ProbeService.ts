import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  environmentAnnotation,
  EnvironmentDefinition,
  PROBE_MAX_PATH_LENGTH,
  PROBE_METHODS,
  PROBE_REDACTED,
  ProbeBodyType,
  ProbeEnvironmentResult,
  ProbeErrorReason,
  ProbeIgnoreSummary,
  ProbeMethod,
  ProbeResult,
  parseProbeIgnore,
  PROBE_IGNORE_ANNOTATION,
  splitProbeIgnore,
} from '@env-parity/plugin-env-parity-common';
import {
  GuardedHttpClient,
  GuardedHttpError,
  GuardedHttpLookup,
  GuardedHttpResponse,
  normaliseUrlPath,
} from '@env-parity/plugin-env-parity-node';
import { randomUUID } from 'node:crypto';
import { IncomingHttpHeaders } from 'node:http';
import { logSafe } from '../http';
import { PROBE_CONFIG_KEY, ProbeOptions } from './config';

/** A probe request whose shape was checked; environments not yet. */
export interface ParsedProbeRequest {
  /** Normalised path with its query, starting with `/`. */
  path: string;
  method: ProbeMethod;
  environments?: string[];
}

const MAX_ENVIRONMENTS = 20;
const BODY_FIELDS = new Set(['path', 'method', 'environments']);
// used only to check and normalise the path before any base URL is known
const PLACEHOLDER_BASE = 'http://probe.invalid/';
const ACCEPT = 'application/json, text/plain;q=0.9, */*;q=0.8';

function decodeLayers(segment: string): string {
  let current = segment;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return current; // the guard refuses invalid percent-encoding
    }
    if (next === current) {
      break;
    }
    current = next;
  }
  return current;
}

/**
 * Refuses path segments that some server in front of an environment could
 * take as a step up, out of the base path the probe must stay inside:
 * path parameters (Tomcat and Spring read `..;` and `..;x=1` as `..`),
 * dots with trailing dots or spaces (Windows and IIS trim them), dots
 * written in full width (servers that apply Unicode normalisation), and
 * hidden control characters. `normaliseUrlPath` handles `..` itself.
 */
function refuseParentLikeSegments(path: string) {
  const pathPart = path.split('#')[0].split('?')[0];
  for (const segment of pathPart.split('/')) {
    const decoded = decodeLayers(segment);
    if (decoded.includes(';')) {
      throw new InputError(
        `Path segment "${logSafe(
          segment,
        )}" has a path parameter (;); servers such as Tomcat read "..;" as "..", so probe paths may not contain ";"`,
      );
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f-\u009f]/.test(decoded)) {
      throw new InputError(
        `Path segment "${logSafe(segment)}" contains control characters`,
      );
    }
    const folded = decoded.normalize('NFKC');
    if (/^\.\.[.\s]*$/.test(folded) && decoded !== '..') {
      throw new InputError(
        `Path segment "${logSafe(
          segment,
        )}" is read as ".." by some servers, which could leave the base URL`,
      );
    }
  }
}

/**
 * Checks the body of `POST .../probe`, throwing an `InputError` that says
 * what is wrong. The path is normalised so that it can never leave a base
 * URL (`..`, encoded slashes, absolute URLs are refused).
 */
export function parseProbeRequest(body: unknown): ParsedProbeRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InputError(
      'The body must be a JSON object such as {"path": "/version", "method": "GET"}',
    );
  }
  const input = body as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!BODY_FIELDS.has(key)) {
      throw new InputError(
        key === 'headers'
          ? `Request headers cannot be set on a probe; per-environment headers come from ${PROBE_CONFIG_KEY}.environments.<env>.headers`
          : `Unknown field "${key}"; a probe takes path, method and environments`,
      );
    }
  }
  const rawMethod = input.method ?? 'GET';
  const method =
    typeof rawMethod === 'string' ? rawMethod.toUpperCase() : rawMethod;
  if (!(PROBE_METHODS as readonly unknown[]).includes(method)) {
    throw new InputError(
      `Method ${JSON.stringify(
        rawMethod,
      )} is not allowed: a probe uses GET or HEAD only`,
    );
  }
  const { path } = input;
  if (typeof path !== 'string' || path.trim() === '') {
    throw new InputError('path is required, e.g. "/version"');
  }
  if (path.length > PROBE_MAX_PATH_LENGTH) {
    throw new InputError(
      `path is ${path.length} characters long; at most ${PROBE_MAX_PATH_LENGTH}`,
    );
  }
  refuseParentLikeSegments(path.trim());
  const normalised = new URL(normaliseUrlPath(PLACEHOLDER_BASE, path.trim()));
  let environments: string[] | undefined;
  if (input.environments !== undefined) {
    if (
      !Array.isArray(input.environments) ||
      !input.environments.every(e => typeof e === 'string')
    ) {
      throw new InputError('environments must be a list of environment names');
    }
    environments = [...new Set(input.environments as string[])];
    if (environments.length === 0) {
      throw new InputError(
        'environments is empty; leave it out to ask every environment with a URL',
      );
    }
    if (environments.length > MAX_ENVIRONMENTS) {
      throw new InputError(
        `environments lists ${environments.length} names; at most ${MAX_ENVIRONMENTS}`,
      );
    }
  }
  return {
    path: `${normalised.pathname}${normalised.search}`,
    method: method as ProbeMethod,
    environments,
  };
}

/**
 * The fields expected to differ for one entity: `envParity.probe.ignore`,
 * then its `env-parity/probe-ignore` annotation. Entries that are neither a
 * JSON path nor a header name are reported, never applied, never thrown.
 */
export function probeIgnoreFor(
  configured: readonly string[],
  entity: Entity,
): ProbeIgnoreSummary | undefined {
  const annotation = splitProbeIgnore(
    entity.metadata.annotations?.[PROBE_IGNORE_ANNOTATION],
  );
  const config = parseProbeIgnore(configured);
  const own = parseProbeIgnore(annotation);
  const fields = [
    ...new Set([
      ...config.paths,
      ...config.headers,
      ...own.paths,
      ...own.headers,
    ]),
  ];
  const invalid = [
    ...config.invalid.map(i => ({
      ...i,
      entry: logSafe(i.entry),
      source: 'config' as const,
    })),
    ...own.invalid.map(i => ({
      ...i,
      entry: logSafe(i.entry),
      source: 'annotation' as const,
    })),
  ];
  if (fields.length === 0 && invalid.length === 0) {
    return undefined;
  }
  return { fields, ...(invalid.length ? { invalid } : {}) };
}

function reasonOf(error: unknown): ProbeErrorReason {
  if (error instanceof GuardedHttpError) {
    return error.reason;
  }
  if (error instanceof NotAllowedError) {
    return 'not-allowed';
  }
  if (error instanceof InputError) {
    return 'invalid';
  }
  return 'network';
}

function utf8(body: Buffer): string | undefined {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(body);
    // eslint-disable-next-line no-control-regex
    return /\u0000/.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}

/**
 * Asks each environment of an entity the same question, through one
 * outbound-request guard ({@link GuardedHttpClient}) configured from
 * `envParity.probe`, and reports the answers side by side. Environments
 * with configured headers get a guard of their own, so that those headers
 * are bound to that environment (and to its allowed hosts), never sent for
 * another one.
 */
export class ProbeService {
  private readonly client: GuardedHttpClient;
  private readonly environmentClients = new Map<string, GuardedHttpClient>();
  /** Configured header values, per environment, scrubbed from answers. */
  private readonly secrets = new Map<string, string[]>();
  private readonly redact: Set<string>;
  private readonly show: Set<string>;
  private readonly ignore: string[];

  constructor(
    options: ProbeOptions,
    extra: { lookup?: GuardedHttpLookup } = {},
  ) {
    const base = {
      allowedHosts: options.allowedHosts,
      allowPrivateNetworks: options.allowPrivateNetworks,
      allowedNetworks: options.allowedNetworks,
      timeoutMs: options.timeoutMs,
      maxBodyBytes: options.maxBodyBytes,
      // every redirect is the answer: a same-origin one could still leave
      // the base path the probe is confined to
      maxRedirects: 0,
      configKey: PROBE_CONFIG_KEY,
      lookup: extra.lookup,
      userAgent: 'backstage-env-parity-probe',
    };
    this.client = GuardedHttpClient.create(base);
    for (const [name, env] of Object.entries(options.environments)) {
      if (Object.keys(env.headers).length === 0) {
        continue;
      }
      const hosts = env.hosts ?? options.allowedHosts;
      this.environmentClients.set(
        name,
        GuardedHttpClient.create({
          ...base,
          hostHeaders: hosts.map(host => ({ host, headers: env.headers })),
        }),
      );
      this.secrets.set(
        name,
        Object.values(env.headers)
          .flatMap(value => [value, ...value.split(/\s+/)])
          .filter(value => value.length >= 6)
          .sort((a, b) => b.length - a.length),
      );
    }
    this.redact = new Set(options.redactHeaders);
    this.show = new Set(options.showHeaders);
    this.ignore = options.ignore ?? [];
  }

  /**
   * Probes the environments of `entity` named in the request (default:
   * every one with an `env-parity/<env>.url` annotation), in promotion
   * order. Throws an `InputError` for an unknown environment or one without
   * a URL; every other failure is reported on its environment.
   */
  async probe(input: {
    entity: Entity;
    environments: EnvironmentDefinition[];
    request: ParsedProbeRequest;
    signal?: AbortSignal;
  }): Promise<ProbeResult> {
    const { entity, request, signal } = input;
    const annotations = entity.metadata.annotations ?? {};
    const urlOf = (name: string) =>
      annotations[environmentAnnotation(name, 'url')];
    const known = input.environments;
    let selected: EnvironmentDefinition[];
    if (request.environments) {
      const names = known.map(e => e.name);
      for (const name of request.environments) {
        if (!names.includes(name)) {
          throw new InputError(
            `Unknown environment "${name}" (configured: ${names.join(', ')})`,
          );
        }
        if (!urlOf(name)) {
          throw new InputError(
            `${entity.metadata.name} has no ${environmentAnnotation(
              name,
              'url',
            )} annotation, so environment ${name} cannot be probed`,
          );
        }
      }
      selected = known.filter(e => request.environments!.includes(e.name));
    } else {
      selected = known.filter(e => urlOf(e.name));
      if (selected.length === 0) {
        throw new InputError(
          `${entity.metadata.name} has no env-parity/<environment>.url annotations, so there is nothing to probe`,
        );
      }
    }

    const ignore = probeIgnoreFor(this.ignore, entity);
    const startedAt = new Date().toISOString();
    const environments = await Promise.all(
      selected.map(env =>
        this.probeOne(env, urlOf(env.name)!, request, signal),
      ),
    );
    return {
      id: randomUUID(),
      entityRef: stringifyEntityRef(entity),
      method: request.method,
      path: request.path,
      reference: known.find(e => e.reference)?.name ?? '',
      startedAt,
      environments,
      ...(ignore ? { ignore } : {}),
    };
  }

  private async probeOne(
    env: EnvironmentDefinition,
    baseUrl: string,
    request: ParsedProbeRequest,
    signal?: AbortSignal,
  ): Promise<ProbeEnvironmentResult> {
    const result: ProbeEnvironmentResult = {
      environment: env.name,
      title: env.title,
      reference: env.reference,
    };
    try {
      result.url = normaliseUrlPath(baseUrl, request.path);
    } catch (error) {
      result.error = {
        reason: 'invalid',
        message: `${environmentAnnotation(env.name, 'url')} ${
          (error as Error).message
        }`,
      };
      return result;
    }
    const client = this.environmentClients.get(env.name) ?? this.client;
    let response: GuardedHttpResponse;
    try {
      response = await client.request(result.url, {
        method: request.method,
        headers: { accept: ACCEPT },
        signal,
      });
    } catch (error) {
      result.error = {
        reason: reasonOf(error),
        message: this.scrub(env.name, (error as Error).message),
      };
      return result;
    }
    result.status = response.status;
    result.statusText = response.statusText;
    result.latencyMs = response.timings.totalMs;
    const { headers, redacted } = this.headers(env.name, response.headers);
    result.headers = headers;
    if (redacted.length) {
      result.redactedHeaders = redacted;
    }
    if (response.redirect) {
      result.redirect = {
        location: this.scrub(env.name, response.redirect.location),
        sameOrigin: response.redirect.sameOrigin,
      };
    }
    Object.assign(result, this.body(env.name, response));
    return result;
  }

  private headers(environment: string, raw: IncomingHttpHeaders) {
    const headers: Record<string, string> = {};
    const redacted: string[] = [];
    for (const [name, value] of Object.entries(raw)) {
      if (value === undefined) {
        continue;
      }
      const lower = name.toLowerCase();
      if (this.redact.has(lower)) {
        headers[lower] = PROBE_REDACTED;
        redacted.push(lower);
      } else if (this.show.has(lower)) {
        headers[lower] = this.scrub(
          environment,
          Array.isArray(value) ? value.join(', ') : String(value),
        );
      }
    }
    return { headers, redacted: redacted.sort() };
  }

  private body(
    environment: string,
    response: GuardedHttpResponse,
  ): { bodyType: ProbeBodyType; body?: string; bodyBytes: number } {
    const bytes = response.body.length;
    if (bytes === 0) {
      return { bodyType: 'none', bodyBytes: 0 };
    }
    const decoded = utf8(response.body);
    if (decoded === undefined) {
      return { bodyType: 'binary', bodyBytes: bytes };
    }
    const text = this.scrub(environment, decoded);
    const contentType = String(response.headers['content-type'] ?? '');
    const looksJson = /[/+]json\b/i.test(contentType) || /^\s*[[{]/.test(text);
    if (looksJson) {
      try {
        JSON.parse(text);
        return { bodyType: 'json', body: text, bodyBytes: bytes };
      } catch {
        // not JSON after all: shown as text
      }
    }
    return { bodyType: 'text', body: text, bodyBytes: bytes };
  }

  /**
   * Removes the configured header values of an environment from text an
   * environment sent back (an endpoint that echoes request headers would
   * otherwise show its credentials).
   */
  private scrub(environment: string, text: string): string {
    let out = text;
    for (const secret of this.secrets.get(environment) ?? []) {
      out = out.split(secret).join(PROBE_REDACTED);
    }
    return out;
  }
}
