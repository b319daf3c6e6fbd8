import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';
import { component } from '../testUtils';
import { AnnotationDeploymentProvider } from './AnnotationDeploymentProvider';

const environments: EnvironmentDefinition[] = [
  { name: 'staging', title: 'Staging', reference: false, source: 'config' },
  {
    name: 'production',
    title: 'Production',
    reference: true,
    source: 'config',
  },
];
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;

describe('AnnotationDeploymentProvider', () => {
  const provider = new AnnotationDeploymentProvider();

  it('reads what CI wrote for each environment', async () => {
    const entity = component('api', {
      'env-parity/production.version': '1.4.2',
      'env-parity/production.revision': 'ABC1234DEF',
      'env-parity/production.artifact': `ghcr.io/acme/api:1.4.2@${DIGEST}`,
      'env-parity/production.deployed-at': '2026-11-20T10:00:00+01:00',
      'env-parity/production.deployed-by': 'github-actions',
      'env-parity/production.url': 'https://api.example.com',
      'env-parity/staging.version': ' 1.5.0 ',
      'backstage.io/source-location': 'url:https://github.com/acme/api',
    });
    expect(provider.supports(entity)).toBe(true);
    expect(await provider.observe({ entity, environments })).toEqual([
      {
        environment: 'production',
        deployment: {
          version: '1.4.2',
          revision: 'ABC1234DEF',
          artifact: `ghcr.io/acme/api:1.4.2@${DIGEST}`,
          deployedAt: '2026-11-20T09:00:00.000Z',
          deployedBy: 'github-actions',
          url: 'https://api.example.com',
        },
      },
      { environment: 'staging', deployment: { version: '1.5.0' } },
    ]);
  });

  it('does not claim entities without env-parity annotations', () => {
    expect(
      provider.supports(
        component('bare', { 'github.com/project-slug': 'acme/bare' }),
      ),
    ).toBe(false);
  });

  it.each([
    [
      'artifact',
      'ghcr.io/acme/api@sha256:xyz',
      '"sha256:xyz" is not a valid digest',
    ],
    ['artifact', 'not an image', 'is not an artifact reference'],
    ['revision', 'main', 'is not a git commit SHA'],
    ['deployed-at', 'yesterday', 'is not an ISO 8601 timestamp'],
    ['deployed-at', '2026-11-20', 'is not an ISO 8601 timestamp'],
    ['url', 'ftp://example.com/app', 'must be an http or https URL'],
    ['url', '::', 'is not a URL'],
  ])('names the annotation when %s is %p', async (field, value, message) => {
    const entity = component('api', {
      'env-parity/production.version': '1.0.0',
      [`env-parity/staging.${field}`]: value,
      'env-parity/staging.version': '1.1.0',
    });
    const observations = await provider.observe({ entity, environments });
    const staging = observations.find(o => o.environment === 'staging');
    expect(staging?.deployment).toBeUndefined();
    expect(staging?.error).toContain(`Annotation env-parity/staging.${field}`);
    expect(staging?.error).toContain(message);
    expect(observations.find(o => o.environment === 'production')).toEqual({
      environment: 'production',
      deployment: { version: '1.0.0' },
    });
  });

  it('reports annotations for unconfigured environments and unknown fields', async () => {
    const entity = component('api', {
      'env-parity/qa.version': '1.0.0',
      'env-parity/staging.colour': 'blue',
    });
    expect(await provider.observe({ entity, environments })).toEqual([
      {
        environment: 'qa',
        error:
          'Annotation env-parity/qa.version names environment "qa", which is not configured (configured: staging, production)',
      },
      {
        environment: 'staging',
        error:
          'Annotation env-parity/staging.colour: unknown field "colour" (expected one of version, revision, artifact, deployed-at, deployed-by, url, version-url)',
      },
    ]);
  });
});
