import { InputError } from '@backstage/errors';
import { bodyEntityRef, bodyObject, bodyReason, optionalString } from '../http';
import { AlignOptions } from './config';

/* Request bodies of the alignment API; every refusal is an InputError (400). */

/** The body of `POST /alignments`: `{ entityRef, environment, reason }`. */
export function parseAlignmentBody(
  body: unknown,
  options: Pick<AlignOptions, 'minReasonLength' | 'maxReasonLength'>,
): { entityRef: string; environment: string; reason: string } {
  const b = bodyObject(body);
  const entityRef = bodyEntityRef(b, 'component:default/checkout-web');
  const environment = optionalString(b, 'environment')?.trim();
  if (!environment) {
    throw new InputError('environment is required, e.g. staging');
  }
  const reason = bodyReason(b, { ...options, ask: 'say why to align' });
  return { entityRef, environment, reason };
}
