import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';
import { DEFAULT_TOKEN, FakeArgocd } from './fakeArgocd';

/** The service's own repository and the GitOps config repository. */
export const OWN_REPO = 'https://github.com/acme/shop.git';
export const CONFIG_REPO = 'https://github.com/acme/deploy-config.git';

/** App config with two Argo CD instances and an `envParity.argocd` block. */
export function testConfig(
  instances: Record<string, FakeArgocd>,
  argocd: JsonObject = {},
  extra: { tokens?: Record<string, string> } = {},
): ConfigReader {
  return new ConfigReader({
    argocd: {
      appLocatorMethods: [
        {
          type: 'config',
          instances: Object.entries(instances).map(([name, fake]) => ({
            name,
            url: fake.url,
            token: extra.tokens?.[name] ?? DEFAULT_TOKEN,
          })),
        },
      ],
    },
    envParity: {
      argocd: { timeout: '2s', ...argocd },
    },
  });
}

export function component(
  annotations: Record<string, string>,
  name = 'shop',
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: { name, namespace: 'default', annotations },
    spec: {
      type: 'service',
      owner: 'group:default/team',
      lifecycle: 'production',
    },
  };
}

export function environments(...names: string[]): EnvironmentDefinition[] {
  return names.map((name, i) => ({
    name,
    title: name[0].toUpperCase() + name.slice(1),
    reference: i === names.length - 1,
    source: 'config',
  }));
}
