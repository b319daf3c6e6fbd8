import {
  BackstageCredentials,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  CompoundEntityRef,
  Entity,
  parseEntityRef,
} from '@backstage/catalog-model';
import { InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { BasicPermission } from '@backstage/plugin-permission-common';
import { entityRefFromParams, requirePermission } from '../http';

/**
 * The entity ref an action was given, e.g. `payments-api`,
 * `component:payments-api` or `component:default/payments-api`, in the form
 * the routes use (`component:default/payments-api`). Throws an `InputError`
 * for an invalid ref or a kind Env Parity does not report on, worded as the
 * routes word it.
 */
export function actionEntityRef(
  value: string,
  kinds: readonly string[],
): string {
  let ref: CompoundEntityRef;
  try {
    ref = parseEntityRef(value.trim(), {
      defaultKind: 'component',
      defaultNamespace: 'default',
    });
  } catch (error) {
    throw new InputError(
      `entityRef "${value}" is not an entity reference; use e.g. component:default/my-service`,
    );
  }
  return entityRefFromParams(
    { kind: ref.kind, namespace: ref.namespace, name: ref.name },
    { kinds },
  );
}

/**
 * The entity `entityRef` names, as the caller sees it, once the permission
 * policy allows them `permission` (a `NotAllowedError` otherwise, which wins
 * over anything the catalog says). The catalog is read with the caller's own
 * credentials: an entity they may not see is a `NotFoundError`, exactly as
 * one that does not exist.
 */
export async function visibleEntity(options: {
  permissions: PermissionsService;
  catalog: CatalogService;
  credentials: BackstageCredentials;
  permission: BasicPermission;
  /** What the caller tried, e.g. `read environment parity`. */
  action: string;
  entityRef: string;
}): Promise<Entity> {
  const { catalog, credentials, entityRef } = options;
  await requirePermission(options);
  const entity = await catalog.getEntityByRef(entityRef, { credentials });
  if (!entity) {
    throw new NotFoundError(`No entity ${entityRef} in the catalog`);
  }
  return entity;
}
