import { Entity } from '@backstage/catalog-model';
import {
  ParityReport,
  ReportEnvironment,
  Snapshot,
  Verdict,
} from '@env-parity/plugin-env-parity-common';
import { BuiltReport } from '../report';
import {
  EntityReport,
  rowChanged,
  scorecardRows,
  storedRevisionAnswer,
  worstRow,
} from './rows';

const NOW = new Date('2026-11-28T12:00:00.000Z');
const REF = 'component:default/api';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'api', namespace: 'default', title: 'The API' },
  spec: { owner: 'Team-A', system: 'payments', lifecycle: 'Production' },
};

function env(
  name: string,
  fields: Partial<ReportEnvironment> = {},
): ReportEnvironment {
  return {
    name,
    title: name,
    reference: name === 'production',
    status: 'ok',
    deployment: { version: '1.0.0', deployedAt: '2026-11-01T00:00:00Z' },
    observedAt: '2026-11-28T11:00:00.000Z',
    ...fields,
  } as ReportEnvironment;
}

/** A report of development and staging against production. */
function built(
  verdicts: Record<string, { verdict: Verdict; score: number }>,
  environments: ReportEnvironment[] = [
    env('development'),
    env('staging'),
    env('production'),
  ],
  revisions: BuiltReport['revisions'] = {},
): BuiltReport {
  const report = {
    entityRef: REF,
    reference: 'production',
    environments,
    comparisons: Object.entries(verdicts).map(([name, v]) => ({
      environment: name,
      against: 'production',
      drift: [],
      summary: '',
      ...v,
    })),
    summary: '',
    generatedAt: NOW.toISOString(),
  } as ParityReport;
  return { report, revisions };
}

function snapshot(environment: string, changedAt: string): Snapshot {
  return {
    entityRef: REF,
    environment,
    provider: 'p',
    deployment: { version: '1' },
    observedAt: changedAt,
    checkedAt: changedAt,
    changedAt,
  };
}

const rows = (
  b: BuiltReport,
  stored: Map<string, EntityReport> = new Map(),
  snapshots: Snapshot[] = [],
) =>
  scorecardRows({
    entity,
    entityRef: REF,
    built: b,
    snapshots,
    stored,
    now: NOW,
  });

describe('scorecardRows', () => {
  it('makes a row per non-reference environment, then the worst, with the entity normalised', () => {
    const result = rows(
      built({
        development: { verdict: 'different', score: 50 },
        staging: { verdict: 'in-sync', score: 100 },
      }),
    );
    expect(
      result.map(r => [r.scope, r.comparedEnvironment, r.verdict]),
    ).toEqual([
      ['development', 'development', 'different'],
      ['staging', 'staging', 'in-sync'],
      ['worst', 'development', 'different'],
    ]);
    expect(result[0]).toMatchObject({
      entityRef: REF,
      kind: 'component',
      namespace: 'default',
      title: 'The API',
      owner: 'group:default/team-a',
      specOwner: 'team-a',
      system: 'system:default/payments',
      lifecycle: 'production',
      referenceEnvironment: 'production',
      observedAt: new Date('2026-11-28T11:00:00.000Z'),
      updatedAt: NOW,
    });
  });

  const stale = (name: string) => env(name, { status: 'stale' });
  it.each([
    ['ok on both sides', [env('staging'), env('production')], false],
    ['stale compared', [stale('staging'), env('production')], true],
    ['stale reference', [env('staging'), stale('production')], true],
    [
      'failed compared',
      [env('staging', { status: 'error' }), env('production')],
      true,
    ],
  ] as const)(
    'marks a failed or stale observation: %s',
    (_, environments, failed) => {
      const [row] = rows(
        built({ staging: { verdict: 'in-sync', score: 100 } }, [
          ...environments,
        ]),
      );
      expect(row.observationFailed).toBe(failed);
    },
  );

  const previous = (fields: Partial<EntityReport>) =>
    new Map([['staging', { ...fields } as EntityReport]]);
  it.each([
    // [case, verdict, stored, snapshots, expected drift since]
    ['in sync: none', 'in-sync', undefined, [], null],
    ['unknown: none', 'unknown', undefined, [], null],
    [
      'first sight: the later deployment',
      'different',
      undefined,
      [],
      '2026-11-01T00:00:00.000Z',
    ],
    [
      'kept while out of sync',
      'behind',
      previous({ verdict: 'different', driftSince: new Date('2026-10-01') }),
      [],
      '2026-10-01T00:00:00.000Z',
    ],
    [
      'leaving in-sync: the change just seen',
      'config-drift',
      previous({ verdict: 'in-sync', driftSince: null }),
      [
        snapshot('staging', '2026-11-27T00:00:00.000Z'),
        snapshot('production', '2026-11-20T00:00:00.000Z'),
        snapshot('development', '2026-11-28T00:00:00.000Z'),
      ],
      '2026-11-27T00:00:00.000Z',
    ],
    [
      'never in the future',
      'different',
      previous({ verdict: 'in-sync', driftSince: null }),
      [snapshot('staging', '2026-12-30T00:00:00.000Z')],
      NOW.toISOString(),
    ],
  ] as const)('drift since, %s', (_, verdict, stored, snapshots, expected) => {
    const [row] = rows(
      built({ staging: { verdict, score: 50 } }, [
        env('staging'),
        env('production'),
      ]),
      stored,
      [...snapshots],
    );
    expect(row.driftSince?.toISOString() ?? null).toBe(expected);
  });

  it.each([
    [
      'behind, compared',
      'behind',
      { status: 'behind', aheadBy: 0, behindBy: 3 },
      'behind',
      0,
      3,
    ],
    [
      'ahead, compared',
      'ahead',
      { status: 'ahead', aheadBy: 2, behindBy: 0 },
      'ahead',
      2,
      0,
    ],
    [
      'a verdict not from revisions',
      'tag-mismatch',
      { status: 'behind', aheadBy: 0, behindBy: 3 },
      'behind',
      null,
      null,
    ],
    ['the comparer could not tell', 'different', 'none', 'none', null, null],
    ['not asked or failed', 'different', undefined, null, null, null],
  ] as const)(
    'revision use: %s',
    (_, verdict, answer, status, ahead, behind) => {
      const [row] = rows(
        built(
          { staging: { verdict, score: 50 } },
          [env('staging'), env('production')],
          { staging: { base: 'a', head: 'b', answer } },
        ),
      );
      expect([row.revisionStatus, row.commitsAhead, row.commitsBehind]).toEqual(
        [status, ahead, behind],
      );
    },
  );
});

describe('worstRow', () => {
  const row = (scope: string, verdict: Verdict, score: number) =>
    ({ scope, comparedEnvironment: scope, verdict, score } as EntityReport);
  it.each([
    [
      'the lowest score',
      [row('dev', 'different', 50), row('staging', 'config-drift', 90)],
      'dev',
    ],
    [
      'ties go to the environment closest to the reference',
      [row('dev', 'different', 50), row('staging', 'different', 50)],
      'staging',
    ],
    [
      'unknown only when every environment is unknown',
      [row('dev', 'unknown', 0), row('staging', 'config-drift', 90)],
      'staging',
    ],
    [
      'all unknown: the one closest to the reference',
      [row('dev', 'unknown', 0), row('staging', 'unknown', 0)],
      'staging',
    ],
  ] as const)('picks %s', (_, list, expected) => {
    const worst = worstRow([...list]);
    expect(worst).toMatchObject({
      scope: 'worst',
      comparedEnvironment: expected,
    });
  });

  it('is absent without environments', () => {
    expect(worstRow([])).toBeUndefined();
  });
});

describe('storedRevisionAnswer and rowChanged', () => {
  const base = 'a'.repeat(40);
  const head = 'b'.repeat(40);
  const stored = {
    referenceRevision: base,
    comparedRevision: head,
    revisionStatus: 'behind',
    commitsAhead: 0,
    commitsBehind: 4,
  } as EntityReport;

  it('reuses the answer for the same revision pair only', () => {
    expect(storedRevisionAnswer(stored, base, head)).toEqual({
      status: 'behind',
      aheadBy: 0,
      behindBy: 4,
    });
    expect(
      storedRevisionAnswer({ ...stored, revisionStatus: 'none' }, base, head),
    ).toBe('none');
    expect(storedRevisionAnswer(stored, base, 'c'.repeat(40))).toBeUndefined();
    expect(
      storedRevisionAnswer({ ...stored, revisionStatus: null }, base, head),
    ).toBeUndefined();
    expect(storedRevisionAnswer(undefined, base, head)).toBeUndefined();
  });

  it('sees a change in any field, and in the observation time only on touch', () => {
    const [row] = rows(
      built({ staging: { verdict: 'in-sync', score: 100 } }, [
        env('staging'),
        env('production'),
      ]),
    );
    const later = { ...row, observedAt: new Date(NOW), updatedAt: new Date() };
    expect(rowChanged(row, later, false)).toBe(false);
    expect(rowChanged(row, later, true)).toBe(true);
    expect(rowChanged(row, { ...row, score: 99 }, false)).toBe(true);
    expect(rowChanged(row, { ...row, driftSince: new Date(NOW) }, false)).toBe(
      true,
    );
  });
});
