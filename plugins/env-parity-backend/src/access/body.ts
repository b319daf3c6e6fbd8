import { InputError } from '@backstage/errors';
import { bodyEntityRef, bodyObject, bodyReason, optionalString } from '../http';
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

/** The body of `POST /access/requests`. */
export function parseCreateBody(
  body: unknown,
  options: AccessOptions,
): CreateAccessInput {
  const b = bodyObject(body);
  const entityRef = bodyEntityRef(b, 'component:default/payments');
  const environment = optionalString(b, 'environment')?.trim() || undefined;
  const reason = bodyReason(b, { ...options, ask: 'say why you need access' });

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
