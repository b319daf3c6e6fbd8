import {
  comparisonObservedAt,
  describeUnknownReason,
  reportObservedAt,
  unknownReasonOf,
} from './scorecard';

const T1 = '2026-12-03T10:00:00.000Z';
const T2 = '2026-12-03T11:00:00.000Z';

describe('unknownReasonOf', () => {
  const deployed = {
    status: 'ok' as const,
    deployment: { provider: 'a', providers: ['a'] },
  };
  const missing = { status: 'missing' as const };
  const failed = { status: 'error' as const };

  it('names a failed provider before a missing deployment', () => {
    expect(unknownReasonOf(failed, missing)).toBe('provider-error');
    expect(unknownReasonOf(missing, failed)).toBe('reference-provider-error');
    expect(unknownReasonOf(missing, missing)).toBe('neither-deployed');
    expect(unknownReasonOf(missing, deployed)).toBe('not-deployed');
    expect(unknownReasonOf(deployed, missing)).toBe('reference-not-deployed');
    expect(unknownReasonOf(deployed, deployed)).toBe('not-comparable');
  });

  it('says it in words, naming the environments', () => {
    const names = { compared: 'Staging', reference: 'Production' };
    expect(describeUnknownReason('reference-not-deployed', names)).toBe(
      'not deployed to Production',
    );
    expect(describeUnknownReason('neither-deployed', names)).toBe(
      'not deployed to Staging or Production',
    );
    expect(describeUnknownReason('provider-error', names)).toBe(
      'no provider could read Staging',
    );
    expect(describeUnknownReason(undefined, names)).toBe(
      'nothing to compare yet',
    );
  });
});

describe('last observed, one rule for the tab and the scorecard', () => {
  it('is the latest observation of any environment for the entity', () => {
    expect(reportObservedAt([{ observedAt: T1 }, {}, { observedAt: T2 }])).toBe(
      T2,
    );
    expect(reportObservedAt([{}, {}])).toBeUndefined();
  });

  it('counts an environment nothing is deployed to as observed with the rest', () => {
    const development = { status: 'ok' as const, observedAt: T2 };
    const staging = { status: 'ok' as const, observedAt: T1 };
    const preprod: { status: 'missing'; observedAt?: string } = {
      status: 'missing',
    };
    const production: { status: 'missing'; observedAt?: string } = {
      status: 'missing',
    };
    const all: { observedAt?: string }[] = [
      development,
      staging,
      preprod,
      production,
    ];
    // deployed in neither: observed when the entity was, never "never"
    expect(comparisonObservedAt(preprod, production, all)).toBe(T2);
    // the earlier of the two
    expect(comparisonObservedAt(staging, production, all)).toBe(T1);
    // a side that never answered is left out while the other has a time
    expect(comparisonObservedAt({ status: 'error' }, staging, all)).toBe(T1);
    expect(
      comparisonObservedAt({ status: 'error' }, { status: 'error' }, []),
    ).toBeUndefined();
  });
});
