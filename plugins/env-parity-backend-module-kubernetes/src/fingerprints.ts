import { ConfigFingerprint } from '@env-parity/plugin-env-parity-common';
import { ConfigFingerprinter } from '@env-parity/plugin-env-parity-node';
import { createHash } from 'node:crypto';
import { EnvRecord } from './inventory';
import { KubeObject } from './KubernetesClient';

/*
 * How configuration becomes fingerprints: the keys of ConfigMaps and
 * Secrets, env vars that take their values from them, and keys seen more
 * than once (in two clusters of an environment, or twice in one).
 */

/**
 * Kustomize's content-hash suffix of the ConfigMaps and Secrets it
 * generates: `-` and 10 characters of the alphabet of its encoded hash.
 */
const KUSTOMIZE_HASH_SUFFIX = /^(.+)-[2456789bcdfghkmt]{10}$/;

/**
 * A ConfigMap's or Secret's name as it appears in configuration keys:
 * without a Kustomize content-hash suffix (`api-config-7f9h2k8g5m` →
 * `api-config`), so that one changed key does not make the whole object
 * look removed and added across environments. Requests use the real name.
 */
export function configSourceName(name: string): string {
  return KUSTOMIZE_HASH_SUFFIX.exec(name)?.[1] ?? name;
}

/** A key taken from a Secret that could not be read: never compared. */
export function unknownSecret(): ConfigFingerprint {
  return { hash: '', secret: true, unknown: true };
}

/**
 * One fingerprint for a key seen more than once (in two clusters of one
 * environment, or twice in one cluster): itself when every known hash
 * agrees; otherwise a hash of the sorted distinct hashes, with no value
 * and no name of where each came from. Unknown fingerprints count only
 * when nothing else is known.
 */
export function combineFingerprints(fingerprints: ConfigFingerprint[]): {
  fingerprint: ConfigFingerprint;
  differs: boolean;
} {
  const known = fingerprints.filter(f => !f.unknown);
  if (known.length === 0) {
    return { fingerprint: { ...fingerprints[0] }, differs: false };
  }
  const hashes = [...new Set(known.map(f => f.hash))].sort();
  if (hashes.length === 1) {
    return { fingerprint: { ...known[0] }, differs: false };
  }
  const hash = createHash('sha256')
    .update(`combined:${hashes.join(',')}`, 'utf8')
    .digest('hex')
    .slice(0, 32);
  return {
    fingerprint: {
      hash,
      ...(known.some(f => f.secret) ? { secret: true } : {}),
    },
    differs: true,
  };
}

/** Adds a key's fingerprint to the ones seen for it. */
export function collect(
  into: Map<string, ConfigFingerprint[]>,
  key: string,
  fingerprint: ConfigFingerprint,
) {
  const seen = into.get(key);
  if (seen) {
    seen.push(fingerprint);
  } else {
    into.set(key, [fingerprint]);
  }
}

/** The ConfigMaps and Secrets of one cluster's workloads, by `type/namespace/name`. */
export interface Sources {
  /** The fingerprinted keys of those read. */
  keys: Map<string, Map<string, ConfigFingerprint>>;
  /** Secrets that could not be read (403). */
  forbidden: Set<string>;
}

/**
 * The fingerprints of a ConfigMap's or Secret's keys, never a value: a
 * Secret's values are decoded only to be hashed, marked secret; a
 * ConfigMap's are shown only with `showConfigMapValues`.
 */
export function sourceFingerprints(
  type: 'configmaps' | 'secrets',
  object: KubeObject,
  fingerprinter: ConfigFingerprinter,
  options: { showConfigMapValues: boolean },
): Map<string, ConfigFingerprint> {
  const keys = new Map<string, ConfigFingerprint>();
  if (type === 'secrets') {
    for (const [key, encoded] of Object.entries(object.data ?? {})) {
      const value =
        typeof encoded === 'string'
          ? Buffer.from(encoded, 'base64').toString('utf8')
          : '';
      keys.set(key, fingerprinter.fingerprint(value, { secret: true }));
    }
    // the secret object goes out of scope here: only fingerprints remain
  } else {
    for (const field of ['data', 'binaryData'] as const) {
      for (const [key, value] of Object.entries(object[field] ?? {})) {
        if (typeof value === 'string') {
          keys.set(
            key,
            fingerprinter.fingerprint(value, {
              show: options.showConfigMapValues,
            }),
          );
        }
      }
    }
  }
  return keys;
}

/** The fingerprint of an env var of a container, from its record and the ConfigMaps and Secrets read. */
export function envFingerprint(
  e: EnvRecord,
  namespace: string,
  sources: Sources,
  fingerprinter: ConfigFingerprinter,
): ConfigFingerprint {
  if ('fingerprint' in e) {
    return { ...e.fingerprint };
  }
  const id = `${e.from}/${namespace}/${e.ref}`;
  const known = sources.keys.get(id)?.get(e.key as string);
  if (known) {
    // the value's own fingerprint, as under configmap/… and secret/…
    return { ...known };
  }
  if (sources.forbidden.has(id)) {
    // the Secret could not be read: the value is unknown, not different
    return unknownSecret();
  }
  // the Secret or ConfigMap, or its key, does not exist: a fingerprint
  // of the reference (without a Kustomize suffix, as in the keys)
  const name = configSourceName(e.ref);
  if (e.from === 'secrets') {
    return fingerprinter.fingerprint(`secretKeyRef:${name}.${e.key}`, {
      secret: true,
    });
  }
  return fingerprinter.fingerprint(
    `configMapKeyRef ${name}.${e.key} (missing)`,
    { show: true },
  );
}

/** How many shown values a {@link rememberingShown} fingerprinter keeps at most. */
export const REMEMBERED_SHOWN_VALUES = 10_000;
/** The longest value a {@link rememberingShown} fingerprinter remembers. */
const REMEMBERED_SHOWN_LENGTH = 256;

/**
 * A fingerprinter that remembers the fingerprints of values it may show
 * (replica counts, resource quantities, images, references): the same few
 * values come back in every observation, and each HMAC allocates a hash
 * context of its own. A value that is secret or not shown is hashed anew
 * every time and never remembered, and so is a long one. Past `max`
 * values remembered, the memory starts over. Each caller gets its own
 * copy of a fingerprint.
 */
export function rememberingShown(
  fingerprinter: ConfigFingerprinter,
  max: number = REMEMBERED_SHOWN_VALUES,
): ConfigFingerprinter {
  const shown = new Map<string, ConfigFingerprint>();
  return {
    fingerprint(value, options = {}) {
      if (
        options.secret ||
        !options.show ||
        value.length > REMEMBERED_SHOWN_LENGTH
      ) {
        return fingerprinter.fingerprint(value, options);
      }
      let known = shown.get(value);
      if (!known) {
        if (shown.size >= max) {
          shown.clear();
        }
        known = fingerprinter.fingerprint(value, options);
        shown.set(value, known);
      }
      return { ...known };
    },
  };
}
