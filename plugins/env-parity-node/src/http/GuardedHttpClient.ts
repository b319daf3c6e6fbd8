import { InputError, NotAllowedError } from '@backstage/errors';
import { lookup as dnsLookup } from 'node:dns/promises';
import http, { IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { AddressPolicy, classifyAddress } from './addresses';
import { GuardedHttpError } from './errors';
import {
  HostPattern,
  isIpLiteral,
  matchesHostPattern,
  parseHostPattern,
  urlHost,
  urlPort,
} from './hostPatterns';

/**
 * Resolves a host name to every address it has. The default is
 * `dns.promises.lookup(hostname, { all: true })`; tests and custom resolvers
 * may replace it. Whatever it returns is still checked.
 *
 * @public
 */
export type GuardedHttpLookup = (
  hostname: string,
) => Promise<Array<{ address: string; family: number }>>;

/**
 * Options of {@link GuardedHttpClient.create}.
 *
 * @public
 */
export interface GuardedHttpClientOptions {
  /**
   * Hosts requests may go to; see {@link HostPattern} for the syntax, e.g.
   * `api.example.com`, `*.internal.example.com`, `127.0.0.1:7010`. Nothing
   * else is reachable. An entry without a port allows only the default port
   * of the scheme.
   */
  allowedHosts: string[];
  /**
   * Also connect to non-public addresses: private (RFC 1918), loopback,
   * link-local, unique-local, carrier-grade NAT and reserved ranges.
   * Defaults to false. Cloud metadata endpoints, unspecified, broadcast and
   * multicast addresses stay refused.
   */
  allowPrivateNetworks?: boolean;
  /**
   * A narrower alternative to `allowPrivateNetworks`: CIDR ranges whose
   * addresses are allowed although not public, e.g. `10.20.0.0/16`.
   */
  allowedNetworks?: string[];
  /** Total time for one request, redirects included, in ms. Defaults to 10000. */
  timeoutMs?: number;
  /** Time to resolve, connect and finish the TLS handshake, in ms. Defaults to the smaller of 5000 and `timeoutMs`. */
  connectTimeoutMs?: number;
  /** Largest response body accepted, in bytes. Defaults to 1 MiB. */
  maxBodyBytes?: number;
  /**
   * Redirects followed automatically, only within the same origin (scheme,
   * host and port) and each checked like the first request. Defaults to 0:
   * every redirect is returned as the result.
   */
  maxRedirects?: number;
  /**
   * Headers sent only to hosts matching `host` (same syntax as
   * `allowedHosts`), such as `Authorization`. They must come from backend
   * configuration, never from entities or users; they are never put into
   * errors. All matching entries are merged, later ones winning.
   */
  hostHeaders?: Array<{ host: string; headers: Record<string, string> }>;
  /**
   * Where these options come from in the app config, e.g. `envParity.http`;
   * errors then name the key to change, e.g. "envParity.http.allowedHosts".
   */
  configKey?: string;
  /** Resolves host names; see {@link GuardedHttpLookup}. */
  lookup?: GuardedHttpLookup;
  /** The User-Agent header. Defaults to `backstage-env-parity`. */
  userAgent?: string;
  /**
   * PEM certificates trusted for https, instead of Node's default CAs, e.g.
   * a Kubernetes API server's CA. Configuration only.
   */
  ca?: string;
  /**
   * False skips verifying https certificates. Only for testing; defaults to
   * true.
   */
  rejectUnauthorized?: boolean;
  /**
   * Also send PATCH and DELETE (a client that writes, such as the
   * Kubernetes module's to its sandbox cluster). Defaults to false: GET,
   * HEAD and POST only.
   */
  allowWriteMethods?: boolean;
}

/**
 * The methods a guarded request may use; PATCH and DELETE only with
 * `allowWriteMethods`.
 *
 * @public
 */
export type GuardedHttpMethod = 'GET' | 'HEAD' | 'POST' | 'PATCH' | 'DELETE';

/**
 * One guarded request.
 *
 * @public
 */
export interface GuardedHttpRequestInit {
  /**
   * Defaults to GET. POST (for a configured call such as a deployment
   * webhook) sends `body`; a redirect answering a POST is never followed.
   * PATCH and DELETE only with the client's `allowWriteMethods`, like a
   * POST never retried on a reused connection nor redirected.
   */
  method?: GuardedHttpMethod;
  /** The body of a POST or PATCH; set its `Content-Type` in `headers`. */
  body?: string;
  /**
   * Extra headers such as `Accept`. Credentials (`Authorization`,
   * `Cookie`, ...), `Host` and hop-by-hop headers are refused here: put
   * credentials into the `hostHeaders` option, bound to their host, or
   * into `credentials`.
   */
  headers?: Record<string, string>;
  /**
   * Credential headers for this request only, such as an `Authorization`
   * that changes over time (a GitHub App installation token). They go to
   * the request's own origin only, since a redirect to another origin is
   * never followed, and never into an error. They must come from backend
   * configuration or a credentials provider, never from entities or users.
   */
  credentials?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * A response, complete with its body; or a redirect that was not followed.
 *
 * @public
 */
export interface GuardedHttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** The body, at most `maxBodyBytes`; empty for HEAD and redirects. */
  body: Buffer;
  /** The URL that answered (after any followed same-origin redirects). */
  url: string;
  /** The checked address the connection went to. */
  address: string;
  /**
   * Set when the response is a redirect (301, 302, 303, 307, 308 with a
   * Location) that was not followed: to another origin, or past
   * `maxRedirects`. `location` is absolute when it could be resolved.
   */
  redirect?: { location: string; sameOrigin: boolean };
  timings: { totalMs: number };
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NEVER_SENT = new Set([
  'host',
  'cookie',
  'cookie2',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'content-length',
  'expect',
  'forwarded',
  'via',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
]);
const CREDENTIALS = new Set(['authorization', 'proxy-authorization']);
/** Connections open at once per agent (one agent per origin and checked address). */
const KEEP_ALIVE_MAX_SOCKETS = 16;
/**
 * How long a kept-alive connection may stay idle, in ms: below Node's
 * server default (5 s), so that the client closes an idle connection
 * before the server does while a request is sent on it.
 */
const KEEP_ALIVE_IDLE_MS = 4_000;
/** Agents a client keeps at most; past it the oldest one is forgotten. */
const MAX_AGENTS = 64;

function checkHeaders(
  headers: Record<string, string> | undefined,
  where: 'request' | 'host',
): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (!TOKEN.test(name)) {
      throw new InputError(`"${name}" is not a valid header name`);
    }
    if (NEVER_SENT.has(lower)) {
      throw new InputError(`Header ${name} is never sent by the guard`);
    }
    if (where === 'request' && CREDENTIALS.has(lower)) {
      throw new InputError(
        `Header ${name} cannot be set per request: configure it per host (hostHeaders) so it is sent to that host only`,
      );
    }
    if (typeof value !== 'string' || /[\r\n\0]/.test(value)) {
      throw new InputError(
        `Header ${name} must be a string without line breaks`,
      );
    }
    result[lower] = value;
  }
  return result;
}

/**
 * A kept-alive connection the server closed as a GET or HEAD was sent on
 * it, before any answer: the request is sent once more on a new one.
 */
class ClosedConnection extends Error {}

function positive(name: string, value: number | undefined, fallback: number) {
  if (value === undefined) {
    return fallback;
  }
  if (!Number.isFinite(value) || value <= 0) {
    throw new InputError(`${name} must be a positive number, got ${value}`);
  }
  return value;
}

async function defaultLookup(hostname: string) {
  return dnsLookup(hostname, { all: true });
}

/**
 * The one way Env Parity makes outbound requests to URLs that users or
 * catalog entities influence. It
 *
 * - allows only `http:`/`https:` URLs without credentials, to hosts in an
 *   allow-list ({@link HostPattern});
 * - resolves the host once, refuses the request if any resolved address is
 *   not allowed ({@link GuardedHttpClientOptions.allowPrivateNetworks}), and
 *   connects to the address it checked, keeping the host name for the Host
 *   header and TLS (SNI and certificate check) — no DNS rebinding;
 * - sends GET, HEAD or (with a body, for configured calls) POST, with no
 *   cookies and no Backstage credentials: only the headers passed per
 *   request and the ones configured for the host;
 * - reuses connections for GET and HEAD (keep-alive, at most 16 at once and
 *   each idle at most 4 s), only for the origin and the checked address
 *   they were opened to; a POST always gets a connection of its own;
 * - never follows a redirect to another origin: the redirect is the result;
 * - enforces a connect and a total timeout, a body size cap and the caller's
 *   AbortSignal.
 *
 * Policy refusals throw `NotAllowedError`, malformed input `InputError`,
 * transport failures {@link GuardedHttpError}. An HTTP error status is not
 * an exception: check `status`.
 *
 * @example
 * ```ts
 * const client = GuardedHttpClient.create({
 *   allowedHosts: config.getStringArray('envParity.http.allowedHosts'),
 *   configKey: 'envParity.http',
 * });
 * const res = await client.request('https://api.example.com/version', { signal });
 * if (res.redirect) { ... } else if (res.status === 200) { JSON.parse(res.body.toString('utf8')) }
 * ```
 *
 * @public
 */
export class GuardedHttpClient {
  /** Validates the options (throwing `InputError`s) and creates a client. */
  static create(options: GuardedHttpClientOptions): GuardedHttpClient {
    if (!Array.isArray(options?.allowedHosts)) {
      throw new InputError('allowedHosts must be a list of host patterns');
    }
    return new GuardedHttpClient(options);
  }

  private readonly patterns: HostPattern[];
  private readonly policy: AddressPolicy;
  private readonly hostHeaders: Array<{
    pattern: HostPattern;
    headers: Record<string, string>;
  }>;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly maxRedirects: number;
  private readonly lookup: GuardedHttpLookup;
  private readonly userAgent: string;
  private readonly configKey?: string;
  private readonly allowWriteMethods: boolean;
  private readonly tls: https.RequestOptions;
  /**
   * Keep-alive agents for GET and HEAD, one per scheme, host, port and
   * checked address: a connection is reused only for the origin and the
   * address it was opened to, so that a name resolving elsewhere since
   * gets a connection of its own to the address just checked.
   */
  private readonly agents = new Map<string, http.Agent>();

  private constructor(options: GuardedHttpClientOptions) {
    this.patterns = options.allowedHosts.map(parseHostPattern);
    this.policy = new AddressPolicy({
      allowPrivateNetworks: options.allowPrivateNetworks === true,
      allowedNetworks: options.allowedNetworks,
    });
    this.hostHeaders = (options.hostHeaders ?? []).map(entry => ({
      pattern: parseHostPattern(entry.host),
      headers: checkHeaders(entry.headers, 'host'),
    }));
    this.timeoutMs = positive(
      'timeoutMs',
      options.timeoutMs,
      DEFAULT_TIMEOUT_MS,
    );
    this.connectTimeoutMs = positive(
      'connectTimeoutMs',
      options.connectTimeoutMs,
      Math.min(DEFAULT_CONNECT_TIMEOUT_MS, this.timeoutMs),
    );
    this.maxBodyBytes = positive(
      'maxBodyBytes',
      options.maxBodyBytes,
      DEFAULT_MAX_BODY_BYTES,
    );
    this.maxRedirects = Math.max(0, Math.floor(options.maxRedirects ?? 0));
    this.lookup = options.lookup ?? defaultLookup;
    this.userAgent = options.userAgent ?? 'backstage-env-parity';
    this.configKey = options.configKey;
    this.allowWriteMethods = options.allowWriteMethods === true;
    this.tls = {
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.rejectUnauthorized === false
        ? { rejectUnauthorized: false }
        : {}),
    };
  }

  /**
   * The keep-alive agent for one origin and checked address. A connection
   * per request would cost a TCP (and TLS) handshake each, and Node's
   * memory for every connection, which a client making thousands of
   * requests (a collection reading a cluster's ConfigMaps) pays many
   * times over.
   */
  private agentFor(url: URL, address: string): http.Agent {
    const key = `${url.protocol}//${url.host} ${address}`;
    let agent = this.agents.get(key);
    if (!agent) {
      const options: http.AgentOptions = {
        keepAlive: true,
        maxSockets: KEEP_ALIVE_MAX_SOCKETS,
        timeout: KEEP_ALIVE_IDLE_MS,
      };
      agent =
        url.protocol === 'https:'
          ? new https.Agent(options)
          : new http.Agent(options);
      if (this.agents.size >= MAX_AGENTS) {
        // forgotten, not destroyed: its requests under way finish, and its
        // idle connections close after KEEP_ALIVE_IDLE_MS
        const [oldest] = this.agents.keys();
        this.agents.delete(oldest);
      }
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** The config key (with `configKey`) or option that controls a rule. */
  private key(configName: string, optionName: string = configName) {
    return this.configKey ? `${this.configKey}.${configName}` : optionName;
  }

  /**
   * Parses a URL and checks it against the scheme, credential and host
   * rules, without any I/O. Throws `InputError` or `NotAllowedError`.
   */
  checkUrl(url: string | URL): URL {
    let parsed: URL;
    try {
      parsed = new URL(String(url));
    } catch {
      throw new InputError(`"${url}" is not a valid URL`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new InputError(
        `${parsed.protocol}// URLs are not allowed, only http: and https:`,
      );
    }
    if (parsed.username || parsed.password) {
      throw new InputError(
        `URLs with credentials (user:password@) are not allowed; configure headers for ${urlHost(
          parsed,
        )} in ${this.key('hosts', 'hostHeaders')} instead`,
      );
    }
    if (!this.patterns.some(p => matchesHostPattern(p, parsed))) {
      const host = urlHost(parsed);
      const shown = parsed.port ? `${host}:${parsed.port}` : host;
      const onOtherPort = this.patterns.find(p =>
        matchesHostPattern({ ...p, port: '*' }, parsed),
      );
      let hint = '';
      if (onOtherPort?.port === undefined && onOtherPort) {
        hint = ` (${onOtherPort.pattern} allows only the default port ${
          parsed.protocol === 'https:' ? 443 : 80
        }; add ${host}:${urlPort(parsed)} to allow this one)`;
      } else if (onOtherPort) {
        hint = ` (${onOtherPort.pattern} allows another port)`;
      }
      throw new NotAllowedError(
        `host ${shown} is not in ${this.key('allowedHosts')}${hint}`,
      );
    }
    return parsed;
  }

  /**
   * Sends one GET or HEAD request through the guard. See the class
   * documentation for what is checked; never follows a redirect to another
   * origin.
   */
  async request(
    url: string,
    init: GuardedHttpRequestInit = {},
  ): Promise<GuardedHttpResponse> {
    const method = init.method ?? 'GET';
    const writes =
      this.allowWriteMethods && (method === 'PATCH' || method === 'DELETE');
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST' && !writes) {
      throw new InputError(
        `Method ${method} is not allowed, only GET, HEAD and POST`,
      );
    }
    if (init.body !== undefined && method !== 'POST' && method !== 'PATCH') {
      throw new InputError(`A ${method} request cannot have a body`);
    }
    const extraHeaders = {
      ...checkHeaders(init.headers, 'request'),
      ...checkHeaders(init.credentials, 'host'),
    };
    let current = this.checkUrl(url);

    const started = Date.now();
    const controller = new AbortController();
    let failure: Error | undefined;
    const abortWith = (error: Error) => {
      failure ??= error;
      controller.abort();
    };
    const onOuterAbort = () =>
      abortWith(
        new GuardedHttpError('aborted', `${method} ${current} was aborted`),
      );
    if (init.signal?.aborted) {
      throw new GuardedHttpError('aborted', `${method} ${current} was aborted`);
    }
    init.signal?.addEventListener('abort', onOuterAbort);
    const total = setTimeout(
      () =>
        abortWith(
          new GuardedHttpError(
            'timeout',
            `${method} ${current} timed out after ${
              this.timeoutMs
            } ms (${this.key('timeout', 'timeoutMs')})`,
          ),
        ),
      this.timeoutMs,
    );
    const context = {
      signal: controller.signal,
      abortWith,
      failure: () => failure,
    };
    try {
      for (let redirects = 0; ; redirects++) {
        let result: Omit<GuardedHttpResponse, 'url' | 'timings'>;
        try {
          result = await this.hop(current, method, extraHeaders, context, {
            body: init.body,
          });
        } catch (error) {
          if (!(error instanceof ClosedConnection)) {
            throw error;
          }
          // idempotent, and unanswered: once more, on a new connection
          result = await this.hop(current, method, extraHeaders, context, {
            body: init.body,
            fresh: true,
          });
        }
        const { redirect } = result;
        if (
          redirect?.sameOrigin &&
          redirects < this.maxRedirects &&
          (method === 'GET' || method === 'HEAD')
        ) {
          current = this.checkUrl(redirect.location);
          continue;
        }
        return {
          ...result,
          url: current.toString(),
          timings: { totalMs: Date.now() - started },
        };
      }
    } finally {
      clearTimeout(total);
      init.signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  private async resolve(
    url: URL,
    context: { signal: AbortSignal; failure: () => Error | undefined },
  ): Promise<{ address: string; family: number }> {
    const host = urlHost(url);
    let addresses: Array<{ address: string; family: number }>;
    if (isIpLiteral(host)) {
      addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
    } else {
      try {
        addresses = await raceAbort(this.lookup(host), context);
      } catch (error) {
        if (context.failure()) {
          throw context.failure();
        }
        const code = (error as { code?: string })?.code;
        throw new GuardedHttpError(
          'dns',
          `could not resolve ${host}${code ? ` (${code})` : ''}`,
          code ? undefined : error,
        );
      }
      if (!addresses?.length) {
        throw new GuardedHttpError('dns', `${host} resolves to no address`);
      }
    }
    for (const { address } of addresses) {
      const refused = this.policy.refuse(address);
      if (refused) {
        const subject = isIpLiteral(host)
          ? `${host} is`
          : `${host} resolves to ${address},`;
        throw new NotAllowedError(
          refused.forbidden
            ? `${subject} ${refused.description}, which is never allowed`
            : `${subject} ${
                refused.description
              }; requests to non-public addresses are refused unless ${this.key(
                'allowPrivateNetworks',
              )} is true or ${this.key('allowedNetworks')} covers it`,
        );
      }
    }
    const [first] = addresses;
    return { address: first.address, family: first.family === 6 ? 6 : 4 };
  }

  private headersFor(url: URL, extra: Record<string, string>) {
    const headers: Record<string, string> = {
      accept: '*/*',
      'accept-encoding': 'identity',
      'user-agent': this.userAgent,
      ...extra,
    };
    for (const entry of this.hostHeaders) {
      if (matchesHostPattern(entry.pattern, url)) {
        Object.assign(headers, entry.headers);
      }
    }
    return headers;
  }

  private async hop(
    url: URL,
    method: GuardedHttpMethod,
    extraHeaders: Record<string, string>,
    context: {
      signal: AbortSignal;
      abortWith: (error: Error) => void;
      failure: () => Error | undefined;
    },
    send: { body?: string; fresh?: boolean },
  ): Promise<Omit<GuardedHttpResponse, 'url' | 'timings'>> {
    const { body } = send;
    const display = `${method} ${url}`;
    const connectTimer = setTimeout(
      () =>
        context.abortWith(
          new GuardedHttpError(
            'timeout',
            `${display}: no connection within ${this.connectTimeoutMs} ms`,
          ),
        ),
      this.connectTimeoutMs,
    );
    try {
      const checked = await this.resolve(url, context);
      if (context.signal.aborted) {
        throw context.failure();
      }
      const hostname = url.hostname.replace(/^\[|\]$/g, '');
      const isHttps = url.protocol === 'https:';
      // connect to the checked address whatever the name resolves to now
      const pinned: LookupFunction = (name, options, callback) => {
        if (name !== hostname) {
          callback(
            Object.assign(new Error(`unexpected lookup of ${name}`), {
              code: 'ENOTFOUND',
            }),
            '',
            4,
          );
        } else if (options.all) {
          (callback as any)(null, [checked]);
        } else {
          callback(null, checked.address, checked.family);
        }
      };
      const options: https.RequestOptions = {
        protocol: url.protocol,
        hostname,
        port: urlPort(url),
        path: `${url.pathname}${url.search}`,
        method,
        headers: {
          ...this.headersFor(url, extraHeaders),
          ...(body !== undefined && {
            'content-length': String(Buffer.byteLength(body)),
          }),
        },
        // a POST is never sent on a reused connection: one the server has
        // just closed would fail it after it may have been acted on
        agent:
          (method !== 'GET' && method !== 'HEAD') || send.fresh
            ? false
            : this.agentFor(url, checked.address),
        // a new connection goes to the checked address only
        lookup: pinned,
        ...(isHttps && !isIpLiteral(hostname) ? { servername: hostname } : {}),
        ...(isHttps ? this.tls : {}),
      };
      const req = (isHttps ? https : http).request(options);
      return await new Promise((resolve, reject) => {
        let settled = false;
        let onAbort = () => {};
        const settle = (fn: () => void) => {
          if (!settled) {
            settled = true;
            context.signal.removeEventListener('abort', onAbort);
            fn();
          }
        };
        const fail = (error: unknown) =>
          settle(() => {
            const known = context.failure();
            if (known) {
              reject(known);
            } else {
              const code = (error as { code?: string })?.code;
              reject(
                new GuardedHttpError(
                  'network',
                  `${display} failed: ${
                    (error as Error)?.message ?? String(error)
                  }${
                    code && !(error as Error)?.message?.includes(code)
                      ? ` (${code})`
                      : ''
                  }`,
                ),
              );
            }
          });
        onAbort = () => {
          req.destroy();
          fail(context.failure());
        };
        context.signal.addEventListener('abort', onAbort);
        let reused = false;
        let answered = false;
        req.on('socket', socket => {
          if (!socket.connecting) {
            reused = true;
            // a kept-alive connection, connected already (reused, or
            // handed over by the agent to a request waiting for one): no
            // listener added to it per request
            clearTimeout(connectTimer);
            return;
          }
          socket.once(isHttps ? 'secureConnect' : 'connect', () =>
            clearTimeout(connectTimer),
          );
        });
        req.on('error', error => {
          if (reused && !answered && !context.failure()) {
            // e.g. ECONNRESET: the server closed the idle connection as
            // the request went out
            settle(() => reject(new ClosedConnection()));
          } else {
            fail(error);
          }
        });
        req.on('response', res => {
          answered = true;
          clearTimeout(connectTimer);
          const status = res.statusCode ?? 0;
          const remote = res.socket?.remoteAddress;
          if (
            !remote ||
            classifyAddress(remote).address !==
              classifyAddress(checked.address).address
          ) {
            req.destroy();
            settle(() =>
              reject(
                new NotAllowedError(
                  `${display}: connected to ${remote}, not to the checked address ${checked.address}`,
                ),
              ),
            );
            return;
          }
          const base = {
            status,
            statusText: res.statusMessage ?? '',
            headers: res.headers,
            address: checked.address,
          };
          const location = res.headers.location;
          if (REDIRECTS.has(status) && location) {
            req.destroy();
            let target: URL | undefined;
            try {
              target = new URL(location, url);
            } catch {
              target = undefined;
            }
            settle(() =>
              resolve({
                ...base,
                body: Buffer.alloc(0),
                redirect: {
                  location: target?.toString() ?? location,
                  sameOrigin:
                    target !== undefined &&
                    target.protocol === url.protocol &&
                    target.host === url.host,
                },
              }),
            );
            return;
          }
          const tooLarge = () =>
            context.abortWith(
              new GuardedHttpError(
                'body-too-large',
                `the response to ${display} is larger than ${
                  this.maxBodyBytes
                } bytes (${this.key('maxBodyBytes')})`,
              ),
            );
          const declared = Number(res.headers['content-length']);
          if (method !== 'HEAD' && declared > this.maxBodyBytes) {
            tooLarge();
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > this.maxBodyBytes) {
              tooLarge();
              return;
            }
            chunks.push(chunk);
          });
          res.on('error', fail);
          res.on('aborted', () =>
            fail(
              new Error('connection closed before the response was complete'),
            ),
          );
          res.on('end', () => {
            if (!res.complete) {
              fail(
                new Error('connection closed before the response was complete'),
              );
              return;
            }
            settle(() => resolve({ ...base, body: Buffer.concat(chunks) }));
          });
        });
        req.end(body);
      });
    } finally {
      clearTimeout(connectTimer);
    }
  }
}

function raceAbort<T>(
  promise: Promise<T>,
  context: { signal: AbortSignal; failure: () => Error | undefined },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(context.failure() ?? new Error('aborted'));
    if (context.signal.aborted) {
      onAbort();
      return;
    }
    context.signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      value => {
        context.signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      error => {
        context.signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
