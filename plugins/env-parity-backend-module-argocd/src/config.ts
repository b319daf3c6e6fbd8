import { Config, readDurationFromConfig } from '@backstage/config';
import { InputError } from '@backstage/errors';
import { durationToMilliseconds } from '@backstage/types';

/** The config key of this module's own settings. */
export const CONFIG_KEY = 'envParity.argocd';
/** The config key of the Argo CD plugins' instances, read as they are. */
export const ARGOCD_CONFIG_KEY = 'argocd.appLocatorMethods';

export const DEFAULT_TIMEOUT_MS = 10_000;

/** One Argo CD instance with token authentication. */
export interface ArgocdInstance {
  name: string;
  /** The base URL, without a trailing slash; may carry a path prefix. */
  url: string;
  token: string;
}

/** A rule of `envParity.argocd.environments`: every set field must match. */
export interface EnvironmentRule {
  environment: string;
  instance?: string;
  destinationServer?: string;
  destinationName?: string;
  /** A pattern where `*` matches any run of characters. */
  destinationNamespace?: string;
  labels?: Record<string, string>;
}

/** `envParity.argocd` and the usable Argo CD instances; see config.d.ts. */
export interface ArgocdModuleOptions {
  instances: ArgocdInstance[];
  /** Instance name to environment name. */
  instanceEnvironments: Record<string, string>;
  rules: EnvironmentRule[];
  environmentLabel?: string;
  timeoutMs: number;
}

/** What reading the configuration found that an admin should know about. */
export interface ReadResult {
  /** Undefined when `envParity.argocd` enables nothing. */
  options?: ArgocdModuleOptions;
  warnings: string[];
}

function readInstances(root: Config, warnings: string[]): ArgocdInstance[] {
  const instances: ArgocdInstance[] = [];
  const seen = new Set<string>();
  const methods = root.getOptionalConfigArray(ARGOCD_CONFIG_KEY) ?? [];
  for (const method of methods) {
    if (method.getOptionalString('type') !== 'config') {
      warnings.push(
        `${ARGOCD_CONFIG_KEY} of type "${method.getOptionalString(
          'type',
        )}" is not supported; only type "config" is read`,
      );
      continue;
    }
    for (const instance of method.getOptionalConfigArray('instances') ?? []) {
      const name = instance.getString('name');
      const rawUrl = instance.getString('url');
      const token = instance.getOptionalString('token');
      if (!token) {
        warnings.push(
          `Argo CD instance ${name} has no token: skipped (only token authentication is supported, not username and password)`,
        );
        continue;
      }
      let url: URL;
      try {
        url = new URL(rawUrl);
      } catch {
        warnings.push(`Argo CD instance ${name}: url is not a URL; skipped`);
        continue;
      }
      if (
        (url.protocol !== 'http:' && url.protocol !== 'https:') ||
        url.username ||
        url.password ||
        url.search ||
        url.hash
      ) {
        warnings.push(
          `Argo CD instance ${name}: url must be an http or https URL without credentials, query or fragment; skipped`,
        );
        continue;
      }
      if (seen.has(name)) {
        warnings.push(
          `Argo CD instance ${name} is configured twice; the first one is used`,
        );
        continue;
      }
      seen.add(name);
      instances.push({
        name,
        url: `${url.origin}${url.pathname.replace(/\/+$/, '')}`,
        token,
      });
    }
  }
  return instances;
}

function readRules(config: Config): EnvironmentRule[] {
  return (config.getOptionalConfigArray('environments') ?? []).map(
    (rule, i) => {
      const environment = rule.getString('environment').trim();
      if (!environment) {
        throw new InputError(
          `${CONFIG_KEY}.environments[${i}].environment must name an environment`,
        );
      }
      const labelsConfig = rule.getOptionalConfig('labels');
      const labels = labelsConfig
        ? Object.fromEntries(
            labelsConfig.keys().map(k => [k, labelsConfig.getString(k)]),
          )
        : undefined;
      const optional = (key: string) => {
        const value = rule.getOptionalString(key)?.trim();
        return value ? { [key]: value } : {};
      };
      return {
        environment,
        ...optional('instance'),
        ...optional('destinationServer'),
        ...optional('destinationName'),
        ...optional('destinationNamespace'),
        ...(labels ? { labels } : {}),
      };
    },
  );
}

/**
 * Reads `envParity.argocd` and the token instances of
 * `argocd.appLocatorMethods`, failing start-up on a bad `envParity.argocd`
 * value. Problems with the Argo CD plugins' own config are warnings: the
 * instance is skipped.
 */
export function readArgocdModuleOptions(root: Config): ReadResult {
  const warnings: string[] = [];
  const config = root.getOptionalConfig(CONFIG_KEY);
  if (!config) {
    return { warnings };
  }
  const mapping = config.getOptionalConfig('instances');
  const instanceEnvironments: Record<string, string> = {};
  for (const key of mapping?.keys() ?? []) {
    const value = mapping!.getString(key).trim();
    if (!value) {
      throw new InputError(
        `${CONFIG_KEY}.instances.${key} must name an environment`,
      );
    }
    instanceEnvironments[key] = value;
  }
  const rules = readRules(config);
  const environmentLabel =
    config.getOptionalString('environmentLabel')?.trim() || undefined;
  if (
    Object.keys(instanceEnvironments).length === 0 &&
    rules.length === 0 &&
    !environmentLabel
  ) {
    return { warnings };
  }
  const timeoutMs = config.has('timeout')
    ? durationToMilliseconds(readDurationFromConfig(config, { key: 'timeout' }))
    : DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0)) {
    throw new InputError(`${CONFIG_KEY}.timeout must be longer than zero`);
  }

  const instances = readInstances(root, warnings);
  const names = new Set(instances.map(i => i.name));
  for (const name of Object.keys(instanceEnvironments)) {
    if (!names.has(name)) {
      warnings.push(
        `${CONFIG_KEY}.instances.${name} names no usable Argo CD instance in ${ARGOCD_CONFIG_KEY}`,
      );
    }
  }
  rules.forEach((rule, i) => {
    if (rule.instance && !names.has(rule.instance)) {
      warnings.push(
        `${CONFIG_KEY}.environments[${i}].instance ${rule.instance} names no usable Argo CD instance in ${ARGOCD_CONFIG_KEY}`,
      );
    }
  });
  return {
    options: {
      instances,
      instanceEnvironments,
      rules,
      ...(environmentLabel ? { environmentLabel } : {}),
      timeoutMs,
    },
    warnings,
  };
}
