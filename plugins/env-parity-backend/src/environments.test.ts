import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { EnvironmentRegistry, readEnvironmentsConfig } from './environments';
import { createTestCatalog } from './testUtils';

function environmentResource(name: string, owner: string) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Resource',
    metadata: { name, namespace: 'default', title: `${name} (catalog)` },
    spec: { type: 'environment', owner },
  };
}

describe('environments', () => {
  it('defaults to development, staging and production', () => {
    expect(
      readEnvironmentsConfig(new ConfigReader({})).map(e => [
        e.name,
        e.reference,
      ]),
    ).toEqual([
      ['development', false],
      ['staging', false],
      ['production', true],
    ]);
  });

  it('takes the last environment as reference when none is marked', () => {
    const environments = readEnvironmentsConfig(
      new ConfigReader({
        envParity: { environments: [{ name: 'test' }, { name: 'live' }] },
      }),
    );
    expect(environments.map(e => [e.name, e.title, e.reference])).toEqual([
      ['test', 'test', false],
      ['live', 'live', true],
    ]);
  });

  it.each([
    [[{ name: 'Prod' }], 'must be lowercase letters, digits and dashes'],
    [[{ name: 'a' }, { name: 'a' }], 'lists "a" twice'],
    [
      [
        { name: 'a', reference: true },
        { name: 'b', reference: true },
      ],
      'marks a and b as reference; mark only one',
    ],
  ])('rejects %j', (environments, message) => {
    expect(() =>
      readEnvironmentsConfig(new ConfigReader({ envParity: { environments } })),
    ).toThrow(message);
  });

  it('adds owners and extra environments from catalog Resources of type environment', async () => {
    const { catalog } = createTestCatalog([
      environmentResource('staging', 'platform'),
      environmentResource('production', 'group:ops/sre'),
      environmentResource('preprod', 'sre'),
    ] as any);
    const registry = EnvironmentRegistry.fromConfig(
      new ConfigReader({
        envParity: {
          environments: [
            { name: 'staging', title: 'Staging' },
            {
              name: 'production',
              title: 'Production',
              owner: 'group:default/sre',
            },
          ],
        },
      }),
      {
        catalog,
        auth: mockServices.auth(),
        logger: mockServices.logger.mock(),
      },
    );
    expect(
      (await registry.list()).map(e => [
        e.name,
        e.title,
        e.owner,
        e.reference,
        e.source,
      ]),
    ).toEqual([
      ['staging', 'Staging', 'group:default/platform', false, 'config'],
      ['preprod', 'preprod (catalog)', 'group:default/sre', false, 'catalog'],
      ['production', 'Production', 'group:default/sre', true, 'config'],
    ]);
  });
});
