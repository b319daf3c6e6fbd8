import { AccessRequestStatus } from '@env-parity/plugin-env-parity-common';
import { AccessRequestRecord } from './records';
import { accessRecord } from './__testUtils__';
import {
  actionsOf,
  effectiveStatus,
  minutes,
  NO_ACTIONS,
  toAccessRequest,
} from './view';

const t = (minute: number) => new Date(Date.UTC(2026, 10, 28, 9, minute));

function record(
  fields: Partial<AccessRequestRecord> = {},
): AccessRequestRecord {
  return accessRecord(t(0), fields);
}

describe('effectiveStatus', () => {
  it.each<[string, Partial<AccessRequestRecord>, number, AccessRequestStatus]>([
    ['pending before its deadline', {}, 59, 'pending'],
    ['pending at its deadline', {}, 60, 'timed-out'],
    [
      'active before its end',
      { status: 'active', expiresAt: t(30) },
      29,
      'active',
    ],
    [
      'active at its end',
      { status: 'active', expiresAt: t(30) },
      30,
      'expired',
    ],
    [
      'failing to grant past its window (the sweep decides)',
      { status: 'provisioning-failed', expiresAt: t(30) },
      31,
      'provisioning-failed',
    ],
    ['denied, whatever the time', { status: 'denied' }, 600, 'denied'],
  ])('%s', (_what, fields, minute, expected) => {
    expect(effectiveStatus(record(fields), t(minute))).toBe(expected);
  });
});

describe('actionsOf', () => {
  const who = {
    isRequester: false,
    isApprover: false,
    decided: false,
    admin: false,
  };
  it.each<
    [string, Partial<AccessRequestRecord>, Partial<typeof who>, string[]]
  >([
    [
      'an approver on a pending request',
      {},
      { isApprover: true },
      ['approve', 'deny'],
    ],
    ['an approver who decided', {}, { isApprover: true, decided: true }, []],
    [
      'the requester on a pending request',
      {},
      { isRequester: true },
      ['withdraw'],
    ],
    ['an admin on a pending request', {}, { admin: true }, []],
    [
      'the requester on active access',
      { status: 'active' },
      { isRequester: true },
      ['revoke'],
    ],
    [
      'an approver on active access',
      { status: 'active' },
      { isApprover: true },
      ['revoke'],
    ],
    [
      'an admin on failed provisioning',
      { status: 'provisioning-failed' },
      { admin: true },
      ['revoke'],
    ],
    ['anyone else on active access', { status: 'active' }, {}, []],
    [
      'an approver on unreviewed break-glass access',
      { status: 'active', reviewRequired: true, breakGlass: true },
      { isApprover: true },
      ['revoke', 'review'],
    ],
    [
      'the requester on their own break-glass access',
      { status: 'active', reviewRequired: true, breakGlass: true },
      { isRequester: true },
      ['revoke'],
    ],
    [
      'an admin on reviewed break-glass access that expired',
      { status: 'expired', reviewRequired: true, reviewedAt: t(5) },
      { admin: true },
      [],
    ],
  ])('%s: %p', (_what, fields, caller, allowed) => {
    const r = record(fields);
    const actions = actionsOf({
      record: r,
      status: r.status,
      ...who,
      ...caller,
    });
    expect(
      Object.entries(actions)
        .filter(([, can]) => can)
        .map(([action]) => action),
    ).toEqual(allowed);
  });

  it('offers nothing by default', () => {
    expect(Object.values(NO_ACTIONS).some(Boolean)).toBe(false);
  });
});

describe('toAccessRequest', () => {
  it('shows the status as of now, and instructions only while active', () => {
    const active = record({
      status: 'active',
      activatedAt: t(0),
      expiresAt: t(30),
      instructions: 'kubectl get pods',
    });
    expect(toAccessRequest(active, [], t(10))).toMatchObject({
      status: 'active',
      instructions: 'kubectl get pods',
      expiresAt: t(30).toISOString(),
    });
    const ended = toAccessRequest(active, [], t(30));
    expect(ended.status).toBe('expired');
    expect(ended.instructions).toBeUndefined();
  });

  it('shows a failed grant with its next attempt and error', () => {
    expect(
      toAccessRequest(
        record({
          status: 'provisioning-failed',
          provisioningOperation: 'grant',
          provisioningAttempts: 2,
          provisioningNextAt: t(5),
          provisioningError: 'the access system is down',
        }),
        [],
        t(1),
      ).provisioning,
    ).toEqual({
      operation: 'grant',
      attempts: 2,
      nextAttemptAt: t(5).toISOString(),
      lastError: 'the access system is down',
    });
  });
});

describe('minutes', () => {
  it.each([
    [1, '1 minute'],
    [45, '45 minutes'],
    [60, '1 hour'],
    [90, '90 minutes'],
    [480, '8 hours'],
  ])('%i is "%s"', (n, text) => {
    expect(minutes(n)).toBe(text);
  });
});
