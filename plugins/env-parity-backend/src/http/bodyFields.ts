import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

/* Fields of JSON request bodies that several APIs take; every refusal is
 * an InputError (400) saying what to change. */

function errorMessage(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

/** The body as an object; a refusal for anything else. */
export function bodyObject(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new InputError('The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** A string field, as given; undefined when absent or null. */
export function optionalString(
  body: Record<string, unknown>,
  key: string,
): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new InputError(`${key} must be a string`);
  }
  return value;
}

/** The required `entityRef`, completed to `kind:namespace/name` (default kind component). */
export function bodyEntityRef(
  body: Record<string, unknown>,
  example: string,
): string {
  const raw = optionalString(body, 'entityRef')?.trim();
  if (!raw) {
    throw new InputError(`entityRef is required, e.g. ${example}`);
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(raw, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    );
  } catch (error) {
    throw new InputError(`entityRef: ${errorMessage(error)}`);
  }
}

/** The required `reason`, trimmed, within the configured lengths; `ask` says what it is for. */
export function bodyReason(
  body: Record<string, unknown>,
  options: { minReasonLength: number; maxReasonLength: number; ask: string },
): string {
  const reason = optionalString(body, 'reason')?.trim() ?? '';
  if (!reason) {
    throw new InputError(`reason is required: ${options.ask}`);
  }
  if (reason.length < options.minReasonLength) {
    throw new InputError(
      `reason must be at least ${options.minReasonLength} characters`,
    );
  }
  if (reason.length > options.maxReasonLength) {
    throw new InputError(
      `reason must be at most ${options.maxReasonLength} characters`,
    );
  }
  return reason;
}

/** The optional (or, for a denial, required) `comment` of a decision or action. */
export function parseCommentBody(
  body: unknown,
  options: { required: boolean; maxLength: number },
): string | undefined {
  const b =
    body && typeof body === 'object' && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : {};
  const comment = optionalString(b, 'comment')?.trim() || undefined;
  if (options.required && !comment) {
    throw new InputError('comment is required: say why');
  }
  if (comment && comment.length > options.maxLength) {
    throw new InputError(
      `comment must be at most ${options.maxLength} characters`,
    );
  }
  return comment;
}
