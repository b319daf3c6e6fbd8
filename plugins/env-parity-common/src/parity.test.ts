import {
  compareDeployments,
  computeParityReport,
  describeDeployment,
  diffConfig,
  mergeEnvironment,
  ParityInput,
  referenceEnvironment,
  sameRevision,
  scoreComparison,
  verdictLabel,
} from './parity';
import {
  ConfigFingerprint,
  Deployment,
  DriftItem,
  EnvironmentDefinition,
  ReportEnvironment,
  RevisionComparison,
  Snapshot,
  Verdict,
  VERDICTS,
} from './types';

// ---------------------------------------------------------------------------
// fixtures

const REPO = 'ghcr.io/acme/payments-api';
const DIGEST_A =
  'sha256:5d41402abc4b2a76b9719d911017c592ae2f1c4b5e8d3a7f6c9b0e1d2a3f4b5c';
const DIGEST_B =
  'sha256:7c222fb2927d828af22f592134e8932480637c0d5a1e9f3b8c4d6e2a0b7f1c93';
const SHA_A = 'abc1234f5e6d7c8b9a0f1e2d3c4b5a6978877665';
const SHA_B = 'def5678a1b2c3d4e5f60718293a4b5c6d7e8f901';

const revision = (
  status: RevisionComparison['status'],
  aheadBy = 0,
  behindBy = 0,
): RevisionComparison => ({ status, aheadBy, behindBy });

const fp = (
  hash: string,
  extra: Partial<ConfigFingerprint> = {},
): ConfigFingerprint => ({ hash, ...extra });

const NOW = new Date('2026-11-20T12:00:00.000Z');
const minutesAgo = (m: number) =>
  new Date(NOW.getTime() - m * 60_000).toISOString();

const env = (
  name: string,
  title: string,
  reference = false,
): EnvironmentDefinition => ({ name, title, reference, source: 'config' });

const ENVIRONMENTS = [
  env('development', 'Development'),
  env('staging', 'Staging'),
  env('preprod', 'Preprod'),
  env('production', 'Production', true),
];

const ENTITY = 'component:default/payments-api';

function snap(
  environment: string,
  deployment?: Deployment,
  extra: Partial<Snapshot> = {},
): Snapshot {
  return {
    entityRef: ENTITY,
    environment,
    provider: 'annotations',
    ...(deployment ? { deployment, observedAt: minutesAgo(5) } : {}),
    checkedAt: minutesAgo(5),
    ...extra,
  };
}

function report(
  snapshots: Snapshot[],
  extra: Partial<ParityInput> = {},
  environments = ENVIRONMENTS,
) {
  return computeParityReport({
    entityRef: ENTITY,
    environments,
    snapshots,
    now: NOW,
    ...extra,
  });
}

const PROD: Deployment = {
  version: '1.4.2',
  revision: SHA_A,
  artifact: `${REPO}:1.4.2@${DIGEST_A}`,
};

// ---------------------------------------------------------------------------

describe('compareDeployments verdicts', () => {
  it.each<
    [string, Deployment, Deployment, RevisionComparison | undefined, Verdict]
  >([
    // artifact digests
    ['digest equal', PROD, PROD, undefined, 'in-sync'],
    [
      'digest equal, different tags and labels (the digest wins)',
      {
        version: 'v1.4.2-rc1',
        revision: SHA_B,
        artifact: `${REPO}:rc@${DIGEST_A}`,
      },
      PROD,
      undefined,
      'in-sync',
    ],
    [
      'digest equal, comparer says the revisions are behind (the digest wins)',
      { ...PROD, revision: SHA_B },
      PROD,
      revision('behind', 0, 3),
      'in-sync',
    ],
    [
      'same version, different digest',
      { ...PROD, revision: SHA_B, artifact: `${REPO}:1.4.2@${DIGEST_B}` },
      PROD,
      undefined,
      'tag-mismatch',
    ],
    [
      'same version with a v prefix, different digest',
      { ...PROD, version: 'v1.4.2', artifact: `${REPO}:1.4.2@${DIGEST_B}` },
      PROD,
      undefined,
      'tag-mismatch',
    ],
    [
      'same version and revision, different digest (a rebuild under the same label)',
      { ...PROD, artifact: `${REPO}:1.4.2@${DIGEST_B}` },
      PROD,
      undefined,
      'tag-mismatch',
    ],
    [
      'same version, different digest, even when the comparer says ahead',
      { ...PROD, revision: SHA_B, artifact: `${REPO}:1.4.2@${DIGEST_B}` },
      PROD,
      revision('ahead', 2),
      'tag-mismatch',
    ],
    [
      'same repo:tag, different digest, no version',
      { artifact: `${REPO}:latest@${DIGEST_B}` },
      { artifact: `${REPO}:latest@${DIGEST_A}` },
      undefined,
      'tag-mismatch',
    ],
    [
      'same tag in another repository, different digest',
      { artifact: `ghcr.io/acme/fork:latest@${DIGEST_B}` },
      { artifact: `${REPO}:latest@${DIGEST_A}` },
      undefined,
      'different',
    ],
    [
      'digest-only references that differ',
      { artifact: `${REPO}@${DIGEST_B}` },
      { artifact: `${REPO}@${DIGEST_A}` },
      undefined,
      'different',
    ],
    [
      'different version and digest, no revisions',
      { version: '1.5.0', artifact: `${REPO}:1.5.0@${DIGEST_B}` },
      { version: '1.4.2', artifact: `${REPO}:1.4.2@${DIGEST_A}` },
      undefined,
      'different',
    ],
    [
      'different version and digest, different revisions, no comparer',
      {
        version: '1.5.0',
        revision: SHA_B,
        artifact: `${REPO}:1.5.0@${DIGEST_B}`,
      },
      PROD,
      undefined,
      'different',
    ],
    [
      'different version and digest, comparer says ahead',
      {
        version: '1.5.0',
        revision: SHA_B,
        artifact: `${REPO}:1.5.0@${DIGEST_B}`,
      },
      PROD,
      revision('ahead', 4),
      'ahead',
    ],
    [
      'different version and digest, comparer says behind',
      {
        version: '1.4.0',
        revision: SHA_B,
        artifact: `${REPO}:1.4.0@${DIGEST_B}`,
      },
      PROD,
      revision('behind', 0, 6),
      'behind',
    ],
    [
      'different version and digest, comparer says diverged',
      {
        version: '1.4.2-hotfix',
        revision: SHA_B,
        artifact: `${REPO}:hotfix@${DIGEST_B}`,
      },
      PROD,
      revision('diverged', 1, 2),
      'diverged',
    ],
    [
      'different version and digest, comparer says identical',
      {
        version: '1.5.0',
        revision: SHA_B,
        artifact: `${REPO}:1.5.0@${DIGEST_B}`,
      },
      PROD,
      revision('identical'),
      'different',
    ],
    [
      'different digest but the same revision under another label (a rebuild)',
      {
        version: '1.4.2-1',
        revision: SHA_A,
        artifact: `${REPO}:1.4.2-1@${DIGEST_B}`,
      },
      PROD,
      revision('ahead', 1),
      'different',
    ],

    // revisions only (no digest on at least one side)
    [
      'revisions equal',
      { revision: SHA_A },
      { revision: SHA_A },
      undefined,
      'in-sync',
    ],
    [
      'revisions equal, differing in case and whitespace',
      { revision: ` ${SHA_A.toUpperCase()} ` },
      { revision: SHA_A },
      undefined,
      'in-sync',
    ],
    [
      'abbreviated SHA prefix of the reference',
      { revision: SHA_A.slice(0, 7) },
      { revision: SHA_A },
      undefined,
      'in-sync',
    ],
    [
      'reference abbreviated, environment full',
      { revision: SHA_A },
      { revision: SHA_A.slice(0, 10) },
      undefined,
      'in-sync',
    ],
    [
      'a six-character prefix is too short to count',
      { revision: SHA_A.slice(0, 6) },
      { revision: SHA_A },
      undefined,
      'different',
    ],
    [
      'revisions differ, no comparer',
      { revision: SHA_B },
      { revision: SHA_A },
      undefined,
      'different',
    ],
    [
      'revisions differ, ahead',
      { revision: SHA_B },
      { revision: SHA_A },
      revision('ahead', 3),
      'ahead',
    ],
    [
      'revisions differ, behind',
      { revision: SHA_B },
      { revision: SHA_A },
      revision('behind', 0, 2),
      'behind',
    ],
    [
      'revisions differ, diverged',
      { revision: SHA_B },
      { revision: SHA_A },
      revision('diverged', 2, 5),
      'diverged',
    ],
    [
      'revisions differ, comparer says identical',
      { revision: 'v1.4.2' },
      { revision: SHA_A },
      revision('identical'),
      'in-sync',
    ],
    [
      'revisions equal, digest only on one side',
      { ...PROD, artifact: `${REPO}:1.4.2` },
      PROD,
      undefined,
      'in-sync',
    ],
    [
      'revisions take precedence over versions when there is no digest pair',
      { version: '1.4.2', revision: SHA_B },
      { version: '1.4.2', revision: SHA_A },
      undefined,
      'different',
    ],

    // versions only
    [
      'versions equal',
      { version: '1.4.2' },
      { version: '1.4.2' },
      undefined,
      'in-sync',
    ],
    [
      'versions equal with a v prefix',
      { version: 'v1.4.2' },
      { version: '1.4.2' },
      undefined,
      'in-sync',
    ],
    [
      'versions equal with a V prefix and spaces',
      { version: ' V1.4.2 ' },
      { version: 'v1.4.2' },
      undefined,
      'in-sync',
    ],
    [
      'versions differ',
      { version: '1.5.0' },
      { version: '1.4.2' },
      undefined,
      'different',
    ],
    [
      'a v that is part of the label is kept',
      { version: 'vnext' },
      { version: 'next' },
      undefined,
      'different',
    ],

    // artifacts without digest
    [
      'artifacts without digest equal',
      { artifact: `${REPO}:1.4.2` },
      { artifact: `${REPO}:1.4.2 ` },
      undefined,
      'in-sync',
    ],
    [
      'artifacts without digest differ',
      { artifact: `${REPO}:1.5.0` },
      { artifact: `${REPO}:1.4.2` },
      undefined,
      'different',
    ],
    [
      'digest on one side only, nothing else',
      { artifact: `${REPO}:1.4.2@${DIGEST_A}` },
      { artifact: `${REPO}:1.4.2` },
      undefined,
      'different',
    ],

    // nothing comparable
    ['both empty', {}, {}, undefined, 'unknown'],
    [
      'a version against a revision',
      { version: '1.4.2' },
      { revision: SHA_A },
      undefined,
      'unknown',
    ],
    [
      'an artifact against a version',
      { artifact: `${REPO}:1.4.2` },
      { version: '1.4.2' },
      undefined,
      'unknown',
    ],
    [
      'only deployment metadata',
      { deployedAt: minutesAgo(1), deployedBy: 'ci', url: 'http://staging' },
      { deployedAt: minutesAgo(9), deployedBy: 'ci', url: 'http://prod' },
      undefined,
      'unknown',
    ],
  ])('%s', (_name, environment, reference, comparison, expected) => {
    expect(compareDeployments(environment, reference, comparison).verdict).toBe(
      expected,
    );
  });
});

describe('compareDeployments config drift', () => {
  const config = {
    LOG_LEVEL: fp('h-info', { value: 'info' }),
    DATABASE_PASSWORD: fp('h-pw1', { secret: true }),
  };
  it.each<[string, Deployment, Deployment, Verdict, number]>([
    [
      'same digest, same config',
      { ...PROD, config },
      { ...PROD, config },
      'in-sync',
      0,
    ],
    [
      'same digest, config changed',
      {
        ...PROD,
        config: { ...config, LOG_LEVEL: fp('h-debug', { value: 'debug' }) },
      },
      { ...PROD, config },
      'config-drift',
      1,
    ],
    [
      'same revision, config key added and removed',
      {
        revision: SHA_A,
        config: { LOG_LEVEL: config.LOG_LEVEL, FEATURE_X: fp('h-on') },
      },
      { revision: SHA_A, config },
      'config-drift',
      2,
    ],
    [
      'same version, config changed',
      { version: '1.4.2', config: {} },
      { version: '1.4.2', config },
      'config-drift',
      2,
    ],
    [
      'config only on the environment side does not count',
      { ...PROD, config },
      PROD,
      'in-sync',
      0,
    ],
    [
      'config only on the reference side does not count',
      PROD,
      { ...PROD, config },
      'in-sync',
      0,
    ],
    [
      'tag-mismatch wins over config drift',
      { ...PROD, artifact: `${REPO}:1.4.2@${DIGEST_B}`, config: {} },
      { ...PROD, config },
      'tag-mismatch',
      2,
    ],
    [
      'a different build keeps its config drift items',
      { version: '1.5.0', config: {} },
      { version: '1.4.2', config },
      'different',
      2,
    ],
  ])('%s', (_name, environment, reference, verdict, configItems) => {
    const result = compareDeployments(environment, reference);
    expect(result.verdict).toBe(verdict);
    expect(result.drift.filter(d => d.type === 'config')).toHaveLength(
      configItems,
    );
  });
});

describe('compareDeployments drift items', () => {
  it.each<[string, Deployment, Deployment, DriftItem[]]>([
    ['identical deployments', PROD, PROD, []],
    [
      'a newer build',
      {
        version: '1.5.0',
        revision: SHA_B,
        artifact: `${REPO}:1.5.0@${DIGEST_B}`,
      },
      PROD,
      [
        {
          type: 'version',
          field: 'version',
          change: 'changed',
          reference: '1.4.2',
          environment: '1.5.0',
        },
        {
          type: 'revision',
          field: 'revision',
          change: 'changed',
          reference: SHA_A,
          environment: SHA_B,
        },
        {
          type: 'artifact',
          field: 'artifact',
          change: 'changed',
          reference: `${REPO}:1.4.2@${DIGEST_A}`,
          environment: `${REPO}:1.5.0@${DIGEST_B}`,
        },
      ],
    ],
    [
      'equivalent labels are not drift: v prefix, abbreviated SHA, same digest under another tag',
      {
        version: 'v1.4.2',
        revision: SHA_A.slice(0, 7),
        artifact: `${REPO}:stable@${DIGEST_A}`,
      },
      PROD,
      [],
    ],
    [
      'fields only one side reports',
      { version: '1.4.2', artifact: `${REPO}:1.4.2` },
      { version: '1.4.2', revision: SHA_A },
      [
        {
          type: 'revision',
          field: 'revision',
          change: 'removed',
          reference: SHA_A,
        },
        {
          type: 'artifact',
          field: 'artifact',
          change: 'added',
          environment: `${REPO}:1.4.2`,
        },
      ],
    ],
    [
      'config drift comes last',
      { version: '1.4.2', config: { LOG_LEVEL: fp('h2', { value: 'debug' }) } },
      { version: '1.4.2', config: { LOG_LEVEL: fp('h1', { value: 'info' }) } },
      [
        {
          type: 'config',
          field: 'LOG_LEVEL',
          change: 'changed',
          reference: 'info',
          environment: 'debug',
        },
      ],
    ],
  ])('%s', (_name, environment, reference, expected) => {
    expect(compareDeployments(environment, reference).drift).toEqual(expected);
  });
});

describe('diffConfig', () => {
  it.each<
    [
      string,
      Record<string, ConfigFingerprint>,
      Record<string, ConfigFingerprint>,
      DriftItem[],
    ]
  >([
    [
      'a value one side could not read',
      { S: fp('abc', { secret: true }), T: fp('', { unknown: true }) },
      { S: fp('', { secret: true, unknown: true }), T: fp('def') },
      [],
    ],
    [
      'an unknown key the other side lacks',
      {},
      { S: fp('', { secret: true, unknown: true }) },
      [],
    ],
    [
      'equal hashes',
      { A: fp('1', { value: 'x' }) },
      { A: fp('1', { value: 'y' }) },
      [],
    ],
    ['both empty', {}, {}, []],
    [
      'a key added in the environment, safe value shown',
      {},
      { FEATURE_FLAG: fp('1', { value: 'on' }) },
      [
        {
          type: 'config',
          field: 'FEATURE_FLAG',
          change: 'added',
          environment: 'on',
        },
      ],
    ],
    [
      'a key removed from the environment, safe value shown',
      { FEATURE_FLAG: fp('1', { value: 'on' }) },
      {},
      [
        {
          type: 'config',
          field: 'FEATURE_FLAG',
          change: 'removed',
          reference: 'on',
        },
      ],
    ],
    [
      'a key changed, safe values shown',
      { REPLICAS: fp('1', { value: '6' }) },
      { REPLICAS: fp('2', { value: '2' }) },
      [
        {
          type: 'config',
          field: 'REPLICAS',
          change: 'changed',
          reference: '6',
          environment: '2',
        },
      ],
    ],
    [
      'a key changed without values: hashes only',
      { REPLICAS: fp('1') },
      { REPLICAS: fp('2') },
      [{ type: 'config', field: 'REPLICAS', change: 'changed' }],
    ],
    [
      'a secret changed: never its value, even if a provider sent one',
      { DB_PASSWORD: fp('1', { secret: true, value: 'hunter2' }) },
      { DB_PASSWORD: fp('2', { secret: true, value: 'hunter3' }) },
      [{ type: 'config', field: 'DB_PASSWORD', change: 'changed' }],
    ],
    [
      'a secret added',
      {},
      { API_KEY: fp('1', { secret: true, value: 'sk_live_123' }) },
      [{ type: 'config', field: 'API_KEY', change: 'added' }],
    ],
    [
      'a secret removed',
      { API_KEY: fp('1', { secret: true, value: 'sk_live_123' }) },
      {},
      [{ type: 'config', field: 'API_KEY', change: 'removed' }],
    ],
    [
      'a key secret in the reference only: neither value shown',
      { API_KEY: fp('1', { secret: true }) },
      { API_KEY: fp('2', { value: 'sk_test_456' }) },
      [{ type: 'config', field: 'API_KEY', change: 'changed' }],
    ],
    [
      'a key secret in the environment only: neither value shown',
      { API_KEY: fp('1', { value: 'sk_live_123' }) },
      { API_KEY: fp('2', { secret: true, value: 'sk_test_456' }) },
      [{ type: 'config', field: 'API_KEY', change: 'changed' }],
    ],
    [
      'several keys, sorted by name',
      { B: fp('1', { value: 'b' }), A: fp('1', { value: 'a' }), C: fp('1') },
      { C: fp('2'), B: fp('1', { value: 'b' }), D: fp('1', { value: 'd' }) },
      [
        { type: 'config', field: 'A', change: 'removed', reference: 'a' },
        { type: 'config', field: 'C', change: 'changed' },
        { type: 'config', field: 'D', change: 'added', environment: 'd' },
      ],
    ],
  ])('%s', (_name, reference, environment, expected) => {
    expect(diffConfig(reference, environment)).toEqual(expected);
  });
});

describe('sameRevision', () => {
  it.each([
    [SHA_A, SHA_A, true],
    [SHA_A.slice(0, 7), SHA_A, true],
    [SHA_A, SHA_A.slice(0, 12), true],
    [SHA_A.toUpperCase(), SHA_A, true],
    [SHA_A.slice(0, 6), SHA_A, false],
    [SHA_A, SHA_B, false],
    [SHA_A.slice(0, 7), SHA_B, false],
    ['main', 'main', true],
    ['main', 'mainline', false],
    ['release-1', 'release-1.4', false],
  ])('%s vs %s: %s', (a, b, expected) => {
    expect(sameRevision(a, b)).toBe(expected);
  });
});

describe('scoreComparison', () => {
  const config = (n: number): DriftItem[] =>
    Array.from({ length: n }, (_, i) => ({
      type: 'config' as const,
      field: `KEY_${i}`,
      change: 'changed' as const,
    }));
  const versionDrift: DriftItem[] = [
    { type: 'version', field: 'version', change: 'changed' },
  ];

  it.each<
    [
      Verdict,
      DriftItem[],
      { aheadBy?: number; behindBy?: number } | undefined,
      number,
    ]
  >([
    ['in-sync', [], undefined, 100],
    ['config-drift', config(1), undefined, 95],
    ['config-drift', config(3), undefined, 85],
    ['config-drift', config(20), undefined, 60],
    ['ahead', versionDrift, undefined, 90],
    ['ahead', versionDrift, { aheadBy: 1 }, 88],
    ['ahead', versionDrift, { aheadBy: 30 }, 50],
    ['ahead', [...versionDrift, ...config(2)], { aheadBy: 1 }, 84],
    ['different', versionDrift, undefined, 50],
    ['different', config(15), undefined, 30],
    ['behind', versionDrift, { behindBy: 1 }, 58],
    ['behind', versionDrift, { behindBy: 10 }, 40],
    ['behind', versionDrift, { behindBy: 100 }, 20],
    ['diverged', versionDrift, { aheadBy: 2, behindBy: 3 }, 35],
    ['diverged', versionDrift, { aheadBy: 50, behindBy: 50 }, 10],
    ['tag-mismatch', versionDrift, undefined, 20],
    ['tag-mismatch', config(3), undefined, 14],
    ['unknown', [], undefined, 0],
    ['unknown', config(3), { aheadBy: 1 }, 0],
  ])('%s with %j and %j scores %d', (verdict, drift, rev, expected) => {
    expect(scoreComparison(verdict, drift, rev)).toBe(expected);
  });

  it.each<[string, number, string, number]>([
    [
      'in-sync',
      scoreComparison('in-sync', []),
      'config-drift (1 key)',
      scoreComparison('config-drift', config(1)),
    ],
    [
      'config-drift (1 key)',
      scoreComparison('config-drift', config(1)),
      'config-drift (5 keys)',
      scoreComparison('config-drift', config(5)),
    ],
    [
      'config-drift (2 keys)',
      scoreComparison('config-drift', config(2)),
      'ahead (1 commit)',
      scoreComparison('ahead', [], { aheadBy: 1 }),
    ],
    [
      'ahead (1 commit)',
      scoreComparison('ahead', [], { aheadBy: 1 }),
      'ahead (10 commits)',
      scoreComparison('ahead', [], { aheadBy: 10 }),
    ],
    [
      'ahead (10 commits)',
      scoreComparison('ahead', [], { aheadBy: 10 }),
      'different',
      scoreComparison('different', []),
    ],
    [
      'different',
      scoreComparison('different', []),
      'behind (6 commits)',
      scoreComparison('behind', [], { behindBy: 6 }),
    ],
    [
      'behind (6 commits)',
      scoreComparison('behind', [], { behindBy: 6 }),
      'diverged (2+3)',
      scoreComparison('diverged', [], { aheadBy: 2, behindBy: 3 }),
    ],
    [
      'diverged (2+3)',
      scoreComparison('diverged', [], { aheadBy: 2, behindBy: 3 }),
      'tag-mismatch',
      scoreComparison('tag-mismatch', []),
    ],
    [
      'tag-mismatch',
      scoreComparison('tag-mismatch', []),
      'diverged (far)',
      scoreComparison('diverged', [], { aheadBy: 40, behindBy: 40 }),
    ],
    [
      'diverged (far)',
      scoreComparison('diverged', [], { aheadBy: 40, behindBy: 40 }),
      'unknown',
      scoreComparison('unknown', []),
    ],
  ])('%s (%d) scores above %s (%d)', (_a, better, _b, worse) => {
    expect(better).toBeGreaterThan(worse);
  });

  it('never leaves 0..100, whatever the drift', () => {
    for (const verdict of VERDICTS) {
      for (const n of [0, 1, 10, 100]) {
        for (const by of [0, 1, 1000]) {
          const score = scoreComparison(verdict, config(n), {
            aheadBy: by,
            behindBy: by,
          });
          expect(score).toBeGreaterThanOrEqual(0);
          expect(score).toBeLessThanOrEqual(100);
        }
      }
    }
  });
});

describe('describeDeployment', () => {
  it.each<[Deployment, string]>([
    [PROD, '1.4.2 (abc1234)'],
    [{ version: '1.4.2' }, '1.4.2'],
    [{ revision: SHA_B }, 'def5678'],
    [{ artifact: `${REPO}@${DIGEST_A}` }, 'sha256:5d41402abc4b'],
    [{ artifact: `${REPO}:1.4.2` }, `${REPO}:1.4.2`],
    [{}, 'an unlabelled build'],
  ])('%j reads %s', (deployment, expected) => {
    expect(describeDeployment(deployment)).toBe(expected);
  });
});

describe('verdictLabel', () => {
  it.each<[Verdict, string]>([
    ['in-sync', 'in sync'],
    ['config-drift', 'same build, configuration differs'],
    ['ahead', 'ahead'],
    ['behind', 'behind'],
    ['diverged', 'diverged'],
    ['tag-mismatch', 'same tag, different build'],
    ['different', 'a different build'],
    ['unknown', 'unknown'],
  ])('%s reads %s', (verdict, label) => {
    expect(verdictLabel(verdict)).toBe(label);
  });

  it('has a label for every verdict', () => {
    expect(VERDICTS.map(verdictLabel).every(Boolean)).toBe(true);
  });
});

describe('referenceEnvironment', () => {
  it.each<[string, EnvironmentDefinition[], string | undefined]>([
    ['the marked one', ENVIRONMENTS, 'production'],
    [
      'the marked one even when not last',
      [env('production', 'Production', true), env('staging', 'Staging')],
      'production',
    ],
    [
      'the last when none is marked',
      [env('dev', 'Dev'), env('live', 'Live')],
      'live',
    ],
    ['none without environments', [], undefined],
  ])('picks %s', (_name, environments, expected) => {
    expect(referenceEnvironment(environments)?.name).toBe(expected);
  });
});

describe('mergeEnvironment', () => {
  const staging = env('staging', 'Staging');

  it.each<
    [
      string,
      Snapshot[],
      Partial<{
        staleAfterMs: number;
        providerPrecedence: Record<string, number>;
      }>,
      string,
    ]
  >([
    ['no snapshots', [], {}, 'missing'],
    [
      'a snapshot with neither deployment nor error',
      [snap('staging')],
      {},
      'missing',
    ],
    ['a good observation', [snap('staging', PROD)], {}, 'ok'],
    [
      'an error and no last good deployment',
      [snap('staging', undefined, { error: 'HTTP 503' })],
      {},
      'error',
    ],
    [
      'an error with a last good deployment',
      [snap('staging', PROD, { error: 'HTTP 503', checkedAt: minutesAgo(1) })],
      {},
      'stale',
    ],
    [
      'an observation older than staleAfterMs',
      [snap('staging', PROD, { observedAt: minutesAgo(120) })],
      { staleAfterMs: 60 * 60_000 },
      'stale',
    ],
    [
      'an observation younger than staleAfterMs',
      [snap('staging', PROD, { observedAt: minutesAgo(30) })],
      { staleAfterMs: 60 * 60_000 },
      'ok',
    ],
    [
      'an old observation without staleAfterMs',
      [snap('staging', PROD, { observedAt: minutesAgo(60 * 24 * 365) })],
      {},
      'ok',
    ],
    [
      'one provider failing, with nothing shown from it, while another has data',
      [
        snap('staging', undefined, {
          provider: 'kubernetes',
          error: 'forbidden',
        }),
        snap('staging', PROD),
      ],
      {},
      'ok',
    ],
    [
      'one provider failing after contributing data, next to another',
      [
        snap('staging', PROD, {
          provider: 'kubernetes',
          error: 'forbidden',
        }),
        snap('staging', PROD),
      ],
      { providerPrecedence: { kubernetes: 100 } },
      'stale',
    ],
  ])('status of %s', (_name, snapshots, options, expected) => {
    expect(
      mergeEnvironment(staging, snapshots, { ...options, now: NOW }).status,
    ).toBe(expected);
  });

  it('keeps the error next to the last good deployment', () => {
    const merged = mergeEnvironment(
      staging,
      [snap('staging', PROD, { error: 'HTTP 503', checkedAt: minutesAgo(1) })],
      { now: NOW },
    );
    expect(merged).toEqual({
      name: 'staging',
      title: 'Staging',
      reference: false,
      status: 'stale',
      error: 'annotations: HTTP 503',
      failures: [
        {
          provider: 'annotations',
          error: 'HTTP 503',
          checkedAt: minutesAgo(1),
          lastAnsweredAt: minutesAgo(5),
        },
      ],
      checkedAt: minutesAgo(1),
      observedAt: minutesAgo(5),
      deployment: {
        ...PROD,
        provider: 'annotations',
        providers: ['annotations'],
      },
    });
  });

  it('reports an error without deployment', () => {
    const merged = mergeEnvironment(
      { ...staging, owner: 'group:default/platform' },
      [
        snap('staging', undefined, { error: 'bad digest' }),
        snap('staging', undefined, {
          provider: 'argocd',
          error: 'app not found',
        }),
      ],
      { now: NOW },
    );
    expect(merged).toEqual({
      name: 'staging',
      title: 'Staging',
      reference: false,
      owner: 'group:default/platform',
      status: 'error',
      error: 'annotations: bad digest\nargocd: app not found',
      failures: [
        {
          provider: 'annotations',
          error: 'bad digest',
          checkedAt: minutesAgo(5),
        },
        {
          provider: 'argocd',
          error: 'app not found',
          checkedAt: minutesAgo(5),
        },
      ],
      checkedAt: minutesAgo(5),
    });
  });

  it.each<
    [
      string,
      Snapshot[],
      Partial<{
        staleAfterMs: number;
        providerPrecedence: Record<string, number>;
      }>,
      Pick<ReportEnvironment, 'status' | 'partial' | 'failures'>,
    ]
  >([
    [
      'every provider answered',
      [snap('staging', PROD), snap('staging', PROD, { provider: 'github' })],
      {},
      { status: 'ok' },
    ],
    [
      'one provider failed, never having answered, while another answered',
      [
        snap('staging', PROD),
        snap('staging', undefined, {
          provider: 'http',
          error: 'answered 503 Service Unavailable',
          checkedAt: minutesAgo(1),
        }),
      ],
      {},
      {
        status: 'ok',
        partial: true,
        failures: [
          {
            provider: 'http',
            error: 'answered 503 Service Unavailable',
            checkedAt: minutesAgo(1),
          },
        ],
      },
    ],
    [
      'one provider failed after answering, its data not shown, while another answered',
      [
        snap('staging', PROD, { provider: 'kubernetes' }),
        snap('staging', PROD, {
          provider: 'github',
          error: 'rate limited',
          observedAt: minutesAgo(180),
          checkedAt: minutesAgo(2),
        }),
      ],
      { providerPrecedence: { kubernetes: 100 } },
      {
        status: 'ok',
        partial: true,
        failures: [
          {
            provider: 'github',
            error: 'rate limited',
            lastAnsweredAt: minutesAgo(180),
            checkedAt: minutesAgo(2),
          },
        ],
      },
    ],
    [
      'one provider failed after contributing data, while another answered',
      [
        snap('staging', PROD, {
          provider: 'kubernetes',
          error: 'forbidden',
          observedAt: minutesAgo(120),
        }),
        snap('staging', PROD),
      ],
      { providerPrecedence: { kubernetes: 100 } },
      {
        // stale says its shown data may be outdated; partial that the others
        // answered: both hold
        status: 'stale',
        partial: true,
        failures: [
          {
            provider: 'kubernetes',
            error: 'forbidden',
            lastAnsweredAt: minutesAgo(120),
            checkedAt: minutesAgo(5),
          },
        ],
      },
    ],
    [
      'the only provider failed, with a last good deployment',
      [
        snap('staging', PROD, {
          error: 'HTTP 503',
          observedAt: minutesAgo(60),
        }),
      ],
      {},
      {
        status: 'stale',
        failures: [
          {
            provider: 'annotations',
            error: 'HTTP 503',
            lastAnsweredAt: minutesAgo(60),
            checkedAt: minutesAgo(5),
          },
        ],
      },
    ],
    [
      'every provider failed, none ever answered',
      [
        snap('staging', undefined, { error: 'bad digest' }),
        snap('staging', undefined, { provider: 'argocd', error: 'timeout' }),
      ],
      {},
      {
        status: 'error',
        failures: [
          {
            provider: 'annotations',
            error: 'bad digest',
            checkedAt: minutesAgo(5),
          },
          { provider: 'argocd', error: 'timeout', checkedAt: minutesAgo(5) },
        ],
      },
    ],
    [
      'a provider failed while another answered with old data',
      [
        snap('staging', PROD, { observedAt: minutesAgo(120) }),
        snap('staging', undefined, { provider: 'http', error: 'refused' }),
      ],
      { staleAfterMs: 60 * 60_000 },
      {
        status: 'stale',
        partial: true,
        failures: [
          { provider: 'http', error: 'refused', checkedAt: minutesAgo(5) },
        ],
      },
    ],
  ])(
    'partial data and provider failures when %s',
    (_name, snapshots, options, expected) => {
      const merged = mergeEnvironment(staging, snapshots, {
        ...options,
        now: NOW,
      });
      expect({
        status: merged.status,
        partial: merged.partial,
        failures: merged.failures,
      }).toEqual(expected);
      // the one-line errors stay, for readers of the older report shape
      expect(merged.error).toBe(
        expected.failures?.map(f => `${f.provider}: ${f.error}`).join('\n'),
      );
    },
  );

  it('merges several providers by precedence', () => {
    const snapshots: Snapshot[] = [
      snap(
        'staging',
        {
          version: '1.4.2',
          revision: SHA_A,
          artifact: `${REPO}:1.4.2@${DIGEST_A}`,
          deployedAt: '2026-11-18T10:00:00Z',
          deployedBy: 'github-actions',
          config: { LOG_LEVEL: fp('a', { value: 'info' }), ONLY_LOW: fp('l') },
          links: [{ title: 'Build', url: 'https://ci.example.com/1' }],
        },
        { observedAt: minutesAgo(30), checkedAt: minutesAgo(30) },
      ),
      snap(
        'staging',
        {
          artifact: `${REPO}:1.4.2@${DIGEST_B}`,
          url: 'https://staging.example.com',
          config: { LOG_LEVEL: fp('b', { value: 'debug' }) },
          links: [{ title: 'Pod', url: 'https://k8s.example.com/pod' }],
        },
        {
          provider: 'kubernetes',
          observedAt: minutesAgo(2),
          checkedAt: minutesAgo(2),
        },
      ),
      snap('staging', undefined, {
        provider: 'unconfigured',
        checkedAt: minutesAgo(1),
      }),
    ];
    const merged = mergeEnvironment(staging, snapshots, {
      providerPrecedence: { kubernetes: 100, annotations: 0 },
      now: NOW,
    });
    expect(merged.status).toBe('ok');
    expect(merged.deployment).toEqual({
      // the cluster (precedence 100) wins on the fields it has
      artifact: `${REPO}:1.4.2@${DIGEST_B}`,
      url: 'https://staging.example.com',
      // the annotations fill in the rest
      version: '1.4.2',
      revision: SHA_A,
      deployedAt: '2026-11-18T10:00:00Z',
      deployedBy: 'github-actions',
      config: { LOG_LEVEL: fp('b', { value: 'debug' }), ONLY_LOW: fp('l') },
      links: [
        { title: 'Build', url: 'https://ci.example.com/1' },
        { title: 'Pod', url: 'https://k8s.example.com/pod' },
      ],
      // most fields came from the annotations
      provider: 'annotations',
      providers: ['kubernetes', 'annotations'],
    });
    // freshness: the oldest contributor bounds it; the last check is the newest
    expect(merged.observedAt).toBe(minutesAgo(30));
    expect(merged.checkedAt).toBe(minutesAgo(1));
  });

  it.each<[string, Record<string, number> | undefined, string]>([
    ['higher precedence wins', { zeta: 10, alpha: 0 }, '2.0.0'],
    ['unknown providers count 0, ties go alphabetically', undefined, '1.0.0'],
    ['negative precedence loses to unknown', { alpha: -1 }, '2.0.0'],
  ])('%s', (_name, providerPrecedence, version) => {
    const merged = mergeEnvironment(
      staging,
      [
        snap('staging', { version: '2.0.0' }, { provider: 'zeta' }),
        snap('staging', { version: '1.0.0' }, { provider: 'alpha' }),
      ],
      { providerPrecedence, now: NOW },
    );
    expect(merged.deployment?.version).toBe(version);
  });
});

describe('computeParityReport', () => {
  const STAGING_NEWER: Deployment = {
    version: '1.5.0',
    revision: SHA_B,
    artifact: `${REPO}:1.5.0@${DIGEST_B}`,
  };
  const TAG_MISMATCH: Deployment = {
    ...PROD,
    artifact: `${REPO}:1.4.2@${DIGEST_B}`,
  };
  const THREE = [
    env('staging', 'Staging'),
    env('preprod', 'Preprod'),
    env('production', 'Production', true),
  ];

  it('answers the question for a realistic three-environment service', () => {
    const result = report(
      [
        snap('staging', STAGING_NEWER),
        snap('preprod', PROD),
        snap('production', PROD),
      ],
      {},
      THREE,
    );
    expect(result.summary).toBe(
      'Production runs 1.4.2 (abc1234). ' +
        'Staging runs 1.5.0 (def5678), a different build. ' +
        'Preprod runs the same build. ' +
        'Closest to production: preprod, in sync.',
    );
    expect(result.reference).toBe('production');
    expect(result.closestToReference).toBe('preprod');
    expect(result.generatedAt).toBe(NOW.toISOString());
    expect(result.entityRef).toBe(ENTITY);
    expect(
      result.environments.map(e => [e.name, e.status, e.reference]),
    ).toEqual([
      ['staging', 'ok', false],
      ['preprod', 'ok', false],
      ['production', 'ok', true],
    ]);
    expect(result.comparisons).toEqual([
      {
        environment: 'staging',
        against: 'production',
        verdict: 'different',
        score: 50,
        drift: compareDeployments(STAGING_NEWER, PROD).drift,
        summary: 'Staging runs 1.5.0 (def5678), a different build.',
      },
      {
        environment: 'preprod',
        against: 'production',
        verdict: 'in-sync',
        score: 100,
        drift: [],
        summary: 'Preprod runs the same build.',
      },
    ]);
  });

  it.each<
    [
      string,
      Deployment,
      RevisionComparison | undefined,
      Verdict,
      number,
      string,
    ]
  >([
    [
      'in sync',
      PROD,
      undefined,
      'in-sync',
      100,
      'Staging runs the same build.',
    ],
    [
      'config drift',
      { ...PROD, config: { A: fp('1'), B: fp('2') } },
      undefined,
      'config-drift',
      90,
      'Staging runs the same build, but 2 settings differ: A, B.',
    ],
    [
      'ahead',
      STAGING_NEWER,
      revision('ahead', 3),
      'ahead',
      84,
      'Staging runs 1.5.0 (def5678), 3 commits ahead.',
    ],
    [
      'behind',
      {
        version: '1.4.1',
        revision: SHA_B,
        artifact: `${REPO}:1.4.1@${DIGEST_B}`,
      },
      revision('behind', 0, 1),
      'behind',
      58,
      'Staging runs 1.4.1 (def5678), 1 commit behind: it cannot reproduce what Production runs.',
    ],
    [
      'diverged',
      {
        version: '1.4.2-hotfix.1',
        revision: SHA_B,
        artifact: `${REPO}:hotfix@${DIGEST_B}`,
      },
      revision('diverged', 2, 3),
      'diverged',
      35,
      'Staging runs 1.4.2-hotfix.1 (def5678), diverged: 2 ahead and 3 behind.',
    ],
    [
      'tag mismatch',
      TAG_MISMATCH,
      undefined,
      'tag-mismatch',
      20,
      'Staging runs 1.4.2 too, but a different artifact (sha256:7c222fb2927d vs sha256:5d41402abc4b): same tag, different build.',
    ],
    [
      'tag mismatch without version',
      { artifact: `${REPO}:1.4.2@${DIGEST_B}` },
      undefined,
      'tag-mismatch',
      20,
      'Staging runs the same tag too, but a different artifact (sha256:7c222fb2927d vs sha256:5d41402abc4b): same tag, different build.',
    ],
    [
      'different',
      STAGING_NEWER,
      undefined,
      'different',
      50,
      'Staging runs 1.5.0 (def5678), a different build.',
    ],
    [
      'nothing comparable',
      { url: 'https://staging.example.com' },
      undefined,
      'unknown',
      0,
      'Staging runs an unlabelled build, but nothing it reports can be compared with Production.',
    ],
  ])(
    'describes %s',
    (_name, deployment, comparison, verdict, score, summary) => {
      const reference: Deployment =
        verdict === 'config-drift' ? { ...PROD, config: {} } : PROD;
      const result = report(
        [snap('staging', deployment), snap('production', reference)],
        comparison ? { revisionComparisons: { staging: comparison } } : {},
        [env('staging', 'Staging'), env('production', 'Production', true)],
      );
      const [c] = result.comparisons;
      expect(c.verdict).toBe(verdict);
      expect(c.score).toBe(score);
      expect(c.summary).toBe(summary);
      expect(result.summary).toContain(summary);
    },
  );

  it('attaches the commits of a revision comparison', () => {
    const commits = [
      { sha: SHA_B, message: 'Add Apple Pay', author: 'bob', pullRequest: 412 },
    ];
    const result = report(
      [snap('staging', STAGING_NEWER), snap('production', PROD)],
      {
        revisionComparisons: {
          staging: { status: 'ahead', aheadBy: 1, behindBy: 0, commits },
        },
      },
    );
    const staging = result.comparisons.find(c => c.environment === 'staging')!;
    expect(staging).toMatchObject({
      verdict: 'ahead',
      score: 88,
      commitsAhead: 1,
      commitsBehind: 0,
      commits,
    });
    // environments without data get no commit counts even with a comparison
    const dev = report([snap('production', PROD)], {
      revisionComparisons: { development: revision('ahead', 2) },
    }).comparisons.find(c => c.environment === 'development')!;
    expect(dev.verdict).toBe('unknown');
    expect(dev.commitsAhead).toBeUndefined();
  });

  it('lists what the reference has and this environment lacks, with the full comparison', () => {
    const ahead = [{ sha: SHA_B, message: 'Add Apple Pay' }];
    const missing = [{ sha: SHA_A, message: 'Hotfix: restore timeout' }];
    const url = 'https://github.com/acme/payments-api/compare/abc...def';
    const result = report(
      [snap('staging', STAGING_NEWER), snap('production', PROD)],
      {
        revisionComparisons: {
          staging: {
            status: 'diverged',
            aheadBy: 1,
            behindBy: 1,
            commits: ahead,
            commitsMissing: missing,
            url,
          },
        },
      },
    );
    expect(
      result.comparisons.find(c => c.environment === 'staging'),
    ).toMatchObject({
      verdict: 'diverged',
      commits: ahead,
      commitsMissing: missing,
      compareUrl: url,
    });
  });

  it('counts configuration drift by setting, names the settings and masks a setting with a secret key', () => {
    const flags = (on: boolean) =>
      fp(on ? 'h-on' : 'h-off', {
        value: `instant-refunds=${on ? 'on' : 'off'},3ds2-frictionless=on`,
      });
    const config = (production: boolean) => ({
      'configmap/payments-api-config.FEATURE_FLAGS': flags(production),
      'deployment/payments-api/payments-api.env.FEATURE_FLAGS':
        flags(production),
      'helm.values.featureFlags.instantRefunds': fp(
        production ? 'h-true' : 'h-false',
      ),
      'deployment/payments-api/payments-api.env.DATABASE_URL': fp(
        production ? 's1' : 's2',
        { secret: true },
      ),
      'secret/payments-api-secrets.DATABASE_URL': fp(production ? 's1' : 's2', {
        secret: true,
      }),
    });
    const result = report(
      [
        snap('staging', { ...PROD, config: config(false) }),
        snap('production', { ...PROD, config: config(true) }),
      ],
      {},
    );
    const staging = result.comparisons.find(c => c.environment === 'staging')!;
    expect(staging.verdict).toBe('config-drift');
    expect(staging.summary).toBe(
      'Staging runs the same build, but 2 settings differ: instant refunds, DATABASE_URL.',
    );
    expect(
      staging.settings?.map(s => [s.name, s.secret, s.sources.length]),
    ).toEqual([
      ['instant refunds', false, 3],
      ['DATABASE_URL', true, 2],
    ]);
    expect(staging.settings?.[0]).toMatchObject({
      reference: 'instant-refunds=on',
      environment: 'instant-refunds=off',
    });
    // two settings, not five keys
    expect(staging.score).toBe(90);
  });

  it('prefers the same version rebuilt over another version, and says why', () => {
    const beta: Deployment = {
      version: '1.5.0-beta.1',
      revision: SHA_B,
      artifact: `${REPO}:1.5.0-beta.1@${DIGEST_B}`,
    };
    const result = report(
      [
        snap('development', beta),
        snap('staging', TAG_MISMATCH),
        snap('production', PROD),
      ],
      { revisionComparisons: { development: revision('ahead', 4) } },
    );
    expect(result.closestToReference).toBe('staging');
    expect(result.summary).toContain(
      'Closest to production: staging, same version 1.4.2 as production, another build.',
    );
  });

  it('treats a missing reference as nothing to compare with', () => {
    const result = report([
      snap('staging', STAGING_NEWER),
      snap('preprod', PROD),
    ]);
    expect(result.summary).toBe(
      'Production has no deployment data yet, so nothing can be compared with it.',
    );
    expect(
      result.comparisons.map(c => [c.environment, c.verdict, c.score]),
    ).toEqual([
      ['development', 'unknown', 0],
      ['staging', 'unknown', 0],
      ['preprod', 'unknown', 0],
    ]);
    expect(result.closestToReference).toBeUndefined();
    expect(result.comparisons[1].summary).toBe(
      'Staging runs 1.5.0 (def5678), but Production has nothing to compare with.',
    );
  });

  it('says when the reference could not be read', () => {
    const result = report([
      snap('staging', PROD),
      snap('production', undefined, { error: 'HTTP 500' }),
    ]);
    expect(result.summary).toBe(
      'Production could not be read, so nothing can be compared with it.',
    );
    expect(result.environments.find(e => e.reference)?.status).toBe('error');
    expect(result.closestToReference).toBeUndefined();
  });

  it('compares against a stale reference and says so', () => {
    const result = report([
      snap('staging', PROD),
      snap('production', PROD, { error: 'timeout' }),
    ]);
    expect(result.summary).toBe(
      'Production runs 1.4.2 (abc1234) (as last observed). ' +
        'Staging runs the same build. ' +
        'Closest to production: staging, in sync.',
    );
  });

  it.each<[string, Snapshot[], string]>([
    [
      'a partial environment',
      [
        snap('staging', PROD),
        snap('staging', undefined, { provider: 'http', error: '503' }),
        snap('staging', undefined, { provider: 'github', error: 'timeout' }),
        snap('production', PROD),
      ],
      'Production runs 1.4.2 (abc1234). ' +
        'Staging runs the same build (partial data: github and http failed). ' +
        'Closest to production: staging, in sync.',
    ],
    [
      'a partial reference',
      [
        snap('staging', PROD),
        snap('production', PROD),
        snap('production', undefined, { provider: 'http', error: '503' }),
      ],
      'Production runs 1.4.2 (abc1234) (partial data: http failed). ' +
        'Staging runs the same build. ' +
        'Closest to production: staging, in sync.',
    ],
    [
      'a stale and partial reference',
      [
        snap('staging', PROD),
        snap('production', PROD, { provider: 'argocd', error: 'timeout' }),
        snap('production', PROD),
      ],
      'Production runs 1.4.2 (abc1234) (as last observed; partial data: argocd failed). ' +
        'Staging runs the same build. ' +
        'Closest to production: staging, in sync.',
    ],
  ])('says so in the summary for %s', (_name, snapshots, summary) => {
    const result = report(snapshots, {
      providerPrecedence: { argocd: 10 },
    });
    expect(result.summary).toBe(summary);
    // the comparison's own sentence is about the data that came
    expect(result.comparisons[0].summary).not.toContain('partial');
  });

  it('leaves missing environments out of the summary but reports them unknown', () => {
    const result = report([snap('staging', PROD), snap('production', PROD)]);
    const dev = result.comparisons.find(c => c.environment === 'development')!;
    expect(dev).toEqual({
      environment: 'development',
      against: 'production',
      verdict: 'unknown',
      score: 0,
      drift: [],
      summary: 'Development has no deployment data.',
    });
    expect(result.environments[0].status).toBe('missing');
    expect(result.summary).toBe(
      'Production runs 1.4.2 (abc1234). Staging runs the same build. Closest to production: staging, in sync.',
    );
  });

  it('reports an environment that could not be read, and never picks it', () => {
    const result = report([
      snap('development', STAGING_NEWER),
      snap('staging', undefined, {
        error: 'env-parity/staging.artifact: bad digest',
      }),
      snap('production', PROD),
    ]);
    const staging = result.comparisons.find(c => c.environment === 'staging')!;
    expect(staging.verdict).toBe('unknown');
    expect(staging.summary).toBe('Staging could not be read.');
    expect(result.environments[1]).toMatchObject({
      status: 'error',
      error: 'annotations: env-parity/staging.artifact: bad digest',
    });
    expect(result.closestToReference).toBe('development');
    expect(result.summary).toBe(
      'Production runs 1.4.2 (abc1234). ' +
        'Development runs 1.5.0 (def5678), a different build. ' +
        'Staging could not be read. ' +
        'Closest to production: development, a different build.',
    );
  });

  it('compares what came from the providers that answered, and says which failed', () => {
    // the demo's checkout-web development: its annotations answer, its
    // version endpoint does not
    const r = report([
      snap('development', { version: '1.5.0', revision: SHA_B }),
      snap('development', undefined, {
        provider: 'http',
        error: 'GET /version answered 503 Service Unavailable',
      }),
      snap('production', PROD),
      snap('production', PROD, { provider: 'http' }),
    ]);
    const development = r.environments.find(e => e.name === 'development')!;
    expect(development).toMatchObject({
      status: 'ok',
      partial: true,
      failures: [
        {
          provider: 'http',
          error: 'GET /version answered 503 Service Unavailable',
          checkedAt: minutesAgo(5),
        },
      ],
      deployment: { version: '1.5.0', providers: ['annotations'] },
    });
    const production = r.environments.find(e => e.name === 'production')!;
    expect(production.partial).toBeUndefined();
    expect(production.failures).toBeUndefined();
    expect(
      r.comparisons.find(c => c.environment === 'development'),
    ).toMatchObject({ verdict: 'different', score: 50 });
  });

  it('still compares a stale environment (error with a last good deployment)', () => {
    const result = report([
      snap('staging', PROD, { error: 'HTTP 503' }),
      snap('production', PROD),
    ]);
    expect(result.environments[1].status).toBe('stale');
    expect(result.environments[1].error).toBe('annotations: HTTP 503');
    expect(result.comparisons[1]).toMatchObject({
      verdict: 'in-sync',
      score: 100,
    });
    expect(result.closestToReference).toBe('staging');
  });

  it('marks old observations stale with staleAfterMs, on both sides', () => {
    const result = report(
      [
        snap('staging', PROD, { observedAt: minutesAgo(90) }),
        snap('production', PROD, { observedAt: minutesAgo(120) }),
      ],
      { staleAfterMs: 60 * 60_000 },
    );
    expect(
      result.environments.map(e => [e.name, e.status, e.observedAt]),
    ).toEqual([
      ['development', 'missing', undefined],
      ['staging', 'stale', minutesAgo(90)],
      ['preprod', 'missing', undefined],
      ['production', 'stale', minutesAgo(120)],
    ]);
    expect(result.comparisons[1].verdict).toBe('in-sync');
    expect(result.summary).toContain('(as last observed)');
  });

  it.each<
    [
      string,
      Record<string, Deployment>,
      Record<string, RevisionComparison>,
      string | undefined,
    ]
  >([
    [
      'the best score',
      { development: STAGING_NEWER, staging: TAG_MISMATCH, preprod: PROD },
      {},
      'preprod',
    ],
    [
      'the best score even early in promotion order',
      { development: PROD, staging: STAGING_NEWER, preprod: TAG_MISMATCH },
      {},
      'development',
    ],
    [
      'the later environment on a tie',
      { development: PROD, staging: PROD },
      {},
      'staging',
    ],
    [
      'the later environment on a tie of lower scores',
      {
        development: STAGING_NEWER,
        staging: STAGING_NEWER,
      },
      {},
      'staging',
    ],
    [
      'the same version rebuilt over other versions, whatever their score',
      {
        development: STAGING_NEWER,
        staging: STAGING_NEWER,
        preprod: TAG_MISMATCH,
      },
      {},
      'preprod',
    ],
    [
      'ahead over behind',
      {
        development: STAGING_NEWER,
        staging: { ...STAGING_NEWER, version: '1.4.1' },
      },
      { development: revision('ahead', 2), staging: revision('behind', 0, 2) },
      'development',
    ],
    [
      'a tag mismatch rather than nothing',
      {
        staging: TAG_MISMATCH,
        preprod: { url: 'https://preprod.example.com' },
      },
      {},
      'staging',
    ],
    [
      'no environment when all are unknown',
      { staging: { url: 'https://staging.example.com' } },
      {},
      undefined,
    ],
  ])(
    'picks %s as closest',
    (_name, deployments, revisionComparisons, expected) => {
      const result = report(
        [
          ...Object.entries(deployments).map(([name, d]) => snap(name, d)),
          snap('production', PROD),
        ],
        { revisionComparisons },
      );
      expect(result.closestToReference).toBe(expected);
      expect(result.summary.includes('Closest to production')).toBe(
        expected !== undefined,
      );
    },
  );

  it('merges several providers of one environment before comparing', () => {
    const result = report(
      [
        // the CI annotation claims staging runs what production runs...
        snap('staging', PROD),
        // ...but the cluster, which outranks it, sees another image
        snap(
          'staging',
          { artifact: `${REPO}:1.4.2@${DIGEST_B}` },
          { provider: 'kubernetes' },
        ),
        snap('production', PROD),
      ],
      { providerPrecedence: { kubernetes: 100, annotations: 0 } },
    );
    const staging = result.environments.find(e => e.name === 'staging')!;
    expect(staging.deployment).toMatchObject({
      version: '1.4.2',
      artifact: `${REPO}:1.4.2@${DIGEST_B}`,
      provider: 'annotations',
      providers: ['kubernetes', 'annotations'],
    });
    expect(result.comparisons[1].verdict).toBe('tag-mismatch');

    const reversed = report(
      [
        snap('staging', PROD),
        snap(
          'staging',
          { artifact: `${REPO}:1.4.2@${DIGEST_B}` },
          { provider: 'kubernetes' },
        ),
        snap('production', PROD),
      ],
      { providerPrecedence: { kubernetes: -1 } },
    );
    expect(reversed.comparisons[1].verdict).toBe('in-sync');
  });

  it('uses the last environment as reference when none is marked', () => {
    const result = report(
      [snap('staging', PROD), snap('production', PROD)],
      {},
      [env('staging', 'Staging'), env('production', 'Production')],
    );
    expect(result.reference).toBe('production');
    expect(result.environments[1].reference).toBe(true);
    expect(result.comparisons).toHaveLength(1);
  });

  it('ignores snapshots of environments that are not configured', () => {
    const result = report([
      snap('qa', STAGING_NEWER),
      snap('production', PROD),
    ]);
    expect(result.environments.map(e => e.name)).toEqual([
      'development',
      'staging',
      'preprod',
      'production',
    ]);
    expect(result.comparisons.every(c => c.verdict === 'unknown')).toBe(true);
  });

  it('says so when no environments are configured', () => {
    expect(report([snap('production', PROD)], {}, [])).toEqual({
      entityRef: ENTITY,
      reference: '',
      environments: [],
      comparisons: [],
      summary: 'No environments are configured.',
      generatedAt: NOW.toISOString(),
    });
  });
});

describe('configuration keys expected to differ', () => {
  const running = (config: Record<string, ConfigFingerprint>): Deployment => ({
    ...PROD,
    config,
  });
  const prodConfig = {
    'deployment/api.replicas': fp('r3', { value: '3' }),
    'deployment/api/app.env.DATABASE_URL': fp('db-prod', { secret: true }),
    'configmap/api-config.FEATURE_X': fp('on'),
  };

  it('leaves ignored keys out of verdict, drift and score, and lists them', () => {
    const snapshots = [
      snap(
        'staging',
        running({
          'deployment/api.replicas': fp('r1', { value: '1' }),
          'deployment/api/app.env.DATABASE_URL': fp('db-staging', {
            secret: true,
          }),
          'configmap/api-config.FEATURE_X': fp('on'),
        }),
      ),
      snap('production', running(prodConfig)),
    ];
    const plain = report(snapshots).comparisons.find(
      c => c.environment === 'staging',
    )!;
    expect(plain.verdict).toBe('config-drift');
    expect(plain.drift.map(d => d.field)).toEqual([
      'deployment/api.replicas',
      'deployment/api/app.env.DATABASE_URL',
    ]);
    expect(plain.ignoredConfig).toBeUndefined();

    const ignoring = report(snapshots, {
      ignoreConfig: ['*.replicas', '*.env.DATABASE_URL'],
    }).comparisons.find(c => c.environment === 'staging')!;
    expect(ignoring.verdict).toBe('in-sync');
    expect(ignoring.score).toBe(100);
    expect(ignoring.drift).toEqual([]);
    expect(ignoring.ignoredConfig).toEqual([
      'deployment/api.replicas',
      'deployment/api/app.env.DATABASE_URL',
    ]);
  });

  it('still counts a key the patterns do not match in full', () => {
    const result = compareDeployments(
      running({ ...prodConfig, 'configmap/api-config.FEATURE_X': fp('off') }),
      running(prodConfig),
      undefined,
      { ignoreConfig: ['FEATURE_X', 'configmap/*.FEATURE'] },
    );
    expect(result.verdict).toBe('config-drift');
    expect(result.ignoredConfig).toEqual([]);
  });
});

describe('running resources and findings', () => {
  it('merges them from every provider', () => {
    const merged = mergeEnvironment(
      env('staging', 'Staging'),
      [
        snap('staging', {
          ...PROD,
          resources: [{ kind: 'Deployment', name: 'api', location: 'c1' }],
          findings: [
            { type: 'mixed-digests', severity: 'warning', message: 'two' },
          ],
        }),
        {
          ...snap('staging', {
            resources: [{ kind: 'Application', name: 'api-staging' }],
          }),
          provider: 'argocd',
        },
      ],
      { providerPrecedence: { argocd: 90, annotations: 0 } },
    );
    expect(merged.deployment?.resources?.map(r => r.kind).sort()).toEqual([
      'Application',
      'Deployment',
    ]);
    expect(merged.deployment?.findings).toEqual([
      { type: 'mixed-digests', severity: 'warning', message: 'two' },
    ]);
    expect(merged.deployment?.providers.sort()).toEqual([
      'annotations',
      'argocd',
    ]);
  });
});
