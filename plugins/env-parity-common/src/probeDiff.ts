import { ProbeEnvironmentResult } from './probe';
import { probeIgnoreMatcher, withIgnoredFieldsOf } from './probeDiffIgnore';

/**
 * One way an environment's answer differs from the reference's.
 *
 * @public
 */
export interface ProbeDiffEntry {
  /**
   * What differs: the status, whether there was an answer at all (`error`),
   * a reported redirect, a response header, a JSON field, a line of a text
   * body, or the body as a whole (type or size).
   */
  kind: 'status' | 'error' | 'redirect' | 'header' | 'json' | 'text' | 'body';
  /**
   * Where: `status`, `error`, `redirect`, the header name, the JSON path
   * (`$.features.newCheckout`, `$.items[2]`), `line <n>` (line of the
   * environment's body; of the reference's for a removed line) or `body`.
   */
  path: string;
  /** Seen from the reference towards the environment. */
  change: 'added' | 'removed' | 'changed';
  /** The reference's value, shortened for display. */
  reference?: string;
  /** The environment's value, shortened for display. */
  environment?: string;
}

/**
 * One line of a line diff.
 *
 * @public
 */
export interface LineDiffOp {
  type: 'same' | 'added' | 'removed';
  text: string;
  /** 1-based line number in the reference text (same and removed lines). */
  referenceLine?: number;
  /** 1-based line number in the other text (same and added lines). */
  line?: number;
}

/**
 * An environment's probe answer compared with the reference's.
 *
 * @public
 */
export interface ProbeComparison {
  environment: string;
  against: string;
  /** True when nothing compared differs. */
  same: boolean;
  entries: ProbeDiffEntry[];
  /** True when there were more than `limit` entries. */
  truncated?: boolean;
  /**
   * Differences in fields expected to differ (the `ignore` option: JSON
   * paths and header names); not counted in `same` or `entries`.
   */
  ignored?: ProbeDiffEntry[];
}

/**
 * Headers that differ on every response and say nothing about the
 * environment, or (`content-length`) repeat what the body comparison
 * shows; not compared by default.
 *
 * @public
 */
export const PROBE_VOLATILE_HEADERS: readonly string[] = [
  'date',
  'content-length',
  'age',
  'expires',
  'last-modified',
  'x-request-id',
  'x-correlation-id',
  'x-trace-id',
  'traceparent',
  'tracestate',
  'server-timing',
];

const MAX_VALUE_LENGTH = 200;
// Above this many cells (lines x lines) the line diff is not minimal.
const MAX_LCS_CELLS = 4_000_000;

function shorten(text: string): string {
  return text.length > MAX_VALUE_LENGTH
    ? `${text.slice(0, MAX_VALUE_LENGTH - 1)}…`
    : text;
}

/** Seen from the reference (`a`) towards the environment (`b`). */
function changeOf(
  a: string | undefined,
  b: string | undefined,
): ProbeDiffEntry['change'] {
  if (a === undefined) {
    return 'added';
  }
  return b === undefined ? 'removed' : 'changed';
}

function show(value: unknown): string {
  return shorten(value === undefined ? 'undefined' : JSON.stringify(value));
}

function splitLines(text: string): string[] {
  if (text === '') {
    return [];
  }
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') {
    lines.pop();
  }
  return lines;
}

/**
 * A line diff of two texts (longest common subsequence, after trimming the
 * common start and end). Very large differing middles fall back to "all
 * removed, then all added".
 *
 * @public
 */
export function diffLines(reference: string, other: string): LineDiffOp[] {
  const a = splitLines(reference);
  const b = splitLines(other);
  const ops: LineDiffOp[] = [];
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) {
    ops.push({
      type: 'same',
      text: a[start],
      referenceLine: start + 1,
      line: start + 1,
    });
    start++;
  }
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  const middle: LineDiffOp[] = [];
  if (n * m > 0 && n * m <= MAX_LCS_CELLS) {
    // lcs[i][j]: length of the LCS of a[start+i..endA) and b[start+j..endB)
    const lcs: Uint32Array[] = [];
    for (let i = 0; i <= n; i++) {
      lcs.push(new Uint32Array(m + 1));
    }
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i][j] =
          a[start + i] === b[start + j]
            ? lcs[i + 1][j + 1] + 1
            : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[start + i] === b[start + j]) {
        middle.push({
          type: 'same',
          text: a[start + i],
          referenceLine: start + i + 1,
          line: start + j + 1,
        });
        i++;
        j++;
      } else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) {
        // on a tie, removed lines come before the added ones
        middle.push({
          type: 'removed',
          text: a[start + i],
          referenceLine: start + i + 1,
        });
        i++;
      } else {
        middle.push({ type: 'added', text: b[start + j], line: start + j + 1 });
        j++;
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      middle.push({
        type: 'removed',
        text: a[start + i],
        referenceLine: start + i + 1,
      });
    }
    for (let j = 0; j < m; j++) {
      middle.push({ type: 'added', text: b[start + j], line: start + j + 1 });
    }
  }
  ops.push(...middle);
  for (let k = 0; k < a.length - endA; k++) {
    ops.push({
      type: 'same',
      text: a[endA + k],
      referenceLine: endA + k + 1,
      line: endB + k + 1,
    });
  }
  return ops;
}

/**
 * Line diff entries: adjacent removed and added lines pair up as changed
 * lines.
 */
function lineEntries(ops: LineDiffOp[]): ProbeDiffEntry[] {
  const entries: ProbeDiffEntry[] = [];
  let k = 0;
  while (k < ops.length) {
    if (ops[k].type === 'same') {
      k++;
      continue;
    }
    const removed: LineDiffOp[] = [];
    const added: LineDiffOp[] = [];
    while (k < ops.length && ops[k].type !== 'same') {
      (ops[k].type === 'removed' ? removed : added).push(ops[k]);
      k++;
    }
    const pairs = Math.min(removed.length, added.length);
    for (let p = 0; p < pairs; p++) {
      entries.push({
        kind: 'text',
        path: `line ${added[p].line}`,
        change: 'changed',
        reference: shorten(removed[p].text),
        environment: shorten(added[p].text),
      });
    }
    for (const op of removed.slice(pairs)) {
      entries.push({
        kind: 'text',
        path: `line ${op.referenceLine}`,
        change: 'removed',
        reference: shorten(op.text),
      });
    }
    for (const op of added.slice(pairs)) {
      entries.push({
        kind: 'text',
        path: `line ${op.line}`,
        change: 'added',
        environment: shorten(op.text),
      });
    }
  }
  return entries;
}

/**
 * A JSON path for display: `$`, `$.a.b`, `$.items[2]`, `$["a key"]`.
 *
 * @public
 */
export function jsonPath(parts: Array<string | number>): string {
  return parts.reduce<string>((path, part) => {
    if (typeof part === 'number') {
      return `${path}[${part}]`;
    }
    return /^[A-Za-z_$][\w$]*$/.test(part)
      ? `${path}.${part}`
      : `${path}[${JSON.stringify(part)}]`;
  }, '$');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The fields in which two JSON values differ, by path. Objects are
 * compared key by key (keys in the reference's order, then new keys),
 * arrays index by index; a value whose type differs is one change.
 *
 * @public
 */
export function diffJson(reference: unknown, other: unknown): ProbeDiffEntry[] {
  return diffJsonParts(reference, other).map(d => d.entry);
}

/** {@link diffJson}, each entry with the steps of its path. */
function diffJsonParts(
  reference: unknown,
  other: unknown,
): Array<{ entry: ProbeDiffEntry; parts: Array<string | number> }> {
  const entries: Array<{
    entry: ProbeDiffEntry;
    parts: Array<string | number>;
  }> = [];
  const push = (parts: Array<string | number>, entry: ProbeDiffEntry) =>
    entries.push({ entry, parts });
  const walk = (a: unknown, b: unknown, parts: Array<string | number>) => {
    if (isObject(a) && isObject(b)) {
      for (const key of Object.keys(a)) {
        if (!Object.prototype.hasOwnProperty.call(b, key)) {
          push([...parts, key], {
            kind: 'json',
            path: jsonPath([...parts, key]),
            change: 'removed',
            reference: show(a[key]),
          });
        } else {
          walk(a[key], b[key], [...parts, key]);
        }
      }
      for (const key of Object.keys(b)) {
        if (!Object.prototype.hasOwnProperty.call(a, key)) {
          push([...parts, key], {
            kind: 'json',
            path: jsonPath([...parts, key]),
            change: 'added',
            environment: show(b[key]),
          });
        }
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        if (i >= b.length) {
          push([...parts, i], {
            kind: 'json',
            path: jsonPath([...parts, i]),
            change: 'removed',
            reference: show(a[i]),
          });
        } else if (i >= a.length) {
          push([...parts, i], {
            kind: 'json',
            path: jsonPath([...parts, i]),
            change: 'added',
            environment: show(b[i]),
          });
        } else {
          walk(a[i], b[i], [...parts, i]);
        }
      }
      return;
    }
    if (!Object.is(a, b)) {
      push(parts, {
        kind: 'json',
        path: jsonPath(parts),
        change: 'changed',
        reference: show(a),
        environment: show(b),
      });
    }
  };
  walk(reference, other, []);
  return entries;
}

/**
 * The headers in which two responses differ (names compared without case),
 * ignoring `ignore` (default {@link PROBE_VOLATILE_HEADERS}).
 *
 * @public
 */
export function diffHeaders(
  reference: Record<string, string> | undefined,
  other: Record<string, string> | undefined,
  options: { ignore?: readonly string[] } = {},
): ProbeDiffEntry[] {
  const ignore = new Set(
    (options.ignore ?? PROBE_VOLATILE_HEADERS).map(h => h.toLowerCase()),
  );
  const lower = (headers?: Record<string, string>) =>
    new Map(
      Object.entries(headers ?? {})
        .map(([k, v]) => [k.toLowerCase(), String(v)] as const)
        .filter(([k]) => !ignore.has(k)),
    );
  const a = lower(reference);
  const b = lower(other);
  const entries: ProbeDiffEntry[] = [];
  for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const va = a.get(name);
    const vb = b.get(name);
    if (va === vb) {
      continue;
    }
    entries.push({
      kind: 'header',
      path: name,
      change: changeOf(va, vb),
      ...(va !== undefined ? { reference: shorten(va) } : {}),
      ...(vb !== undefined ? { environment: shorten(vb) } : {}),
    });
  }
  return entries;
}

/**
 * The parsed JSON body of a result, or undefined when it has none or it
 * does not parse.
 *
 * @public
 */
export function probeJsonBody(
  result: ProbeEnvironmentResult,
): { value: unknown } | undefined {
  if (result.bodyType !== 'json' || result.body === undefined) {
    return undefined;
  }
  try {
    return { value: JSON.parse(result.body) };
  } catch {
    return undefined;
  }
}

/**
 * The body for display and line diffs: JSON pretty-printed with two-space
 * indentation, text as is, undefined for no or binary bodies.
 *
 * @public
 */
export function prettyProbeBody(
  result: ProbeEnvironmentResult,
): string | undefined {
  const json = probeJsonBody(result);
  if (json) {
    return JSON.stringify(json.value, null, 2);
  }
  return result.bodyType === 'json' || result.bodyType === 'text'
    ? result.body
    : undefined;
}

type IgnoreMatcher = ReturnType<typeof probeIgnoreMatcher>;

function bodyEntries(
  reference: ProbeEnvironmentResult,
  other: ProbeEnvironmentResult,
  ignore: IgnoreMatcher,
  ignored: ProbeDiffEntry[],
): ProbeDiffEntry[] {
  const typeA = reference.bodyType ?? 'none';
  const typeB = other.bodyType ?? 'none';
  const describe = (r: ProbeEnvironmentResult, type: string) =>
    type === 'none' ? 'no body' : `${type}, ${r.bodyBytes ?? 0} bytes`;
  const jsonA = probeJsonBody(reference);
  const jsonB = probeJsonBody(other);
  if (jsonA && jsonB) {
    const counted: ProbeDiffEntry[] = [];
    for (const { entry, parts } of diffJsonParts(jsonA.value, jsonB.value)) {
      (ignore.json(parts) ? ignored : counted).push(entry);
    }
    return counted;
  }
  const textA = prettyProbeBody(reference);
  const textB = prettyProbeBody(other);
  if (
    textA !== undefined &&
    textB !== undefined &&
    (jsonA === undefined) === (jsonB === undefined)
  ) {
    return lineEntries(diffLines(textA, textB));
  }
  if (typeA === 'none' && typeB === 'none') {
    return [];
  }
  if (
    typeA === typeB &&
    typeA === 'binary' &&
    reference.bodyBytes === other.bodyBytes
  ) {
    return [];
  }
  return [
    {
      kind: 'body',
      path: 'body',
      change: changeOf(
        typeA === 'none' ? undefined : typeA,
        typeB === 'none' ? undefined : typeB,
      ),
      ...(typeA !== 'none' ? { reference: describe(reference, typeA) } : {}),
      ...(typeB !== 'none' ? { environment: describe(other, typeB) } : {}),
    },
  ];
}

/**
 * Compares one environment's probe answer with the reference's: whether
 * each answered, the status, a reported redirect, the shown headers, and
 * the body (JSON field by field, text line by line).
 *
 * @public
 */
export function compareProbeResults(
  reference: ProbeEnvironmentResult,
  other: ProbeEnvironmentResult,
  options: {
    /** Headers not compared at all; default {@link PROBE_VOLATILE_HEADERS}. */
    ignoreHeaders?: readonly string[];
    /**
     * Fields expected to differ: JSON paths (`$.build.time`,
     * `$.instances[*].uptime`) and header names. Their differences are
     * listed in `ignored`, not counted. Entries that are neither are
     * skipped.
     */
    ignore?: readonly string[];
    limit?: number;
  } = {},
): ProbeComparison {
  const limit = options.limit ?? 200;
  const ignore = probeIgnoreMatcher(options.ignore);
  const entries: ProbeDiffEntry[] = [];
  const ignored: ProbeDiffEntry[] = [];
  const answer = (r: ProbeEnvironmentResult) =>
    r.error ? `${r.error.reason}: ${r.error.message}` : undefined;
  const errorA = answer(reference);
  const errorB = answer(other);
  if (errorA || errorB) {
    if (errorA !== errorB) {
      entries.push({
        kind: 'error',
        path: 'error',
        change: changeOf(errorA, errorB),
        ...(errorA ? { reference: shorten(errorA) } : {}),
        ...(errorB ? { environment: shorten(errorB) } : {}),
      });
    }
  } else {
    if (reference.status !== other.status) {
      entries.push({
        kind: 'status',
        path: 'status',
        change: 'changed',
        reference: String(reference.status),
        environment: String(other.status),
      });
    }
    const locationA = reference.redirect?.location;
    const locationB = other.redirect?.location;
    if (locationA !== locationB) {
      entries.push({
        kind: 'redirect',
        path: 'redirect',
        change: changeOf(locationA, locationB),
        ...(locationA ? { reference: shorten(locationA) } : {}),
        ...(locationB ? { environment: shorten(locationB) } : {}),
      });
    }
    for (const entry of diffHeaders(reference.headers, other.headers, {
      ignore: options.ignoreHeaders,
    })) {
      (ignore.header(entry.path) ? ignored : entries).push(entry);
    }
    entries.push(...bodyEntries(reference, other, ignore, ignored));
  }
  return {
    environment: other.environment,
    against: reference.environment,
    same: entries.length === 0,
    entries: entries.slice(0, limit),
    ...(entries.length > limit ? { truncated: true } : {}),
    ...(ignored.length ? { ignored: ignored.slice(0, limit) } : {}),
  };
}

/**
 * The reference's body as {@link prettyProbeBody} gives it, for a line diff
 * against `other`'s: with `ignore` (JSON paths), the ignored fields are
 * taken from `other`'s JSON, so that only the differences that count show.
 *
 * @public
 */
export function comparableReferenceBody(
  reference: ProbeEnvironmentResult,
  other: ProbeEnvironmentResult,
  ignore?: readonly string[],
): string | undefined {
  const matcher = probeIgnoreMatcher(ignore);
  const jsonA = probeJsonBody(reference);
  const jsonB = probeJsonBody(other);
  if (matcher.empty || !jsonA || !jsonB) {
    return prettyProbeBody(reference);
  }
  return JSON.stringify(
    withIgnoredFieldsOf(jsonA.value, jsonB.value, matcher.json),
    null,
    2,
  );
}
