import { Entity } from '@backstage/catalog-model';
import {
  ConfigFingerprint,
  DeploymentFinding,
  RunningResource,
} from '@env-parity/plugin-env-parity-common';
import {
  ConfigFingerprinter,
  helmValuesFingerprints,
  isEntityRepository,
  isSecretConfigKey,
} from '@env-parity/plugin-env-parity-node';

/** The Flux resource types read, as the Kubernetes API serves them. */
export const FLUX_TYPES = {
  kustomizations: {
    group: 'kustomize.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'kustomizations',
  },
  helmreleases: {
    group: 'helm.toolkit.fluxcd.io',
    version: 'v2',
    plural: 'helmreleases',
  },
  gitrepositories: {
    group: 'source.toolkit.fluxcd.io',
    version: 'v1',
    plural: 'gitrepositories',
  },
};

/** A Flux object as far as this module reads it. */
export interface FluxObject {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: Record<string, any>;
  status?: Record<string, any>;
}

/** A Flux object of one cluster, with what was found about its source. */
export interface FoundObject {
  kind: 'Kustomization' | 'HelmRelease';
  object: FluxObject;
  cluster: string;
  /** The source's GitRepository URL, when the source is a GitRepository that could be read. */
  sourceUrl?: string;
  /** Why the source could not be read (shown as a finding). */
  sourceError?: string;
}

/** What state a Flux object is in. */
export type FluxState = 'ready' | 'reconciling' | 'failed' | 'suspended';

interface Condition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

function conditionsOf(object: FluxObject): Condition[] {
  const conditions = object.status?.conditions;
  return Array.isArray(conditions)
    ? conditions.filter(c => c && typeof c === 'object')
    : [];
}

/**
 * The state of a Flux object: suspended (`spec.suspend`), failed (Ready
 * False or Stalled), reconciling (Ready Unknown, Reconciling True, no Ready
 * condition yet, or a generation not observed yet), otherwise ready.
 */
export function stateOf(object: FluxObject): {
  state: FluxState;
  reason?: string;
  message?: string;
} {
  const conditions = conditionsOf(object);
  const ready = conditions.find(c => c.type === 'Ready');
  const detail = {
    ...(ready?.reason ? { reason: String(ready.reason) } : {}),
    ...(ready?.message ? { message: String(ready.message) } : {}),
  };
  if (object.spec?.suspend === true) {
    return { state: 'suspended', ...detail };
  }
  const stalled = conditions.find(
    c => c.type === 'Stalled' && c.status === 'True',
  );
  if (ready?.status === 'False' || stalled) {
    return {
      state: 'failed',
      ...detail,
      ...(stalled && ready?.status !== 'False'
        ? {
            ...(stalled.reason ? { reason: String(stalled.reason) } : {}),
            ...(stalled.message ? { message: String(stalled.message) } : {}),
          }
        : {}),
    };
  }
  if (
    !ready ||
    ready.status !== 'True' ||
    conditions.some(c => c.type === 'Reconciling' && c.status === 'True')
  ) {
    return { state: 'reconciling', ...detail };
  }
  return { state: 'ready', ...detail };
}

const STATE_LABEL: Record<FluxState, string> = {
  ready: 'Ready',
  reconciling: 'Reconciling',
  failed: 'Failed',
  suspended: 'Suspended',
};

/** Longest condition message shown. */
const MAX_MESSAGE = 300;

/**
 * Every string value of a HelmRelease's values under a key naming a
 * secret (and any other string value of 6 or more characters), longest
 * first: what a condition message must never show.
 */
export function valuesToHide(object: FluxObject): string[] {
  const values = object.spec?.values;
  if (!values || typeof values !== 'object') {
    return [];
  }
  const hidden = new Set<string>();
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (value && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        walk(item, path ? `${path}.${key}` : key);
      }
    } else if (value !== null && value !== undefined) {
      const text = String(value);
      if (
        (isSecretConfigKey(path) && text.length >= 1) ||
        (typeof value === 'string' && text.length >= 6)
      ) {
        hidden.add(text);
      }
    }
  };
  walk(values, '');
  return [...hidden].sort((a, b) => b.length - a.length);
}

/**
 * A condition message safe to show: any value of the object's Helm values
 * replaced by `[hidden]` (a failed upgrade's message may quote them), cut
 * to 300 characters.
 */
export function safeMessage(message: string, object: FluxObject): string {
  let text = message;
  for (const value of valuesToHide(object)) {
    text = text.split(value).join('[hidden]');
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}

/** `kind/namespace/name` of a source reference, the namespace defaulting to the object's. */
export function sourceRefOf(
  found: Pick<FoundObject, 'kind' | 'object'>,
): { kind: string; namespace: string; name: string } | undefined {
  const ref =
    found.kind === 'Kustomization'
      ? found.object.spec?.sourceRef
      : found.object.spec?.chart?.spec?.sourceRef ??
        found.object.spec?.chartRef;
  if (!ref || typeof ref.name !== 'string' || !ref.name) {
    return undefined;
  }
  return {
    kind: typeof ref.kind === 'string' ? ref.kind : 'GitRepository',
    namespace:
      typeof ref.namespace === 'string' && ref.namespace
        ? ref.namespace
        : found.object.metadata?.namespace ?? '',
    name: ref.name,
  };
}

/**
 * A Flux revision split: `main@sha1:<commit>` (Flux v2), `main/<commit>`
 * (older), or a bare commit.
 */
export function commitOf(revision: string | undefined): string | undefined {
  if (!revision) {
    return undefined;
  }
  const digest = /(?:^|@)sha1:([0-9a-f]{7,40})$/i.exec(revision);
  if (digest) {
    return digest[1].toLowerCase();
  }
  const legacy = /^[^@]*\/([0-9a-f]{40})$/i.exec(revision);
  if (legacy) {
    return legacy[1].toLowerCase();
  }
  return /^[0-9a-f]{40}$/i.test(revision) ? revision.toLowerCase() : undefined;
}

/** A repository URL without user, password, query and fragment, for showing. */
export function shownUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    // scp-like git@host:path: drop the user
    return url.replace(/^[^@/]+@/, '').replace(/[?#].*$/, '');
  }
}

/**
 * The service's revision from a Kustomization: its last applied commit,
 * only when its source is a GitRepository of the service's own repository.
 */
export function ownRevision(
  found: FoundObject,
  entity: Entity,
): string | undefined {
  if (found.kind !== 'Kustomization') {
    return undefined;
  }
  const ref = sourceRefOf(found);
  if (ref?.kind !== 'GitRepository' || !found.sourceUrl) {
    return undefined;
  }
  if (!isEntityRepository(found.sourceUrl, entity)) {
    return undefined;
  }
  return commitOf(found.object.status?.lastAppliedRevision);
}

/** The chart and version a HelmRelease asks for, e.g. `shop-api@1.4.2`. */
export function chartOf(object: FluxObject): string | undefined {
  const chart = object.spec?.chart?.spec;
  if (chart && typeof chart.chart === 'string') {
    return `${chart.chart}${chart.version ? `@${chart.version}` : ''}`;
  }
  const ref = object.spec?.chartRef;
  if (ref && typeof ref.name === 'string') {
    return `${ref.kind ?? 'OCIRepository'}/${ref.name}`;
  }
  return undefined;
}

/** The newest release of a HelmRelease's history (v2 `status.history`). */
function latestRelease(object: FluxObject): Record<string, any> | undefined {
  const history = object.status?.history;
  return Array.isArray(history) && history[0] && typeof history[0] === 'object'
    ? history[0]
    : undefined;
}

/** The chart version a HelmRelease applied last. */
export function appliedChartVersion(object: FluxObject): string | undefined {
  const release = latestRelease(object);
  const version = release?.chartVersion ?? object.status?.lastAppliedRevision;
  return typeof version === 'string' && version ? version : undefined;
}

/** When a Flux object last applied something. */
export function appliedAt(found: FoundObject): string | undefined {
  const release =
    found.kind === 'HelmRelease' ? latestRelease(found.object) : undefined;
  const at =
    release?.lastDeployed ??
    conditionsOf(found.object).find(c => c.type === 'Ready')?.[
      'lastTransitionTime' as keyof Condition
    ];
  if (typeof at !== 'string') {
    return undefined;
  }
  const time = Date.parse(at);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** The object as a running resource. */
export function resourceOf(found: FoundObject): RunningResource {
  const { object, kind, cluster } = found;
  const details: Record<string, string> = {};
  const revision = object.status?.lastAppliedRevision;
  if (typeof revision === 'string' && revision) {
    details.revision = revision;
  }
  const ref = sourceRefOf(found);
  if (ref) {
    details.source = `${ref.kind} ${ref.namespace}/${ref.name}`;
  }
  if (found.sourceUrl) {
    details.sourceUrl = shownUrl(found.sourceUrl);
  }
  if (kind === 'HelmRelease') {
    const chart = chartOf(object);
    if (chart) {
      details.chart = chart;
    }
    const applied = appliedChartVersion(object);
    if (applied) {
      details.appliedChartVersion = applied;
    }
  } else if (typeof object.spec?.path === 'string') {
    details.path = object.spec.path;
  }
  return {
    kind,
    name: object.metadata?.name ?? '',
    ...(object.metadata?.namespace
      ? { namespace: object.metadata.namespace }
      : {}),
    location: cluster,
    status: STATE_LABEL[stateOf(object).state],
    ...(Object.keys(details).length ? { details } : {}),
  };
}

/** Findings about readiness: reconciling (info), failed and suspended (warnings), an unreadable source (info). */
export function stateFindings(found: FoundObject): DeploymentFinding[] {
  const { object, kind, cluster } = found;
  const name = `${object.metadata?.namespace ?? ''}/${
    object.metadata?.name ?? ''
  }`;
  const resource = {
    kind,
    name: object.metadata?.name ?? '',
    location: cluster,
  };
  const what = `${kind} ${name} on ${cluster}`;
  const { state, reason, message } = stateOf(object);
  let because = reason ? ` (${reason})` : '';
  if (message) {
    because = `: ${safeMessage(message, object)}`;
  }
  const findings: DeploymentFinding[] = [];
  if (state === 'suspended') {
    findings.push({
      type: 'flux-suspended',
      severity: 'warning',
      message: `${what} is suspended: Flux does not apply changes to it`,
      resource,
    });
  } else if (state === 'failed') {
    findings.push({
      type: 'flux-failed',
      severity: 'warning',
      message: `${what} is not ready${because}`,
      resource,
    });
  } else if (state === 'reconciling') {
    findings.push({
      type: 'flux-reconciling',
      severity: 'info',
      message: `${what} is reconciling${because}`,
      resource,
    });
  }
  if (found.sourceError) {
    findings.push({
      type: 'flux-source-unknown',
      severity: 'info',
      message: `The source of ${what} could not be read, so its revision is not taken as the service's: ${found.sourceError}`,
      resource,
    });
  }
  return findings;
}

/**
 * The configuration of one Flux object as fingerprints under `prefix`:
 * HelmRelease values (hashes only, secret keys marked secret), chart
 * (shown) and `valuesFrom` references (shown: kinds and names only);
 * Kustomization path and images (shown) and post-build substitutions
 * (hashes only).
 */
export function configOf(
  found: FoundObject,
  prefix: string,
  fingerprinter: ConfigFingerprinter,
): Record<string, ConfigFingerprint> {
  const { object, kind } = found;
  const spec = object.spec ?? {};
  let config: Record<string, ConfigFingerprint> = {};
  const show = (key: string, value: string) => {
    config[`${prefix}${key}`] = fingerprinter.fingerprint(value, {
      show: true,
    });
  };
  if (kind === 'HelmRelease') {
    const chart = chartOf(object);
    if (chart) {
      show('helm.chart', chart);
    }
    if (
      spec.values &&
      typeof spec.values === 'object' &&
      !Array.isArray(spec.values)
    ) {
      config = {
        ...config,
        ...helmValuesFingerprints(
          spec.values,
          `${prefix}helm.values.`,
          fingerprinter,
        ),
      };
    }
    if (Array.isArray(spec.valuesFrom) && spec.valuesFrom.length) {
      show(
        'helm.valuesFrom',
        spec.valuesFrom
          .map(
            (v: any) =>
              `${v?.kind ?? ''}/${v?.name ?? ''}${
                v?.valuesKey ? `:${v.valuesKey}` : ''
              }`,
          )
          .join(', '),
      );
    }
    return config;
  }
  if (typeof spec.path === 'string') {
    show('kustomize.path', spec.path);
  }
  for (const image of Array.isArray(spec.images) ? spec.images : []) {
    if (image && typeof image.name === 'string') {
      const digest = image.digest ? `@${image.digest}` : '';
      const value = image.newName
        ? `${image.newName}${image.newTag ? `:${image.newTag}` : ''}${digest}`
        : `${image.newTag ?? ''}${digest}`;
      show(`kustomize.images.${image.name}`, value || image.name);
    }
  }
  const substitute = spec.postBuild?.substitute;
  if (substitute && typeof substitute === 'object') {
    for (const [key, value] of Object.entries(substitute)) {
      config[`${prefix}kustomize.substitute.${key}`] =
        fingerprinter.fingerprint(String(value), {
          secret: isSecretConfigKey(key),
        });
    }
  }
  return config;
}
