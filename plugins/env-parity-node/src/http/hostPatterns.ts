import { InputError } from '@backstage/errors';
import ipaddr from 'ipaddr.js';
import { domainToASCII } from 'node:url';

/**
 * One parsed entry of an allow-list of hosts.
 *
 * Syntax: `host`, `host:port`, `*.domain`, `*.domain:port`, `host:*`, where
 *
 * - `host` is a DNS name (case-insensitive; internationalised names are
 *   compared in their punycode form; one trailing dot is ignored), an IPv4
 *   address in four-part decimal, or an IPv6 address in brackets (`[::1]`);
 * - `*.` is allowed only as the whole leftmost label of a DNS name and
 *   matches one or more labels: `*.internal.example.com` matches
 *   `a.internal.example.com` and `a.b.internal.example.com`, but neither
 *   `internal.example.com` nor `xinternal.example.com`. The part after `*.`
 *   needs at least two labels (`*.com` is refused), and a bare `*` is refused;
 * - without a port, only the URL scheme's default port matches (80 for
 *   `http:`, 443 for `https:`); `:port` matches that port only, with either
 *   scheme; `:*` matches any port.
 *
 * @public
 */
export interface HostPattern {
  /** The entry as written. */
  readonly pattern: string;
  /** True for `*.domain` entries. */
  readonly wildcard: boolean;
  /** The host (without `*.`), lowercased; IP addresses in canonical form. */
  readonly host: string;
  /** Whether {@link HostPattern.host} is an IP address. */
  readonly ip: boolean;
  /** A port, `*` for any, or undefined for the scheme's default port. */
  readonly port: number | '*' | undefined;
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

function isDnsName(host: string): boolean {
  return (
    host.length > 0 &&
    host.length <= 253 &&
    host.split('.').every(label => LABEL.test(label))
  );
}

function parseIp(host: string): string | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(host)) {
    return ipaddr.IPv4.parse(host).toString();
  }
  return undefined;
}

/**
 * Parses one allow-list entry; throws an `InputError` explaining what is
 * wrong with it. See {@link HostPattern} for the syntax.
 *
 * @public
 */
export function parseHostPattern(pattern: string): HostPattern {
  const raw = String(pattern ?? '').trim();
  const fail = (why: string): never => {
    throw new InputError(`Allowed host "${pattern}" ${why}`);
  };
  if (!raw) {
    fail('is empty');
  }
  if (/[\s/@?#\\]/.test(raw) || raw.includes('://')) {
    fail(
      'must be a host or host:port such as api.example.com or *.internal.example.com:8443, not a URL',
    );
  }
  let hostPart: string;
  let portPart: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::([^:]*))?$/.exec(raw);
  if (bracketed) {
    hostPart = bracketed[1];
    portPart = bracketed[2];
  } else {
    const colons = raw.split(':').length - 1;
    if (colons > 1) {
      fail('looks like an IPv6 address: write it in brackets, e.g. [::1]:7010');
    }
    [hostPart, portPart] = raw.split(':');
  }

  let port: HostPattern['port'];
  if (portPart !== undefined) {
    if (portPart === '*') {
      port = '*';
    } else if (
      /^\d{1,5}$/.test(portPart) &&
      +portPart >= 1 &&
      +portPart <= 65535
    ) {
      port = Number(portPart);
    } else {
      fail('has an invalid port: use a number from 1 to 65535, or *');
    }
  }

  if (bracketed) {
    if (!ipaddr.IPv6.isValid(hostPart) || hostPart.includes('%')) {
      fail('has brackets but no valid IPv6 address in them');
    }
    return {
      pattern: raw,
      wildcard: false,
      host: ipaddr.IPv6.parse(hostPart).toString(),
      ip: true,
      port,
    };
  }

  let host = hostPart.toLowerCase();
  if (host.endsWith('.')) {
    host = host.slice(0, -1);
  }
  if (host === '*') {
    fail(
      'would allow every host; list the hosts, or use *.example.com for the subdomains of one domain',
    );
  }
  const wildcard = host.startsWith('*.');
  if (wildcard) {
    host = host.slice(2);
  }
  if (host.includes('*')) {
    fail(
      'may only use * as the whole leftmost label, e.g. *.internal.example.com',
    );
  }
  const ip = parseIp(host);
  if (ip) {
    if (wildcard) {
      fail('combines a wildcard with an IP address');
    }
    return { pattern: raw, wildcard: false, host: ip, ip: true, port };
  }
  if (/^[\d.]+$/.test(host)) {
    fail('is not a valid IPv4 address (write all four parts, e.g. 10.0.0.1)');
  }
  const ascii = domainToASCII(host);
  if (!ascii || !isDnsName(ascii)) {
    fail('is not a valid host name');
  }
  if (wildcard && ascii.split('.').length < 2) {
    fail(
      `is too broad: a wildcard needs at least two labels after it, e.g. *.${ascii}.example.com`,
    );
  }
  return { pattern: raw, wildcard, host: ascii, ip: false, port };
}

/** Whether a URL host (as returned by {@link urlHost}) is an IP address. */
export function isIpLiteral(host: string): boolean {
  return (
    ipaddr.IPv4.isValidFourPartDecimal(host) ||
    (host.includes(':') && ipaddr.IPv6.isValid(host))
  );
}

/** The host of a URL as compared with patterns: no brackets, no trailing dot. */
export function urlHost(url: URL): string {
  let host = url.hostname.toLowerCase();
  if (host.startsWith('[') && host.endsWith(']')) {
    return ipaddr.IPv6.parse(host.slice(1, -1)).toString();
  }
  if (host.endsWith('.')) {
    host = host.slice(0, -1);
  }
  return host;
}

/** The port a URL connects to. */
export function urlPort(url: URL): number {
  if (url.port) {
    return Number(url.port);
  }
  return url.protocol === 'https:' ? 443 : 80;
}

/**
 * Whether a URL's host and port match a pattern. See {@link HostPattern}.
 *
 * @public
 */
export function matchesHostPattern(pattern: HostPattern, url: URL): boolean {
  if (pattern.port === undefined) {
    if (url.port !== '') {
      return false; // WHATWG URLs leave the port empty when it is the default
    }
  } else if (pattern.port !== '*' && pattern.port !== urlPort(url)) {
    return false;
  }
  const host = urlHost(url);
  const hostIsIp = isIpLiteral(host);
  if (pattern.ip || hostIsIp) {
    return (
      pattern.ip && hostIsIp && ipaddr.parse(host).toString() === pattern.host
    );
  }
  if (pattern.wildcard) {
    return (
      host.length > pattern.host.length + 1 && host.endsWith(`.${pattern.host}`)
    );
  }
  return host === pattern.host;
}
