import { createServiceFactory } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
// The catalog service ref the env-parity backend depends on (test-only).
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';

type Filter = Record<string, unknown>;

/** The value at a dotted path; annotation keys such as `env-parity/environment` hold no dots. */
function at(entity: Entity, path: string): unknown {
  return path.split('.').reduce<any>((v, part) => v?.[part], entity as any);
}

/**
 * Whether an entity matches a catalog filter: every key of one filter
 * object must match (a value, one of a list, or the CATALOG_FILTER_EXISTS
 * symbol: present); a list of filter objects matches when any does.
 */
function matches(entity: Entity, filter?: Filter | Filter[]): boolean {
  if (Array.isArray(filter)) {
    return filter.length === 0 || filter.some(f => matches(entity, f));
  }
  return Object.entries(filter ?? {}).every(([key, wanted]) => {
    const actual = at(entity, key);
    if (typeof wanted === 'symbol') {
      return actual !== undefined;
    }
    return ([] as unknown[])
      .concat(wanted)
      .some(w => String(w).toLowerCase() === String(actual).toLowerCase());
  });
}

/** Only the requested fields of an entity, as the catalog's `fields` does. */
function pick(entity: Entity, fields?: string[]): Entity {
  if (!fields?.length) {
    return entity;
  }
  const out: any = {};
  for (const field of fields) {
    const value = at(entity, field);
    if (value === undefined) continue;
    const parts = field.split('.');
    let node = out;
    for (const part of parts.slice(0, -1)) {
      node = node[part] ??= {};
    }
    node[parts[parts.length - 1]] = JSON.parse(JSON.stringify(value));
  }
  return out;
}

export interface TestCatalogOptions {
  /** Makes getEntities fail, e.g. to test a catalog outage. */
  failGetEntities?: () => boolean;
  /** Records every getEntities request with the credentials it came with. */
  calls?: Array<{ request: unknown; credentials: unknown }>;
}

/** A catalog service holding the given entities, filtered by simple field filters. */
export function testCatalog(
  entities: Entity[],
  options: TestCatalogOptions = {},
): CatalogService {
  const catalog: Partial<CatalogService> = {
    async getEntityByRef(ref) {
      const wanted = typeof ref === 'string' ? ref : stringifyEntityRef(ref);
      return entities.find(e => stringifyEntityRef(e) === wanted);
    },
    async getEntities(request, requestOptions) {
      options.calls?.push({
        request,
        credentials: requestOptions?.credentials,
      });
      if (options.failGetEntities?.()) {
        throw new Error('catalog unavailable (503 Service Unavailable)');
      }
      const filter = request?.filter as Filter | Filter[] | undefined;
      const fields = request?.fields as string[] | undefined;
      return {
        items: entities
          .filter(e => matches(e, filter))
          .map(e => pick(e, fields)),
      };
    },
    async *streamEntities(request) {
      const filter = request?.filter as Filter | Filter[] | undefined;
      yield entities.filter(e => matches(e, filter));
    },
  };
  return catalog as CatalogService;
}

/** The catalog service, as a service factory for startTestBackend. */
export function testCatalogFactory(
  entities: Entity[],
  options: TestCatalogOptions = {},
) {
  const catalog = testCatalog(entities, options);
  return createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory: () => catalog,
  });
}
