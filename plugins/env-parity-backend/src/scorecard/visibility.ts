import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { catalogEntityReadPermission } from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  ConditionalPolicyDecision,
  PermissionCondition,
  PermissionCriteria,
} from '@backstage/plugin-permission-common';

/** Columns of `env_parity_entity_reports` a permission rule may read. */
export type PredicateColumn =
  | 'kind'
  | 'namespace'
  | 'name'
  | 'title'
  | 'owner'
  | 'spec_owner'
  | 'spec_system'
  | 'lifecycle'
  | 'spec_type';

/**
 * A condition over the scorecard rows, compiled to SQL by the store. Every
 * leaf is true or false, never NULL, so `not` is exact.
 */
export type Predicate =
  | { type: 'const'; value: boolean }
  /** The column (lowercased first with `lower`) is one of the values. */
  | { type: 'in'; column: PredicateColumn; values: string[]; lower?: boolean }
  /** The column has a value. */
  | { type: 'present'; column: PredicateColumn }
  | { type: 'and'; items: Predicate[] }
  | { type: 'or'; items: Predicate[] }
  | { type: 'not'; item: Predicate };

/**
 * Which scorecard rows the caller may see, as the catalog decides.
 *
 * `conditional` holds two translations of the catalog's conditions: every
 * row matching `certain` is visible; no row outside `possible` is. They are
 * equal (`exact`) when every rule could be translated; otherwise the rows in
 * between are checked with the catalog before being shown.
 */
export type Visibility =
  | { type: 'all' }
  | { type: 'none' }
  | {
      type: 'conditional';
      certain: Predicate;
      possible: Predicate;
      exact: boolean;
    };

const TRUE: Predicate = { type: 'const', value: true };
const FALSE: Predicate = { type: 'const', value: false };

interface Bounds {
  certain: Predicate;
  possible: Predicate;
  exact: boolean;
}

const UNKNOWN: Bounds = { certain: FALSE, possible: TRUE, exact: false };

function exactly(predicate: Predicate): Bounds {
  return { certain: predicate, possible: predicate, exact: true };
}

function stringArray(value: unknown): string[] | undefined {
  return Array.isArray(value) && value.every(v => typeof v === 'string')
    ? value
    : undefined;
}

function optionalString(value: unknown): string | undefined | null {
  if (value === undefined) {
    return undefined;
  }
  return typeof value === 'string' ? value : null;
}

const SPEC_COLUMNS: Record<string, PredicateColumn> = {
  owner: 'spec_owner',
  system: 'spec_system',
  lifecycle: 'lifecycle',
  type: 'spec_type',
};

const METADATA_COLUMNS: Record<
  string,
  { column: PredicateColumn; lower: boolean }
> = {
  name: { column: 'name', lower: true },
  namespace: { column: 'namespace', lower: false },
  title: { column: 'title', lower: true },
};

/**
 * One catalog permission rule over the scorecard's columns, with the
 * catalog's own semantics: values compare case-insensitively, the way the
 * catalog's search table does. Unknown rules and malformed parameters give
 * undefined.
 */
function translateRule(condition: PermissionCondition): Predicate | undefined {
  const params = (condition.params ?? {}) as Record<string, unknown>;
  switch (condition.rule) {
    case 'IS_ENTITY_KIND': {
      const kinds = stringArray(params.kinds);
      return kinds
        ? {
            type: 'in',
            column: 'kind',
            values: kinds.map(k => k.toLocaleLowerCase('en-US')),
          }
        : undefined;
    }
    case 'IS_ENTITY_OWNER': {
      const claims = stringArray(params.claims);
      return claims
        ? {
            type: 'in',
            column: 'owner',
            values: claims.map(c => c.toLocaleLowerCase('en-US')),
          }
        : undefined;
    }
    case 'HAS_SPEC':
    case 'HAS_METADATA': {
      const key = params.key;
      const value = optionalString(params.value);
      if (typeof key !== 'string' || value === null) {
        return undefined;
      }
      const target =
        condition.rule === 'HAS_SPEC'
          ? SPEC_COLUMNS[key.toLocaleLowerCase('en-US')] && {
              column: SPEC_COLUMNS[key.toLocaleLowerCase('en-US')],
              lower: false,
            }
          : METADATA_COLUMNS[key.toLocaleLowerCase('en-US')];
      if (!target) {
        return undefined;
      }
      return value === undefined
        ? { type: 'present', column: target.column }
        : {
            type: 'in',
            column: target.column,
            values: [value.toLocaleLowerCase('en-US')],
            lower: target.lower,
          };
    }
    default:
      return undefined;
  }
}

function simplify(predicate: Predicate): Predicate {
  if (predicate.type === 'and' || predicate.type === 'or') {
    const neutral = predicate.type === 'and';
    const items = predicate.items
      .map(simplify)
      .filter(p => !(p.type === 'const' && p.value === neutral));
    if (items.some(p => p.type === 'const' && p.value !== neutral)) {
      return { type: 'const', value: !neutral };
    }
    if (items.length === 0) {
      return { type: 'const', value: neutral };
    }
    return items.length === 1 ? items[0] : { type: predicate.type, items };
  }
  if (predicate.type === 'not') {
    const item = simplify(predicate.item);
    return item.type === 'const'
      ? { type: 'const', value: !item.value }
      : { type: 'not', item };
  }
  return predicate;
}

/**
 * Translates the catalog's conditions into bounds over the scorecard's
 * rows. A rule that cannot be translated is unknown: false in `certain`,
 * true in `possible` (swapped under `not`), so `certain` never shows too
 * much and `possible` never hides too much.
 */
export function translateConditions(
  criteria: PermissionCriteria<PermissionCondition>,
): Bounds {
  const walk = (c: PermissionCriteria<PermissionCondition>): Bounds => {
    if ('allOf' in c || 'anyOf' in c) {
      const type = 'allOf' in c ? 'and' : 'or';
      const parts = ('allOf' in c ? c.allOf : c.anyOf).map(walk);
      return {
        certain: { type, items: parts.map(p => p.certain) },
        possible: { type, items: parts.map(p => p.possible) },
        exact: parts.every(p => p.exact),
      };
    }
    if ('not' in c) {
      const inner = walk(c.not);
      return {
        certain: { type: 'not', item: inner.possible },
        possible: { type: 'not', item: inner.certain },
        exact: inner.exact,
      };
    }
    const predicate = translateRule(c);
    return predicate ? exactly(predicate) : UNKNOWN;
  };
  const bounds = walk(criteria);
  return {
    certain: simplify(bounds.certain),
    possible: simplify(bounds.possible),
    exact: bounds.exact,
  };
}

/**
 * Asks the permission framework what of the catalog the caller may read,
 * once per request, without loading any entity.
 */
export async function resolveVisibility(
  permissions: PermissionsService,
  credentials: BackstageCredentials,
): Promise<Visibility> {
  const [decision] = await permissions.authorizeConditional(
    [{ permission: catalogEntityReadPermission }],
    { credentials },
  );
  if (decision.result === AuthorizeResult.ALLOW) {
    return { type: 'all' };
  }
  if (decision.result === AuthorizeResult.DENY) {
    return { type: 'none' };
  }
  const conditional = decision as ConditionalPolicyDecision;
  if (conditional.resourceType !== catalogEntityReadPermission.resourceType) {
    // conditions about something else: nothing can be translated
    return { type: 'conditional', ...UNKNOWN };
  }
  const bounds = translateConditions(conditional.conditions);
  if (bounds.possible.type === 'const' && !bounds.possible.value) {
    return { type: 'none' };
  }
  if (bounds.exact && bounds.certain.type === 'const' && bounds.certain.value) {
    return { type: 'all' };
  }
  return { type: 'conditional', ...bounds };
}
