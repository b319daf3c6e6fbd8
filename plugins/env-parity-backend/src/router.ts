import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { Entity, makeValidator } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  envParityReportReadPermission,
  envParityReportRefreshPermission,
} from '@env-parity/plugin-env-parity-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { EnvironmentRegistry } from './environments';
import { ParityReportService } from './ParityReportService';

const validator = makeValidator();

export function entityRefFromParams(req: Request): string {
  const { kind, namespace, name } = req.params;
  if (!validator.isValidKind(kind)) {
    throw new InputError(
      `"${kind}" is not a valid entity kind; use a path like /entities/component/default/my-service`,
    );
  }
  if (!validator.isValidNamespace(namespace)) {
    throw new InputError(`"${namespace}" is not a valid entity namespace`);
  }
  if (!validator.isValidEntityName(name)) {
    throw new InputError(`"${name}" is not a valid entity name`);
  }
  return `${kind.toLocaleLowerCase('en-US')}:${namespace.toLocaleLowerCase(
    'en-US',
  )}/${name}`;
}

export async function createRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  environments: EnvironmentRegistry;
  reports: ParityReportService;
}): Promise<express.Router> {
  const { httpAuth, permissions, auditor, catalog, environments, reports } =
    options;
  const router = Router();
  router.use(express.json());

  async function authorize(req: Request, permission: BasicPermission) {
    const credentials = await httpAuth.credentials(req);
    const [decision] = await permissions.authorize([{ permission }], {
      credentials,
    });
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        `You are not allowed to ${permission.attributes.action} environment parity (${permission.name})`,
      );
    }
    return credentials;
  }

  // The caller's credentials decide visibility: an entity they cannot see is
  // indistinguishable from one that does not exist.
  async function loadEntity(req: Request, permission: BasicPermission) {
    const entityRef = entityRefFromParams(req);
    const credentials = await authorize(req, permission);
    const entity: Entity | undefined = await catalog.getEntityByRef(entityRef, {
      credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${entityRef} in the catalog`);
    }
    return entity;
  }

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/environments', async (req, res) => {
    await authorize(req, envParityReportReadPermission);
    res.json({ items: await environments.list() });
  });

  router.get('/entities/:kind/:namespace/:name', async (req, res) => {
    const entity = await loadEntity(req, envParityReportReadPermission);
    res.json(await reports.getReport(entity));
  });

  router.post('/entities/:kind/:namespace/:name/refresh', async (req, res) => {
    const auditorEvent = await auditor.createEvent({
      eventId: 'report-refresh',
      severityLevel: 'low',
      request: req,
      meta: { entityRef: entityRefFromParams(req) },
    });
    try {
      const entity = await loadEntity(req, envParityReportRefreshPermission);
      const report = await reports.refresh(entity);
      await auditorEvent.success();
      res.json(report);
    } catch (error) {
      await auditorEvent.fail({ error: error as Error });
      throw error;
    }
  });

  return router;
}
