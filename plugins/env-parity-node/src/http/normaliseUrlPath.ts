import { InputError } from '@backstage/errors';

// RFC 3986 pchar minus "%", which is checked separately
const PCHAR = /[A-Za-z0-9\-._~!$&'()*+,;=:@]/;

function decodeFully(segment: string): string {
  let current = segment;
  // a server or proxy may decode more than once: look through every layer
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      throw new InputError(
        `Path segment "${segment}" has invalid percent-encoding`,
      );
    }
    if (next === current) {
      return next;
    }
    current = next;
  }
  throw new InputError(`Path segment "${segment}" is encoded too many times`);
}

function encodeSegment(segment: string): string {
  let out = '';
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i];
    if (ch === '%' && /^%[0-9A-Fa-f]{2}$/.test(segment.slice(i, i + 3))) {
      out += segment.slice(i, i + 3).toUpperCase();
      i += 2;
    } else if (PCHAR.test(ch)) {
      out += ch;
    } else {
      out += encodeURIComponent(ch);
    }
  }
  return out;
}

/**
 * Joins a base URL and a user-supplied path so that the result always stays
 * under the base URL: same scheme, host and port, and a path starting with
 * the base path.
 *
 * - `base` must be an `http:` or `https:` URL without credentials; its query
 *   and fragment are dropped; its path is treated as a directory
 *   (`http://h/svc` and `http://h/svc/` are the same base).
 * - `path` is relative to the base whether or not it starts with `/`
 *   (`/version` and `version` both give `<base>/version`). It may carry a
 *   query (`/health?full=true`), kept as given; a fragment is dropped.
 * - Refused with an `InputError`: absolute or protocol-relative URLs
 *   (`https://x`, `//x`), backslashes, control characters, `..` segments and
 *   encoded slashes or backslashes (`%2f`, `%5c`), also when encoded more
 *   than once (`%252e%252e`); `.` segments and empty segments are removed.
 * - Characters outside RFC 3986 path characters are percent-encoded.
 *
 * @example
 * normaliseUrlPath('http://127.0.0.1:7010/payments/staging', '/version')
 * // => 'http://127.0.0.1:7010/payments/staging/version'
 *
 * @public
 */
export function normaliseUrlPath(base: string, path: string): string {
  let baseUrl: URL;
  try {
    baseUrl = new URL(base);
  } catch {
    throw new InputError(`"${base}" is not a valid URL`);
  }
  if (baseUrl.protocol !== 'http:' && baseUrl.protocol !== 'https:') {
    throw new InputError(`"${base}" is not an http or https URL`);
  }
  if (baseUrl.username || baseUrl.password) {
    throw new InputError(
      `Base URL "${baseUrl.host}" may not carry credentials`,
    );
  }
  const raw = String(path ?? '');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(raw)) {
    throw new InputError(`Path "${raw}" contains control characters`);
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(raw) || raw.startsWith('//')) {
    throw new InputError(
      `Path "${raw}" is an absolute URL; give a path such as /version`,
    );
  }
  if (raw.includes('\\')) {
    throw new InputError(`Path "${raw}" contains a backslash`);
  }
  const withoutFragment = raw.split('#')[0];
  const queryAt = withoutFragment.indexOf('?');
  const pathPart =
    queryAt >= 0 ? withoutFragment.slice(0, queryAt) : withoutFragment;
  const query = queryAt >= 0 ? withoutFragment.slice(queryAt) : '';

  const segments: string[] = [];
  for (const segment of pathPart.split('/')) {
    const decoded = decodeFully(segment);
    if (decoded.includes('/') || decoded.includes('\\')) {
      throw new InputError(
        `Path "${raw}" contains an encoded slash or backslash`,
      );
    }
    if (decoded === '..') {
      throw new InputError(
        `Path "${raw}" contains "..", which could leave the base URL`,
      );
    }
    if (decoded === '' || decoded === '.') {
      continue;
    }
    segments.push(encodeSegment(segment));
  }

  const basePath = baseUrl.pathname.replace(/\/+$/, '');
  const joined = `${basePath}/${segments.join('/')}`;
  const result = new URL(`${baseUrl.origin}${joined}${encodeQuery(query)}`);
  // belt and braces: the URL parser must not have moved us anywhere else
  if (
    result.origin !== baseUrl.origin ||
    (result.pathname !== basePath &&
      !result.pathname.startsWith(`${basePath}/`))
  ) {
    throw new InputError(`Path "${raw}" leaves the base URL ${base}`);
  }
  return result.toString();
}

function encodeQuery(query: string): string {
  if (!query) {
    return '';
  }
  return query.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/g, ch =>
    encodeURIComponent(ch),
  );
}
