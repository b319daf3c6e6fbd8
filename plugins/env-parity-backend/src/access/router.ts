import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import {
  AuthorizeResult,
  BasicPermission,
} from '@backstage/plugin-permission-common';
import {
  accessRequestStatuses,
  AccessRequestStatus,
  envParityAccessAdminPermission,
  envParityAccessCreatePermission,
  envParityAccessReviewPermission,
  permissionDeniedMessage,
} from '@env-parity/plugin-env-parity-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { audited, jsonBody, logSafe } from '../http';
import { AccessCaller, AccessService } from './AccessService';

/**
 * Bodies of the access API: a reason and a comment of at most 2,000
 * characters each, and a ticket; 32 KB holds them even fully escaped.
 */
const BODY_LIMIT = '32kb';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Need = 'create' | 'review' | 'admin';
const PERMISSIONS: Record<Need, BasicPermission> = {
  create: envParityAccessCreatePermission,
  review: envParityAccessReviewPermission,
  admin: envParityAccessAdminPermission,
};

function flag(value: unknown, name: string): boolean | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (value === 'true') {
    return true;
  }
  if (value === 'false') {
    return false;
  }
  throw new InputError(`${name} must be true or false`);
}

function integer(value: unknown, name: string): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string' || !/^\d{1,6}$/.test(value)) {
    throw new InputError(`${name} must be a whole number`);
  }
  return Number(value);
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string' || !value) {
    throw new InputError(`${name} must be given once, as text`);
  }
  return value;
}

function entityRefParam(value: unknown, name = 'entityRef') {
  const raw = text(value, name);
  if (raw === undefined) {
    return undefined;
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(raw, {
        defaultKind: name === 'user' ? 'user' : 'component',
        defaultNamespace: 'default',
      }),
    );
  } catch (error) {
    throw new InputError(`${name}: ${(error as Error).message}`);
  }
}

function requestId(req: Request): string {
  const { id } = req.params;
  if (!UUID.test(id)) {
    throw new InputError(`"${logSafe(id)}" is not an access request id`);
  }
  return id;
}

/**
 * The HTTP API of temporary access, mounted under `/api/env-parity`:
 * `/access/settings`, `/access/requests[/:id[/approve|deny|withdraw|revoke|review]]`
 * and `/access/grants/active`. Every route needs an authenticated caller and
 * one of the access permissions; the service checks the rest.
 */
export async function createAccessRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  access: AccessService;
}): Promise<express.Router> {
  const { httpAuth, permissions, auditor, access } = options;
  const router = Router();
  const parseBody = jsonBody({ limit: BODY_LIMIT });

  /** The caller, allowed if any of `needs` is allowed by the permission policy. */
  async function caller(
    req: Request,
    needs: Need[],
    /** What the caller tries, for the refusal, e.g. `see access requests`. */
    action: string,
    allow: Array<'user' | 'service'> = ['user'],
  ): Promise<AccessCaller> {
    const credentials = await httpAuth.credentials(req, { allow });
    const names: Need[] = ['create', 'review', 'admin'];
    const decisions = await permissions.authorize(
      names.map(n => ({ permission: PERMISSIONS[n] })),
      { credentials },
    );
    const can = {
      create: decisions[0].result === AuthorizeResult.ALLOW,
      review: decisions[1].result === AuthorizeResult.ALLOW,
      admin: decisions[2].result === AuthorizeResult.ALLOW,
    };
    if (!needs.some(n => can[n])) {
      throw new NotAllowedError(
        permissionDeniedMessage(
          action,
          needs.map(n => PERMISSIONS[n].name),
        ),
      );
    }
    const principal = credentials.principal as { userEntityRef?: string };
    return { credentials, userRef: principal.userEntityRef, can };
  }

  /** One audit event per call, naming the action and the request. */
  function audit<T>(req: Request, action: string, fn: () => Promise<T>) {
    return audited(
      auditor,
      {
        eventId: 'access-request',
        severityLevel: 'medium',
        request: req,
        meta: {
          action,
          ...(req.params.id && { requestId: req.params.id }),
        },
      },
      fn,
    );
  }

  router.get('/access/settings', async (req, res) => {
    await caller(req, ['create', 'review', 'admin'], 'see access requests');
    res.json(await access.settings());
  });

  router.post('/access/requests', parseBody, async (req, res) => {
    const request = await audit(req, 'create', async () =>
      access.create(await caller(req, ['create'], 'request access'), req.body),
    );
    res.status(201).json(request);
  });

  router.get('/access/requests', async (req, res) => {
    const c = await caller(
      req,
      ['create', 'review', 'admin'],
      'see access requests',
    );
    const statuses = text(req.query.status, 'status')
      ?.split(',')
      .map(s => s.trim());
    for (const status of statuses ?? []) {
      if (!accessRequestStatuses.includes(status as AccessRequestStatus)) {
        throw new InputError(
          `status "${status}" is not one of ${accessRequestStatuses.join(
            ', ',
          )}`,
        );
      }
    }
    const items = await access.list(c, {
      mine: flag(req.query.mine, 'mine'),
      reviewable: flag(req.query.reviewable, 'reviewable'),
      entityRef: entityRefParam(req.query.entityRef),
      environment: text(req.query.environment, 'environment'),
      statuses: statuses as AccessRequestStatus[] | undefined,
      limit: integer(req.query.limit, 'limit'),
      offset: integer(req.query.offset, 'offset'),
    });
    res.json({ items });
  });

  router.get('/access/requests/:id', async (req, res) => {
    const id = requestId(req);
    const c = await caller(
      req,
      ['create', 'review', 'admin'],
      'see access requests',
    );
    res.json(await access.get(c, id));
  });

  const actions: Array<{
    path: string;
    needs: Need[];
    run: (c: AccessCaller, id: string, body: unknown) => Promise<unknown>;
  }> = [
    {
      path: 'approve',
      needs: ['review'],
      run: (c, id, body) => access.approve(c, id, body),
    },
    {
      path: 'deny',
      needs: ['review'],
      run: (c, id, body) => access.deny(c, id, body),
    },
    {
      path: 'withdraw',
      needs: ['create'],
      run: (c, id, body) => access.withdraw(c, id, body),
    },
    {
      path: 'revoke',
      needs: ['create', 'review', 'admin'],
      run: (c, id, body) => access.revoke(c, id, body),
    },
    {
      path: 'review',
      needs: ['review', 'admin'],
      run: (c, id, body) => access.review(c, id, body),
    },
  ];
  for (const action of actions) {
    router.post(
      `/access/requests/:id/${action.path}`,
      parseBody,
      async (req, res) => {
        const result = await audit(req, action.path, async () => {
          const id = requestId(req);
          return action.run(
            await caller(req, action.needs, `${action.path} access requests`),
            id,
            req.body,
          );
        });
        res.json(result);
      },
    );
  }

  router.get('/access/grants/active', async (req, res) => {
    const c = await caller(
      req,
      ['admin', 'create'],
      'check active access grants',
      ['user', 'service'],
    );
    const user = entityRefParam(req.query.user, 'user');
    if (!user) {
      throw new InputError('user is required, e.g. user=user:default/jane');
    }
    const items = await access.activeGrants(c, {
      user,
      entityRef: entityRefParam(req.query.entityRef),
      environment: text(req.query.environment, 'environment'),
    });
    res.json({ items });
  });

  return router;
}
