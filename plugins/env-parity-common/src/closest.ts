import { EnvironmentComparison, Verdict } from './types';

/**
 * How near a verdict is to the reference, nearest first: the same build;
 * then the same version built again (same tag, another digest); then another
 * version, however few commits away; then nothing comparable.
 */
const TIERS: Record<Verdict, number> = {
  'in-sync': 0,
  'config-drift': 0,
  'tag-mismatch': 1,
  ahead: 2,
  behind: 2,
  diverged: 2,
  different: 2,
  unknown: 3,
};

/**
 * Picks the environment closest to the reference: by the verdict's tier
 * (same build, then same version another build, then another version), then
 * by score; on a tie the environment later in promotion order (the one given
 * later). A same tag with another build is never passed over for another
 * version. Unknown verdicts are never closest.
 *
 * @public
 */
export function closestComparison(
  comparisons: EnvironmentComparison[],
): EnvironmentComparison | undefined {
  let closest: EnvironmentComparison | undefined;
  for (const c of comparisons) {
    if (c.verdict === 'unknown') {
      continue;
    }
    if (
      !closest ||
      TIERS[c.verdict] < TIERS[closest.verdict] ||
      (TIERS[c.verdict] === TIERS[closest.verdict] && c.score >= closest.score)
    ) {
      closest = c;
    }
  }
  return closest;
}

/**
 * Why the closest environment is closest, in words following its name:
 * `same version 3.2.0 as production, another build`.
 *
 * @public
 */
export function closestReason(
  comparison: EnvironmentComparison,
  reference: { title: string; version?: string },
): string {
  const ref = reference.title.toLowerCase();
  switch (comparison.verdict) {
    case 'in-sync':
      return 'in sync';
    case 'config-drift':
      return 'same build, configuration differs';
    case 'tag-mismatch':
      return reference.version
        ? `same version ${reference.version} as ${ref}, another build`
        : `same tag as ${ref}, another build`;
    case 'ahead':
      return comparison.commitsAhead !== undefined
        ? `${plural(comparison.commitsAhead, 'commit')} ahead`
        : 'ahead';
    case 'behind':
      return comparison.commitsBehind !== undefined
        ? `${plural(comparison.commitsBehind, 'commit')} behind`
        : 'behind';
    case 'diverged':
      return 'diverged';
    case 'different':
      return 'a different build';
    case 'unknown':
    default:
      return 'unknown';
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
