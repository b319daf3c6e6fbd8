import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';
import { FakeGithub, HTML_HOST, TOKEN } from './fakeGithub';

/** App config with an `integrations.github` entry pointing at the fake. */
export function testConfig(
  fake: FakeGithub,
  github: JsonObject = {},
  integration: JsonObject = {},
): ConfigReader {
  return new ConfigReader({
    integrations: {
      github: [
        {
          host: HTML_HOST,
          apiBaseUrl: fake.apiBaseUrl,
          token: TOKEN,
          ...integration,
        },
      ],
    },
    envParity: { github: { timeout: '2s', ...github } },
  });
}

/** The annotations of a service whose repository is on the fake's host. */
export function repoAnnotations(slug = 'acme/api'): Record<string, string> {
  return {
    'github.com/project-slug': slug,
    'backstage.io/source-location': `url:https://${HTML_HOST}/${slug}/tree/main/`,
  };
}

export function component(
  annotations: Record<string, string>,
  name = 'api',
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
