import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { AlignOptions } from './config';

/* Request bodies of the alignment API; every refusal is an InputError (400). */

function field(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new InputError(`${key} must be a string`);
  }
  return value.trim() || undefined;
}

function object(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new InputError('The request body must be a JSON object');
  }
  return body as Record<string, unknown>;
}

/** The body of `POST /alignments`: `{ entityRef, environment, reason }`. */
export function parseAlignmentBody(
  body: unknown,
  options: Pick<AlignOptions, 'minReasonLength' | 'maxReasonLength'>,
): { entityRef: string; environment: string; reason: string } {
  const b = object(body);
  const rawRef = field(b, 'entityRef');
  if (!rawRef) {
    throw new InputError(
      'entityRef is required, e.g. component:default/checkout-web',
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
    throw new InputError(`entityRef: ${(error as Error).message}`);
  }
  const environment = field(b, 'environment');
  if (!environment) {
    throw new InputError('environment is required, e.g. staging');
  }
  const reason = field(b, 'reason') ?? '';
  if (!reason) {
    throw new InputError('reason is required: say why to align');
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
  return { entityRef, environment, reason };
}

// a decision's comment is parsed as the access API's is
export { parseCommentBody } from '../access/body';
