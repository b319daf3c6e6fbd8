import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  Predicate,
  resolveVisibility,
  translateConditions,
} from './visibility';

const condition = (rule: string, params: Record<string, unknown>) => ({
  rule,
  resourceType: 'catalog-entity',
  params: params as any,
});

const owner = condition('IS_ENTITY_OWNER', {
  claims: ['User:default/Me', 'group:default/team-a'],
});
const ownerPredicate: Predicate = {
  type: 'in',
  column: 'owner',
  values: ['user:default/me', 'group:default/team-a'],
};
const annotation = condition('HAS_ANNOTATION', { annotation: 'secret' });

describe('translateConditions', () => {
  it.each([
    [
      'IS_ENTITY_KIND',
      { kinds: ['Component', 'API'] },
      { type: 'in', column: 'kind', values: ['component', 'api'] },
    ],
    [
      'HAS_SPEC',
      { key: 'lifecycle', value: 'Production' },
      { type: 'in', column: 'lifecycle', values: ['production'], lower: false },
    ],
    [
      'HAS_SPEC',
      { key: 'Owner', value: 'team-a' },
      { type: 'in', column: 'spec_owner', values: ['team-a'], lower: false },
    ],
    ['HAS_SPEC', { key: 'system' }, { type: 'present', column: 'spec_system' }],
    [
      'HAS_SPEC',
      { key: 'type', value: 'service' },
      { type: 'in', column: 'spec_type', values: ['service'], lower: false },
    ],
    [
      'HAS_METADATA',
      { key: 'name', value: 'API' },
      { type: 'in', column: 'name', values: ['api'], lower: true },
    ],
    ['HAS_METADATA', { key: 'title' }, { type: 'present', column: 'title' }],
  ])('translates %s %j exactly', (rule, params, predicate) => {
    expect(translateConditions(condition(rule, params))).toEqual({
      certain: predicate,
      possible: predicate,
      exact: true,
    });
  });

  it.each([
    ['an unknown rule', annotation],
    [
      'a spec key without a column',
      condition('HAS_SPEC', { key: 'profile.email' }),
    ],
    [
      'malformed parameters',
      condition('IS_ENTITY_KIND', { kinds: 'Component' }),
    ],
    ['a non-text value', condition('HAS_SPEC', { key: 'owner', value: 3 })],
  ])('bounds %s by nothing and everything', (_what, c) => {
    expect(translateConditions(c)).toEqual({
      certain: { type: 'const', value: false },
      possible: { type: 'const', value: true },
      exact: false,
    });
  });

  it('keeps what it can translate of anyOf, allOf and not', () => {
    expect(translateConditions({ anyOf: [owner, annotation] })).toEqual({
      certain: ownerPredicate,
      possible: { type: 'const', value: true },
      exact: false,
    });
    expect(translateConditions({ allOf: [owner, annotation] })).toEqual({
      certain: { type: 'const', value: false },
      possible: ownerPredicate,
      exact: false,
    });
    // not swaps the bounds: never show what the catalog may hide
    expect(
      translateConditions({ not: { anyOf: [owner, annotation] } }),
    ).toEqual({
      certain: { type: 'const', value: false },
      possible: { type: 'not', item: ownerPredicate },
      exact: false,
    });
    expect(
      translateConditions({
        allOf: [
          owner,
          { not: condition('IS_ENTITY_KIND', { kinds: ['User'] }) },
        ],
      }),
    ).toEqual(
      expect.objectContaining({
        exact: true,
        certain: {
          type: 'and',
          items: [
            ownerPredicate,
            {
              type: 'not',
              item: { type: 'in', column: 'kind', values: ['user'] },
            },
          ],
        },
      }),
    );
  });
});

describe('resolveVisibility', () => {
  const credentials = mockCredentials.user();
  const decide = (decision: any) =>
    resolveVisibility(
      mockServices.permissions.mock({
        authorizeConditional: async () => [decision],
      }),
      credentials,
    );

  it('maps allow, deny and conditional decisions', async () => {
    await expect(decide({ result: AuthorizeResult.ALLOW })).resolves.toEqual({
      type: 'all',
    });
    await expect(decide({ result: AuthorizeResult.DENY })).resolves.toEqual({
      type: 'none',
    });
    await expect(
      decide({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'catalog',
        resourceType: 'catalog-entity',
        conditions: owner,
      }),
    ).resolves.toEqual({
      type: 'conditional',
      certain: ownerPredicate,
      possible: ownerPredicate,
      exact: true,
    });
  });

  it('treats conditions about another resource type as unknown', async () => {
    await expect(
      decide({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'other',
        resourceType: 'other-thing',
        conditions: owner,
      }),
    ).resolves.toMatchObject({ type: 'conditional', exact: false });
  });

  it('asks with the catalog read permission and the caller credentials', async () => {
    const permissions = mockServices.permissions.mock({
      authorizeConditional: async () => [{ result: AuthorizeResult.ALLOW }],
    });
    await resolveVisibility(permissions, credentials);
    expect(permissions.authorizeConditional).toHaveBeenCalledWith(
      [
        {
          permission: expect.objectContaining({ name: 'catalog.entity.read' }),
        },
      ],
      { credentials },
    );
  });
});
