/**
 * The HTTP methods a probe may use: nothing that changes state.
 *
 * @public
 */
export const PROBE_METHODS = ['GET', 'HEAD'] as const;

/**
 * One of {@link PROBE_METHODS}.
 *
 * @public
 */
export type ProbeMethod = (typeof PROBE_METHODS)[number];

/**
 * The longest path (with its query) a probe accepts, in characters.
 *
 * @public
 */
export const PROBE_MAX_PATH_LENGTH = 2048;

/**
 * Asks the same question of several environments of one entity:
 * `POST /api/env-parity/entities/:kind/:namespace/:name/probe`.
 *
 * @public
 */
export interface ProbeRequest {
  /**
   * Path (and optional query) relative to each environment's base URL
   * (`env-parity/<env>.url`), e.g. `/version` or `/api/config?verbose=1`.
   * It can never leave the base URL: `..`, encoded slashes and absolute
   * URLs are refused.
   */
  path: string;
  /** `GET` or `HEAD`. */
  method: ProbeMethod;
  /**
   * Environment names to ask. Defaults to every environment whose URL the
   * entity's annotations give.
   */
  environments?: string[];
}

/**
 * Why asking one environment failed, when no HTTP response came back.
 *
 * - `not-allowed`: refused by the outbound-request guard (host not in
 *   `envParity.probe.allowedHosts`, a private or metadata address, ...);
 * - `invalid`: the environment's base URL is not usable;
 * - `timeout`, `body-too-large`, `dns`, `network`, `aborted`: transport.
 *
 * @public
 */
export type ProbeErrorReason =
  | 'not-allowed'
  | 'invalid'
  | 'timeout'
  | 'body-too-large'
  | 'dns'
  | 'network'
  | 'aborted';

/**
 * How a response body is carried in a {@link ProbeEnvironmentResult}.
 *
 * - `json`: `body` is the text of a JSON document;
 * - `text`: `body` is UTF-8 text;
 * - `binary`: not text; `body` is absent, `bodyBytes` tells the size;
 * - `none`: no body (HEAD, redirects, empty responses).
 *
 * @public
 */
export type ProbeBodyType = 'json' | 'text' | 'binary' | 'none';

/**
 * The marker that replaces the value of a redacted header.
 *
 * @public
 */
export const PROBE_REDACTED = '[redacted]';

/**
 * What one environment answered.
 *
 * @public
 */
export interface ProbeEnvironmentResult {
  /** Environment name. */
  environment: string;
  /** Environment title. */
  title: string;
  /** True for the reference environment (production). */
  reference: boolean;
  /** The URL asked: the environment's base URL joined with the path. */
  url?: string;
  /** HTTP status; absent when the request failed (see `error`). */
  status?: number;
  statusText?: string;
  /** Time to the complete response, in milliseconds. */
  latencyMs?: number;
  /**
   * Response headers, lower-case names: those in the configured
   * `showHeaders` allow-list, plus redacted ones (value {@link PROBE_REDACTED})
   * so that their presence still shows.
   */
  headers?: Record<string, string>;
  /** Names of the headers whose values were redacted. */
  redactedHeaders?: string[];
  bodyType?: ProbeBodyType;
  /** The body as text, for `json` and `text` bodies. */
  body?: string;
  /** Size of the body in bytes. */
  bodyBytes?: number;
  /**
   * A redirect (3xx with a Location) that was reported, not followed.
   * `sameOrigin` is false when it points at another scheme, host or port.
   */
  redirect?: { location: string; sameOrigin: boolean };
  /** Why there is no response. */
  error?: { reason: ProbeErrorReason; message: string };
}

/**
 * The answer to a {@link ProbeRequest}: each environment's answer, side by
 * side, in promotion order.
 *
 * @public
 */
export interface ProbeResult {
  /** A unique id of this probe, also in the audit log. */
  id: string;
  entityRef: string;
  method: ProbeMethod;
  /** The path as normalised, e.g. `/version`. */
  path: string;
  /** Name of the reference environment, which others are compared with. */
  reference: string;
  /** ISO 8601 time the probe started. */
  startedAt: string;
  environments: ProbeEnvironmentResult[];
  /**
   * Fields expected to differ, from `envParity.probe.ignore` and the
   * entity's `env-parity/probe-ignore` annotation: pass `ignore.fields` to
   * `compareProbeResults`, which lists their differences as ignored.
   */
  ignore?: ProbeIgnoreSummary;
}

/**
 * The ignore list a probe was compared with.
 *
 * @public
 */
export interface ProbeIgnoreSummary {
  /** JSON paths (e.g. `$.build.time`) and header names (lower case). */
  fields: string[];
  /**
   * Entries that are neither a JSON path nor a header name (or too long,
   * or too many): not applied, with where they come from and why.
   */
  invalid?: Array<{
    entry: string;
    source: 'config' | 'annotation';
    message: string;
  }>;
}
