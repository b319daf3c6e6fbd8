import { Entity } from '@backstage/catalog-model';
import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';
import {
  ApproverRule,
  outcomeOfDecision,
  resolveApprover,
  reviewRefusal,
  sameRef,
  StateMachine,
} from './rules';

const SRE = 'group:default/sre';
const TEAM = 'group:default/team';

function service(owner?: unknown, namespace?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name: 'payments', ...(namespace && { namespace }) },
    spec: { type: 'service', ...(owner !== undefined && { owner }) },
  };
}

const production: EnvironmentDefinition = {
  name: 'production',
  title: 'Production',
  reference: true,
  owner: SRE,
  source: 'config',
};
const staging: EnvironmentDefinition = {
  name: 'staging',
  title: 'Staging',
  reference: false,
  source: 'config',
};

const environmentOwner: ApproverRule = { type: 'environment-owner' };
const serviceOwner: ApproverRule = { type: 'service-owner' };
const named: ApproverRule = { type: 'group', ref: 'group:default/cab' };

describe('resolveApprover', () => {
  it.each<[string, Parameters<typeof resolveApprover>[0], unknown]>([
    [
      'the environment owner',
      {
        rule: environmentOwner,
        entity: service(TEAM),
        environment: production,
      },
      { ref: SRE, source: 'environment-owner' },
    ],
    [
      'nobody for an environment without owner',
      { rule: environmentOwner, entity: service(TEAM), environment: staging },
      undefined,
    ],
    [
      'the service owner, as a full ref',
      { rule: serviceOwner, entity: service('team'), environment: production },
      { ref: TEAM, source: 'service-owner' },
    ],
    [
      "the service owner in the service's namespace",
      {
        rule: serviceOwner,
        entity: service('team', 'payments'),
        environment: production,
      },
      { ref: 'group:payments/team', source: 'service-owner' },
    ],
    [
      'a user owning the service',
      {
        rule: serviceOwner,
        entity: service('user:default/alice'),
        environment: production,
      },
      { ref: 'user:default/alice', source: 'service-owner' },
    ],
    [
      'nobody for a service without owner',
      { rule: serviceOwner, entity: service(), environment: production },
      undefined,
    ],
    [
      'nobody for an owner that is not text',
      { rule: serviceOwner, entity: service(42), environment: production },
      undefined,
    ],
    [
      'nobody for a malformed owner',
      {
        rule: serviceOwner,
        entity: service('group:'),
        environment: production,
      },
      undefined,
    ],
    [
      'the named group',
      { rule: named, entity: service(TEAM), environment: production },
      { ref: 'group:default/cab', source: 'group' },
    ],
    [
      'the group a stored request was given, after the rule changed',
      { rule: environmentOwner, source: 'group', storedRef: TEAM },
      { ref: TEAM, source: 'group' },
    ],
    [
      'the current owner for a stored request, by its own source',
      { rule: named, source: 'environment-owner', environment: production },
      { ref: SRE, source: 'environment-owner' },
    ],
  ])('resolves %s', (_what, options, expected) => {
    expect(resolveApprover(options)).toEqual(expected);
  });
});

describe('reviewRefusal', () => {
  const base = {
    requester: 'user:default/alice',
    noun: 'access request',
    insteadOfDeny: 'withdraw it',
    decidedBy: [] as string[],
  };
  it.each<[string, Partial<Parameters<typeof reviewRefusal>[0]>, unknown]>([
    ['another reviewer approving', { reviewer: 'user:default/bob' }, undefined],
    [
      'the requester approving',
      { reviewer: 'user:default/alice' },
      {
        reason: 'self',
        message: 'You cannot approve your own access request',
      },
    ],
    [
      'the requester approving in another case',
      { reviewer: 'User:Default/Alice' },
      {
        reason: 'self',
        message: 'You cannot approve your own access request',
      },
    ],
    [
      'the requester denying',
      { reviewer: 'user:default/alice', decision: 'deny' },
      {
        reason: 'self',
        message: 'You cannot deny your own access request; withdraw it instead',
      },
    ],
    [
      'a second decision by the same reviewer',
      { reviewer: 'user:default/bob', decidedBy: ['user:default/BOB'] },
      {
        reason: 'already-decided',
        message: 'You have already decided on this access request',
      },
    ],
    [
      'a decision after someone else decided',
      { reviewer: 'user:default/carol', decidedBy: ['user:default/bob'] },
      undefined,
    ],
  ])('%s', (_what, options, expected) => {
    const refusal = reviewRefusal({
      ...base,
      reviewer: '',
      decision: 'approve',
      ...options,
    });
    expect(refusal).toEqual(expected);
  });
});

describe('outcomeOfDecision', () => {
  it.each([
    // decision, approvals so far, required, outcome, approvals after
    ['approve', 0, 1, 'approved', 1],
    ['approve', 0, 2, 'pending', 1],
    ['approve', 1, 2, 'approved', 2],
    ['approve', 1, 3, 'pending', 2],
    ['approve', 2, 2, 'approved', 3],
    ['approve', 0, 0, 'approved', 1],
    ['deny', 0, 1, 'denied', 0],
    ['deny', 1, 2, 'denied', 1],
  ] as const)(
    '%s with %i of %i: %s, %i approvals',
    (decision, approvals, requiredApprovals, outcome, after) => {
      expect(
        outcomeOfDecision({ decision, approvals, requiredApprovals }),
      ).toEqual({ outcome, approvals: after });
    },
  );
});

/** The message `fn` throws, if it throws. */
function thrown(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('StateMachine', () => {
  // The alignment machine, as a future feature would declare it.
  type Status =
    | 'pending-approval'
    | 'dispatched'
    | 'verifying'
    | 'aligned'
    | 'denied'
    | 'cancelled'
    | 'failed'
    | 'timed-out';
  const machine = new StateMachine<Status>('Alignment', {
    'pending-approval': [
      'pending-approval',
      'dispatched',
      'denied',
      'cancelled',
      'timed-out',
    ],
    dispatched: ['verifying', 'failed'],
    verifying: ['verifying', 'aligned', 'failed', 'timed-out'],
    aligned: [],
    denied: [],
    cancelled: [],
    failed: [],
    'timed-out': [],
  });

  it.each<[Status, Status, boolean]>([
    ['pending-approval', 'dispatched', true],
    ['pending-approval', 'pending-approval', true],
    ['pending-approval', 'aligned', false],
    ['dispatched', 'verifying', true],
    ['verifying', 'aligned', true],
    ['aligned', 'verifying', false],
    ['denied', 'denied', false],
  ])('%s -> %s: %p', (from, to, allowed) => {
    expect(machine.allows(from, to)).toBe(allowed);
    expect(thrown(() => machine.assert('a1', from, to))).toBe(
      allowed ? undefined : `Alignment a1 cannot go from ${from} to ${to}`,
    );
  });

  it('knows the final statuses', () => {
    expect(
      (Object.keys(machine.transitions) as Status[]).filter(s =>
        machine.isFinal(s),
      ),
    ).toEqual(['aligned', 'denied', 'cancelled', 'failed', 'timed-out']);
  });

  it('lets a write annotate a final status without changing it', () => {
    expect(() =>
      machine.assert('a1', 'aligned', 'aligned', true),
    ).not.toThrow();
    expect(() => machine.assert('a1', 'aligned', 'failed', true)).toThrow();
  });
});

describe('sameRef', () => {
  it.each([
    ['group:default/sre', 'Group:Default/SRE', true],
    ['group:default/sre', 'group:default/sre-eu', false],
  ])('%s and %s: %p', (a, b, expected) => {
    expect(sameRef(a, b)).toBe(expected);
  });
});
