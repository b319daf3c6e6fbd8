import {
  testComponent,
  testEnvironments,
} from '@env-parity/plugin-env-parity-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import {
  FakeGithub,
  GITHUB_HTML_HOST as HTML_HOST,
  GITHUB_TOKEN as TOKEN,
} from '@env-parity/fake-apis';

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
    // generous: a loaded machine must not turn a success into a timeout
    envParity: { github: { timeout: '2m', ...github } },
  });
}

/** The annotations of a service whose repository is on the fake's host. */
export function repoAnnotations(slug = 'acme/api'): Record<string, string> {
  return {
    'github.com/project-slug': slug,
    'backstage.io/source-location': `url:https://${HTML_HOST}/${slug}/tree/main/`,
  };
}

/** A service Component with the given annotations. */
export function component(
  annotations: Record<string, string>,
  name = 'api',
): Entity {
  return testComponent(name, annotations);
}

export const environments = testEnvironments;
