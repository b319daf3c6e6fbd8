import { Entity } from '@backstage/catalog-model';
import {
  ConfigFingerprint,
  DeploymentFinding,
  RunningResource,
} from '@env-parity/plugin-env-parity-common';
import {
  ConfigFingerprinter,
  flattenValues,
  isEntityRepository,
  isSecretConfigKey,
  normaliseRepoUrl,
} from '@env-parity/plugin-env-parity-node';
import { parse as parseYaml } from 'yaml';
import { Application, ApplicationSource } from './ArgocdClient';

/** Whether a configuration key path names a secret (any of its segments). */
export const isSecretKey = isSecretConfigKey;

/** Whether an Application source repository is the entity's own repository. */
export const isOwnRepo = isEntityRepository;

export { normaliseRepoUrl };

/** The sources of an application, with the prefix of their config keys. */
export function sourcesOf(
  app: Application,
): Array<{ source: ApplicationSource; prefix: string; index: number }> {
  const sources = app.spec?.sources;
  if (Array.isArray(sources) && sources.length) {
    return sources.map((source, index) => ({
      source: source ?? {},
      prefix: `source[${index}].`,
      index,
    }));
  }
  return [{ source: app.spec?.source ?? {}, prefix: '', index: 0 }];
}

/**
 * The sync revision, and whether it is a revision of the entity's own
 * repository (the only case in which it is the deployment's revision).
 */
export function syncRevision(
  app: Application,
  entity: Entity,
): { own?: string; shown?: string } {
  const sync = app.status?.sync;
  const revisions = Array.isArray(sync?.revisions)
    ? sync!.revisions!.filter(r => typeof r === 'string' && r)
    : [];
  const multi = Array.isArray(app.spec?.sources) && app.spec!.sources!.length;
  if (multi) {
    const shown = revisions[0] ?? sync?.revision;
    const own = sourcesOf(app).find(s => isOwnRepo(s.source.repoURL, entity));
    return {
      ...(own && revisions[own.index] ? { own: revisions[own.index] } : {}),
      ...(shown ? { shown } : {}),
    };
  }
  const revision = sync?.revision || revisions[0];
  if (!revision) {
    return {};
  }
  return isOwnRepo(app.spec?.source?.repoURL, entity)
    ? { own: revision, shown: revision }
    : { shown: revision };
}

/** The last path segment of an image reference, without tag and digest. */
export function imageName(reference: string): string {
  const withoutDigest = reference.split('@')[0];
  const last = withoutDigest.split('/').pop() ?? '';
  return last.split(':')[0];
}

/** The images of an Application's summary. */
export function imagesOf(app: Application): string[] {
  const images = app.status?.summary?.images;
  return Array.isArray(images)
    ? images.filter((i): i is string => typeof i === 'string' && i !== '')
    : [];
}

/** Splits a kustomize image override `[old=]new[:tag][@digest]`. */
export function parseKustomizeImage(
  entry: string,
): { name: string; value: string } | undefined {
  const text = entry.trim();
  if (!text) {
    return undefined;
  }
  const eq = text.indexOf('=');
  const original = eq >= 0 ? text.slice(0, eq) : undefined;
  const replacement = eq >= 0 ? text.slice(eq + 1) : text;
  const split = (ref: string) => {
    const at = ref.indexOf('@');
    const digest = at >= 0 ? ref.slice(at + 1) : undefined;
    const withoutDigest = at >= 0 ? ref.slice(0, at) : ref;
    const colon = withoutDigest.lastIndexOf(':');
    const slash = withoutDigest.lastIndexOf('/');
    const tag = colon > slash ? withoutDigest.slice(colon + 1) : undefined;
    const name = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
    return { name, tag, digest };
  };
  const target = split(replacement);
  const name = original ? split(original).name : target.name;
  if (!name) {
    return undefined;
  }
  const version = [
    target.tag ? `${target.tag}` : '',
    target.digest ? `@${target.digest}` : '',
  ].join('');
  const value =
    target.name && target.name !== name
      ? `${target.name}${target.tag ? `:${target.tag}` : ''}${
          target.digest ? `@${target.digest}` : ''
        }`
      : version || replacement;
  return { name, value };
}

/** The Application a finding is about. */
export function findingResource(
  app: Application,
  instance: string,
): NonNullable<DeploymentFinding['resource']> {
  return { kind: 'Application', name: app.metadata.name, location: instance };
}

/**
 * The configuration fingerprints of one Application: Helm parameters and
 * values (hashed, never shown), value files, Kustomize images and name
 * prefix/suffix (shown). Malformed Helm values are a finding, not a failure.
 */
export function configOf(
  app: Application,
  instance: string,
  fingerprinter: ConfigFingerprinter,
): {
  config: Record<string, ConfigFingerprint>;
  findings: DeploymentFinding[];
} {
  const config: Record<string, ConfigFingerprint> = {};
  const findings: DeploymentFinding[] = [];
  const name = app.metadata.name;
  for (const { source, prefix } of sourcesOf(app)) {
    const helm = source.helm;
    if (helm) {
      for (const parameter of Array.isArray(helm.parameters)
        ? helm.parameters
        : []) {
        if (!parameter?.name) {
          continue;
        }
        config[`${prefix}helm.parameters.${parameter.name}`] =
          fingerprinter.fingerprint(String(parameter.value ?? ''), {
            secret: isSecretKey(parameter.name),
          });
      }
      const values: Array<[string, string]> = [];
      if (typeof helm.values === 'string' && helm.values.trim()) {
        let parsed: unknown;
        let valid = true;
        try {
          parsed = parseYaml(helm.values);
        } catch {
          valid = false;
        }
        if (
          valid &&
          parsed !== null &&
          parsed !== undefined &&
          (typeof parsed !== 'object' || Array.isArray(parsed))
        ) {
          valid = false;
        }
        if (valid) {
          flattenValues(parsed ?? {}, '', values);
        } else {
          // never quote the YAML or the parser's message: it holds values
          findings.push({
            type: 'invalid-helm-values',
            severity: 'info',
            message: `The Helm values of Application ${name} on ${instance}${
              prefix ? ` (${prefix.slice(0, -1)})` : ''
            } are not a valid YAML mapping; they are not compared`,
            resource: findingResource(app, instance),
          });
        }
      }
      if (
        helm.valuesObject !== null &&
        typeof helm.valuesObject === 'object' &&
        !Array.isArray(helm.valuesObject)
      ) {
        // Argo CD gives valuesObject precedence over values
        flattenValues(helm.valuesObject, '', values);
      }
      for (const [path, value] of values) {
        if (!path) {
          continue;
        }
        config[`${prefix}helm.values.${path}`] = fingerprinter.fingerprint(
          value,
          { secret: isSecretKey(path) },
        );
      }
      if (Array.isArray(helm.valueFiles) && helm.valueFiles.length) {
        config[`${prefix}helm.valueFiles`] = fingerprinter.fingerprint(
          helm.valueFiles.join(', '),
          { show: true },
        );
      }
    }
    const kustomize = source.kustomize;
    if (kustomize) {
      for (const entry of Array.isArray(kustomize.images)
        ? kustomize.images
        : []) {
        const image =
          typeof entry === 'string' ? parseKustomizeImage(entry) : undefined;
        if (image) {
          config[`${prefix}kustomize.images.${image.name}`] =
            fingerprinter.fingerprint(image.value, { show: true });
        }
      }
      for (const field of ['namePrefix', 'nameSuffix'] as const) {
        const value = kustomize[field];
        if (typeof value === 'string' && value) {
          config[`${prefix}kustomize.${field}`] = fingerprinter.fingerprint(
            value,
            { show: true },
          );
        }
      }
    }
  }
  return { config, findings };
}

/** `<server or name>/<namespace>` of an Application's destination. */
export function destinationOf(app: Application): string | undefined {
  const destination = app.spec?.destination;
  const where = destination?.server || destination?.name;
  if (!where && !destination?.namespace) {
    return undefined;
  }
  return `${where ?? ''}/${destination?.namespace ?? ''}`;
}

/** The Application as a running resource. */
export function resourceOf(
  app: Application,
  instance: string,
  revision: string | undefined,
): RunningResource {
  const sync = app.status?.sync?.status || 'Unknown';
  const health = app.status?.health?.status || 'Unknown';
  const details: Record<string, string> = {};
  if (revision) {
    details.revision = revision;
  }
  const destination = destinationOf(app);
  if (destination) {
    details.destination = destination;
  }
  if (app.spec?.project) {
    details.project = app.spec.project;
  }
  const finishedAt = app.status?.operationState?.finishedAt;
  if (finishedAt) {
    details.lastSync = finishedAt;
  }
  const images = imagesOf(app).map(image => {
    const digest = /@(sha256:[0-9a-f]{64})$/i.exec(image)?.[1];
    return { image, ...(digest ? { digests: [digest.toLowerCase()] } : {}) };
  });
  return {
    kind: 'Application',
    name: app.metadata.name,
    ...(app.metadata.namespace ? { namespace: app.metadata.namespace } : {}),
    location: instance,
    status: `${sync} / ${health}`,
    ...(images.length ? { images } : {}),
    ...(Object.keys(details).length ? { details } : {}),
  };
}

/** Findings about sync and health worth showing on their own. */
export function statusFindings(
  app: Application,
  instance: string,
): DeploymentFinding[] {
  const findings: DeploymentFinding[] = [];
  const name = app.metadata.name;
  const resource = findingResource(app, instance);
  if (app.status?.sync?.status === 'OutOfSync') {
    findings.push({
      type: 'out-of-sync',
      severity: 'warning',
      message: `Application ${name} on ${instance} is OutOfSync`,
      resource,
    });
  }
  const health = app.status?.health?.status;
  if (health === 'Degraded' || health === 'Missing') {
    findings.push({
      type: health.toLowerCase(),
      severity: 'warning',
      message: `Application ${name} on ${instance} is ${health}`,
      resource,
    });
  } else if (health === 'Progressing') {
    findings.push({
      type: 'progressing',
      severity: 'info',
      message: `Application ${name} on ${instance} is Progressing`,
      resource,
    });
  }
  return findings;
}

/** Who started the last operation. */
export function deployedByOf(app: Application): string | undefined {
  const initiatedBy = app.status?.operationState?.operation?.initiatedBy;
  if (initiatedBy?.username) {
    return initiatedBy.username;
  }
  return initiatedBy?.automated ? 'automated sync' : undefined;
}

/** The Argo CD UI link of an Application. */
export function linkOf(app: Application, instanceUrl: string) {
  const name = encodeURIComponent(app.metadata.name);
  const path = app.metadata.namespace
    ? `${encodeURIComponent(app.metadata.namespace)}/${name}`
    : name;
  return {
    title: `Argo CD: ${app.metadata.name}`,
    url: `${instanceUrl}/applications/${path}`,
  };
}
