import { AddressPolicy, classifyAddress } from './addresses';

describe('classifyAddress', () => {
  it.each([
    // address, range, public
    ['93.184.216.34', 'unicast', true],
    ['2606:2800:220:1:248:1893:25c8:1946', 'unicast', true],
    ['10.0.0.5', 'private', false],
    ['172.16.3.4', 'private', false],
    ['192.168.1.1', 'private', false],
    ['127.0.0.1', 'loopback', false],
    ['127.8.9.10', 'loopback', false],
    ['::1', 'loopback', false],
    ['169.254.1.1', 'linkLocal', false],
    ['fe80::1', 'linkLocal', false],
    ['fd12:3456::1', 'uniqueLocal', false],
    ['100.64.0.1', 'carrierGradeNat', false],
    ['224.0.0.1', 'multicast', false],
    ['ff02::1', 'multicast', false],
    ['0.0.0.0', 'unspecified', false],
    ['::', 'unspecified', false],
    ['255.255.255.255', 'broadcast', false],
    ['192.0.2.10', 'reserved', false],
    ['169.254.169.254', 'cloudMetadata', false],
    ['fd00:ec2::254', 'cloudMetadata', false],
    ['100.100.100.200', 'cloudMetadata', false],
    // IPv6 forms that reach an IPv4 address are judged by that address
    ['::ffff:10.0.0.5', 'private', false],
    ['::ffff:7f00:1', 'loopback', false],
    ['::ffff:169.254.169.254', 'cloudMetadata', false],
    ['::ffff:93.184.216.34', 'unicast', true],
    ['64:ff9b::10.0.0.5', 'private', false],
    ['64:ff9b::93.184.216.34', 'unicast', true],
    ['64:ff9b:1::1', 'nat64LocalUse', false],
    // ipaddr.js reads the dotted form as IPv4-mapped; refused either way
    ['::10.0.0.5', 'private', false],
    ['::a00:5', 'ipv4Compatible', false],
    ['::5db8:d822', 'ipv4Compatible', false],
  ])('%s is %s', (address, range, isPublic) => {
    const c = classifyAddress(address);
    expect(c.range).toBe(range);
    expect(c.public).toBe(isPublic);
  });

  it('refuses what is not an address', () => {
    expect(() => classifyAddress('example.com')).toThrow('not an IP address');
  });
});

describe('AddressPolicy', () => {
  it('allows public addresses only, by default', () => {
    const policy = new AddressPolicy({});
    expect(policy.refuse('93.184.216.34')).toBeUndefined();
    expect(policy.refuse('10.0.0.5')?.range).toBe('private');
    expect(policy.refuse('::ffff:127.0.0.1')?.range).toBe('loopback');
  });

  it('allows private networks when asked, but never metadata or multicast', () => {
    const policy = new AddressPolicy({ allowPrivateNetworks: true });
    expect(policy.refuse('10.0.0.5')).toBeUndefined();
    expect(policy.refuse('127.0.0.1')).toBeUndefined();
    expect(policy.refuse('fd12::1')).toBeUndefined();
    expect(policy.refuse('169.254.169.254')?.forbidden).toBe(true);
    expect(policy.refuse('fd00:ec2::254')?.forbidden).toBe(true);
    expect(policy.refuse('::ffff:169.254.169.254')?.forbidden).toBe(true);
    expect(policy.refuse('224.0.0.1')?.forbidden).toBe(true);
    expect(policy.refuse('0.0.0.0')?.forbidden).toBe(true);
  });

  it('allows listed networks only', () => {
    const policy = new AddressPolicy({
      allowedNetworks: [
        '10.20.0.0/16',
        'fd12:3456::/32',
        '::ffff:192.168.7.0/120',
      ],
    });
    expect(policy.refuse('10.20.3.4')).toBeUndefined();
    expect(policy.refuse('::ffff:10.20.3.4')).toBeUndefined();
    expect(policy.refuse('10.21.3.4')?.range).toBe('private');
    expect(policy.refuse('fd12:3456:1::1')).toBeUndefined();
    expect(policy.refuse('fd12:3457::1')?.range).toBe('uniqueLocal');
    expect(policy.refuse('192.168.7.9')).toBeUndefined();
    expect(
      new AddressPolicy({ allowedNetworks: ['169.254.0.0/16'] }).refuse(
        '169.254.169.254',
      )?.forbidden,
    ).toBe(true);
  });

  it('explains a malformed network', () => {
    expect(() => new AddressPolicy({ allowedNetworks: ['10.0.0.0'] })).toThrow(
      'is not a CIDR range',
    );
  });
});
