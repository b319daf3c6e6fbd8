import {
  testComponent,
  testEnvironments,
} from '@env-parity/plugin-env-parity-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import {
  FakeGitlab,
  GITLAB_HTML_HOST as HTML_HOST,
  GITLAB_TOKEN as TOKEN,
} from '@env-parity/fake-apis';

/** App config with an `integrations.gitlab` entry pointing at the fake. */
export function testConfig(
  fake: FakeGitlab,
  gitlab: JsonObject = {},
  integration: JsonObject = {},
): ConfigReader {
  return new ConfigReader({
    integrations: {
      gitlab: [
        {
          host: HTML_HOST,
          apiBaseUrl: fake.apiBaseUrl,
          token: TOKEN,
          ...integration,
        },
      ],
    },
    // generous: a loaded machine must not turn a success into a timeout
    envParity: { gitlab: { timeout: '2m', host: HTML_HOST, ...gitlab } },
  });
}

/** The annotations of a service whose project is on the fake's host. */
export function projectAnnotations(
  slug = 'acme/payments/ledger',
): Record<string, string> {
  return {
    'gitlab.com/project-slug': slug,
    'backstage.io/source-location': `url:https://${HTML_HOST}/${slug}/-/tree/main/`,
  };
}

/** A service Component with the given annotations. */
export function component(
  annotations: Record<string, string>,
  name = 'ledger',
): Entity {
  return testComponent(name, annotations);
}

export const environments = testEnvironments;
