import { Config } from '@backstage/config';
import { ConfigFingerprint } from '@env-parity/plugin-env-parity-common';
import { createHmac } from 'node:crypto';

/**
 * Turns configuration values into {@link ConfigFingerprint}s: a keyed hash,
 * and the value itself only where the caller says it is safe to show and it
 * is no secret.
 *
 * @public
 */
export interface ConfigFingerprinter {
  fingerprint(
    value: string,
    options?: {
      /** The value is a secret: never kept, never shown. */
      secret?: boolean;
      /** The value may be shown (ignored for secrets). */
      show?: boolean;
    },
  ): ConfigFingerprint;
}

/** Values shown longer than this are cut, with an ellipsis. */
const MAX_SHOWN = 200;
const DEFAULT_KEY = 'env-parity/config-fingerprint/v1';

/**
 * A fingerprinter hashing with HMAC-SHA256 under `key`. Set a secret key
 * (`envParity.config.hashKey`) so that stored hashes of short secrets cannot
 * be guessed by hashing candidates.
 *
 * @public
 */
export function createConfigFingerprinter(
  options: { key?: string } = {},
): ConfigFingerprinter {
  const key = options.key || DEFAULT_KEY;
  return {
    fingerprint(value, { secret, show } = {}) {
      const hash = createHmac('sha256', key)
        .update(value, 'utf8')
        .digest('hex')
        .slice(0, 32);
      if (secret) {
        return { hash, secret: true };
      }
      if (show) {
        return {
          hash,
          value:
            value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value,
        };
      }
      return { hash };
    },
  };
}

/**
 * The fingerprinter configured by `envParity.config.hashKey`.
 *
 * @public
 */
export function configFingerprinterFromConfig(
  config: Config,
): ConfigFingerprinter {
  return createConfigFingerprinter({
    key: config.getOptionalString('envParity.config.hashKey'),
  });
}
