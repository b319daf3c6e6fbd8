import {
  configLeafKey,
  describeSettings,
  groupConfigDrift,
  normaliseSettingKey,
} from './configSettings';
import { DriftItem } from './types';

const config = (
  field: string,
  reference?: string,
  environment?: string,
  change: DriftItem['change'] = 'changed',
): DriftItem => ({
  type: 'config',
  field,
  change,
  ...(reference !== undefined ? { reference } : {}),
  ...(environment !== undefined ? { environment } : {}),
});

/** payments-api's staging, as the Kubernetes and Argo CD modules see it. */
const PAYMENTS_STAGING: DriftItem[] = [
  config(
    'configmap/payments-api-config.FEATURE_FLAGS',
    'instant-refunds=on,3ds2-frictionless=on',
    'instant-refunds=off,3ds2-frictionless=on',
  ),
  config('deployment/payments-api/payments-api.env.DATABASE_URL'),
  config(
    'deployment/payments-api/payments-api.env.FEATURE_FLAGS',
    'instant-refunds=on,3ds2-frictionless=on',
    'instant-refunds=off,3ds2-frictionless=on',
  ),
  config('helm.values.featureFlags.instantRefunds'),
  config('secret/payments-api-secrets.DATABASE_URL'),
];

describe('configLeafKey', () => {
  it.each([
    ['configmap/payments-api-config.FEATURE_FLAGS', 'FEATURE_FLAGS'],
    ['deployment/payments-api/payments-api.env.DATABASE_URL', 'DATABASE_URL'],
    ['helm.values.featureFlags.instantRefunds', 'instantRefunds'],
    ['source[1].helm.values.features.instantRefunds', 'instantRefunds'],
    ['deployment/payments-api.replicas', 'replicas'],
    ['INSTANT_REFUNDS', 'INSTANT_REFUNDS'],
  ])('%s ends with %s', (field, leaf) => {
    expect(configLeafKey(field)).toBe(leaf);
  });
});

describe('normaliseSettingKey', () => {
  it.each([
    ['INSTANT_REFUNDS', 'instantrefunds'],
    ['instantRefunds', 'instantrefunds'],
    ['instant-refunds', 'instantrefunds'],
    ['DATABASE_URL', 'databaseurl'],
  ])('%s is %s', (key, normalised) => {
    expect(normaliseSettingKey(key)).toBe(normalised);
  });
});

describe('groupConfigDrift', () => {
  it('makes two settings of payments-api: instant refunds and DATABASE_URL', () => {
    const settings = groupConfigDrift(PAYMENTS_STAGING);
    expect(settings.map(s => s.name)).toEqual([
      'instant refunds',
      'DATABASE_URL',
    ]);
    expect(settings[0]).toMatchObject({
      change: 'changed',
      reference: 'instant-refunds=on',
      environment: 'instant-refunds=off',
      secret: false,
    });
    expect(settings[0].sources.map(s => s.field)).toEqual([
      'configmap/payments-api-config.FEATURE_FLAGS',
      'deployment/payments-api/payments-api.env.FEATURE_FLAGS',
      'helm.values.featureFlags.instantRefunds',
    ]);
    expect(settings[1]).toMatchObject({ change: 'changed', secret: true });
    expect(settings[1].sources.map(s => s.field)).toEqual([
      'deployment/payments-api/payments-api.env.DATABASE_URL',
      'secret/payments-api-secrets.DATABASE_URL',
    ]);
    expect(describeSettings(settings)).toBe(
      '2 settings differ: instant refunds, DATABASE_URL',
    );
  });

  it.each<[string, DriftItem[], string[][]]>([
    [
      'the same key spelled three ways is one setting',
      [
        config('configmap/app.INSTANT_REFUNDS', 'true', 'false'),
        config('deployment/app/app.env.INSTANT_REFUNDS', 'true', 'false'),
        config('helm.values.features.instantRefunds'),
      ],
      [
        [
          'configmap/app.INSTANT_REFUNDS',
          'deployment/app/app.env.INSTANT_REFUNDS',
          'helm.values.features.instantRefunds',
        ],
      ],
    ],
    [
      'two Helm values with the same last name are two settings',
      [
        config('helm.values.database.name', 'a', 'b'),
        config('helm.values.service.name', 'c', 'd'),
      ],
      [['helm.values.database.name'], ['helm.values.service.name']],
    ],
    [
      'two keys of one ConfigMap are two settings',
      [
        config('configmap/app.TIMEOUT', '1', '2'),
        config('configmap/app.RETRIES', '1', '2'),
      ],
      [['configmap/app.TIMEOUT'], ['configmap/app.RETRIES']],
    ],
    [
      'a flag list with two differing flags stays one setting of its own key',
      [
        config('configmap/app.FEATURE_FLAGS', 'a=on,b=on', 'a=off,b=off'),
        config('helm.values.features.a'),
      ],
      [['configmap/app.FEATURE_FLAGS'], ['helm.values.features.a']],
    ],
    [
      'other drift is left out',
      [
        { type: 'version', field: 'version', change: 'changed' },
        config('configmap/app.TIMEOUT', '1', '2'),
      ],
      [['configmap/app.TIMEOUT']],
    ],
  ])('%s', (_, drift, groups) => {
    expect(
      groupConfigDrift(drift).map(s => s.sources.map(i => i.field)),
    ).toEqual(groups);
  });

  it('masks every key of a setting when one of them is secret', () => {
    const settings = groupConfigDrift(
      [
        config('configmap/app.API_TOKEN', 'plain-a', 'plain-b'),
        config('secret/app.API_TOKEN'),
      ],
      {
        isSecret: item => item.field.startsWith('secret/'),
      },
    );
    expect(settings).toEqual([
      {
        name: 'API_TOKEN',
        change: 'changed',
        secret: true,
        sources: [
          {
            type: 'config',
            field: 'configmap/app.API_TOKEN',
            change: 'changed',
          },
          { type: 'config', field: 'secret/app.API_TOKEN', change: 'changed' },
        ],
      },
    ]);
    expect(JSON.stringify(settings)).not.toContain('plain-');
  });

  it('tells an added or removed flag', () => {
    expect(
      groupConfigDrift([config('configmap/app.FLAGS', 'a=on', 'a=on,b=on')])[0],
    ).toMatchObject({ name: 'b', change: 'added', environment: 'b=on' });
    expect(
      groupConfigDrift([config('configmap/app.FLAGS', 'a=on,b=on', 'a=on')])[0],
    ).toMatchObject({ name: 'b', change: 'removed', reference: 'b=on' });
  });

  it('says changed when the keys of a setting disagree on how', () => {
    expect(
      groupConfigDrift([
        config('configmap/app.TIMEOUT', undefined, '5', 'added'),
        config('helm.values.timeout'),
      ]),
    ).toMatchObject([{ name: 'timeout', change: 'changed', environment: '5' }]);
  });
});

describe('describeSettings', () => {
  const named = (...names: string[]) =>
    names.map(name => ({
      name,
      change: 'changed' as const,
      secret: false,
      sources: [],
    }));
  it.each([
    [named('DATABASE_URL'), '1 setting differs: DATABASE_URL'],
    [
      named('a', 'b', 'c', 'd', 'e', 'f', 'g'),
      '7 settings differ: a, b, c, d, e and 2 more',
    ],
  ])('%#', (settings, sentence) => {
    expect(describeSettings(settings)).toBe(sentence);
  });
});
