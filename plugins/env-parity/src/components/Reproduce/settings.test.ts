import { envFileOf, settingName, sortConfig } from './settings';

describe('settingName', () => {
  it.each([
    // Kubernetes: a container's env vars are the application's settings
    ['deployment/payments-api/app.env.LOG_LEVEL', 'LOG_LEVEL'],
    ['statefulset/db/postgres.env.PGDATA', 'PGDATA'],
    // the keys of its ConfigMaps and Secrets too
    ['configmap/payments-config.FEATURE_NEW_CHECKOUT', 'FEATURE_NEW_CHECKOUT'],
    ['secret/payments-secrets.DB_PASSWORD', 'DB_PASSWORD'],
    ['configmap/payments-config.application.yaml', 'application.yaml'],
    // replicas, resources and sidecar images are plumbing
    ['deployment/payments-api.replicas', undefined],
    ['deployment/payments-api/app.resources.requests.cpu', undefined],
    ['deployment/payments-api/app.resources.limits.memory', undefined],
    ['deployment/payments-api/istio-proxy.image', undefined],
    // Helm and Kustomize inputs are plumbing, but for env values
    ['helm.values.replicaCount', undefined],
    ['helm.values.resources.requests.cpu', undefined],
    ['helm.values.image.tag', undefined],
    ['helm.valueFiles', undefined],
    ['source[0].kustomize.images.api', undefined],
    ['helm.parameters.ingress.enabled', undefined],
    ['helm.values.env.LOG_LEVEL', 'LOG_LEVEL'],
    ['source[1].helm.values.app.extraEnv.CACHE_TTL', 'CACHE_TTL'],
    ['helm.parameters.env.REGION', 'REGION'],
    ['kustomize.images.payments-api', undefined],
    ['kustomize.namePrefix', undefined],
    // any other provider's keys are settings as they are
    ['LOG_LEVEL', 'LOG_LEVEL'],
    ['feature.flags', 'feature.flags'],
  ])('%s → %s', (key, expected) => {
    expect(settingName(key)).toBe(expected);
  });
});

describe('sortConfig', () => {
  it('keeps the settings, by name, with non-secret values only', () => {
    const sorted = sortConfig({
      'deployment/api.replicas': { hash: 'r', value: '3' },
      'deployment/api/app.env.LOG_LEVEL': { hash: 'l', value: 'info' },
      'configmap/api-config.LOG_LEVEL': { hash: 'l', value: 'info' },
      'deployment/api/app.env.DB_PASSWORD': { hash: 'p', secret: true },
      'secret/api-secrets.DB_PASSWORD': { hash: 'p', secret: true },
      'deployment/api/app.env.REGION': { hash: 'g' },
      'deployment/api/app.env.TOKEN': {
        hash: 't',
        secret: true,
        value: 'never-shown',
      },
      'deployment/api/proxy.image': { hash: 'i', value: 'envoy:1.30' },
    });
    expect(sorted.settings).toEqual([
      {
        name: 'DB_PASSWORD',
        keys: [
          'deployment/api/app.env.DB_PASSWORD',
          'secret/api-secrets.DB_PASSWORD',
        ],
        secret: true,
      },
      {
        name: 'LOG_LEVEL',
        keys: [
          'configmap/api-config.LOG_LEVEL',
          'deployment/api/app.env.LOG_LEVEL',
        ],
        secret: false,
        value: 'info',
      },
      {
        name: 'REGION',
        keys: ['deployment/api/app.env.REGION'],
        secret: false,
      },
      {
        name: 'TOKEN',
        keys: ['deployment/api/app.env.TOKEN'],
        secret: true,
      },
    ]);
    expect(sorted.plumbing).toEqual([
      'deployment/api.replicas',
      'deployment/api/proxy.image',
    ]);
  });

  it('drops a value once any key of the setting is secret', () => {
    const { settings } = sortConfig({
      'configmap/c.API_KEY': { hash: 'a', value: 'visible' },
      'secret/s.API_KEY': { hash: 'b', secret: true },
    });
    expect(settings).toEqual([
      {
        name: 'API_KEY',
        keys: ['configmap/c.API_KEY', 'secret/s.API_KEY'],
        secret: true,
      },
    ]);
  });

  it('has nothing for an environment without configuration', () => {
    expect(sortConfig(undefined)).toEqual({ settings: [], plumbing: [] });
  });
});

describe('envFileOf', () => {
  it('fills known values and leaves secrets and unknowns empty, with a comment', () => {
    expect(
      envFileOf('Production', [
        { name: 'DB_PASSWORD', keys: [], secret: true },
        { name: 'LOG_LEVEL', keys: [], secret: false, value: 'info' },
        { name: 'REGION', keys: [], secret: false },
        { name: 'MOTD', keys: [], secret: false, value: 'a\nB=injected' },
        { name: 'application.yaml', keys: [], secret: false },
      ]),
    ).toBe(
      [
        '# The settings Production runs with; fill in the empty ones.',
        "# secret: use your own value, never Production's",
        'DB_PASSWORD=',
        'LOG_LEVEL=info',
        '# value not shown by the provider',
        'REGION=',
        '# value spans several lines: provide it another way',
        'MOTD=',
        '# not env vars (files or keys of a ConfigMap or Secret): application.yaml',
        '',
      ].join('\n'),
    );
  });
});
