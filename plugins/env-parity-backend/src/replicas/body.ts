import { InputError } from '@backstage/errors';
import { ReplicaOverride } from '@env-parity/plugin-env-parity-common';
import { bodyEntityRef, bodyObject, bodyReason, optionalString } from '../http';
import { ReplicaOptions } from './config';

/* Request bodies of the replica API; every refusal is an InputError (400). */

const MINUTE = 60_000;

/** `lifetimeMinutes`: a whole number of minutes, at most `maxTtl`. */
function lifetime(
  body: Record<string, unknown>,
  options: Pick<ReplicaOptions, 'maxTtlMs'>,
  required: boolean,
): number | undefined {
  const value = body.lifetimeMinutes;
  if (value === undefined || value === null) {
    if (required) {
      throw new InputError('lifetimeMinutes is required, e.g. 60');
    }
    return undefined;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new InputError(
      'lifetimeMinutes must be a whole number of at least 1',
    );
  }
  const max = Math.floor(options.maxTtlMs / MINUTE);
  if (value > max) {
    throw new InputError(
      `lifetimeMinutes must be at most ${max} (envParity.replicas.maxTtl)`,
    );
  }
  return value * MINUTE;
}

function override(b: Record<string, unknown>): ReplicaOverride | undefined {
  const value = b.override;
  if (value === undefined || value === null) {
    return undefined;
  }
  const o = bodyObject(value);
  const workload = optionalString(o, 'workload')?.trim();
  const image = optionalString(o, 'image')?.trim();
  if (!workload || workload.length > 253) {
    throw new InputError(
      'override.workload is required: the name of the Deployment or StatefulSet whose image is replaced',
    );
  }
  if (!image || image.length > 500 || /\s/.test(image)) {
    throw new InputError(
      'override.image is required: an image of the same repository (ghcr.io/acme/web:1.5.0), a tag (1.5.0) or a digest (sha256:...)',
    );
  }
  return { workload, image };
}

/** The body of `POST /replicas`. */
export function parseReplicaBody(
  body: unknown,
  options: Pick<
    ReplicaOptions,
    'maxTtlMs' | 'defaultTtlMs' | 'maxReasonLength'
  >,
): {
  entityRef: string;
  reason: string;
  lifetimeMs: number;
  override?: ReplicaOverride;
} {
  const b = bodyObject(body);
  const entityRef = bodyEntityRef(b, 'component:default/payments-api');
  const reason = bodyReason(b, {
    minReasonLength: 1,
    maxReasonLength: options.maxReasonLength,
    ask: 'say why you need a replica of production',
  });
  const o = override(b);
  return {
    entityRef,
    reason,
    lifetimeMs: lifetime(b, options, false) ?? options.defaultTtlMs,
    ...(o && { override: o }),
  };
}

/** The body of `POST /replicas/:id/extend`: `{ lifetimeMinutes }` from now. */
export function parseExtendBody(
  body: unknown,
  options: Pick<ReplicaOptions, 'maxTtlMs'>,
): number {
  return lifetime(bodyObject(body), options, true)!;
}
