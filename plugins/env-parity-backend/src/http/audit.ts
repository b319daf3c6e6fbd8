import {
  AuditorService,
  AuditorServiceEventSeverityLevel,
} from '@backstage/backend-plugin-api';
import { JsonObject } from '@backstage/types';
import { Request } from 'express';
import { logSafeError, logSafeJson } from './logSafe';

/**
 * Runs `fn` as one audit event: `initiated` before, then `succeeded` or
 * `failed` (with the error) after; the error is rethrown. `fn` may add to
 * `meta` as it learns more (what was asked, what came of it); every logged
 * value has its control characters escaped.
 */
export async function audited<T>(
  auditor: AuditorService,
  options: {
    eventId: string;
    severityLevel?: AuditorServiceEventSeverityLevel;
    /** Absent for calls without an HTTP request (put the actor in `meta`). */
    request?: Request;
    meta?: JsonObject;
  },
  fn: (meta: JsonObject) => Promise<T>,
): Promise<T> {
  const meta: JsonObject = { ...options.meta };
  const event = await auditor.createEvent({
    eventId: options.eventId,
    severityLevel: options.severityLevel,
    request: options.request,
    meta: logSafeJson(meta),
  });
  let result: T;
  try {
    result = await fn(meta);
  } catch (error) {
    await event.fail({ error: logSafeError(error), meta: logSafeJson(meta) });
    throw error;
  }
  await event.success({ meta: logSafeJson(meta) });
  return result;
}

/**
 * The audit wrapper of a router: one `eventId` event per call (severity
 * medium), naming the `action` and the `:id` path parameter as `idKey`.
 */
export function routeAudit(
  auditor: AuditorService,
  eventId: string,
  idKey: string,
) {
  return <T>(req: Request, action: string, fn: () => Promise<T>) =>
    audited(
      auditor,
      {
        eventId,
        severityLevel: 'medium',
        request: req,
        meta: { action, ...(req.params.id && { [idKey]: req.params.id }) },
      },
      fn,
    );
}
