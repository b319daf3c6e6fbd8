import { LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConfigFingerprint,
  Deployment,
} from '@env-parity/plugin-env-parity-common';
import {
  ConfigFingerprinter,
  DeploymentProvider,
  ObserveRequest,
  ProviderObservation,
} from '@env-parity/plugin-env-parity-node';
import {
  hasKubernetesAnnotations,
  KubernetesApiError,
  KubernetesClient,
  KubernetesClusters,
  kubernetesTarget,
  MappedCluster,
} from '@env-parity/plugin-env-parity-backend-module-kubernetes';
import { ANNOTATIONS, NamedObject, readNamedObjects } from './config';
import {
  appliedAt,
  configOf,
  FLUX_TYPES,
  FluxObject,
  FoundObject,
  ownRevision,
  resourceOf,
  sourceRefOf,
  stateFindings,
} from './objects';

/** How a service's Flux objects are found. */
type Lookup =
  | {
      by: 'name';
      kustomizations: NamedObject[];
      helmReleases: NamedObject[];
    }
  | { by: 'selector'; labelSelector: string; namespace?: string };

function annotation(entity: Entity, key: string): string | undefined {
  return entity.metadata.annotations?.[key]?.trim() || undefined;
}

/**
 * How to find the entity's Flux objects: by the names of the
 * `env-parity/flux-*` annotations, or else by the label selector and
 * namespace of the Kubernetes annotations. Throws an Error naming a bad
 * annotation.
 */
export function lookupOf(entity: Entity): Lookup {
  const kustomizations = readNamedObjects(
    ANNOTATIONS.kustomization,
    annotation(entity, ANNOTATIONS.kustomization),
  );
  const helmReleases = readNamedObjects(
    ANNOTATIONS.helmRelease,
    annotation(entity, ANNOTATIONS.helmRelease),
  );
  if (kustomizations.length || helmReleases.length) {
    return { by: 'name', kustomizations, helmReleases };
  }
  const target = kubernetesTarget(entity);
  return {
    by: 'selector',
    labelSelector: target.labelSelector,
    ...(target.namespace ? { namespace: target.namespace } : {}),
  };
}

/** A failure as shown for a cluster: KubernetesApiError messages name the cluster and carry no body or token. */
function errorMessage(cluster: string, error: unknown): string {
  if (error instanceof KubernetesApiError) {
    return error.message;
  }
  // anything else is a bug; its message could hold data, so it is not shown
  return `cluster ${cluster}: reading Flux objects failed unexpectedly`;
}

/**
 * Reads what Flux applies for a service in the clusters the Kubernetes
 * module maps to environments: Kustomizations (applied revision, source,
 * readiness, suspension) and HelmReleases (chart and version, applied
 * chart version, readiness, values as fingerprints).
 *
 * @public
 */
export class FluxDeploymentProvider implements DeploymentProvider {
  /** As Argo CD: below a cluster (100), which sees the running digests. */
  readonly precedence = 90;

  constructor(
    private readonly options: {
      clusters: KubernetesClusters;
      fingerprinter: ConfigFingerprinter;
      logger: LoggerService;
    },
  ) {}

  getProviderName() {
    return 'flux';
  }

  supports(entity: Entity): boolean {
    return Boolean(
      annotation(entity, ANNOTATIONS.kustomization) ||
        annotation(entity, ANNOTATIONS.helmRelease) ||
        hasKubernetesAnnotations(entity),
    );
  }

  async observe({
    entity,
    environments,
    signal,
  }: ObserveRequest): Promise<ProviderObservation[]> {
    const known = environments.map(e => e.name);
    let lookup: Lookup;
    try {
      lookup = lookupOf(entity);
    } catch (error) {
      const message = (error as Error).message;
      return known.map(environment => ({ environment, error: message }));
    }

    let clusters: MappedCluster[];
    try {
      clusters = await this.options.clusters.connect(known);
    } catch (error) {
      // proxy mode: discovery or the service token failed (no cluster was asked)
      const message = `could not connect to the Kubernetes backend: ${String(
        (error as Error)?.message ?? error,
      )}`;
      this.options.logger.warn(message);
      return known.map(environment => ({ environment, error: message }));
    }
    if (clusters.length === 0) {
      return [];
    }

    const entityRef = stringifyEntityRef(entity);
    const results = await Promise.all(
      clusters.map(async cluster => {
        if (!cluster.client) {
          return { cluster, error: cluster.error ?? 'not readable' };
        }
        try {
          const found = await this.find(
            cluster.cluster,
            cluster.client,
            lookup,
            signal,
          );
          this.options.logger.debug(
            `cluster ${cluster.cluster}: ${found.length} Flux objects of ${entityRef}`,
          );
          return { cluster, found };
        } catch (error) {
          const message = errorMessage(cluster.cluster, error);
          this.options.logger.debug(
            `could not read the Flux objects of ${entityRef}: ${message}`,
          );
          return { cluster, error: message };
        }
      }),
    );

    const observations: ProviderObservation[] = [];
    for (const environment of known) {
      const mine = results.filter(r => r.cluster.environment === environment);
      if (mine.length === 0) {
        continue;
      }
      const errors = mine.flatMap(r => (r.error ? [r.error] : []));
      if (errors.length) {
        observations.push({
          environment,
          error: [...new Set(errors)].join('; '),
        });
        continue;
      }
      const found = mine.flatMap(r => r.found ?? []);
      if (found.length) {
        observations.push({
          environment,
          deployment: this.deployment(entity, found),
        });
      }
    }
    return observations;
  }

  /** The entity's Flux objects in one cluster, each with its source's URL. */
  private async find(
    cluster: string,
    client: KubernetesClient,
    lookup: Lookup,
    signal?: AbortSignal,
  ): Promise<FoundObject[]> {
    const objects: Array<{ kind: FoundObject['kind']; object: FluxObject }> =
      [];
    if (lookup.by === 'name') {
      const named = [
        ...lookup.kustomizations.map(n => ({
          ...n,
          kind: 'Kustomization' as const,
          type: FLUX_TYPES.kustomizations,
        })),
        ...lookup.helmReleases.map(n => ({
          ...n,
          kind: 'HelmRelease' as const,
          type: FLUX_TYPES.helmreleases,
        })),
      ];
      const read = await Promise.all(
        named.map(n => client.get(n.type, n.namespace, n.name, signal)),
      );
      read.forEach((object, i) => {
        if (object) {
          objects.push({ kind: named[i].kind, object: object as FluxObject });
        }
      });
    } else {
      const request = {
        labelSelector: lookup.labelSelector,
        namespace: lookup.namespace,
        signal,
        // the Flux CRDs are not installed on every cluster
        optional: true,
      };
      const [kustomizations, helmReleases] = await Promise.all([
        client.list(FLUX_TYPES.kustomizations, request),
        client.list(FLUX_TYPES.helmreleases, request),
      ]);
      for (const object of kustomizations ?? []) {
        objects.push({ kind: 'Kustomization', object: object as FluxObject });
      }
      for (const object of helmReleases ?? []) {
        objects.push({ kind: 'HelmRelease', object: object as FluxObject });
      }
    }

    // each GitRepository read once per observation and cluster
    const sources = new Map<
      string,
      Promise<{ url?: string; error?: string }>
    >();
    const readSource = (namespace: string, name: string) => {
      const key = `${namespace}/${name}`;
      let source = sources.get(key);
      if (!source) {
        source = client
          .get(FLUX_TYPES.gitrepositories, namespace, name, signal)
          .then(repository => {
            const url = (repository as FluxObject | undefined)?.spec?.url;
            if (typeof url === 'string' && url) {
              return { url };
            }
            return {
              error: repository
                ? `GitRepository ${key} has no spec.url`
                : `GitRepository ${key} not found on cluster ${cluster}`,
            };
          })
          .catch(error => ({ error: errorMessage(cluster, error) }));
        sources.set(key, source);
      }
      return source;
    };

    return Promise.all(
      objects.map(async ({ kind, object }) => {
        const found: FoundObject = { kind, object, cluster };
        const ref = sourceRefOf(found);
        if (ref?.kind === 'GitRepository' && ref.namespace) {
          const source = await readSource(ref.namespace, ref.name);
          if (source.url) {
            found.sourceUrl = source.url;
          } else if (kind === 'Kustomization') {
            // only a Kustomization's source decides the service's revision
            found.sourceError = source.error;
          }
        }
        return found;
      }),
    );
  }

  /** One deployment from the Flux objects of one environment. */
  private deployment(entity: Entity, found: FoundObject[]): Deployment {
    const items = [...found].sort(
      (a, b) =>
        a.cluster.localeCompare(b.cluster) ||
        a.kind.localeCompare(b.kind) ||
        (a.object.metadata?.namespace ?? '').localeCompare(
          b.object.metadata?.namespace ?? '',
        ) ||
        (a.object.metadata?.name ?? '').localeCompare(
          b.object.metadata?.name ?? '',
        ),
    );
    const deployment: Deployment = {};
    const revision = items.map(item => ownRevision(item, entity)).find(Boolean);
    if (revision) {
      deployment.revision = revision;
    }
    const times = items
      .map(appliedAt)
      .filter((t): t is string => Boolean(t))
      .sort();
    if (times.length) {
      deployment.deployedAt = times[times.length - 1];
      deployment.deployedBy = 'Flux';
    }

    // keys are prefixed by the object's name only where one kind has several
    // objects in the environment: names often name the environment
    const perKind = new Map<string, number>();
    items.forEach(i => perKind.set(i.kind, (perKind.get(i.kind) ?? 0) + 1));
    let config: Record<string, ConfigFingerprint> = {};
    for (const item of items) {
      const prefix =
        (perKind.get(item.kind) ?? 0) > 1
          ? `${item.object.metadata?.namespace ?? ''}/${
              item.object.metadata?.name ?? ''
            }:`
          : '';
      config = {
        ...config,
        ...configOf(item, prefix, this.options.fingerprinter),
      };
    }
    if (Object.keys(config).length) {
      deployment.config = config;
    }
    deployment.resources = items.map(resourceOf);
    const findings = items.flatMap(stateFindings);
    if (findings.length) {
      deployment.findings = findings;
    }
    return deployment;
  }
}
