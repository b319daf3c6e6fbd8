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
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { EnvironmentRegistry } from './environments';
import {
  audited,
  authorizeRequest,
  CallerEntityLoader,
  enforceRateLimit,
  entityRefFromParams,
  rateLimitKey,
  RateLimiter,
  requirePermission,
  SingleFlight,
} from './http';
import { ParityReportService } from './ParityReportService';

/**
 * Answers "may this caller use `permission`, and which entity do they see
 * under this ref?" for the report routes. Both questions are asked at once
 * (neither depends on the other, and the catalog is read with the caller's
 * own credentials); a refused permission wins over anything the catalog
 * says, and an entity the caller cannot see is indistinguishable from one
 * that does not exist. Concurrent requests of one caller (same
 * Authorization header) share their permission decision and catalog reads
 * while these are on their way; nothing is cached beyond that.
 */
export class VisibleEntities {
  private readonly loader: CallerEntityLoader;
  private readonly decisions = new SingleFlight<void>();

  constructor(
    private readonly deps: {
      permissions: PermissionsService;
      catalog: CatalogService;
    },
  ) {
    this.loader = new CallerEntityLoader(deps.catalog);
  }

  async get(options: {
    request: Request;
    credentials: BackstageCredentials;
    permission: BasicPermission;
    /** What the caller tried, e.g. `read environment parity`. */
    action: string;
    entityRef: string;
  }): Promise<Entity> {
    const { request, credentials, permission, entityRef } = options;
    const callerKey = request.headers.authorization || undefined;
    const ask = () =>
      requirePermission({ ...options, permissions: this.deps.permissions });
    const [allowed, found] = await Promise.allSettled([
      callerKey
        ? this.decisions.run(`${permission.name} ${callerKey}`, ask)
        : ask(),
      this.loader.load(callerKey, credentials, entityRef),
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
}

/**
 * The parity report routes: `GET /environments`,
 * `GET /entities/:kind/:namespace/:name` and
 * `POST /entities/:kind/:namespace/:name/refresh`, for entities of the
 * kinds Env Parity reports on (`kinds`). None takes a body.
 *
 * A refresh asks the providers (and so their upstream APIs and credentials)
 * anew: each caller gets `refreshLimiter`'s budget (counted in the database,
 * shared by every replica), and concurrent refreshes of one entity share one
 * collection (`DeploymentCollector.collectEntity`).
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
  /** The per-caller refresh budget (`createRefreshRateLimiter`). */
  refreshLimiter: RateLimiter;
}): Promise<express.Router> {
  const { httpAuth, permissions, auditor, catalog, environments, reports } =
    options;
  const kinds = [...options.kinds];
  const visible = new VisibleEntities({ permissions, catalog });
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
      action: 'read environment parity',
    });
    res.json({ items: await environments.list() });
  });

  router.get('/entities/:kind/:namespace/:name', async (req, res) => {
    const entityRef = entityRefFromParams(req.params, { kinds });
    const credentials = await httpAuth.credentials(req);
    // read while the permission and the catalog are asked; only answered
    // once both allow it
    const snapshots = reports.prefetch(entityRef);
    const entity = await visible.get({
      request: req,
      credentials,
      entityRef,
      permission: envParityReportReadPermission,
      action: 'read environment parity',
    });
    res.json(await reports.getReport(entity, snapshots));
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
        const credentials = await httpAuth.credentials(req);
        const entity = await visible.get({
          request: req,
          credentials,
          entityRef,
          permission: envParityReportRefreshPermission,
          action: 'refresh environment parity',
        });
        // counted only once the caller may refresh this entity
        await enforceRateLimit({
          limiter: options.refreshLimiter,
          key: rateLimitKey(credentials),
          response: res,
          message: 'Refreshed too often',
        });
        return reports.refresh(entity);
      },
    );
    res.json(report);
  });

  return router;
}
