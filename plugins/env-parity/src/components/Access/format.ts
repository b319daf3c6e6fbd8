import {
  AccessRequest,
  AccessRequestStatus,
} from '@env-parity/plugin-env-parity-common';
import { shortRef, statusLabel } from '../shared/errors';

export {
  errorMessage,
  isConflict,
  isForbidden,
  isInputError,
  shortRef,
  statusLabel,
  statusOf,
} from '../shared/errors';

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
