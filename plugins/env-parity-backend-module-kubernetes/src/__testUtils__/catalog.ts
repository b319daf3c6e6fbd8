import { createServiceFactory } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
// The catalog service ref the env-parity backend depends on (test-only).
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';

/** A catalog service holding the given entities, filtered by simple field filters. */
export function testCatalogFactory(entities: Entity[]) {
  const matches = (entity: Entity, filter?: Record<string, unknown>) =>
    Object.entries(filter ?? {}).every(([key, wanted]) => {
      const actual = key
        .split('.')
        .reduce<any>((v, part) => v?.[part], entity as any);
      return ([] as unknown[])
        .concat(wanted)
        .some(w => String(w).toLowerCase() === String(actual).toLowerCase());
    });
  const catalog: Partial<CatalogService> = {
    async getEntityByRef(ref) {
      const wanted = typeof ref === 'string' ? ref : stringifyEntityRef(ref);
      return entities.find(e => stringifyEntityRef(e) === wanted);
    },
    async getEntities(request) {
      const filter = request?.filter as Record<string, unknown> | undefined;
      return { items: entities.filter(e => matches(e, filter)) };
    },
    async *streamEntities(request) {
      const filter = request?.filter as Record<string, unknown> | undefined;
      yield entities.filter(e => matches(e, filter));
    },
  };
  return createServiceFactory({
    service: catalogServiceRef,
    deps: {},
    factory: () => catalog as CatalogService,
  });
}
