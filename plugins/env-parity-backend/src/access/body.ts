import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { AccessOptions } from './config';

/* Request bodies of the access API, checked against the configured limits.
 * Every refusal is an InputError (400) saying what to change. */

const MAX_TICKET_LENGTH = 255;

/** A new access request, as the requester asked for it. */
export interface CreateAccessInput {
  entityRef: string;
  environment?: string;
  reason: string;
  ticket?: string;
  durationMinutes: number;
  breakGlass: boolean;
}

function errorMessage(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

function optionalString(
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

/** The body of `POST /access/requests`. */
export function parseCreateBody(
  body: unknown,
  options: AccessOptions,
): CreateAccessInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new InputError('The request body must be a JSON object');
  }
  const b = body as Record<string, unknown>;

  const rawRef = optionalString(b, 'entityRef');
  if (!rawRef) {
    throw new InputError(
      'entityRef is required, e.g. component:default/payments',
    );
  }
  let entityRef: string;
  try {
    entityRef = stringifyEntityRef(
      parseEntityRef(rawRef, {
        defaultKind: 'component',
        defaultNamespace: 'default',
      }),
    );
  } catch (error) {
    throw new InputError(`entityRef: ${errorMessage(error)}`);
  }

  const environment = optionalString(b, 'environment')?.trim() || undefined;

  const reason = optionalString(b, 'reason')?.trim() ?? '';
  if (!reason) {
    throw new InputError('reason is required: say why you need access');
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

  const ticket = optionalString(b, 'ticket')?.trim() || undefined;
  if (!ticket && options.ticketRequired) {
    throw new InputError('ticket is required');
  }
  if (ticket) {
    if (ticket.length > MAX_TICKET_LENGTH) {
      throw new InputError(
        `ticket must be at most ${MAX_TICKET_LENGTH} characters`,
      );
    }
    if (
      options.ticketPattern !== undefined &&
      !new RegExp(`^(?:${options.ticketPattern})$`).test(ticket)
    ) {
      throw new InputError(
        `ticket "${ticket}" does not match the required pattern ${options.ticketPattern}`,
      );
    }
  }

  const duration = b.durationMinutes;
  if (
    typeof duration !== 'number' ||
    !Number.isInteger(duration) ||
    duration < 1 ||
    duration > options.maxDurationMinutes
  ) {
    throw new InputError(
      `durationMinutes must be a whole number from 1 to ${options.maxDurationMinutes}`,
    );
  }

  const breakGlass = b.breakGlass;
  if (breakGlass !== undefined && typeof breakGlass !== 'boolean') {
    throw new InputError('breakGlass must be true or false');
  }

  return {
    entityRef,
    environment,
    reason,
    ticket,
    durationMinutes: duration,
    breakGlass: breakGlass === true,
  };
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
