import { normaliseUrlPath } from './normaliseUrlPath';

const BASE = 'http://127.0.0.1:7010/payments/staging';

describe('normaliseUrlPath', () => {
  it.each([
    [BASE, '/version', 'http://127.0.0.1:7010/payments/staging/version'],
    [BASE, 'version', 'http://127.0.0.1:7010/payments/staging/version'],
    [`${BASE}/`, '/version', 'http://127.0.0.1:7010/payments/staging/version'],
    [
      `${BASE}?x=1#top`,
      '/version',
      'http://127.0.0.1:7010/payments/staging/version',
    ],
    [
      BASE,
      '/actuator/info',
      'http://127.0.0.1:7010/payments/staging/actuator/info',
    ],
    [BASE, '/a//b/./c/', 'http://127.0.0.1:7010/payments/staging/a/b/c'],
    [BASE, '/%2e/health', 'http://127.0.0.1:7010/payments/staging/health'],
    [
      BASE,
      '/health?full=true',
      'http://127.0.0.1:7010/payments/staging/health?full=true',
    ],
    [BASE, '/health#frag', 'http://127.0.0.1:7010/payments/staging/health'],
    [BASE, '/a b', 'http://127.0.0.1:7010/payments/staging/a%20b'],
    [BASE, '/caf%c3%a9', 'http://127.0.0.1:7010/payments/staging/caf%C3%A9'],
    [BASE, '/café', 'http://127.0.0.1:7010/payments/staging/caf%C3%A9'],
    [BASE, '', 'http://127.0.0.1:7010/payments/staging/'],
    ['https://api.example.com', '/version', 'https://api.example.com/version'],
    [
      'https://api.example.com/',
      'v1/version',
      'https://api.example.com/v1/version',
    ],
  ])('%s + %j = %s', (base, path, expected) => {
    expect(normaliseUrlPath(base, path)).toBe(expected);
  });

  it.each([
    ['/../other/production', '".."'],
    ['..', '".."'],
    ['/a/../../b', '".."'],
    ['/%2e%2e/other', '".."'],
    ['/%2E%2E/other', '".."'],
    ['/.%2e/other', '".."'],
    ['/%252e%252e/other', '".."'],
    ['/a%2f..%2fb', 'encoded slash'],
    ['/a%2Fb', 'encoded slash'],
    ['/a%5cb', 'encoded slash or backslash'],
    ['/a%255cb', 'encoded slash or backslash'],
    ['\\..\\other', 'backslash'],
    ['/a\\b', 'backslash'],
    ['http://evil.example.com/x', 'absolute URL'],
    ['https:evil.example.com', 'absolute URL'],
    // eslint-disable-next-line no-script-url
    ['javascript:alert(1)', 'absolute URL'],
    ['//evil.example.com/x', 'absolute URL'],
    ['//version', 'absolute URL'],
    ['/a%zzb', 'invalid percent-encoding'],
    ['/a\nb', 'control characters'],
    ['/a\u0000b', 'control characters'],
  ])('refuses %j', (path, message) => {
    expect(() => normaliseUrlPath(BASE, path)).toThrow(message);
  });

  it.each([
    ['not a url', 'not a valid URL'],
    ['ftp://example.com/x', 'not an http or https URL'],
    ['http://user:pw@example.com/x', 'may not carry credentials'],
  ])('refuses the base %j', (base, message) => {
    expect(() => normaliseUrlPath(base, '/version')).toThrow(message);
  });
});
