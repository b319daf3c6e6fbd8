/**
 * Prefix of every annotation this plugin reads.
 *
 * @public
 */
export const ENV_PARITY_ANNOTATION_PREFIX = 'env-parity/';

/**
 * The per-environment fields a CI pipeline can write as annotations,
 * e.g. `env-parity/production.version`.
 *
 * @public
 */
export const ENVIRONMENT_ANNOTATION_FIELDS = [
  'version',
  'revision',
  'artifact',
  'deployed-at',
  'deployed-by',
  'url',
  'version-url',
] as const;

/**
 * One of {@link ENVIRONMENT_ANNOTATION_FIELDS}.
 *
 * @public
 */
export type EnvironmentAnnotationField =
  (typeof ENVIRONMENT_ANNOTATION_FIELDS)[number];

/**
 * The annotation key for one field of one environment.
 *
 * @public
 */
export function environmentAnnotation(
  environment: string,
  field: EnvironmentAnnotationField,
): string {
  return `${ENV_PARITY_ANNOTATION_PREFIX}${environment}.${field}`;
}

/**
 * Splits an `env-parity/<environment>.<field>` annotation key, or returns
 * undefined for any other key.
 *
 * @public
 */
export function parseEnvironmentAnnotation(
  key: string,
): { environment: string; field: string } | undefined {
  if (!key.startsWith(ENV_PARITY_ANNOTATION_PREFIX)) {
    return undefined;
  }
  const rest = key.slice(ENV_PARITY_ANNOTATION_PREFIX.length);
  const dot = rest.lastIndexOf('.');
  if (dot <= 0 || dot === rest.length - 1) {
    return undefined;
  }
  return { environment: rest.slice(0, dot), field: rest.slice(dot + 1) };
}

/**
 * Annotations of other plugins that deployment providers read; an entity with
 * any of them, or any `env-parity/` annotation, has something to show.
 *
 * @public
 */
export const PROVIDER_ANNOTATIONS = [
  'github.com/project-slug',
  'backstage.io/kubernetes-id',
  'backstage.io/kubernetes-label-selector',
  'argocd/app-name',
  'argocd/app-selector',
] as const;

/**
 * Whether an entity carries any annotation a deployment provider reads.
 *
 * @public
 */
export function hasEnvParityAnnotations(entity: {
  metadata: { annotations?: Record<string, string> };
}): boolean {
  const annotations = entity.metadata.annotations ?? {};
  return Object.keys(annotations).some(
    key =>
      key.startsWith(ENV_PARITY_ANNOTATION_PREFIX) ||
      (PROVIDER_ANNOTATIONS as readonly string[]).includes(key),
  );
}

/**
 * Configuration keys of an entity that are expected to differ between
 * environments: comma or newline separated patterns where `*` matches any
 * run of characters, e.g. `*.env.DATABASE_URL, *.replicas`. Added to
 * `envParity.config.ignore`.
 *
 * @public
 */
export const IGNORE_CONFIG_ANNOTATION = 'env-parity/ignore-config';

/**
 * Splits a list of configuration key patterns, as written in
 * {@link IGNORE_CONFIG_ANNOTATION}.
 *
 * @public
 */
export function parseConfigPatterns(value: string | undefined): string[] {
  return (value ?? '')
    .split(/[,\n]/)
    .map(p => p.trim())
    .filter(Boolean);
}

/** Patterns longer than this are ignored, as are patterns past the 100th. */
const MAX_PATTERN_LENGTH = 200;
const MAX_PATTERNS = 100;

/**
 * Whether `text` matches `pattern` in full, `*` matching any run of
 * characters. Linear in practice (at worst pattern length times text
 * length), never backtracking exponentially like a regular expression built
 * from the pattern could: patterns come from entity annotations.
 *
 * @public
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.length && pattern[p] === text[t]) {
      p++;
      t++;
    } else if (star !== -1) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') {
    p++;
  }
  return p === pattern.length;
}

/**
 * A matcher for configuration keys: true when any pattern matches the whole
 * key, `*` matching any run of characters (dots and slashes included).
 * Matching is case-sensitive. At most 100 patterns of at most 200
 * characters count; the rest are ignored.
 *
 * @public
 */
export function configKeyMatcher(
  patterns: readonly string[],
): (key: string) => boolean {
  const usable = patterns
    .map(p => p.trim().replace(/\*{2,}/g, '*'))
    .filter(p => p && p.length <= MAX_PATTERN_LENGTH)
    .slice(0, MAX_PATTERNS);
  return key => usable.some(p => globMatch(p, key));
}

/**
 * Fields of a service's probe answers ("Compare an endpoint") expected to
 * differ between environments: comma separated JSON paths and header
 * names, e.g. `$.build.time, $.uptime, x-served-by`. Added to
 * `envParity.probe.ignore`; differences in them are shown as ignored.
 *
 * @public
 */
export const PROBE_IGNORE_ANNOTATION = 'env-parity/probe-ignore';
