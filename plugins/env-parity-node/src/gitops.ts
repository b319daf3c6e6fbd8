import { Entity } from '@backstage/catalog-model';
import { ConfigFingerprint } from '@env-parity/plugin-env-parity-common';
import { ConfigFingerprinter } from './fingerprint';

/*
 * Rules the GitOps modules (Argo CD, Flux) share: which configuration keys
 * hold secrets, when a GitOps source is the service's own repository, and
 * how Helm values become configuration fingerprints.
 */

/** Key names whose values are treated as secrets. */
const SECRET_KEY = /pass(word|wd)?|secret|token|key|credential/i;

/**
 * Whether a configuration key path names a secret (any of its segments
 * contains `password`, `passwd`, `secret`, `token`, `key` or `credential`).
 *
 * @public
 */
export function isSecretConfigKey(path: string): boolean {
  return SECRET_KEY.test(path);
}

/**
 * A repository URL reduced to `host/path`, lower case, without scheme,
 * user, `.git` and trailing slashes: `git@github.com:Acme/Api.git` and
 * `https://github.com/acme/api` are both `github.com/acme/api`.
 *
 * @public
 */
export function normaliseRepoUrl(url: string): string {
  let text = url.trim().toLowerCase();
  text = text.replace(/^url:/, '');
  text = text.replace(/^[a-z][a-z0-9+.-]*:\/\//, '');
  text = text.replace(/^[^@/]+@/, '');
  // scp-like git@host:owner/repo
  text = text.replace(/^([^/:]+):(?!\d+\/)/, '$1/');
  text = text.replace(/[?#].*$/, '');
  text = text.replace(/\/+$/, '').replace(/\.git$/, '');
  return text;
}

/** The entity's own repository, from `backstage.io/source-location`, without the `/tree/...` part. */
function sourceLocationRepo(entity: Entity): string | undefined {
  const location =
    entity.metadata.annotations?.['backstage.io/source-location'];
  if (!location) {
    return undefined;
  }
  const normalised = normaliseRepoUrl(location);
  return normalised
    .replace(/\/(-\/)?(tree|blob|src)\/.*$/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
}

/** The annotations naming the entity's repository as `owner/name` (or `group/subgroup/name`). */
const SLUG_ANNOTATIONS = ['github.com/project-slug', 'gitlab.com/project-slug'];

/**
 * Whether a GitOps source repository is the entity's own repository
 * (`github.com/project-slug`, `gitlab.com/project-slug`, or
 * `backstage.io/source-location`): only then is a GitOps revision the
 * service's revision.
 *
 * @public
 */
export function isEntityRepository(
  repoURL: string | undefined,
  entity: Entity,
): boolean {
  if (!repoURL) {
    return false;
  }
  const repo = normaliseRepoUrl(repoURL);
  const path = repo.split('/').slice(1).join('/');
  for (const key of SLUG_ANNOTATIONS) {
    const slug = entity.metadata.annotations?.[key]
      ?.trim()
      .toLowerCase()
      .replace(/\.git$/, '');
    if (slug && path === slug) {
      return true;
    }
  }
  const source = sourceLocationRepo(entity);
  return Boolean(source) && source === repo;
}

/**
 * Flattens a values tree into `[dotted.path, value]` pairs: arrays as
 * `path[0]`, empty arrays and objects as `[]` and `{}`, strings as they
 * are, anything else as JSON.
 *
 * @public
 */
export function flattenValues(
  value: unknown,
  path = '',
  out: Array<[string, string]> = [],
): Array<[string, string]> {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push([path, '[]']);
    }
    value.forEach((item, i) => flattenValues(item, `${path}[${i}]`, out));
    return out;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) {
      out.push([path, '{}']);
    }
    for (const [key, item] of entries) {
      flattenValues(item, path ? `${path}.${key}` : key, out);
    }
    return out;
  }
  out.push([
    path,
    typeof value === 'string' ? value : JSON.stringify(value ?? null),
  ]);
  return out;
}

/**
 * Helm values as configuration fingerprints under `<prefix><dotted.path>`:
 * hashes only, never a value; keys naming a secret are marked secret.
 *
 * @public
 */
export function helmValuesFingerprints(
  values: Record<string, unknown>,
  prefix: string,
  fingerprinter: ConfigFingerprinter,
): Record<string, ConfigFingerprint> {
  const config: Record<string, ConfigFingerprint> = {};
  for (const [path, value] of flattenValues(values)) {
    if (path) {
      config[`${prefix}${path}`] = fingerprinter.fingerprint(value, {
        secret: isSecretConfigKey(path),
      });
    }
  }
  return config;
}
