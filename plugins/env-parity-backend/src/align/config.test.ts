import { ConfigReader } from '@backstage/config';
import { readAlignOptions } from './config';

const read = (align?: unknown) =>
  readAlignOptions(
    new ConfigReader({ envParity: align === undefined ? {} : { align } }),
  );

describe('readAlignOptions', () => {
  it('is off without envParity.align', () => {
    expect(read()).toBeUndefined();
  });

  it('reads each environment with its defaults', () => {
    const options = read({
      environments: {
        staging: { deployer: 'webhook' },
        qa: {
          deployer: 'github',
          approval: { group: 'cab' },
          requiredApprovals: 2,
          verificationTimeout: { minutes: 5 },
        },
        dev: { deployer: 'webhook', approval: 'none' },
        off: { deployer: 'webhook', enabled: false },
      },
      maxOpenPerUser: 3,
    })!;
    expect(options.environments).toEqual({
      staging: {
        deployer: 'webhook',
        approval: {
          approvers: { type: 'environment-owner' },
          requiredApprovals: 1,
        },
        verifyTimeoutMs: 30 * 60_000,
      },
      qa: {
        deployer: 'github',
        approval: {
          approvers: { type: 'group', ref: 'group:default/cab' },
          requiredApprovals: 2,
        },
        verifyTimeoutMs: 5 * 60_000,
      },
      dev: { deployer: 'webhook', verifyTimeoutMs: 30 * 60_000 },
    });
    expect(options).toMatchObject({
      maxOpenPerUser: 3,
      kinds: ['Component'],
      dispatchLeaseMs: 10 * 60_000,
    });
  });

  it.each([
    [
      { environments: { staging: { deployer: 'webhook', approval: 'x' } } },
      "envParity.align.environments.staging.approval must be 'none', 'environment-owner', 'service-owner' or { group: <group ref> }",
    ],
    [
      {
        environments: {
          staging: { deployer: 'webhook', requiredApprovals: 0 },
        },
      },
      'envParity.align.environments.staging.requiredApprovals must be a whole number of at least 1',
    ],
    [
      { environments: { staging: {} } },
      "Missing required config value at 'envParity.align.environments.staging.deployer'",
    ],
    [
      { dispatchTimeout: { minutes: 20 } },
      'envParity.align.dispatchLease must be longer than envParity.align.dispatchTimeout',
    ],
    [
      { maxOpenPerUser: 1.5 },
      'envParity.align.maxOpenPerUser must be a whole number of at least 1',
    ],
  ])('refuses %j', (align, message) => {
    expect(() => read(align)).toThrow(message);
  });
});
