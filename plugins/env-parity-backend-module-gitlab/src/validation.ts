/**
 * Small checks for GitLab response bodies. Each throws an Error naming the
 * path of the first field that is not what the GitLab REST API documents.
 */

export type JsonRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown, path: string): JsonRecord {
  if (!isRecord(value)) {
    throw new Error(`${path} is not an object`);
  }
  return value;
}

export function asArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new Error(`${path} is not an array`);
  }
  return value;
}

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

/** `username` of a GitLab user object (`user`), which may be null. */
export function optionalUsername(
  object: JsonRecord,
  key: string,
  path: string,
): string | undefined {
  const user = object[key];
  if (user === undefined || user === null) {
    return undefined;
  }
  return optionalString(
    asRecord(user, `${path}.${key}`),
    'username',
    `${path}.${key}`,
  );
}

/** An http(s) URL, or undefined for anything else. */
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

/** An ISO 8601 timestamp in the form Env Parity stores, or undefined. */
export function isoTime(value: string | undefined): string | undefined {
  if (!value) {
    return undefined;
  }
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
