import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { accessRequestStatuses } from '@env-parity/plugin-env-parity-common';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import {
  entityRefQuery,
  flagQuery,
  integerQuery,
  jsonBody,
  routeAudit,
  statusesQuery,
  textQuery,
  uuidParam,
} from '../http';
import { AccessService } from './AccessService';
import { AccessCaller, accessCallerFor, AccessNeed } from './caller';

/**
 * Bodies of the access API: a reason and a comment of at most 2,000
 * characters each, and a ticket; 32 KB holds them even fully escaped.
 */
const BODY_LIMIT = '32kb';

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
    needs: AccessNeed[],
    /** What the caller tries, for the refusal, e.g. `see access requests`. */
    action: string,
    allow: Array<'user' | 'service'> = ['user'],
  ): Promise<AccessCaller> {
    const credentials = await httpAuth.credentials(req, { allow });
    return accessCallerFor({ permissions, credentials, needs, action });
  }

  /** One audit event per call, naming the action and the request. */
  const audit = routeAudit(auditor, 'access-request', 'requestId');

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
    const items = await access.list(c, {
      mine: flagQuery(req.query.mine, 'mine'),
      reviewable: flagQuery(req.query.reviewable, 'reviewable'),
      entityRef: entityRefQuery(req.query.entityRef),
      environment: textQuery(req.query.environment, 'environment'),
      statuses: statusesQuery(req.query.status, accessRequestStatuses),
      limit: integerQuery(req.query.limit, 'limit'),
      offset: integerQuery(req.query.offset, 'offset'),
    });
    res.json({ items });
  });

  router.get('/access/requests/:id', async (req, res) => {
    const id = uuidParam(req, 'an access request');
    const c = await caller(
      req,
      ['create', 'review', 'admin'],
      'see access requests',
    );
    res.json(await access.get(c, id));
  });

  const actions: Array<{
    path: string;
    needs: AccessNeed[];
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
          const id = uuidParam(req, 'an access request');
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
    const user = entityRefQuery(req.query.user, 'user', 'user');
    if (!user) {
      throw new InputError('user is required, e.g. user=user:default/jane');
    }
    const items = await access.activeGrants(c, {
      user,
      entityRef: entityRefQuery(req.query.entityRef),
      environment: textQuery(req.query.environment, 'environment'),
    });
    res.json({ items });
  });

  return router;
}
