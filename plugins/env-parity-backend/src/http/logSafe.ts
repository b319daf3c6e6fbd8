import { JsonValue } from '@backstage/types';

// C0 and C1 control characters, DEL, and the Unicode line and paragraph
// separators: anything a text log or a terminal could take as a new line.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED: Record<string, string> = {
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/**
 * A user-supplied value made safe for a log line: control characters are
 * written as escapes (`\n`, `\u001b`), so no value can start a forged line
 * or move a terminal's cursor.
 */
export function logSafe(value: string): string {
  return value.replace(
    CONTROL,
    c => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** {@link logSafe} applied to every string (and key) of a JSON value. */
export function logSafeJson<T extends JsonValue | undefined>(value: T): T {
  if (typeof value === 'string') {
    return logSafe(value) as T;
  }
  if (Array.isArray(value)) {
    return value.map(v => logSafeJson(v)) as T;
  }
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [logSafe(k), logSafeJson(v)]),
    ) as T;
  }
  return value;
}

/**
 * An error to hand to a logger or auditor: same name, message and stack with
 * control characters escaped. Loggers append an error's message to the log
 * line as is, and messages often quote what the user sent. The original
 * error (for the response) is left untouched.
 */
export function logSafeError(error: unknown): Error {
  const original =
    error instanceof Error ? error : new Error(String(error ?? 'unknown'));
  const message = logSafe(original.message);
  const safe = new Error(message);
  safe.name = logSafe(original.name);
  const head = `${original.name}: ${original.message}`;
  const stack = original.stack ?? '';
  safe.stack = stack.startsWith(head)
    ? `${safe.name}: ${message}${stack.slice(head.length)}`
    : logSafe(stack);
  return safe;
}
