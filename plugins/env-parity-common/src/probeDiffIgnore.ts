/**
 * Fields of a probe's answers expected to differ between environments (a
 * build time, an uptime, a host name): JSON paths and header names, from
 * `envParity.probe.ignore` and the entity's `env-parity/probe-ignore`
 * annotation. Differences in them are shown as ignored, not counted.
 */

/**
 * One step of an ignored JSON path: a key, an index, or `*` (any one).
 *
 * @public
 */
export type ProbeIgnoreStep = string | number | { any: true };

/**
 * An ignore list, read: the usable entries, and those that are neither a
 * JSON path nor a header name (not applied).
 *
 * @public
 */
export interface ProbeIgnoreList {
  /** JSON paths as written, e.g. `$.build.time`. */
  paths: string[];
  /** Header names, lower case. */
  headers: string[];
  /** Entries not applied, with why. */
  invalid: Array<{ entry: string; message: string }>;
}

/**
 * Ignore list entries longer than this are not applied.
 *
 * @public
 */
export const PROBE_IGNORE_MAX_ENTRY_LENGTH = 200;

/**
 * Ignore list entries past this many are not applied.
 *
 * @public
 */
export const PROBE_IGNORE_MAX_ENTRIES = 100;

const HEADER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;
const KEY = /^[A-Za-z0-9_$-]+/;
const WHAT = 'neither a JSON path (e.g. $.build.time) nor a header name';

/**
 * Splits an ignore list as written in the `env-parity/probe-ignore`
 * annotation: entries separated by commas or new lines (a comma inside a
 * quoted key, as in `$["a,b"]`, does not separate).
 *
 * @public
 */
export function splitProbeIgnore(value: string | undefined): string[] {
  const entries: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < (value ?? '').length; i++) {
    const c = value![i];
    if (quote) {
      current += c;
      if (c === '\\' && i + 1 < value!.length) {
        current += value![++i];
      } else if (c === quote) {
        quote = undefined;
      }
    } else if (c === ',' || c === '\n') {
      entries.push(current);
      current = '';
    } else {
      if (c === '"' || c === "'") {
        quote = c;
      }
      current += c;
    }
  }
  entries.push(current);
  return entries.map(e => e.trim()).filter(Boolean);
}

/**
 * Reads a JSON path such as `$.build.time`, `$.items[0].id`,
 * `$.instances[*].uptime` or `$["content-hash"]`; throws an Error saying
 * where it stops making sense.
 *
 * @public
 */
export function parseProbeIgnorePath(path: string): ProbeIgnoreStep[] {
  if (!path.startsWith('$')) {
    throw new Error('a JSON path starts with $');
  }
  const steps: ProbeIgnoreStep[] = [];
  let i = 1;
  const fail = (what: string): never => {
    throw new Error(`${what} at character ${i + 1}`);
  };
  while (i < path.length) {
    const rest = path.slice(i);
    if (rest.startsWith('.*')) {
      steps.push({ any: true });
      i += 2;
    } else if (rest.startsWith('.')) {
      const key = KEY.exec(rest.slice(1));
      if (!key) {
        fail('expected a key after "."');
      }
      steps.push(key![0]);
      i += 1 + key![0].length;
    } else if (rest.startsWith('[*]')) {
      steps.push({ any: true });
      i += 3;
    } else if (/^\[\d+\]/.test(rest)) {
      const digits = /^\[(\d+)\]/.exec(rest)![1];
      steps.push(Number(digits));
      i += digits.length + 2;
    } else if (rest.startsWith('["') || rest.startsWith("['")) {
      const quote = rest[1];
      let end = 2;
      while (end < rest.length && rest[end] !== quote) {
        end += rest[end] === '\\' ? 2 : 1;
      }
      if (end >= rest.length || rest[end + 1] !== ']') {
        fail(`expected ${quote}] to end the quoted key`);
      }
      const quoted = rest.slice(1, end + 1);
      let key: string;
      try {
        key =
          quote === '"'
            ? JSON.parse(quoted)
            : quoted.slice(1, -1).replace(/\\(.)/g, '$1');
      } catch {
        return fail('the quoted key is not a valid string');
      }
      steps.push(key);
      i += end + 2;
    } else {
      fail('expected .key, [index], ["key"] or *');
    }
  }
  return steps;
}

/**
 * Reads ignore list entries: JSON paths (starting with `$`) and header
 * names. Entries that are neither, too long or too many are listed as
 * invalid and not applied; nothing throws.
 *
 * @public
 */
export function parseProbeIgnore(entries: readonly string[]): ProbeIgnoreList {
  const list: ProbeIgnoreList = { paths: [], headers: [], invalid: [] };
  const seen = new Set<string>();
  let used = 0;
  for (const raw of entries) {
    const entry = typeof raw === 'string' ? raw.trim() : '';
    if (!entry || seen.has(entry)) {
      continue;
    }
    seen.add(entry);
    if (entry.length > PROBE_IGNORE_MAX_ENTRY_LENGTH) {
      list.invalid.push({
        entry: `${entry.slice(0, 40)}…`,
        message: `longer than ${PROBE_IGNORE_MAX_ENTRY_LENGTH} characters`,
      });
      continue;
    }
    if (used >= PROBE_IGNORE_MAX_ENTRIES) {
      list.invalid.push({
        entry,
        message: `past the first ${PROBE_IGNORE_MAX_ENTRIES} entries`,
      });
      continue;
    }
    if (entry.startsWith('$')) {
      try {
        parseProbeIgnorePath(entry);
        list.paths.push(entry);
        used++;
      } catch (error) {
        list.invalid.push({
          entry,
          message: `not a JSON path: ${(error as Error).message}`,
        });
      }
    } else if (HEADER_NAME.test(entry)) {
      list.headers.push(entry.toLowerCase());
      used++;
    } else {
      list.invalid.push({ entry, message: WHAT });
    }
  }
  return list;
}

/**
 * What an ignore list ignores: a JSON field (by its steps from the root)
 * when an ignored path leads to it or to a field containing it, a header by
 * name (any case). Invalid entries are skipped.
 *
 * @public
 */
export function probeIgnoreMatcher(entries: readonly string[] = []): {
  json: (parts: ReadonlyArray<string | number>) => boolean;
  header: (name: string) => boolean;
  empty: boolean;
} {
  const list = parseProbeIgnore(entries);
  const paths = list.paths.map(parseProbeIgnorePath);
  const headers = new Set(list.headers);
  return {
    empty: paths.length === 0 && headers.size === 0,
    json: parts =>
      paths.some(
        steps =>
          steps.length <= parts.length &&
          steps.every(
            (step, k) => typeof step === 'object' || step === parts[k],
          ),
      ),
    header: name => headers.has(name.toLowerCase()),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The reference's JSON with its ignored fields taken from `other`'s (added
 * or removed as `other` has them), so that a line diff of the two shows
 * only the differences that count.
 *
 * @public
 */
export function withIgnoredFieldsOf(
  reference: unknown,
  other: unknown,
  ignored: (parts: ReadonlyArray<string | number>) => boolean,
): unknown {
  const walk = (
    a: unknown,
    b: unknown,
    parts: Array<string | number>,
  ): unknown => {
    if (ignored(parts)) {
      return b;
    }
    if (isObject(a) && isObject(b)) {
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(a)) {
        const has = Object.prototype.hasOwnProperty.call(b, key);
        if (!has && ignored([...parts, key])) {
          continue;
        }
        out[key] = has ? walk(a[key], b[key], [...parts, key]) : a[key];
      }
      for (const key of Object.keys(b)) {
        if (
          !Object.prototype.hasOwnProperty.call(a, key) &&
          ignored([...parts, key])
        ) {
          out[key] = b[key];
        }
      }
      return out;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      return a.map((item, i) =>
        i < b.length ? walk(item, b[i], [...parts, i]) : item,
      );
    }
    return a;
  };
  return walk(reference, other, []);
}
