import {
  ENVIRONMENT_ANNOTATION_FIELDS,
  ENV_PARITY_ANNOTATION_PREFIX,
  environmentAnnotation,
  hasEnvParityAnnotations,
  parseEnvironmentAnnotation,
  PROVIDER_ANNOTATIONS,
  configKeyMatcher,
  parseConfigPatterns,
} from './annotations';

describe('environmentAnnotation', () => {
  it.each([
    ['production', 'version', 'env-parity/production.version'],
    ['staging', 'revision', 'env-parity/staging.revision'],
    ['preprod', 'artifact', 'env-parity/preprod.artifact'],
    ['development', 'deployed-at', 'env-parity/development.deployed-at'],
    ['production', 'deployed-by', 'env-parity/production.deployed-by'],
    ['eu.production', 'url', 'env-parity/eu.production.url'],
  ] as const)('builds the key of %s %s', (environment, field, expected) => {
    expect(environmentAnnotation(environment, field)).toBe(expected);
  });

  it('uses the documented prefix and fields', () => {
    expect(ENV_PARITY_ANNOTATION_PREFIX).toBe('env-parity/');
    expect(ENVIRONMENT_ANNOTATION_FIELDS).toEqual([
      'version',
      'revision',
      'artifact',
      'deployed-at',
      'deployed-by',
      'url',
      'version-url',
    ]);
  });
});

describe('parseEnvironmentAnnotation', () => {
  it.each([
    [
      'env-parity/production.version',
      { environment: 'production', field: 'version' },
    ],
    [
      'env-parity/staging.deployed-at',
      { environment: 'staging', field: 'deployed-at' },
    ],
    // the field is after the last dot, so environment names may hold dots
    [
      'env-parity/eu.production.artifact',
      { environment: 'eu.production', field: 'artifact' },
    ],
    // unknown fields are split too; the provider decides what to do with them
    ['env-parity/staging.colour', { environment: 'staging', field: 'colour' }],
    ['github.com/project-slug', undefined],
    ['backstage.io/env-parity/production.version', undefined],
    ['env-parity/production', undefined],
    ['env-parity/.version', undefined],
    ['env-parity/production.', undefined],
    ['env-parity/', undefined],
  ])('parses %s', (key, expected) => {
    expect(parseEnvironmentAnnotation(key)).toEqual(expected);
  });

  it.each(ENVIRONMENT_ANNOTATION_FIELDS.map(field => [field] as const))(
    'round-trips the field %s',
    field => {
      expect(
        parseEnvironmentAnnotation(environmentAnnotation('preprod', field)),
      ).toEqual({ environment: 'preprod', field });
    },
  );
});

describe('hasEnvParityAnnotations', () => {
  it.each([
    ['no annotations at all', undefined, false],
    ['empty annotations', {}, false],
    [
      'unrelated annotations only',
      { 'backstage.io/techdocs-ref': 'dir:.', 'pagerduty.com/service-id': 'x' },
      false,
    ],
    [
      'one env-parity annotation',
      { 'env-parity/staging.version': '1.5.0' },
      true,
    ],
    [
      'an env-parity annotation without a field',
      { 'env-parity/anything': 'x' },
      true,
    ],
    ...PROVIDER_ANNOTATIONS.map(key => [
      `the provider annotation ${key}`,
      { [key]: 'acme/payments-api' },
      true,
    ]),
  ] as [string, Record<string, string> | undefined, boolean][])(
    'is right for %s',
    (_name, annotations, expected) => {
      expect(
        hasEnvParityAnnotations({
          metadata: annotations ? { annotations } : {},
        }),
      ).toBe(expected);
    },
  );
});

describe('configuration key patterns', () => {
  it('splits the annotation on commas and newlines', () => {
    expect(parseConfigPatterns(' *.replicas,\n*.env.DATABASE_URL ,, ')).toEqual(
      ['*.replicas', '*.env.DATABASE_URL'],
    );
    expect(parseConfigPatterns(undefined)).toEqual([]);
  });

  it.each([
    ['*.replicas', 'deployment/api.replicas', true],
    ['*.replicas', 'deployment/api.replicasX', false],
    ['*.env.DATABASE_URL', 'deployment/api/app.env.DATABASE_URL', true],
    ['*.env.DATABASE_URL', 'deployment/api/app.env.DATABASE_URL_RO', false],
    ['helm.values.replicaCount', 'helm.values.replicaCount', true],
    ['helm.values.replicaCount', 'helmXvalues.replicaCount', false],
    ['configmap/*', 'configmap/a.b', true],
    ['Configmap/*', 'configmap/a.b', false],
    ['(x)+[y]', '(x)+[y]', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYbZ', false],
    ['**.replicas', 'deployment/api.replicas', true],
    ['*', '', true],
    ['', '', false],
  ])('%s matches %s: %s', (pattern, key, expected) => {
    expect(configKeyMatcher([pattern])(key)).toBe(expected);
  });

  it('stays fast on patterns that make a regular expression backtrack', () => {
    const key = `deployment/payments-api/payments-api.env.${'X'.repeat(200)}`;
    const started = Date.now();
    expect(
      configKeyMatcher([`${'*'.repeat(8)}!`, '*a*a*a*a*a*a*a*a!'])(key),
    ).toBe(false);
    // a backtracking regular expression takes minutes here; linear takes
    // microseconds, so even a loaded machine stays far below this bound
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('ignores patterns past the limits', () => {
    expect(configKeyMatcher(['x'.repeat(201)])('x'.repeat(201))).toBe(false);
    const many = [...Array.from({ length: 100 }, (_, i) => `k${i}`), 'last'];
    expect(configKeyMatcher(many)('k99')).toBe(true);
    expect(configKeyMatcher(many)('last')).toBe(false);
  });

  it('matches nothing without patterns', () => {
    expect(configKeyMatcher([])('anything')).toBe(false);
  });
});
