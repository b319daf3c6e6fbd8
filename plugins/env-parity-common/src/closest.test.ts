import { closestComparison, closestReason } from './closest';
import { EnvironmentComparison, Verdict } from './types';

const env = (
  environment: string,
  verdict: Verdict,
  score: number,
  extra: Partial<EnvironmentComparison> = {},
): EnvironmentComparison => ({
  environment,
  against: 'production',
  verdict,
  score,
  drift: [],
  summary: '',
  ...extra,
});

describe('closestComparison', () => {
  it.each<[string, EnvironmentComparison[], string | undefined]>([
    [
      'same tag, another build beats a newer version a few commits ahead',
      [env('development', 'ahead', 82), env('staging', 'tag-mismatch', 20)],
      'staging',
    ],
    [
      'same tag, another build beats a different build',
      [env('staging', 'tag-mismatch', 20), env('preprod', 'different', 50)],
      'staging',
    ],
    [
      'same tag, another build beats diverged and behind',
      [
        env('development', 'diverged', 40),
        env('staging', 'tag-mismatch', 20),
        env('preprod', 'behind', 56),
      ],
      'staging',
    ],
    [
      'the same build beats the same tag rebuilt',
      [env('staging', 'tag-mismatch', 20), env('preprod', 'config-drift', 60)],
      'preprod',
    ],
    [
      'in sync beats configuration drift',
      [env('staging', 'in-sync', 100), env('preprod', 'config-drift', 95)],
      'staging',
    ],
    [
      'among other versions, the higher score',
      [env('development', 'ahead', 82), env('staging', 'behind', 56)],
      'development',
    ],
    [
      'on a tie, the later in promotion order',
      [env('staging', 'in-sync', 100), env('preprod', 'in-sync', 100)],
      'preprod',
    ],
    ['unknown is never closest', [env('staging', 'unknown', 0)], undefined],
    ['no environments', [], undefined],
  ])('%s', (_, comparisons, expected) => {
    expect(closestComparison(comparisons)?.environment).toBe(expected);
  });
});

describe('closestReason', () => {
  const production = { title: 'Production', version: '3.2.0' };
  it.each<[EnvironmentComparison, string]>([
    [
      env('staging', 'tag-mismatch', 20),
      'same version 3.2.0 as production, another build',
    ],
    [env('staging', 'in-sync', 100), 'in sync'],
    [env('staging', 'config-drift', 90), 'same build, configuration differs'],
    [env('staging', 'ahead', 82, { commitsAhead: 4 }), '4 commits ahead'],
    [env('staging', 'behind', 58, { commitsBehind: 1 }), '1 commit behind'],
    [env('staging', 'diverged', 34), 'diverged'],
    [env('staging', 'different', 50), 'a different build'],
  ])('%#: %s', (comparison, reason) => {
    expect(closestReason(comparison, production)).toBe(reason);
  });

  it('names the tag when production has no version label', () => {
    expect(
      closestReason(env('staging', 'tag-mismatch', 20), {
        title: 'Production',
      }),
    ).toBe('same tag as production, another build');
  });
});
