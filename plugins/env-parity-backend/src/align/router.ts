import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  alignmentStatuses,
  AlignmentStatus,
  envParityAlignAdminPermission,
  envParityAlignCreatePermission,
  envParityAlignReviewPermission,
  permissionDeniedMessage,
} from '@env-parity/plugin-env-parity-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { audited, jsonBody, logSafe } from '../http';
import { AlignmentCaller, AlignmentService } from './AlignmentService';

/** A reason and a comment of at most 2,000 characters each, even fully escaped. */
const BODY_LIMIT = '32kb';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function text(value: unknown, name: string): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string' || !value) {
    throw new InputError(`${name} must be given once, as text`);
  }
  return value;
}

function flag(value: unknown, name: string): boolean | undefined {
  const raw = text(value, name);
  if (raw === undefined) {
    return undefined;
  }
  if (raw !== 'true' && raw !== 'false') {
    throw new InputError(`${name} must be true or false`);
  }
  return raw === 'true';
}

function integer(value: unknown, name: string): number | undefined {
  const raw = text(value, name);
  if (raw === undefined) {
    return undefined;
  }
  if (!/^\d{1,6}$/.test(raw)) {
    throw new InputError(`${name} must be a whole number`);
  }
  return Number(raw);
}

function entityRefParam(value: unknown): string | undefined {
  const raw = text(value, 'entityRef');
  if (raw === undefined) {
    return undefined;
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(raw, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    );
  } catch (error) {
    throw new InputError(`entityRef: ${(error as Error).message}`);
  }
}

function alignmentId(req: Request): string {
  const { id } = req.params;
  if (!UUID.test(id)) {
    throw new InputError(`"${logSafe(id)}" is not an alignment id`);
  }
  return id;
}

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
    const credentials = await httpAuth.credentials(req, { allow: ['user'] });
    const [review, admin] = await permissions.authorize(
      [
        { permission: envParityAlignReviewPermission },
        { permission: envParityAlignAdminPermission },
      ],
      { credentials },
    );
    return {
      credentials,
      userRef: credentials.principal.userEntityRef,
      can: {
        review: review.result === AuthorizeResult.ALLOW,
        admin: admin.result === AuthorizeResult.ALLOW,
      },
    };
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
  function audit<T>(req: Request, action: string, fn: () => Promise<T>) {
    return audited(
      auditor,
      {
        eventId: 'alignment',
        severityLevel: 'medium',
        request: req,
        meta: { action, ...(req.params.id && { alignmentId: req.params.id }) },
      },
      fn,
    );
  }

  router.post('/alignments', parseBody, async (req, res) => {
    const alignment = await audit(req, 'create', async () => {
      const c = await caller(req);
      const align = service();
      const body = req.body as { entityRef?: unknown } | undefined;
      const entityRef =
        typeof body?.entityRef === 'string'
          ? entityRefParam(body.entityRef)
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
    const statuses = text(req.query.status, 'status')
      ?.split(',')
      .map(s => s.trim());
    for (const status of statuses ?? []) {
      if (!alignmentStatuses.includes(status as AlignmentStatus)) {
        throw new InputError(
          `status "${logSafe(status)}" is not one of ${alignmentStatuses.join(
            ', ',
          )}`,
        );
      }
    }
    const items = await service().list(c, {
      mine: flag(req.query.mine, 'mine'),
      reviewable: flag(req.query.reviewable, 'reviewable'),
      entityRef: entityRefParam(req.query.entityRef),
      environment: text(req.query.environment, 'environment'),
      statuses: statuses as AlignmentStatus[] | undefined,
      limit: integer(req.query.limit, 'limit'),
      offset: integer(req.query.offset, 'offset'),
    });
    res.json({ items });
  });

  router.get('/alignments/preview', async (req, res) => {
    const c = await caller(req);
    const align = service();
    const entityRef = entityRefParam(req.query.entityRef);
    const environment = text(req.query.environment, 'environment');
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
    res.json(await service().get(c, alignmentId(req)));
  });

  for (const action of ['approve', 'deny', 'cancel'] as const) {
    router.post(`/alignments/:id/${action}`, parseBody, async (req, res) => {
      const result = await audit(req, action, async () => {
        const c = await caller(req);
        const align = service();
        const id = alignmentId(req);
        return align[action](c, id, req.body);
      });
      res.json(result);
    });
  }

  return router;
}
