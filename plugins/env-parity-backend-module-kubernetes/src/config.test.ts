import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigReader } from '@backstage/config';
import { readKubernetesProviderOptions } from './config';

const locators = {
  clusterLocatorMethods: [
    {
      type: 'config',
      clusters: [
        {
          name: 'staging-cluster',
          url: 'http://127.0.0.1:7010/k8s/staging/',
          authProvider: 'serviceAccount',
          serviceAccountToken: 'token',
          caData: Buffer.from('-----BEGIN CERTIFICATE-----').toString('base64'),
        },
      ],
    },
  ],
};

describe('readKubernetesProviderOptions', () => {
  it('is undefined without envParity.kubernetes, enabled by its presence', () => {
    expect(
      readKubernetesProviderOptions(new ConfigReader({ kubernetes: locators })),
    ).toBeUndefined();
    expect(
      readKubernetesProviderOptions(
        new ConfigReader({ kubernetes: locators, envParity: {} }),
      ),
    ).toBeUndefined();
    // no config mapping: the catalog annotation alone maps clusters
    const read = readKubernetesProviderOptions(
      new ConfigReader({
        kubernetes: locators,
        envParity: { kubernetes: { timeout: '5s' } },
      }),
    );
    expect(read?.options).toMatchObject({
      mode: 'direct',
      // the catalog annotation maps clusters only when asked to
      clustersFromCatalog: false,
      timeoutMs: 5000,
    });
    expect([...read!.options.configMapping]).toEqual([]);
    expect([...read!.options.definitions.keys()]).toEqual(['staging-cluster']);
  });

  it('reads proxy mode without cluster URLs or tokens, and clustersFromCatalog', () => {
    const read = readKubernetesProviderOptions(
      new ConfigReader({
        kubernetes: {
          clusterLocatorMethods: [
            { type: 'catalog' },
            {
              type: 'config',
              clusters: [
                { name: 'gke', url: 'not a url', authProvider: 'google' },
              ],
            },
          ],
        },
        envParity: {
          kubernetes: {
            mode: 'proxy',
            clustersFromCatalog: false,
            clusters: { gke: 'production' },
          },
        },
      }),
    );
    // the Kubernetes backend's clusters are not read, so nothing to warn about
    expect(read?.notices).toEqual([]);
    expect(read?.options).toMatchObject({
      mode: 'proxy',
      clustersFromCatalog: false,
    });
    expect([...read!.options.configMapping]).toEqual([['gke', 'production']]);
    expect(read!.options.definitions.size).toBe(0);
    expect(() =>
      readKubernetesProviderOptions(
        new ConfigReader({ envParity: { kubernetes: { mode: 'tunnel' } } }),
      ),
    ).toThrow(
      'envParity.kubernetes.mode: unknown mode "tunnel"; use direct or proxy',
    );
  });

  it('warns in proxy mode about mapped clusters whose auth would let the Backstage token through', () => {
    const read = readKubernetesProviderOptions(
      new ConfigReader({
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                {
                  name: 'sa',
                  url: 'https://a',
                  authProvider: 'serviceAccount',
                },
                { name: 'eks', url: 'https://b', authProvider: 'aws' },
                { name: 'cert', url: 'https://c', authProvider: 'x509' },
                {
                  name: 'local',
                  url: 'http://d',
                  authProvider: 'localKubectlProxy',
                },
                { name: 'anonymous', url: 'https://e' },
                { name: 'unmapped', url: 'https://f', authProvider: 'x509' },
              ],
            },
          ],
        },
        envParity: {
          kubernetes: {
            mode: 'proxy',
            clusters: {
              sa: 'staging',
              eks: 'staging',
              cert: 'production',
              local: 'dev',
              anonymous: 'dev',
              // defined by another locator type: nothing known about its auth
              'from-gke-locator': 'production',
            },
          },
        },
      }),
    );
    expect(read!.notices.map(n => [n.level, n.message])).toEqual([
      [
        'warn',
        'envParity.kubernetes.mode is proxy, but cluster "cert" uses authProvider "x509" in kubernetes.clusterLocatorMethods, which gives the Kubernetes backend no bearer token to replace the request\'s Authorization header with: env-parity\'s Backstage service token reaches that cluster\'s API server, and whoever can read requests there could call the Kubernetes backend as env-parity until the token expires. Give that cluster an auth provider that yields a bearer token (serviceAccount, google, googleServiceAccount, aws, azure, oidc), or use envParity.kubernetes.mode direct with a service account token for env-parity',
      ],
      [
        'warn',
        expect.stringContaining(
          'cluster "local" uses authProvider "localKubectlProxy"',
        ),
      ],
      [
        'warn',
        expect.stringContaining(
          'cluster "anonymous" uses authProvider "(none)"',
        ),
      ],
    ]);
    expect(read!.options.proxyAuthProviders.get('unmapped')).toBe('x509');
    // direct mode does not forward a Backstage token: no such warning
    expect(
      readKubernetesProviderOptions(
        new ConfigReader({
          envParity: { kubernetes: { clusters: { cert: 'production' } } },
          kubernetes: {
            clusterLocatorMethods: [
              {
                type: 'config',
                clusters: [
                  { name: 'cert', url: 'https://c', authProvider: 'x509' },
                ],
              },
            ],
          },
        }),
      )!.notices.map(n => n.message),
    ).not.toContainEqual(expect.stringContaining('Backstage service token'));
  });

  it('reads the CA from caFile when there is no caData', () => {
    const dir = mkdtempSync(join(tmpdir(), 'env-parity-ca-'));
    const file = join(dir, 'ca.pem');
    writeFileSync(file, '-----BEGIN CERTIFICATE----- from a file');
    const withFile = (caFile: string) =>
      new ConfigReader({
        kubernetes: {
          clusterLocatorMethods: [
            {
              type: 'config',
              clusters: [
                {
                  name: 'c',
                  url: 'https://k8s.example.com',
                  authProvider: 'serviceAccount',
                  caFile,
                },
              ],
            },
          ],
        },
        envParity: { kubernetes: { clusters: { c: 'staging' } } },
      });
    expect(
      readKubernetesProviderOptions(withFile(file))?.options.definitions.get(
        'c',
      )?.ca,
    ).toBe('-----BEGIN CERTIFICATE----- from a file');
    expect(() =>
      readKubernetesProviderOptions(withFile(join(dir, 'missing.pem'))),
    ).toThrow(/cluster "c" caFile .*missing\.pem cannot be read/);
  });

  it('reads the mapped clusters with defaults', () => {
    const read = readKubernetesProviderOptions(
      new ConfigReader({
        kubernetes: locators,
        envParity: {
          kubernetes: { clusters: { 'staging-cluster': 'staging' } },
        },
      }),
    );
    expect(read).toEqual({
      options: {
        mode: 'direct',
        configMapping: new Map([['staging-cluster', 'staging']]),
        definitions: new Map([
          [
            'staging-cluster',
            {
              name: 'staging-cluster',
              url: 'http://127.0.0.1:7010/k8s/staging',
              serviceAccountToken: 'token',
              ca: '-----BEGIN CERTIFICATE-----',
              skipTLSVerify: false,
            },
          ],
        ]),
        proxyAuthProviders: new Map(),
        clustersFromCatalog: false,
        timeoutMs: 10_000,
        workloadKinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout'],
        showConfigMapValues: false,
        inventory: {
          enabled: true,
          maxAgeMs: 120_000,
          maxStaleMs: 360_000,
          pageSize: 500,
        },
      },
      notices: [],
    });
  });

  it('reads timeout, kinds and showConfigMapValues', () => {
    const read = readKubernetesProviderOptions(
      new ConfigReader({
        kubernetes: locators,
        envParity: {
          kubernetes: {
            clusters: { 'staging-cluster': 'staging' },
            timeout: { seconds: 3 },
            workloadKinds: ['deployment', 'Rollout'],
            showConfigMapValues: true,
          },
        },
      }),
    )!.options;
    expect(read.timeoutMs).toBe(3000);
    expect(read.workloadKinds).toEqual(['Deployment', 'Rollout']);
    expect(read.showConfigMapValues).toBe(true);
    expect(() =>
      readKubernetesProviderOptions(
        new ConfigReader({
          envParity: {
            kubernetes: { clusters: {}, workloadKinds: ['CronJob'] },
          },
        }),
      ),
    ).toThrow('envParity.kubernetes.workloadKinds: unknown kind "CronJob"');
  });

  it('reads the inventory options, refusing bad ones', () => {
    const read = (inventory: unknown) =>
      readKubernetesProviderOptions(
        new ConfigReader({
          envParity: { kubernetes: { clusters: {}, inventory } as any },
        }),
      )!.options.inventory;
    expect(read({ enabled: false, maxAge: '45s', pageSize: 100 })).toEqual({
      enabled: false,
      maxAgeMs: 45_000,
      maxStaleMs: 135_000,
      pageSize: 100,
    });
    expect(read({ maxAge: { minutes: 5 } })).toEqual({
      enabled: true,
      maxAgeMs: 300_000,
      maxStaleMs: 900_000,
      pageSize: 500,
    });
    expect(read({ maxStale: '10m' })).toMatchObject({
      maxAgeMs: 120_000,
      maxStaleMs: 600_000,
    });
    // equal to maxAge: never served stale
    expect(read({ maxAge: '1m', maxStale: { minutes: 1 } })).toMatchObject({
      maxAgeMs: 60_000,
      maxStaleMs: 60_000,
    });
    expect(() => read({ maxAge: '2m', maxStale: '1m' })).toThrow(
      'envParity.kubernetes.inventory.maxStale must be a duration of at least inventory.maxAge',
    );
    expect(() => read({ maxStale: 'later' })).toThrow();
    expect(() => read({ pageSize: 0 })).toThrow(
      'envParity.kubernetes.inventory.pageSize must be a positive integer',
    );
    expect(() => read({ pageSize: 2.5 })).toThrow(
      'envParity.kubernetes.inventory.pageSize must be a positive integer',
    );
    expect(() => read({ maxAge: 'soon' })).toThrow();
  });
});
