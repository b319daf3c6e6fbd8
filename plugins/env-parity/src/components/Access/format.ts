import { ResponseError } from '@backstage/errors';
import {
  AccessRequest,
  AccessRequestStatus,
} from '@env-parity/plugin-env-parity-common';

/** Time left, e.g. `2h 13m`, `12m 5s`, `42s`, `3d 4h`. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86_400);
  const hours = Math.floor((total % 86_400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (days > 0) {
    return `${days}d ${hours}h`;
  }
  if (hours > 0) {
    return `${hours}h ${minutes}m`;
  }
  if (minutes > 0) {
    return `${minutes}m ${seconds}s`;
  }
  return `${seconds}s`;
}

/** A duration in minutes, e.g. `30 minutes`, `1 hour`, `1h 30m`, `8 hours`. */
export function formatDuration(minutes: number): string {
  if (minutes < 60) {
    return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (rest) {
    return `${hours}h ${rest}m`;
  }
  if (hours % 24 === 0 && hours >= 48) {
    return `${hours / 24} days`;
  }
  return `${hours} hour${hours === 1 ? '' : 's'}`;
}

/** The label of a status, e.g. `timed out`. */
export function statusLabel(status: AccessRequestStatus): string {
  return status.replace(/-/g, ' ');
}

/** The statuses of a request that is neither decided against nor over. */
export const CURRENT_STATUSES: AccessRequestStatus[] = [
  'pending',
  'approved',
  'active',
  'provisioning-failed',
];

/** The statuses of a grant in force (or being put in force again). */
export const GRANTED_STATUSES: AccessRequestStatus[] = [
  'active',
  'provisioning-failed',
];

/** `user:default/jane` → `jane`; other refs unchanged. */
export function shortRef(ref: string): string {
  const match = /^[^:]+:default\/(.+)$/.exec(ref);
  return match ? match[1] : ref;
}

function bodyError(error: Error) {
  return (error as Partial<ResponseError>).body?.error;
}

/** The server's own message for a ResponseError, else the error's message. */
export function errorMessage(error: Error): string {
  return bodyError(error)?.message || error.message;
}

/** The error's HTTP status, when it came from the backend. */
export function statusOf(error: Error): number | undefined {
  const e = error as Partial<ResponseError>;
  return e.statusCode ?? e.body?.response?.statusCode;
}

/** Whether the backend refused: no permission. */
export function isForbidden(error: Error): boolean {
  return (
    statusOf(error) === 403 || bodyError(error)?.name === 'NotAllowedError'
  );
}

/** Whether someone else changed the request first. */
export function isConflict(error: Error): boolean {
  return statusOf(error) === 409 || bodyError(error)?.name === 'ConflictError';
}

/** Whether the backend refused the input. */
export function isInputError(error: Error): boolean {
  return statusOf(error) === 400 || bodyError(error)?.name === 'InputError';
}

/**
 * What a decision did, naming the service, e.g. `guest's read-only access
 * to payments-api in production is now approved.`; `mine` for the
 * requester's own view (`Your request … is withdrawn.`).
 */
export function confirmation(r: AccessRequest, mine = false): string {
  const service = `${shortRef(r.entityRef)} in ${r.environment}`;
  if (
    r.status === 'withdrawn' ||
    r.status === 'denied' ||
    r.status === 'pending'
  ) {
    return `${
      mine ? 'Your' : `${shortRef(r.requester)}'s`
    } request for read-only access to ${service} is now ${statusLabel(
      r.status,
    )}.`;
  }
  return `${
    mine ? 'Your' : `${shortRef(r.requester)}'s`
  } read-only access to ${service} is now ${statusLabel(r.status)}.`;
}
