import { ConfigReader } from '@backstage/config';
import { JsonValue } from '@backstage/types';
import { readAlignOptions } from '../config';
import { openLimitOf } from '../AlignmentPlanner';
import { followedEnvironments } from './config';

const read = (follow: JsonValue | undefined) =>
  readAlignOptions(
    new ConfigReader({
      envParity: {
        align: {
          environments: {
            staging: { deployer: 'webhook' },
            qa: { deployer: 'webhook' },
            off: { deployer: 'webhook', enabled: false },
          },
          follow,
        },
      },
    }),
  )!;

describe('envParity.align.follow', () => {
  it('is absent unless configured', () => {
    expect(read(undefined).follow).toBeUndefined();
  });

  it('reads the defaults and the listed services in lower case', () => {
    const { follow } = read({
      environments: {
        staging: {},
        qa: { entities: ['Checkout-Web', 'component:default/orders'] },
      },
    });
    expect(follow).toEqual({
      enabled: true,
      requester: 'user:default/env-parity-follow',
      maxPerCollection: 20,
      environments: {
        staging: {},
        qa: {
          entities: new Set([
            'component:default/checkout-web',
            'component:default/orders',
          ]),
        },
      },
    });
    expect(
      followedEnvironments(follow, 'component:default/Checkout-Web'),
    ).toEqual(['staging', 'qa']);
    expect(followedEnvironments(follow, 'component:default/search')).toEqual([
      'staging',
    ]);
  });

  it('has one switch, and a disabled environment does not follow', () => {
    const off = read({ enabled: false, environments: { staging: {} } }).follow;
    expect(followedEnvironments(off, 'component:default/a')).toEqual([]);
    const some = read({
      requester: 'bot',
      maxPerCollection: 3,
      environments: { staging: { enabled: false }, qa: {} },
    }).follow!;
    expect(some).toMatchObject({
      requester: 'user:default/bot',
      maxPerCollection: 3,
    });
    expect(followedEnvironments(some, 'component:default/a')).toEqual(['qa']);
  });

  it('exempts the follow requester from maxOpenPerUser only while following is on', () => {
    const on = read({ environments: { staging: {} } });
    expect(openLimitOf(on, 'user:default/env-parity-follow')).toBeUndefined();
    expect(openLimitOf(on, 'user:default/alice')).toBe(10);
    const off = read({ enabled: false, environments: { staging: {} } });
    expect(openLimitOf(off, 'user:default/env-parity-follow')).toBe(10);
  });

  it.each([
    [
      { environments: { prod: {} } },
      'envParity.align.follow.environments.prod: alignment is not enabled for prod',
    ],
    [
      { environments: { off: {} } },
      'envParity.align.follow.environments.off: alignment is not enabled for off',
    ],
    [
      { maxPerCollection: 0 },
      'envParity.align.follow.maxPerCollection must be a whole number of at least 1',
    ],
    [
      { environments: { staging: { entities: ['component:'] } } },
      'envParity.align.follow.environments.staging.entities: "component:" is not an entity ref',
    ],
  ])('refuses %j', (follow, message) => {
    expect(() => read(follow as JsonValue)).toThrow(message);
  });
});
