import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  CustomErrorBase,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  envParityProbeRunPermission,
  ProbeResult,
} from '@env-parity/plugin-env-parity-common';
import { JsonObject } from '@backstage/types';
import express from 'express';
import Router from 'express-promise-router';
import { EnvironmentRegistry } from '../environments';
import { entityRefFromParams } from '../router';
import {
  parseProbeRequest,
  ParsedProbeRequest,
  ProbeService,
} from './ProbeService';
import { ProbeRateLimiter } from './RateLimiter';

/** Answers 429 (the error handler reads `statusCode`). */
export class TooManyRequestsError extends CustomErrorBase {
  name = 'TooManyRequestsError' as const;
  readonly statusCode = 429;
}

function auditMeta(
  entityRef: string,
  request?: ParsedProbeRequest,
  result?: ProbeResult,
): JsonObject {
  const meta: JsonObject = { entityRef };
  if (request) {
    meta.method = request.method;
    meta.path = request.path;
  }
  if (result) {
    meta.probeId = result.id;
    meta.environments = result.environments.map(e => e.environment);
    // status codes or failure reasons only: never bodies or headers
    meta.statuses = Object.fromEntries(
      result.environments.map(e => [
        e.environment,
        e.status ?? e.error?.reason ?? null,
      ]),
    );
  }
  return meta;
}

/**
 * `POST /entities/:kind/:namespace/:name/probe`: the same GET or HEAD
 * request to each environment of an entity, answers side by side.
 *
 * Users only (no service tokens), with `env-parity.probe.run`, within the
 * per-user rate limit (counted in the database, shared by every replica), for
 * an entity the caller can see in the catalog. Every probe, refused or not, is
 * an audit event.
 */
export function createProbeRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  catalog: CatalogService;
  environments: EnvironmentRegistry;
  probes: ProbeService;
  rateLimiter: ProbeRateLimiter;
}): express.Router {
  const { httpAuth, permissions, auditor, catalog, environments, probes } =
    options;
  const router = Router();

  router.post(
    '/entities/:kind/:namespace/:name/probe',
    express.json({ limit: '16kb' }),
    async (req, res) => {
      const { kind, namespace, name } = req.params;
      let entityRef = `${kind}:${namespace}/${name}`;
      let parsed: ParsedProbeRequest | undefined;
      const auditorEvent = await auditor.createEvent({
        eventId: 'probe',
        severityLevel: 'medium',
        request: req,
        meta: { entityRef },
      });
      try {
        entityRef = entityRefFromParams(req);
        const credentials = await httpAuth.credentials(req, {
          allow: ['user'],
        });
        const [decision] = await permissions.authorize(
          [{ permission: envParityProbeRunPermission }],
          { credentials },
        );
        if (decision.result !== AuthorizeResult.ALLOW) {
          throw new NotAllowedError(
            `You are not allowed to probe environments (${envParityProbeRunPermission.name})`,
          );
        }
        const limit = await options.rateLimiter.take(
          credentials.principal.userEntityRef,
        );
        if (!limit.allowed) {
          const seconds = Math.ceil(limit.retryAfterMs / 1000);
          res.setHeader('Retry-After', String(seconds));
          throw new TooManyRequestsError(
            `Too many probes; try again in ${seconds} s`,
          );
        }
        parsed = parseProbeRequest(req.body);
        const entity = await catalog.getEntityByRef(entityRef, {
          credentials,
        });
        if (!entity) {
          throw new NotFoundError(`No entity ${entityRef} in the catalog`);
        }
        // stop asking when the caller goes away
        const controller = new AbortController();
        const onClose = () => {
          if (!res.writableFinished) {
            controller.abort();
          }
        };
        res.on('close', onClose);
        let result: ProbeResult;
        try {
          result = await probes.probe({
            entity,
            environments: await environments.list(),
            request: parsed,
            signal: controller.signal,
          });
        } finally {
          res.off('close', onClose);
        }
        await auditorEvent.success({
          meta: auditMeta(entityRef, parsed, result),
        });
        res.json(result);
      } catch (error) {
        await auditorEvent.fail({
          error: error as Error,
          meta: auditMeta(entityRef, parsed),
        });
        throw error;
      }
    },
  );

  return router;
}
