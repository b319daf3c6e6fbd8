import { Config } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import {
  IGNORE_CONFIG_ANNOTATION,
  ParityReport,
  parseConfigPatterns,
} from '@env-parity/plugin-env-parity-common';

/** `envParity.config.ignore`: key patterns expected to differ everywhere. */
export function readIgnoreConfig(config: Config): string[] {
  return (config.getOptionalStringArray('envParity.config.ignore') ?? [])
    .map(p => p.trim())
    .filter(Boolean);
}

/** The configured patterns plus the entity's `env-parity/ignore-config`. */
export function ignorePatternsFor(
  configured: string[] | undefined,
  entity: Entity,
): string[] {
  return [
    ...(configured ?? []),
    ...parseConfigPatterns(
      entity.metadata.annotations?.[IGNORE_CONFIG_ANNOTATION],
    ),
  ];
}

/**
 * A report as it leaves the backend: configuration fingerprints keep their
 * values where shown, but no hash. Drift is computed before this, and a hash
 * of a low-entropy value (an inline env value, a Helm value, a secret) could
 * be guessed offline, so none is sent.
 */
export function withoutHashes(report: ParityReport): ParityReport {
  return {
    ...report,
    environments: report.environments.map(env => {
      const config = env.deployment?.config;
      if (!config) {
        return env;
      }
      return {
        ...env,
        deployment: {
          ...env.deployment!,
          config: Object.fromEntries(
            Object.entries(config).map(([key, f]) => [key, { ...f, hash: '' }]),
          ),
        },
      };
    }),
  };
}
