import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import {
  envParityReplicaAdminPermission,
  ReplicaSettings,
} from '@env-parity/plugin-env-parity-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import {
  entityRefQuery,
  jsonBody,
  permittedCaller,
  routeAudit,
  uuidParam,
} from '../http';
import { DEFAULT_REPLICA_OPTIONS } from './config';
import { ReplicaCaller, ReplicaService } from './ReplicaService';

/** A reason of at most 2,000 characters and an override, even fully escaped. */
const BODY_LIMIT = '32kb';

/** Why the routes answer 404 when replicas are off. */
export const REPLICAS_DISABLED =
  'Production replicas are not enabled here: configure envParity.replicas and install a replica driver module (the Kubernetes module, with envParity.replicas.cluster naming the sandbox cluster)';

/** The settings the UI reads when replicas are off. */
export function disabledSettings(): ReplicaSettings {
  const d = DEFAULT_REPLICA_OPTIONS;
  return {
    enabled: false,
    defaultLifetimeMinutes: Math.round(d.defaultTtlMs / 60_000),
    maxLifetimeMinutes: Math.round(d.maxTtlMs / 60_000),
    perUserLimit: d.perUserLimit,
    globalLimit: d.globalLimit,
  };
}

/**
 * The HTTP API of production replicas, mounted under `/api/env-parity`:
 * `GET /replicas/settings`, `GET|POST /replicas`, `GET|DELETE
 * /replicas/:id` and `POST /replicas/:id/extend`. Every route needs an
 * authenticated user; launching needs `env-parity.replica.create` on the
 * entity (the service checks it), acting on anyone's replicas
 * `env-parity.replica.admin`. Without `service` (replicas not configured,
 * or no driver installed) the settings say `enabled: false` and every other
 * route answers 404 saying how to enable them.
 */
export function createReplicaRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  service?: ReplicaService;
}): express.Router {
  const { httpAuth, permissions, auditor } = options;
  const router = Router();
  const parseBody = jsonBody({ limit: BODY_LIMIT });

  async function caller(req: Request): Promise<ReplicaCaller> {
    return permittedCaller({
      permissions,
      credentials: await httpAuth.credentials(req, { allow: ['user'] }),
      checks: { admin: envParityReplicaAdminPermission },
    });
  }

  function service(): ReplicaService {
    if (!options.service) {
      throw new NotFoundError(REPLICAS_DISABLED);
    }
    return options.service;
  }

  /** One audit event per call, naming the action and the replica. */
  const audit = routeAudit(auditor, 'replica', 'replicaId');

  router.get('/replicas/settings', async (req, res) => {
    await httpAuth.credentials(req, { allow: ['user'] });
    res.json(options.service?.settings() ?? disabledSettings());
  });

  router.post('/replicas', parseBody, async (req, res) => {
    const replica = await audit(req, 'create', async () => {
      const c = await caller(req);
      return service().launch(c, req.body);
    });
    res.status(201).json(replica);
  });

  router.get('/replicas', async (req, res) => {
    const c = await caller(req);
    const items = await service().list(c, {
      entityRef: entityRefQuery(req.query.entityRef),
    });
    res.json({ items });
  });

  router.get('/replicas/:id', async (req, res) => {
    const c = await caller(req);
    res.json(await service().get(c, uuidParam(req, 'a replica')));
  });

  router.post('/replicas/:id/extend', parseBody, async (req, res) => {
    const replica = await audit(req, 'extend', async () => {
      const c = await caller(req);
      const replicas = service();
      return replicas.extend(c, uuidParam(req, 'a replica'), req.body);
    });
    res.json(replica);
  });

  router.delete('/replicas/:id', async (req, res) => {
    const replica = await audit(req, 'delete', async () => {
      const c = await caller(req);
      const replicas = service();
      return replicas.delete(c, uuidParam(req, 'a replica'));
    });
    res.json(replica);
  });

  return router;
}
