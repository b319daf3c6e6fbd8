import {
  AuditorService,
  BackstageCredentials,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { BasicPermission } from '@backstage/plugin-permission-common';
import {
  envParityReportReadPermission,
  envParityReportRefreshPermission,
} from '@env-parity/plugin-env-parity-common';
import express from 'express';
import Router from 'express-promise-router';
import { EnvironmentRegistry } from './environments';
import {
  audited,
  authorizeRequest,
  entityRefFromParams,
  requirePermission,
} from './http';
import { ParityReportService } from './ParityReportService';

/**
 * An entity the caller may see in the catalog, once `permission` is allowed
 * for them. Both questions are asked at once (neither depends on the
 * other, and the catalog is read with the caller's own credentials); a
 * refused permission wins over anything the catalog says, and an entity the
 * caller cannot see is indistinguishable from one that does not exist.
 */
export async function visibleEntity(options: {
  permissions: PermissionsService;
  catalog: CatalogService;
  credentials: BackstageCredentials;
  permission: BasicPermission;
  message: string;
  entityRef: string;
}): Promise<Entity> {
  const { catalog, credentials, entityRef } = options;
  const [allowed, found] = await Promise.allSettled([
    requirePermission(options),
    catalog.getEntityByRef(entityRef, { credentials }),
  ]);
  if (allowed.status === 'rejected') {
    throw allowed.reason;
  }
  if (found.status === 'rejected') {
    throw found.reason;
  }
  if (!found.value) {
    throw new NotFoundError(`No entity ${entityRef} in the catalog`);
  }
  return found.value;
}

/**
 * The parity report routes: `GET /environments`,
 * `GET /entities/:kind/:namespace/:name` and
 * `POST /entities/:kind/:namespace/:name/refresh`, for entities of the
 * kinds Env Parity reports on (`kinds`). None takes a body.
 */
export async function createRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  environments: EnvironmentRegistry;
  reports: ParityReportService;
  /** `readReportedKinds(config)`. */
  kinds: string[];
}): Promise<express.Router> {
  const { httpAuth, permissions, auditor, catalog, environments, reports } =
    options;
  const kinds = [...options.kinds];
  const router = Router();

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/environments', async (req, res) => {
    await authorizeRequest({
      httpAuth,
      permissions,
      request: req,
      permission: envParityReportReadPermission,
      message: 'You are not allowed to read environment parity',
    });
    res.json({ items: await environments.list() });
  });

  router.get('/entities/:kind/:namespace/:name', async (req, res) => {
    const entityRef = entityRefFromParams(req.params, { kinds });
    const credentials = await httpAuth.credentials(req);
    const entity = await visibleEntity({
      permissions,
      catalog,
      credentials,
      entityRef,
      permission: envParityReportReadPermission,
      message: 'You are not allowed to read environment parity',
    });
    res.json(await reports.getReport(entity));
  });

  router.post('/entities/:kind/:namespace/:name/refresh', async (req, res) => {
    const { kind, namespace, name } = req.params;
    const report = await audited(
      auditor,
      {
        eventId: 'report-refresh',
        severityLevel: 'low',
        request: req,
        meta: { entityRef: `${kind}:${namespace}/${name}` },
      },
      async meta => {
        const entityRef = entityRefFromParams(req.params, { kinds });
        meta.entityRef = entityRef;
        const entity = await visibleEntity({
          permissions,
          catalog,
          credentials: await httpAuth.credentials(req),
          entityRef,
          permission: envParityReportRefreshPermission,
          message: 'You are not allowed to refresh environment parity',
        });
        return reports.refresh(entity);
      },
    );
    res.json(report);
  });

  return router;
}
