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
  it('is undefined without envParity.kubernetes.clusters', () => {
    expect(
      readKubernetesProviderOptions(new ConfigReader({ kubernetes: locators })),
    ).toBeUndefined();
    expect(
      readKubernetesProviderOptions(
        new ConfigReader({ envParity: { kubernetes: { timeout: '5s' } } }),
      ),
    ).toBeUndefined();
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
      readKubernetesProviderOptions(withFile(file))?.options.clusters[0].ca,
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
        clusters: [
          {
            name: 'staging-cluster',
            environment: 'staging',
            url: 'http://127.0.0.1:7010/k8s/staging',
            serviceAccountToken: 'token',
            ca: '-----BEGIN CERTIFICATE-----',
            skipTLSVerify: false,
          },
        ],
        timeoutMs: 10_000,
        workloadKinds: ['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout'],
        showConfigMapValues: false,
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
});
