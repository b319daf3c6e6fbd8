/**
 * Small checks for JSON response bodies of source-control APIs. Each throws an
 * Error naming the path of the first field that is not what the API documents.
 */

/**
 * A JSON object read from a response body.
 *
 * @public
 */
export type JsonRecord = Record<string, unknown>;

/**
 * Whether a value is a JSON object (not null, not an array).
 *
 * @public
 */
export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value as a JSON object; throws `<path> is not an object` otherwise.
 *
 * @public
 */
export function asRecord(value: unknown, path: string): JsonRecord {
  if (!isRecord(value)) {
    throw new Error(`${path} is not an object`);
  }
  return value;
}

/**
 * The value as an array; throws `<path> is not an array` otherwise.
 *
 * @public
 */
export function asArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new Error(`${path} is not an array`);
  }
  return value;
}

/**
 * A string field; throws `<path>.<key> is not a string` otherwise.
 *
 * @public
 */
export function requiredString(
  object: JsonRecord,
  key: string,
  path: string,
): string {
  const value = object[key];
  if (typeof value !== 'string') {
    throw new Error(`${path}.${key} is not a string`);
  }
  return value;
}

/**
 * A string field that may be missing or null (then undefined); throws
 * `<path>.<key> is not a string` for any other type.
 *
 * @public
 */
export function optionalString(
  object: JsonRecord,
  key: string,
  path: string,
): string | undefined {
  const value = object[key];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new Error(`${path}.${key} is not a string`);
  }
  return value;
}

/**
 * A finite number field; throws `<path>.<key> is not a number` otherwise.
 *
 * @public
 */
export function requiredNumber(
  object: JsonRecord,
  key: string,
  path: string,
): number {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${path}.${key} is not a number`);
  }
  return value;
}

/**
 * The name field (`nameKey`, e.g. GitHub's `login` or GitLab's `username`) of
 * a nested user object at `key`, where the user object and the name may be
 * missing or null.
 *
 * @public
 */
export function optionalUserName(
  object: JsonRecord,
  key: string,
  nameKey: string,
  path: string,
): string | undefined {
  const user = object[key];
  if (user === undefined || user === null) {
    return undefined;
  }
  return optionalString(
    asRecord(user, `${path}.${key}`),
    nameKey,
    `${path}.${key}`,
  );
}

/**
 * An http(s) URL, or undefined for anything else.
 *
 * @public
 */
export function httpUrl(value: string | undefined): string | undefined {
  if (!value) {
    return undefined;
  }
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:'
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An ISO 8601 timestamp in the form Env Parity stores, or undefined.
 *
 * @public
 */
export function isoTime(value: string | undefined): string | undefined {
  if (!value) {
    return undefined;
  }
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
