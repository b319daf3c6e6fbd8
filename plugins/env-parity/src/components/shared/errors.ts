import { ResponseError } from '@backstage/errors';

/* How the plugin reads the backend's errors and names people and groups. */

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

/** `user:default/jane` → `jane`; other refs unchanged. */
export function shortRef(ref: string): string {
  const match = /^[^:]+:default\/(.+)$/.exec(ref);
  return match ? match[1] : ref;
}

/** The label of a status, e.g. `timed-out` → `timed out`. */
export function statusLabel(status: string): string {
  return status.replace(/-/g, ' ');
}
