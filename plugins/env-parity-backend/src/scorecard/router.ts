import {
  AuditorService,
  HttpAuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import {
  envParityScorecardReadPermission,
  SCORECARD_MAX_PAGE_SIZE,
  SCORECARD_MAX_TREND_DAYS,
  SCORECARD_SORT_FIELDS,
  ScorecardFilter,
  ScorecardQuery,
  ScorecardRow,
  ScorecardSortField,
  Verdict,
  VERDICTS,
} from '@env-parity/plugin-env-parity-common';
import { JsonObject } from '@backstage/types';
import express, { Request } from 'express';
import Router from 'express-promise-router';
import { once } from 'node:events';
import { authorizeRequest, logSafeError, logSafeJson } from '../http';
import { csvHeader, csvRow } from './csv';
import { normaliseRef, ScorecardService } from './ScorecardService';

type Query = Request['query'];

const MAX_FILTER_VALUES = 100;

function list(query: Query, name: string): string[] | undefined {
  const value = query[name];
  if (value === undefined) {
    return undefined;
  }
  const values = Array.isArray(value) ? value : [value];
  if (!values.every((v): v is string => typeof v === 'string')) {
    throw new InputError(`${name} must be text, e.g. ?${name}=a&${name}=b`);
  }
  const items = values
    .flatMap(v => v.split(','))
    .map(v => v.trim())
    .filter(Boolean);
  if (items.length > MAX_FILTER_VALUES) {
    throw new InputError(
      `${name} lists ${items.length} values; at most ${MAX_FILTER_VALUES}`,
    );
  }
  return items.length ? items : undefined;
}

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (value === undefined || value === '') {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new InputError(`${name} must be given once, as text`);
  }
  return value;
}

function integer(
  query: Query,
  name: string,
  min: number,
  max: number,
): number | undefined {
  const value = single(query, name);
  if (value === undefined) {
    return undefined;
  }
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new InputError(
      `${name} must be a whole number from ${min} to ${max}, not "${value}"`,
    );
  }
  return n;
}

function refs(
  query: Query,
  name: string,
  defaultKind: string,
): string[] | undefined {
  return list(query, name)?.map(value => {
    try {
      return normaliseRef(value, defaultKind);
    } catch {
      throw new InputError(`${name} "${value}" is not an entity reference`);
    }
  });
}

/** The filters of a scorecard request, normalised; throws InputError. */
export function parseScorecardFilter(query: Query): ScorecardFilter {
  const verdict = list(query, 'verdict');
  for (const v of verdict ?? []) {
    if (!VERDICTS.includes(v as Verdict)) {
      throw new InputError(
        `verdict "${v}" is not one of ${VERDICTS.join(', ')}`,
      );
    }
  }
  const q = single(query, 'q')?.trim();
  if (q && q.length > 200) {
    throw new InputError('q must be at most 200 characters');
  }
  const ownedByMe = single(query, 'ownedByMe');
  if (ownedByMe !== undefined && !['true', 'false'].includes(ownedByMe)) {
    throw new InputError(`ownedByMe must be true or false, not "${ownedByMe}"`);
  }
  const environment = single(query, 'environment');
  if (environment !== undefined && environment.length > 100) {
    throw new InputError('environment must be at most 100 characters');
  }
  const lowered = (name: string) =>
    list(query, name)?.map(v => v.toLocaleLowerCase('en-US'));
  const filter: ScorecardFilter = {
    owner: refs(query, 'owner', 'group'),
    system: refs(query, 'system', 'system'),
    kind: lowered('kind'),
    lifecycle: lowered('lifecycle'),
    verdict: verdict as Verdict[] | undefined,
    q: q || undefined,
    ownedByMe: ownedByMe === 'true',
    environment,
  };
  return Object.fromEntries(
    Object.entries(filter).filter(([, v]) => v !== undefined && v !== false),
  ) as ScorecardFilter;
}

/** The filters, sort and page of a table request; throws InputError. */
export function parseScorecardQuery(query: Query): ScorecardQuery {
  const sort = single(query, 'sort');
  if (sort !== undefined && !SCORECARD_SORT_FIELDS.includes(sort as any)) {
    throw new InputError(
      `sort "${sort}" is not one of ${SCORECARD_SORT_FIELDS.join(', ')}`,
    );
  }
  const order = single(query, 'order');
  if (order !== undefined && order !== 'asc' && order !== 'desc') {
    throw new InputError(`order must be asc or desc, not "${order}"`);
  }
  const page = integer(query, 'page', 1, 1_000_000);
  const pageSize = integer(query, 'pageSize', 1, SCORECARD_MAX_PAGE_SIZE);
  return {
    ...parseScorecardFilter(query),
    ...(sort && { sort: sort as ScorecardSortField }),
    ...(order && { order }),
    ...(page && { page }),
    ...(pageSize && { pageSize }),
  };
}

/**
 * The scorecard routes, under the plugin's base path:
 *
 * - `GET /scorecard`: one page of the table (`ScorecardPage`)
 * - `GET /scorecard/summary`: the tiles (`ScorecardSummary`)
 * - `GET /scorecard/teams`: the roll-up per owner (`TeamRollup`)
 * - `GET /scorecard/trend`: daily history (`ScorecardTrend`)
 * - `GET /scorecard/export.csv`: the filtered table as CSV, streamed
 * - `GET /scorecard/environments`: the environments it can show
 *   (`ScorecardEnvironments`)
 *
 * Each takes `environment`: a non-reference environment or `worst`, by
 * default the scorecard's default environment; the reference or an unknown
 * name is a 400.
 *
 * Every route needs `env-parity.scorecard.read`; which services appear is
 * decided by the catalog's read permission for the caller.
 */
export async function createScorecardRouter(options: {
  httpAuth: HttpAuthService;
  permissions: PermissionsService;
  auditor: AuditorService;
  logger: LoggerService;
  scorecard: ScorecardService;
}): Promise<express.Router> {
  const { httpAuth, permissions, auditor, logger, scorecard } = options;
  const router = Router();

  const authorize = (request: Request) =>
    authorizeRequest({
      httpAuth,
      permissions,
      request,
      permission: envParityScorecardReadPermission,
      action: 'read the environment parity scorecard',
    });

  router.get('/scorecard', async (req, res) => {
    const query = parseScorecardQuery(req.query);
    const credentials = await authorize(req);
    res.json(await scorecard.getPage(query, credentials));
  });

  router.get('/scorecard/summary', async (req, res) => {
    const filter = parseScorecardFilter(req.query);
    const credentials = await authorize(req);
    res.json(await scorecard.getSummary(filter, credentials));
  });

  router.get('/scorecard/teams', async (req, res) => {
    const filter = parseScorecardFilter(req.query);
    const credentials = await authorize(req);
    res.json(await scorecard.getTeams(filter, credentials));
  });

  router.get('/scorecard/trend', async (req, res) => {
    const owner = single(req.query, 'owner');
    let normalised: string | undefined;
    try {
      normalised = owner ? normaliseRef(owner, 'group') : undefined;
    } catch {
      throw new InputError(`owner "${owner}" is not an entity reference`);
    }
    const days = integer(req.query, 'days', 1, SCORECARD_MAX_TREND_DAYS);
    const { environment } = parseScorecardFilter({
      environment: req.query.environment,
    });
    const credentials = await authorize(req);
    res.json(
      await scorecard.getTrend(
        { owner: normalised, days, environment },
        credentials,
      ),
    );
  });

  router.get('/scorecard/environments', async (req, res) => {
    await authorize(req);
    res.json(await scorecard.getEnvironments());
  });

  router.get('/scorecard/export.csv', async (req, res) => {
    const query = parseScorecardQuery(req.query);
    delete query.page;
    delete query.pageSize;
    const credentials = await authorize(req);
    const auditorEvent = await auditor.createEvent({
      eventId: 'scorecard-export',
      severityLevel: 'low',
      request: req,
      meta: logSafeJson({ query: { ...query } as JsonObject }),
    });
    const chunks = scorecard.exportRows(query, credentials);
    let next: IteratorResult<ScorecardRow[], void>;
    try {
      // fail with a proper error response if the first query fails
      next = await chunks.next();
    } catch (error) {
      await auditorEvent.fail({ error: logSafeError(error) });
      throw error;
    }
    const day = new Date().toISOString().slice(0, 10);
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="env-parity-scorecard-${day}.csv"`,
    );
    res.setHeader('Cache-Control', 'no-store');
    let closed = false;
    res.on('close', () => {
      closed = true;
    });
    const write = async (text: string) => {
      if (!res.write(text) && !closed) {
        await Promise.race([once(res, 'drain'), once(res, 'close')]);
      }
    };
    let rows = 0;
    try {
      await write(csvHeader());
      while (!next.done && !closed) {
        rows += next.value.length;
        await write(next.value.map(csvRow).join(''));
        next = await chunks.next();
      }
      res.end();
      await auditorEvent.success({ meta: { rows } });
    } catch (error) {
      // the status line is sent: all that is left is to cut the download
      logger.error(
        `Scorecard export failed after ${rows} rows: ${logSafeError(error)}`,
      );
      await auditorEvent.fail({ error: logSafeError(error) });
      res.destroy(error as Error);
    } finally {
      await chunks.return(undefined);
    }
  });

  return router;
}
