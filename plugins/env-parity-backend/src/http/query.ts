import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { Request } from 'express';
import { logSafe } from './logSafe';

/* Query and path parameters of the plugin's routes, each refused with an
 * InputError (400) naming the parameter; echoed values are log-safe. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A parameter given once, as non-empty text; undefined when absent. */
export function textQuery(value: unknown, name: string): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string' || !value) {
    throw new InputError(`${name} must be given once, as text`);
  }
  return value;
}

/** `true` or `false`. */
export function flagQuery(value: unknown, name: string): boolean | undefined {
  const raw = textQuery(value, name);
  if (raw === undefined) {
    return undefined;
  }
  if (raw !== 'true' && raw !== 'false') {
    throw new InputError(`${name} must be true or false`);
  }
  return raw === 'true';
}

/** A whole number of at most six digits. */
export function integerQuery(value: unknown, name: string): number | undefined {
  const raw = textQuery(value, name);
  if (raw === undefined) {
    return undefined;
  }
  if (!/^\d{1,6}$/.test(raw)) {
    throw new InputError(`${name} must be a whole number`);
  }
  return Number(raw);
}

/** An entity ref, completed with `defaultKind` and the default namespace. */
export function entityRefQuery(
  value: unknown,
  name = 'entityRef',
  defaultKind = 'component',
): string | undefined {
  const raw = textQuery(value, name);
  if (raw === undefined) {
    return undefined;
  }
  try {
    return stringifyEntityRef(
      parseEntityRef(raw, { defaultKind, defaultNamespace: 'default' }),
    );
  } catch (error) {
    throw new InputError(`${name}: ${(error as Error).message}`);
  }
}

/** `status=a,b`: each one of `allowed`. */
export function statusesQuery<T extends string>(
  value: unknown,
  allowed: readonly T[],
): T[] | undefined {
  const statuses = textQuery(value, 'status')
    ?.split(',')
    .map(s => s.trim());
  for (const status of statuses ?? []) {
    if (!allowed.includes(status as T)) {
      throw new InputError(
        `status "${logSafe(status)}" is not one of ${allowed.join(', ')}`,
      );
    }
  }
  return statuses as T[] | undefined;
}

/** The `:id` path parameter, a UUID; `noun` names it in the refusal, e.g. `an alignment`. */
export function uuidParam(req: Request, noun: string): string {
  const { id } = req.params;
  if (!UUID.test(id)) {
    throw new InputError(`"${logSafe(id)}" is not ${noun} id`);
  }
  return id;
}
