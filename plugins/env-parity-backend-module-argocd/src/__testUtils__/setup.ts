import {
  testComponent,
  testEnvironments,
} from '@env-parity/plugin-env-parity-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { ARGOCD_TOKEN, FakeArgocd } from '@env-parity/fake-apis';

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
            token: extra.tokens?.[name] ?? ARGOCD_TOKEN,
          })),
        },
      ],
    },
    envParity: {
      // generous: a loaded machine must not turn a success into a timeout
      argocd: { timeout: '2m', ...argocd },
    },
  });
}

/** A service Component with the given annotations. */
export function component(
  annotations: Record<string, string>,
  name = 'shop',
): Entity {
  return testComponent(name, annotations);
}

export const environments = testEnvironments;
