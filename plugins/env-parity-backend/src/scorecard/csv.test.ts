import { ScorecardRow } from '@env-parity/plugin-env-parity-common';
import { csvField, csvHeader, csvLine, csvRow } from './csv';

describe('csv', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\rhere', '"cr\rhere"'],
    ['=HYPERLINK("http://evil")', `"'=HYPERLINK(""http://evil"")"`],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTAB', "'\tTAB"],
    ['\r=1', `"'\r=1"`],
    ['a=b', 'a=b'],
    ['\n=1+2', `"'\n=1+2"`],
    [' =1+2', "' =1+2"],
    ['\u00a0=1+2', "'\u00a0=1+2"],
    ['\u3000+1', "'\u3000+1"],
    ['\uff1dHYPERLINK("x")', `"'\uff1dHYPERLINK(""x"")"`],
    ['\uff0b1', "'\uff0b1"],
    ['\uff0d1', "'\uff0d1"],
    ['\uff20SUM(A1)', "'\uff20SUM(A1)"],
    ['\t \r\n-1', `"'\t \r\n-1"`],
    ['\nplain', `"'\nplain"`],
    [' plain', ' plain'],
    ['1-2', '1-2'],
    ['ünïcødé, ok', '"ünïcødé, ok"'],
  ])('escapes %j as %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('writes numbers, booleans and absent values as they are', () => {
    expect(csvLine([-1, 0, 2.5, true, false, undefined])).toBe(
      '-1,0,2.5,true,false,\r\n',
    );
  });

  it('writes a header and rows in the same column order', () => {
    const row: ScorecardRow = {
      entityRef: 'component:default/api',
      kind: 'component',
      namespace: 'default',
      name: 'api',
      title: '=cmd|"/c calc"!A1',
      owner: 'group:default/team-a',
      referenceEnvironment: 'production',
      referenceVersion: '1.0.0',
      comparedEnvironment: 'staging',
      comparedVersion: '-1.1.0',
      verdict: 'behind',
      score: 40,
      commitsBehind: 3,
      driftSince: '2026-11-20T00:00:00.000Z',
      driftAgeDays: 8,
      observationFailed: false,
      updatedAt: '2026-11-28T00:00:00.000Z',
    };
    expect(csvHeader()).toBe(
      'entity_ref,title,owner,system,kind,lifecycle,reference_environment,reference_version,compared_environment,compared_version,verdict,score,commits_ahead,commits_behind,drift_since,drift_age_days,last_observed_at,observation_failed,unknown_reason\r\n',
    );
    expect(csvRow(row)).toBe(
      `component:default/api,"'=cmd|""/c calc""!A1",group:default/team-a,,component,,production,1.0.0,staging,'-1.1.0,behind,40,,3,2026-11-20T00:00:00.000Z,8,,false,\r\n`,
    );
  });

  it('leaves the score of an unknown row empty and says why it is unknown', () => {
    const row: ScorecardRow = {
      entityRef: 'component:default/worker',
      kind: 'component',
      namespace: 'default',
      name: 'worker',
      referenceEnvironment: 'production',
      comparedEnvironment: 'staging',
      comparedVersion: '0.8.4',
      verdict: 'unknown',
      score: 0,
      unknownReason: 'reference-not-deployed',
      lastObservedAt: '2026-11-28T00:00:00.000Z',
      observationFailed: false,
      updatedAt: '2026-11-28T00:00:00.000Z',
    };
    expect(csvRow(row)).toBe(
      `component:default/worker,,,,component,,production,,staging,0.8.4,unknown,,,,,,2026-11-28T00:00:00.000Z,false,reference-not-deployed\r\n`,
    );
  });
});
