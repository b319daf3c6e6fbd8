import { Entity } from '@backstage/catalog-model';
import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';

/**
 * A service Component in the default namespace, owned by
 * `group:default/team`, with the given annotations.
 *
 * @public
 */
export function testComponent(
  name: string,
  annotations: Record<string, string> = {},
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

/**
 * Environment definitions in promotion order, the last one the reference,
 * titled after their names (`staging` → `Staging`).
 *
 * @public
 */
export function testEnvironments(...names: string[]): EnvironmentDefinition[] {
  return names.map((name, i) => ({
    name,
    title: name[0].toUpperCase() + name.slice(1),
    reference: i === names.length - 1,
    source: 'config',
  }));
}

/**
 * A User in the default namespace, member of `group` (an entity ref).
 *
 * @public
 */
export function testUser(name: string, group: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf: [group] },
    relations: [{ type: 'memberOf', targetRef: group }],
  };
}

/**
 * A team Group in the default namespace with the given members (entity refs).
 *
 * @public
 */
export function testTeam(name: string, members: string[]): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: { type: 'team', children: [] },
    relations: members.map(m => ({ type: 'hasMember', targetRef: m })),
  };
}
