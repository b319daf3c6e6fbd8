import { configKeyMatcher } from './annotations';
import { artifactDigest, parseArtifact, shortHash } from './artifact';
import { closestComparison, closestReason } from './closest';
import {
  describeSettings,
  groupConfigDrift,
  isWithheldSecret,
} from './configSettings';
import {
  ConfigFingerprint,
  Deployment,
  DriftItem,
  EnvironmentComparison,
  EnvironmentDefinition,
  ParityReport,
  ProviderFailure,
  ReportedDeployment,
  ReportEnvironment,
  RevisionComparison,
  Snapshot,
  Verdict,
} from './types';

/**
 * Everything the parity computation needs; it does no I/O of its own.
 *
 * @public
 */
export interface ParityInput {
  entityRef: string;
  /** In promotion order; exactly one should be the reference. */
  environments: EnvironmentDefinition[];
  snapshots: Snapshot[];
  /**
   * Revision comparisons keyed by environment name, with the reference's
   * revision as base and the environment's as head.
   */
  revisionComparisons?: Record<string, RevisionComparison>;
  /** Higher wins when providers disagree on a field; unknown providers count 0. */
  providerPrecedence?: Record<string, number>;
  /** A successful observation older than this is stale. */
  staleAfterMs?: number;
  /**
   * Configuration key patterns expected to differ (`*` matches any run of
   * characters); see {@link configKeyMatcher}.
   */
  ignoreConfig?: string[];
  now?: Date;
}

const FIELDS = [
  'version',
  'revision',
  'artifact',
  'deployedAt',
  'deployedBy',
  'url',
] as const;

/**
 * Merges the snapshots of one environment, one per provider, into what the
 * report shows: fields from the highest-precedence provider that has them.
 *
 * @public
 */
export function mergeEnvironment(
  definition: EnvironmentDefinition,
  snapshots: Snapshot[],
  options: {
    providerPrecedence?: Record<string, number>;
    staleAfterMs?: number;
    now?: Date;
  } = {},
): ReportEnvironment {
  const precedence = options.providerPrecedence ?? {};
  const ordered = [...snapshots].sort(
    (a, b) =>
      (precedence[b.provider] ?? 0) - (precedence[a.provider] ?? 0) ||
      a.provider.localeCompare(b.provider),
  );
  const base: ReportEnvironment = {
    name: definition.name,
    title: definition.title,
    reference: definition.reference,
    ...(definition.owner ? { owner: definition.owner } : {}),
    ...(definition.replica ? { replica: definition.replica } : {}),
    status: 'missing',
  };
  const failures: ProviderFailure[] = ordered
    .filter(s => s.error)
    .map(s => ({
      provider: s.provider,
      error: s.error!,
      checkedAt: s.checkedAt,
      // a failed snapshot's observedAt is its last successful observation
      ...(s.observedAt ? { lastAnsweredAt: s.observedAt } : {}),
    }));
  const checkedAt = latest(ordered.map(s => s.checkedAt));
  if (checkedAt) {
    base.checkedAt = checkedAt;
  }
  if (failures.length) {
    base.error = failures.map(f => `${f.provider}: ${f.error}`).join('\n');
    base.failures = failures;
  }

  const withData = ordered.filter(s => s.deployment);
  if (withData.length === 0) {
    base.status = failures.length ? 'error' : 'missing';
    return base;
  }
  // some providers answered with data, others failed: say so, whatever the
  // status says about the freshness of what is shown
  if (failures.length && withData.some(s => !s.error)) {
    base.partial = true;
  }

  const merged: Deployment = {};
  const contributors = new Set<string>();
  const fieldCount = new Map<string, number>();
  for (const field of FIELDS) {
    const from = withData.find(s => s.deployment![field]);
    if (from) {
      merged[field] = from.deployment![field];
      contributors.add(from.provider);
      fieldCount.set(from.provider, (fieldCount.get(from.provider) ?? 0) + 1);
    }
  }
  for (const s of [...withData].reverse()) {
    if (s.deployment!.config) {
      merged.config = { ...merged.config, ...s.deployment!.config };
      contributors.add(s.provider);
    }
    if (s.deployment!.links?.length) {
      merged.links = [...(merged.links ?? []), ...s.deployment!.links];
      contributors.add(s.provider);
    }
    if (s.deployment!.resources?.length) {
      merged.resources = [
        ...(merged.resources ?? []),
        ...s.deployment!.resources,
      ];
      contributors.add(s.provider);
    }
    if (s.deployment!.findings?.length) {
      merged.findings = [...(merged.findings ?? []), ...s.deployment!.findings];
      contributors.add(s.provider);
    }
  }
  const providers = withData
    .map(s => s.provider)
    .filter(p => contributors.has(p));
  const primary =
    [...providers].sort(
      (a, b) => (fieldCount.get(b) ?? 0) - (fieldCount.get(a) ?? 0),
    )[0] ?? withData[0].provider;
  const deployment: ReportedDeployment = {
    ...merged,
    provider: primary,
    providers,
  };
  base.deployment = deployment;
  // the oldest successful observation among contributors bounds freshness
  const observedAt = earliest(
    withData
      .filter(s => contributors.has(s.provider))
      .map(s => s.observedAt)
      .filter((t): t is string => Boolean(t)),
  );
  if (observedAt) {
    base.observedAt = observedAt;
  }
  const now = (options.now ?? new Date()).getTime();
  const tooOld =
    options.staleAfterMs !== undefined &&
    observedAt !== undefined &&
    now - Date.parse(observedAt) > options.staleAfterMs;
  // stale when what is shown may be outdated: a provider that contributed
  // failed since, or the data is old; another provider's error alone is not
  const failedContributor = withData.some(
    s => s.error && contributors.has(s.provider),
  );
  base.status = failedContributor || tooOld ? 'stale' : 'ok';
  return base;
}

function latest(times: (string | undefined)[]): string | undefined {
  return times
    .filter((t): t is string => Boolean(t))
    .sort((a, b) => Date.parse(b) - Date.parse(a))[0];
}

function earliest(times: string[]): string | undefined {
  return [...times].sort((a, b) => Date.parse(a) - Date.parse(b))[0];
}

function normaliseVersion(version: string): string {
  return version.trim().replace(/^v(?=\d)/i, '');
}

/**
 * Whether two git revisions name the same commit, allowing abbreviated SHAs
 * of at least 7 characters.
 *
 * @public
 */
export function sameRevision(a: string, b: string): boolean {
  const x = a.trim().toLowerCase();
  const y = b.trim().toLowerCase();
  if (x === y) {
    return true;
  }
  const [short, long] = x.length <= y.length ? [x, y] : [y, x];
  return (
    short.length >= 7 && /^[0-9a-f]+$/.test(long) && long.startsWith(short)
  );
}

function sameTag(a?: string, b?: string): boolean {
  if (!a || !b) {
    return false;
  }
  try {
    const x = parseArtifact(a);
    const y = parseArtifact(b);
    return Boolean(x.tag) && x.repository === y.repository && x.tag === y.tag;
  } catch {
    return false;
  }
}

function changeOf(
  reference: unknown,
  environment: unknown,
): DriftItem['change'] {
  if (!reference) {
    return 'added';
  }
  return environment ? 'changed' : 'removed';
}

/**
 * The configuration keys that differ, seen from the reference towards the
 * environment. Values appear only where both sides say they are safe to show.
 *
 * @public
 */
export function diffConfig(
  reference: Record<string, ConfigFingerprint>,
  environment: Record<string, ConfigFingerprint>,
): DriftItem[] {
  const keys = [
    ...new Set([...Object.keys(reference), ...Object.keys(environment)]),
  ].sort();
  const drift: DriftItem[] = [];
  for (const key of keys) {
    const r = reference[key];
    const e = environment[key];
    if ((r && e && r.hash === e.hash) || r?.unknown || e?.unknown) {
      continue;
    }
    const item: DriftItem = {
      type: 'config',
      field: key,
      change: changeOf(r, e),
    };
    // a key secret on either side is a secret: show neither value
    const secret = Boolean(r?.secret || e?.secret);
    if (!secret && r?.value !== undefined) {
      item.reference = r.value;
    }
    if (!secret && e?.value !== undefined) {
      item.environment = e.value;
    }
    drift.push(item);
  }
  return drift;
}

function fieldDrift(
  type: 'version' | 'revision' | 'artifact',
  reference: string | undefined,
  environment: string | undefined,
  same: (a: string, b: string) => boolean,
): DriftItem[] {
  if (!reference && !environment) {
    return [];
  }
  if (reference && environment && same(reference, environment)) {
    return [];
  }
  return [
    {
      type,
      field: type,
      change: changeOf(reference, environment),
      ...(reference ? { reference } : {}),
      ...(environment ? { environment } : {}),
    },
  ];
}

function revisionVerdict(
  env: Deployment,
  ref: Deployment,
  comparison?: RevisionComparison,
): Verdict {
  if (!env.revision || !ref.revision) {
    return 'different';
  }
  if (sameRevision(env.revision, ref.revision)) {
    // same source, different artifact: a rebuild, not a promotion
    return 'different';
  }
  switch (comparison?.status) {
    case 'ahead':
      return 'ahead';
    case 'behind':
      return 'behind';
    case 'diverged':
      return 'diverged';
    default:
      return 'different';
  }
}

/**
 * The verdict and drift of one deployment against the reference deployment.
 *
 * @public
 */
export function compareDeployments(
  env: Deployment,
  ref: Deployment,
  revisionComparison?: RevisionComparison,
  options: { ignoreConfig?: string[] } = {},
): { verdict: Verdict; drift: DriftItem[]; ignoredConfig: string[] } {
  const allConfigDrift =
    env.config && ref.config ? diffConfig(ref.config, env.config) : [];
  const ignored = configKeyMatcher(options.ignoreConfig ?? []);
  const configDrift = allConfigDrift.filter(d => !ignored(d.field));
  const ignoredConfig = allConfigDrift
    .filter(d => ignored(d.field))
    .map(d => d.field);
  const drift: DriftItem[] = [
    ...fieldDrift(
      'version',
      ref.version,
      env.version,
      (a, b) => normaliseVersion(a) === normaliseVersion(b),
    ),
    ...fieldDrift('revision', ref.revision, env.revision, sameRevision),
    ...fieldDrift(
      'artifact',
      ref.artifact,
      env.artifact,
      (a, b) => (artifactDigest(a) ?? a) === (artifactDigest(b) ?? b),
    ),
    ...configDrift,
  ];
  const same: Verdict = configDrift.length ? 'config-drift' : 'in-sync';
  const sameVersion =
    Boolean(env.version && ref.version) &&
    normaliseVersion(env.version!) === normaliseVersion(ref.version!);

  const envDigest = artifactDigest(env.artifact);
  const refDigest = artifactDigest(ref.artifact);
  let verdict: Verdict;
  if (envDigest && refDigest) {
    if (envDigest === refDigest) {
      verdict = same;
    } else if (sameVersion || sameTag(env.artifact, ref.artifact)) {
      verdict = 'tag-mismatch';
    } else {
      verdict = revisionVerdict(env, ref, revisionComparison);
    }
  } else if (env.revision && ref.revision) {
    verdict =
      sameRevision(env.revision, ref.revision) ||
      revisionComparison?.status === 'identical'
        ? same
        : revisionVerdict(env, ref, revisionComparison);
  } else if (env.version && ref.version) {
    verdict = sameVersion ? same : 'different';
  } else if (env.artifact && ref.artifact) {
    verdict = env.artifact.trim() === ref.artifact.trim() ? same : 'different';
  } else {
    verdict = 'unknown';
  }
  return { verdict, drift, ignoredConfig };
}

/**
 * The 0-100 score of a verdict: 100 is in sync; drift and distance take
 * points off.
 *
 * @public
 */
export function scoreComparison(
  verdict: Verdict,
  drift: DriftItem[],
  revision?: { aheadBy?: number; behindBy?: number },
): number {
  // one setting expressed by several keys (ConfigMap, env var, Helm value)
  // counts once
  const configKeys = groupConfigDrift(drift).length;
  const ahead = revision?.aheadBy ?? 0;
  const behind = revision?.behindBy ?? 0;
  let score: number;
  switch (verdict) {
    case 'in-sync':
      return 100;
    case 'config-drift':
      return Math.max(60, 95 - 5 * (configKeys - 1));
    case 'ahead':
      score = Math.max(50, 90 - 2 * ahead);
      break;
    case 'behind':
      score = Math.max(20, 60 - 2 * behind);
      break;
    case 'diverged':
      score = Math.max(10, 40 - ahead - behind);
      break;
    case 'different':
      score = 50;
      break;
    case 'tag-mismatch':
      score = 20;
      break;
    case 'unknown':
    default:
      return 0;
  }
  return Math.max(0, score - Math.min(20, 2 * configKeys));
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * A deployment in a few words: `1.4.2 (abc1234)`.
 *
 * @public
 */
export function describeDeployment(deployment: Deployment): string {
  const revision = deployment.revision
    ? shortHash(deployment.revision)
    : undefined;
  const digest = artifactDigest(deployment.artifact);
  if (deployment.version) {
    return revision
      ? `${deployment.version} (${revision})`
      : deployment.version;
  }
  if (revision) {
    return revision;
  }
  if (digest) {
    return shortHash(digest);
  }
  return deployment.artifact ?? 'an unlabelled build';
}

function describeComparison(
  verdict: Verdict,
  env: ReportEnvironment,
  ref: ReportEnvironment,
  drift: DriftItem[],
  revision?: RevisionComparison,
): string {
  const d = env.deployment;
  const what = d ? describeDeployment(d) : '';
  switch (verdict) {
    case 'in-sync':
      return `runs the same build`;
    case 'config-drift':
      return `runs the same build, but ${describeSettings(
        groupConfigDrift(drift),
      )}`;
    case 'tag-mismatch': {
      const a = artifactDigest(d?.artifact);
      const b = artifactDigest(ref.deployment?.artifact);
      return `runs ${
        d?.version ?? 'the same tag'
      } too, but a different artifact (${a ? shortHash(a) : '?'} vs ${
        b ? shortHash(b) : '?'
      }): same tag, different build`;
    }
    case 'ahead':
      return `runs ${what}, ${plural(revision?.aheadBy ?? 0, 'commit')} ahead`;
    case 'behind':
      return `runs ${what}, ${plural(
        revision?.behindBy ?? 0,
        'commit',
      )} behind: it cannot reproduce what ${ref.title} runs`;
    case 'diverged':
      return `runs ${what}, diverged: ${revision?.aheadBy ?? 0} ahead and ${
        revision?.behindBy ?? 0
      } behind`;
    case 'different':
      return `runs ${what}, a different build`;
    case 'unknown':
    default:
      if (env.status === 'error') {
        return `could not be read`;
      }
      if (!d) {
        return `has no deployment data`;
      }
      if (!ref.deployment) {
        return `runs ${what}, but ${ref.title} has nothing to compare with`;
      }
      return `runs ${what}, but nothing it reports can be compared with ${ref.title}`;
  }
}

const VERDICT_WORDS: Record<Verdict, string> = {
  'in-sync': 'in sync',
  'config-drift': 'same build, configuration differs',
  ahead: 'ahead',
  behind: 'behind',
  diverged: 'diverged',
  'tag-mismatch': 'same tag, different build',
  different: 'a different build',
  unknown: 'unknown',
};

/**
 * A verdict in words, for labels.
 *
 * @public
 */
export function verdictLabel(verdict: Verdict): string {
  return VERDICT_WORDS[verdict];
}

/**
 * Picks the reference environment: the one marked so, else the last in
 * promotion order.
 *
 * @public
 */
export function referenceEnvironment(
  environments: EnvironmentDefinition[],
): EnvironmentDefinition | undefined {
  return (
    environments.find(e => e.reference) ?? environments[environments.length - 1]
  );
}

/** `partial data: github and http failed`, for a partial environment. */
function partialCaveat(env: ReportEnvironment): string[] {
  if (!env.partial || !env.failures?.length) {
    return [];
  }
  const failed = env.failures.map(f => f.provider);
  const names =
    failed.length > 1
      ? `${failed.slice(0, -1).join(', ')} and ${failed[failed.length - 1]}`
      : failed[0];
  return [`partial data: ${names} failed`];
}

/**
 * Computes the parity report of one entity from its stored snapshots.
 *
 * @public
 */
export function computeParityReport(input: ParityInput): ParityReport {
  const now = input.now ?? new Date();
  const refDef = referenceEnvironment(input.environments);
  const environments = input.environments.map(def =>
    mergeEnvironment(
      { ...def, reference: def.name === refDef?.name },
      input.snapshots.filter(s => s.environment === def.name),
      {
        providerPrecedence: input.providerPrecedence,
        staleAfterMs: input.staleAfterMs,
        now,
      },
    ),
  );
  const known = new Set(input.environments.map(e => e.name));
  const warnings = [
    ...new Set(
      input.snapshots
        .filter(s => !known.has(s.environment) && s.error)
        .map(s => s.error!),
    ),
  ];
  const ref = environments.find(e => e.reference);
  if (!ref) {
    return {
      entityRef: input.entityRef,
      reference: '',
      environments,
      comparisons: [],
      summary: 'No environments are configured.',
      ...(warnings.length ? { warnings } : {}),
      generatedAt: now.toISOString(),
    };
  }

  const comparisons: EnvironmentComparison[] = environments
    .filter(e => !e.reference)
    .map(env => {
      const revision = input.revisionComparisons?.[env.name];
      const { verdict, drift, ignoredConfig } =
        env.deployment && ref.deployment
          ? compareDeployments(env.deployment, ref.deployment, revision, {
              ignoreConfig: input.ignoreConfig,
            })
          : { verdict: 'unknown' as Verdict, drift: [], ignoredConfig: [] };
      // a key secret on either side is a secret; so is a withheld Secret's
      const isSecret = (item: DriftItem) =>
        Boolean(
          env.deployment?.config?.[item.field]?.secret ||
            ref.deployment?.config?.[item.field]?.secret,
        ) || isWithheldSecret(item);
      const settings = groupConfigDrift(drift, { isSecret });
      const usesRevision =
        verdict === 'ahead' || verdict === 'behind' || verdict === 'diverged';
      const comparison: EnvironmentComparison = {
        environment: env.name,
        against: ref.name,
        verdict,
        score: scoreComparison(
          verdict,
          drift,
          usesRevision ? revision : undefined,
        ),
        drift,
        ...(settings.length ? { settings } : {}),
        ...(ignoredConfig.length ? { ignoredConfig } : {}),
        summary: `${env.title} ${describeComparison(
          verdict,
          env,
          ref,
          drift,
          revision,
        )}.`,
      };
      if (revision && verdict !== 'unknown') {
        comparison.commitsAhead = revision.aheadBy;
        comparison.commitsBehind = revision.behindBy;
        if (revision.commits?.length) {
          comparison.commits = revision.commits;
        }
        if (revision.commitsMissing?.length) {
          comparison.commitsMissing = revision.commitsMissing;
        }
        if (revision.url) {
          comparison.compareUrl = revision.url;
        }
      }
      return comparison;
    });

  // the same build first, then the same version rebuilt, then by score
  const closest = closestComparison(comparisons);

  const parts: string[] = [];
  if (!ref.deployment) {
    parts.push(
      ref.status === 'error'
        ? `${ref.title} could not be read, so nothing can be compared with it.`
        : `${ref.title} has no deployment data yet, so nothing can be compared with it.`,
    );
  } else {
    const caveats = [
      ...(ref.status === 'stale' ? ['as last observed'] : []),
      ...partialCaveat(ref),
    ];
    parts.push(
      `${ref.title} runs ${describeDeployment(ref.deployment)}${
        caveats.length ? ` (${caveats.join('; ')})` : ''
      }.`,
    );
    for (const c of comparisons) {
      const env = environments.find(e => e.name === c.environment)!;
      if (env.status !== 'missing') {
        const caveat = partialCaveat(env);
        parts.push(
          caveat.length
            ? `${c.summary.replace(/\.$/, '')} (${caveat[0]}).`
            : c.summary,
        );
      }
    }
    if (closest) {
      const env = environments.find(e => e.name === closest!.environment)!;
      parts.push(
        `Closest to ${ref.title.toLowerCase()}: ${env.title.toLowerCase()}, ${closestReason(
          closest,
          { title: ref.title, version: ref.deployment.version },
        )}.`,
      );
    }
  }

  return {
    entityRef: input.entityRef,
    reference: ref.name,
    environments,
    comparisons,
    ...(closest ? { closestToReference: closest.environment } : {}),
    summary: parts.join(' '),
    ...(warnings.length ? { warnings } : {}),
    generatedAt: now.toISOString(),
  };
}
