import { ConfigReader } from '@backstage/config';
import { readArgocdModuleOptions } from './config';

const argocd = {
  appLocatorMethods: [
    {
      type: 'config',
      instances: [
        {
          name: 'argo-prod',
          url: 'https://argocd.example.com/argocd/',
          token: 'prod-token',
        },
        {
          name: 'argo-old',
          url: 'https://old.example.com',
          username: 'admin',
          password: 'pw',
        },
        { name: 'argo-bad', url: 'ftp://argo.example.com', token: 't' },
      ],
    },
  ],
};

describe('readArgocdModuleOptions', () => {
  it('is disabled without instances, environments or environmentLabel', () => {
    expect(
      readArgocdModuleOptions(
        new ConfigReader({ argocd, envParity: { argocd: { timeout: '5s' } } }),
      ),
    ).toEqual({ warnings: [] });
    expect(readArgocdModuleOptions(new ConfigReader({ argocd }))).toEqual({
      warnings: [],
    });
  });

  it('reads token instances and the mapping, warning about what it skips', () => {
    const { options, warnings } = readArgocdModuleOptions(
      new ConfigReader({
        argocd,
        envParity: {
          argocd: {
            instances: { 'argo-prod': 'production', 'argo-old': 'staging' },
            environments: [
              {
                environment: 'preprod',
                instance: 'argo-prod',
                destinationNamespace: 'shop-preprod*',
                labels: { env: 'preprod' },
              },
            ],
            environmentLabel: 'env',
            timeout: { seconds: 3 },
          },
        },
      }),
    );
    expect(options).toEqual({
      instances: [
        {
          name: 'argo-prod',
          url: 'https://argocd.example.com/argocd',
          token: 'prod-token',
        },
      ],
      instanceEnvironments: {
        'argo-prod': 'production',
        'argo-old': 'staging',
      },
      rules: [
        {
          environment: 'preprod',
          instance: 'argo-prod',
          destinationNamespace: 'shop-preprod*',
          labels: { env: 'preprod' },
        },
      ],
      environmentLabel: 'env',
      timeoutMs: 3000,
    });
    expect(warnings).toEqual([
      'Argo CD instance argo-old has no token: skipped (only token authentication is supported, not username and password)',
      'Argo CD instance argo-bad: url must be an http or https URL without credentials, query or fragment; skipped',
      'envParity.argocd.instances.argo-old names no usable Argo CD instance in argocd.appLocatorMethods',
    ]);
    expect(JSON.stringify(warnings)).not.toContain('pw');
  });

  it('fails start-up on a rule without an environment', () => {
    expect(() =>
      readArgocdModuleOptions(
        new ConfigReader({
          argocd,
          envParity: { argocd: { environments: [{ environment: ' ' }] } },
        }),
      ),
    ).toThrow(
      'envParity.argocd.environments[0].environment must name an environment',
    );
  });
});
