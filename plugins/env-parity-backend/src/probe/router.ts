import {
  AuditorService,
  HttpAuthService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  envParityProbeRunPermission,
  ProbeResult,
} from '@env-parity/plugin-env-parity-common';
import { JsonObject } from '@backstage/types';
import express from 'express';
import Router from 'express-promise-router';
import { EnvironmentRegistry } from '../environments';
import {
  audited,
  authorizeRequest,
  enforceRateLimit,
  entityRefFromParams,
  jsonBody,
  rateLimitKey,
} from '../http';
import {
  parseProbeRequest,
  ParsedProbeRequest,
  ProbeService,
} from './ProbeService';
import { ProbeRateLimiter } from './RateLimiter';

/** A probe asks for a path, a method and environments: 16 KB is plenty. */
const PROBE_BODY_LIMIT = '16kb';

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
  /** `readReportedKinds(config)`. */
  kinds: string[];
}): express.Router {
  const { httpAuth, permissions, auditor, catalog, environments, probes } =
    options;
  const kinds = [...options.kinds];
  const router = Router();

  router.post(
    '/entities/:kind/:namespace/:name/probe',
    jsonBody({ limit: PROBE_BODY_LIMIT }),
    async (req, res) => {
      const { kind, namespace, name } = req.params;
      const result = await audited(
        auditor,
        {
          eventId: 'probe',
          severityLevel: 'medium',
          request: req,
          meta: { entityRef: `${kind}:${namespace}/${name}` },
        },
        async meta => {
          const entityRef = entityRefFromParams(req.params, { kinds });
          meta.entityRef = entityRef;
          const credentials = await authorizeRequest({
            httpAuth,
            permissions,
            request: req,
            permission: envParityProbeRunPermission,
            allow: ['user'],
            action: 'probe environments',
          });
          await enforceRateLimit({
            limiter: options.rateLimiter,
            key: rateLimitKey(credentials),
            response: res,
            message: 'Too many probes',
          });
          const parsed = parseProbeRequest(req.body);
          Object.assign(meta, auditMeta(entityRef, parsed));
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
          try {
            const probed = await probes.probe({
              entity,
              environments: await environments.list(),
              request: parsed,
              signal: controller.signal,
            });
            Object.assign(meta, auditMeta(entityRef, parsed, probed));
            return probed;
          } finally {
            res.off('close', onClose);
          }
        },
      );
      res.json(result);
    },
  );

  return router;
}
