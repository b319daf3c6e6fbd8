import {
  BackstageCredentials,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  catalogServiceRef,
  CatalogService,
} from '@backstage/plugin-catalog-node';

/**
 * A catalog holding the given (mutable) entities, where `hiddenFrom` lists
 * user refs that may not see an entity, as a catalog permission rule would.
 */
export function createTestCatalog(
  entities: Entity[],
  hiddenFrom: Record<string, string[]> = {},
) {
  const visible = (entity: Entity, credentials?: BackstageCredentials) => {
    const principal = credentials?.principal as { userEntityRef?: string };
    return !(hiddenFrom[stringifyEntityRef(entity)] ?? []).includes(
      principal?.userEntityRef ?? '',
    );
  };
  const matches = (entity: Entity, filter?: Record<string, unknown>) =>
    Object.entries(filter ?? {}).every(([key, wanted]) => {
      // annotation and label keys hold dots themselves
      const [, map, name] =
        key.match(/^metadata\.(annotations|labels)\.(.+)$/) ?? [];
      const actual = map
        ? (entity.metadata as any)[map]?.[name]
        : key.split('.').reduce<any>((v, part) => v?.[part], entity as any);
      const values = ([] as unknown[]).concat(wanted);
      return values.some(
        w => String(w).toLowerCase() === String(actual).toLowerCase(),
      );
    });
  const catalog: Partial<CatalogService> = {
    async getEntityByRef(ref, { credentials }) {
      const wanted = typeof ref === 'string' ? ref : stringifyEntityRef(ref);
      return entities.find(
        e => stringifyEntityRef(e) === wanted && visible(e, credentials),
      );
    },
    async getEntities(request, { credentials }) {
      const filter = request?.filter as Record<string, unknown> | undefined;
      return {
        items: entities.filter(
          e => matches(e, filter) && visible(e, credentials),
        ),
      };
    },
    async *streamEntities(request, { credentials }) {
      const filter = request?.filter as Record<string, unknown> | undefined;
      const all = entities.filter(
        e => matches(e, filter) && visible(e, credentials),
      );
      const pageSize = request?.pageSize ?? 500;
      for (let i = 0; i < all.length; i += pageSize) {
        yield all.slice(i, i + pageSize);
      }
    },
  };
  return {
    catalog: catalog as CatalogService,
    factory: createServiceFactory({
      service: catalogServiceRef,
      deps: {},
      factory: () => catalog as CatalogService,
    }),
  };
}

/** A Component entity with the given annotations. */
export { testComponent as component } from '@env-parity/plugin-env-parity-node/testUtils';
