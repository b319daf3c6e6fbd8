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
 * A report as it leaves the backend: the keyed hashes of secret
 * configuration values stay behind (drift is computed before this).
 */
export function withoutSecretHashes(report: ParityReport): ParityReport {
  return {
    ...report,
    environments: report.environments.map(env => {
      const config = env.deployment?.config;
      if (!config || !Object.values(config).some(f => f.secret)) {
        return env;
      }
      return {
        ...env,
        deployment: {
          ...env.deployment!,
          config: Object.fromEntries(
            Object.entries(config).map(([key, f]) => [
              key,
              f.secret ? { hash: '', secret: true } : f,
            ]),
          ),
        },
      };
    }),
  };
}
