import { matchesHostPattern, parseHostPattern } from './hostPatterns';

describe('host patterns', () => {
  it.each([
    // pattern, URL, matches
    ['api.example.com', 'https://api.example.com/version', true],
    ['api.example.com', 'http://api.example.com/version', true],
    ['api.example.com', 'https://API.Example.COM./version', true],
    ['api.example.com', 'https://api.example.com:443/version', true],
    ['api.example.com', 'https://api.example.com:8443/version', false],
    ['api.example.com', 'http://api.example.com:443/version', false],
    ['api.example.com', 'https://x.api.example.com/', false],
    ['api.example.com', 'https://api.example.com.evil.net/', false],
    ['api.example.com', 'https://evilapi.example.com/', false],
    ['api.example.com:8443', 'https://api.example.com:8443/', true],
    ['api.example.com:8443', 'http://api.example.com:8443/', true],
    ['api.example.com:8443', 'https://api.example.com/', false],
    ['api.example.com:443', 'https://api.example.com/', true],
    ['api.example.com:*', 'https://api.example.com:1234/', true],
    ['api.example.com:*', 'https://api.example.com/', true],
    ['*.internal.example.com', 'https://a.internal.example.com/', true],
    ['*.internal.example.com', 'https://a.b.internal.example.com/', true],
    ['*.internal.example.com', 'https://internal.example.com/', false],
    ['*.internal.example.com', 'https://xinternal.example.com/', false],
    [
      '*.internal.example.com',
      'https://a.internal.example.com.evil.net/',
      false,
    ],
    ['*.internal.example.com', 'https://a.internal.example.com:8080/', false],
    [
      '*.internal.example.com:8080',
      'https://a.internal.example.com:8080/',
      true,
    ],
    ['127.0.0.1:7010', 'http://127.0.0.1:7010/x', true],
    ['127.0.0.1:7010', 'http://127.0.0.1:7011/x', false],
    ['127.0.0.1:7010', 'http://localhost:7010/x', false],
    // WHATWG URL parsing turns other IPv4 spellings into the dotted form
    ['127.0.0.1:7010', 'http://2130706433:7010/x', true],
    ['127.0.0.1:7010', 'http://0x7f.1:7010/x', true],
    ['127.0.0.1:7010', 'http://[::ffff:127.0.0.1]:7010/x', false],
    ['[::1]:7010', 'http://[::1]:7010/', true],
    ['[0:0::1]:7010', 'http://[::1]:7010/', true],
    ['[::1]:7010', 'http://127.0.0.1:7010/', false],
    ['bücher.example.com', 'https://xn--bcher-kva.example.com/', true],
    ['bücher.example.com', 'https://bücher.example.com/', true],
  ])('%s vs %s: %s', (pattern, url, expected) => {
    expect(matchesHostPattern(parseHostPattern(pattern), new URL(url))).toBe(
      expected,
    );
  });

  it.each([
    ['', 'is empty'],
    ['*', 'would allow every host'],
    ['*.com', 'too broad'],
    ['api.*.example.com', 'whole leftmost label'],
    ['a*.example.com', 'whole leftmost label'],
    ['https://api.example.com', 'not a URL'],
    ['api.example.com/version', 'not a URL'],
    ['user@api.example.com', 'not a URL'],
    ['api.example.com:0', 'invalid port'],
    ['api.example.com:70000', 'invalid port'],
    ['api.example.com:http', 'invalid port'],
    ['::1', 'in brackets'],
    ['[nope]:80', 'no valid IPv6'],
    ['*.10.0.0.1', 'wildcard with an IP'],
    ['10.0.1', 'all four parts'],
    ['-bad-.example.com', 'not a valid host name'],
  ])('refuses %j (%s)', (pattern, message) => {
    expect(() => parseHostPattern(pattern)).toThrow(message);
  });
});
