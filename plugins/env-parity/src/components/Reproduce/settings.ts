import { ConfigFingerprint } from '@env-parity/plugin-env-parity-common';

/*
 * Which of the configuration keys a provider reports are the application's
 * own settings (what a developer gives it to run it locally) and which are
 * deployment plumbing (replicas, resources, sidecar images, Helm and
 * Kustomize inputs). The keys say where they come from:
 *
 *   deployment/api/app.env.LOG_LEVEL      Kubernetes: a container's env var
 *   configmap/api-config.LOG_LEVEL        Kubernetes: a ConfigMap's key
 *   secret/api-secrets.DB_PASSWORD        Kubernetes: a Secret's key
 *   deployment/api.replicas               Kubernetes: plumbing
 *   deployment/api/app.resources.cpu      Kubernetes: plumbing
 *   deployment/api/proxy.image            Kubernetes: plumbing (a sidecar)
 *   [source[n].]helm.values.replicaCount     Argo CD: chart input, plumbing
 *   [source[n].]helm.values.env.LOG_LEVEL    Argo CD: a chart's env value
 *   [source[n].]kustomize.images.api         Argo CD: plumbing
 *   LOG_LEVEL                             any other provider: a setting
 */

/** One setting of the application, under the name it is given to it. */
export interface ApplicationSetting {
  /** The name the application reads, e.g. `LOG_LEVEL`. */
  name: string;
  /** The keys it was reported under. */
  keys: string[];
  secret: boolean;
  /** The value, only where the report carries it (never for a secret). */
  value?: string;
}

/** The keys of one environment's configuration, sorted into two lists. */
export interface SortedConfig {
  /** The application's own settings, by name. */
  settings: ApplicationSetting[];
  /** Deployment plumbing: not needed to run the application locally. */
  plumbing: string[];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `deployment/api/app.env.LOG_LEVEL`: a container's env var. */
const CONTAINER_ENV = /^[a-z]+\/[^/]+\/[^/.]+\.env\.(.+)$/;
/** `deployment/api.replicas`, `…/app.resources.…`, `…/proxy.image`. */
const WORKLOAD_PLUMBING =
  /^[a-z]+\/[^/]+(\.replicas|\/[^/.]+\.(image|resources\..+))$/;
/** `configmap/api-config.LOG_LEVEL`, `secret/api-secrets.DB_PASSWORD`. */
const SOURCE_KEY = /^(configmap|secret)\/([^/.]+)\.(.+)$/;
/** Argo CD's `helm.…` and `kustomize.…` keys, after an optional source prefix. */
const CHART_INPUT = /^(?:source\[\d+\]\.)?(helm|kustomize)\.(.+)$/;
/** A chart value or parameter that sets an env var: `env.LOG_LEVEL`, `extraEnv.X`. */
const CHART_ENV =
  /(?:^|\.)(?:env|extraEnv|environment)\.([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * The name of the application setting a key stands for, or undefined when
 * the key is deployment plumbing. Pure.
 */
export function settingName(key: string): string | undefined {
  const env = CONTAINER_ENV.exec(key);
  if (env) {
    return env[1];
  }
  if (WORKLOAD_PLUMBING.test(key)) {
    return undefined;
  }
  const source = SOURCE_KEY.exec(key);
  if (source) {
    return source[3];
  }
  const chart = CHART_INPUT.exec(key);
  if (chart) {
    if (chart[1] === 'helm') {
      const value = /^(?:values|parameters)\.(.+)$/.exec(chart[2]);
      return value ? CHART_ENV.exec(value[1])?.[1] : undefined;
    }
    return undefined;
  }
  return key;
}

/**
 * The application's settings and the plumbing among an environment's
 * configuration keys. Keys naming the same setting (an env var and the
 * ConfigMap key it is taken from) make one setting, secret if any is.
 */
export function sortConfig(
  config: Record<string, ConfigFingerprint> | undefined,
): SortedConfig {
  const settings = new Map<string, ApplicationSetting>();
  const plumbing: string[] = [];
  for (const key of Object.keys(config ?? {}).sort()) {
    const fingerprint = config![key];
    const name = settingName(key);
    if (name === undefined) {
      plumbing.push(key);
      continue;
    }
    const secret = Boolean(fingerprint.secret);
    const value =
      !secret && !fingerprint.unknown ? fingerprint.value : undefined;
    const known = settings.get(name);
    if (!known) {
      settings.set(name, {
        name,
        keys: [key],
        secret,
        ...(value !== undefined && { value }),
      });
      continue;
    }
    known.keys.push(key);
    if (secret) {
      known.secret = true;
      delete known.value;
    } else if (
      !known.secret &&
      value !== undefined &&
      known.value === undefined
    ) {
      known.value = value;
    }
  }
  return {
    settings: [...settings.values()].sort((a, b) =>
      a.name.localeCompare(b.name, 'en'),
    ),
    plumbing,
  };
}

/**
 * A `.env` file for `docker run --env-file`: each setting that is an env
 * var name, with its value where the report carries one; secrets and
 * unknown values empty under a comment. Docker reads each line literally,
 * so a value with a line break is left empty rather than split.
 */
export function envFileOf(
  environmentTitle: string,
  settings: ApplicationSetting[],
): string {
  const lines = [
    `# The settings ${environmentTitle} runs with; fill in the empty ones.`,
  ];
  const files: string[] = [];
  for (const s of settings) {
    if (!ENV_NAME.test(s.name)) {
      files.push(s.name);
      continue;
    }
    if (s.secret) {
      lines.push(`# secret: use your own value, never ${environmentTitle}'s`);
      lines.push(`${s.name}=`);
    } else if (s.value === undefined) {
      lines.push(`# value not shown by the provider`);
      lines.push(`${s.name}=`);
    } else if (/[\r\n]/.test(s.value)) {
      lines.push(`# value spans several lines: provide it another way`);
      lines.push(`${s.name}=`);
    } else {
      lines.push(`${s.name}=${s.value}`);
    }
  }
  if (files.length) {
    lines.push(
      `# not env vars (files or keys of a ConfigMap or Secret): ${files.join(
        ', ',
      )}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
