import { InputError } from '@backstage/errors';
import ipaddr from 'ipaddr.js';

type Ip = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Cloud instance metadata endpoints (AWS, GCP, Azure, OpenStack: 169.254.169.254;
 * AWS ECS task metadata: 169.254.170.2; AWS IPv6: fd00:ec2::254; Alibaba:
 * 100.100.100.200; Azure WireServer: 168.63.129.16; Oracle: 192.0.0.192).
 * Never reachable through the guard, whatever the options.
 */
const METADATA_ADDRESSES = [
  '169.254.169.254',
  '169.254.170.2',
  '100.100.100.200',
  '168.63.129.16',
  '192.0.0.192',
  'fd00:ec2::254',
].map(a => ipaddr.parse(a).toString());

/** Ranges that are never a valid destination, even on a private network. */
const NEVER = new Set(['unspecified', 'broadcast', 'multicast']);

const DESCRIPTIONS: Record<string, string> = {
  unicast: 'a public address',
  private: 'a private address (RFC 1918)',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a unique-local address (fc00::/7)',
  carrierGradeNat: 'a carrier-grade NAT address (100.64.0.0/10)',
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  reserved: 'a reserved or documentation address',
  cloudMetadata: 'a cloud metadata endpoint',
  ipv4Compatible: 'a deprecated IPv4-compatible IPv6 address',
  nat64LocalUse: 'a local-use NAT64 address',
  deprecatedSiteLocal: 'a deprecated site-local address',
  '6to4': 'a 6to4 tunnel address',
  teredo: 'a Teredo tunnel address',
};

/**
 * What kind of destination an IP address is.
 *
 * @public
 */
export interface AddressClassification {
  /** The address in canonical form (IPv4-mapped IPv6 addresses as IPv4). */
  address: string;
  /**
   * The `ipaddr.js` range name (`unicast`, `private`, `loopback`,
   * `linkLocal`, `uniqueLocal`, `carrierGradeNat`, `multicast`, ...), or
   * `cloudMetadata`, `ipv4Compatible`, `nat64LocalUse`.
   */
  range: string;
  /** Human readable, e.g. "a private address (RFC 1918)". */
  description: string;
  /** True only for public unicast addresses. */
  public: boolean;
  /** Never allowed: cloud metadata, unspecified, broadcast, multicast. */
  forbidden: boolean;
}

function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 {
  const [hi, lo] = v6.parts.slice(6);
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

/** Unwraps IPv6 forms that carry an IPv4 address the packet really goes to. */
function unwrap(ip: Ip): { ip: Ip; range?: string } {
  if (ip.kind() === 'ipv4') {
    return { ip };
  }
  const v6 = ip as ipaddr.IPv6;
  const range = v6.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145') {
    return { ip: embeddedIPv4(v6) };
  }
  if (range === 'rfc6052') {
    // 64:ff9b::/96 is the well-known NAT64 prefix (DNS64 synthesises it for
    // IPv4-only hosts); 64:ff9b:1::/48 is for local use
    return v6.match(ipaddr.IPv6.parse('64:ff9b::'), 96)
      ? { ip: embeddedIPv4(v6) }
      : { ip, range: 'nat64LocalUse' };
  }
  if (
    v6.parts.slice(0, 6).every(p => p === 0) &&
    range !== 'unspecified' &&
    range !== 'loopback'
  ) {
    return { ip, range: 'ipv4Compatible' };
  }
  return { ip };
}

/**
 * Classifies an IP address for the outbound-request guard. IPv4-mapped
 * (`::ffff:10.0.0.5`), SIIT (`::ffff:0:10.0.0.5`) and NAT64 (`64:ff9b::10.0.0.5`)
 * IPv6 addresses are classified by the IPv4 address they carry.
 *
 * @public
 */
export function classifyAddress(address: string): AddressClassification {
  let parsed: Ip;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    throw new InputError(`"${address}" is not an IP address`);
  }
  const unwrapped = unwrap(parsed);
  const canonical = unwrapped.ip.toString();
  let range: string = unwrapped.range ?? unwrapped.ip.range();
  if (METADATA_ADDRESSES.includes(canonical)) {
    range = 'cloudMetadata';
  }
  return {
    address: canonical,
    range,
    description: DESCRIPTIONS[range] ?? `a special-purpose address (${range})`,
    public: range === 'unicast',
    forbidden: range === 'cloudMetadata' || NEVER.has(range),
  };
}

/**
 * Decides which resolved addresses the guard may connect to.
 *
 * - public unicast addresses: always;
 * - cloud metadata endpoints, unspecified, broadcast and multicast: never;
 * - everything else (private, loopback, link-local, unique-local, CGNAT,
 *   reserved, ...): only with `allowPrivateNetworks`, or when inside one of
 *   `allowedNetworks` (CIDRs such as `10.20.0.0/16` or `fd12:3456::/32`).
 */
export class AddressPolicy {
  private readonly networks: Array<[Ip, number]>;

  constructor(
    private readonly options: {
      allowPrivateNetworks?: boolean;
      allowedNetworks?: string[];
    },
  ) {
    this.networks = (options.allowedNetworks ?? []).map(cidr => {
      try {
        const [ip, bits] = ipaddr.parseCIDR(cidr);
        const unwrapped = unwrap(ip).ip;
        // a mapped IPv6 CIDR covers the IPv4 addresses it maps
        return unwrapped === ip
          ? ([ip, bits] as [Ip, number])
          : ([unwrapped, Math.max(0, bits - 96)] as [Ip, number]);
      } catch {
        throw new InputError(
          `Allowed network "${cidr}" is not a CIDR range such as 10.20.0.0/16 or fd12:3456::/32`,
        );
      }
    });
  }

  /** Undefined when allowed, otherwise the classification that refuses it. */
  refuse(address: string): AddressClassification | undefined {
    const c = classifyAddress(address);
    if (c.forbidden) {
      return c;
    }
    if (c.public || this.options.allowPrivateNetworks) {
      return undefined;
    }
    const ip = ipaddr.parse(c.address);
    const inNetwork = this.networks.some(
      ([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits),
    );
    return inNetwork ? undefined : c;
  }
}
