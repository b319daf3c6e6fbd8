import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  alignmentStatuses,
  envParityAlignAdminPermission,
  envParityAlignCreatePermission,
  envParityAlignReviewPermission,
  permissionDeniedMessage,
} from '@env-parity/plugin-env-parity-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import {
  entityRefQuery,
  flagQuery,
  integerQuery,
  jsonBody,
  permittedCaller,
  routeAudit,
  statusesQuery,
  textQuery,
  uuidParam,
} from '../http';
import { AlignmentCaller, AlignmentService } from './AlignmentService';

/** A reason and a comment of at most 2,000 characters each, even fully escaped. */
const BODY_LIMIT = '32kb';

/**
 * The HTTP API of alignments, mounted under `/api/env-parity`:
 * `GET|POST /alignments`, `GET /alignments/preview`, `GET /alignments/:id` and
 * `POST /alignments/:id/approve|deny|cancel`. Every route needs an
 * authenticated user; creating needs `env-parity.align.create` on the
 * entity, reviewing `env-parity.align.review`, seeing everyone's
 * `env-parity.align.admin`. Without `service` (alignment not configured),
 * every route answers 404 saying so.
 */
export function createAlignmentRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  service?: AlignmentService;
}): express.Router {
  const { httpAuth, permissions, auditor } = options;
  const router = Router();
  const parseBody = jsonBody({ limit: BODY_LIMIT });

  async function caller(req: Request): Promise<AlignmentCaller> {
    return permittedCaller({
      permissions,
      credentials: await httpAuth.credentials(req, { allow: ['user'] }),
      checks: {
        review: envParityAlignReviewPermission,
        admin: envParityAlignAdminPermission,
      },
    });
  }

  function service(): AlignmentService {
    if (!options.service) {
      throw new NotFoundError(
        'Aligning environments with production is not enabled here (envParity.align is not configured)',
      );
    }
    return options.service;
  }

  /** `env-parity.align.create` on the entity, a resource permission. */
  async function requireCreate(c: AlignmentCaller, entityRef: string) {
    const [decision] = await permissions.authorize(
      [{ permission: envParityAlignCreatePermission, resourceRef: entityRef }],
      { credentials: c.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        permissionDeniedMessage(
          `align ${entityRef}`,
          envParityAlignCreatePermission.name,
        ),
      );
    }
  }

  /** One audit event per call, naming the action and the alignment. */
  const audit = routeAudit(auditor, 'alignment', 'alignmentId');

  router.post('/alignments', parseBody, async (req, res) => {
    const alignment = await audit(req, 'create', async () => {
      const c = await caller(req);
      const align = service();
      const body = req.body as { entityRef?: unknown } | undefined;
      const entityRef =
        typeof body?.entityRef === 'string'
          ? entityRefQuery(body.entityRef)
          : undefined;
      if (entityRef) {
        await requireCreate(c, entityRef);
      }
      return align.create(c, req.body);
    });
    res.status(201).json(alignment);
  });

  router.get('/alignments', async (req, res) => {
    const c = await caller(req);
    const items = await service().list(c, {
      mine: flagQuery(req.query.mine, 'mine'),
      reviewable: flagQuery(req.query.reviewable, 'reviewable'),
      entityRef: entityRefQuery(req.query.entityRef),
      environment: textQuery(req.query.environment, 'environment'),
      statuses: statusesQuery(req.query.status, alignmentStatuses),
      limit: integerQuery(req.query.limit, 'limit'),
      offset: integerQuery(req.query.offset, 'offset'),
    });
    res.json({ items });
  });

  router.get('/alignments/preview', async (req, res) => {
    const c = await caller(req);
    const align = service();
    const entityRef = entityRefQuery(req.query.entityRef);
    const environment = textQuery(req.query.environment, 'environment');
    if (!entityRef || !environment) {
      throw new InputError(
        'entityRef and environment are required, e.g. entityRef=component:default/web&environment=staging',
      );
    }
    await requireCreate(c, entityRef);
    res.json(await align.preview(c, { entityRef, environment }));
  });

  router.get('/alignments/:id', async (req, res) => {
    const c = await caller(req);
    res.json(await service().get(c, uuidParam(req, 'an alignment')));
  });

  for (const action of ['approve', 'deny', 'cancel'] as const) {
    router.post(`/alignments/:id/${action}`, parseBody, async (req, res) => {
      const result = await audit(req, action, async () => {
        const c = await caller(req);
        const align = service();
        const id = uuidParam(req, 'an alignment');
        return align[action](c, id, req.body);
      });
      res.json(result);
    });
  }

  return router;
}
