import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { CONFIG_KEY, ENVIRONMENT_ANNOTATION } from './config';

/** One cluster mapped to the environment it serves, and where that mapping comes from. */
export interface ClusterEnvironment {
  cluster: string;
  environment: string;
  source: 'config' | 'catalog';
  /** The kubernetes-cluster Resource carrying the annotation (source catalog). */
  entityRef?: string;
}

/** How long the catalog's mapping is kept. */
export const CATALOG_MAPPING_TTL_MS = 5 * 60_000;
/** How long after a failed catalog read config alone is used before trying again. */
export const CATALOG_FAILURE_TTL_MS = 30_000;

/**
 * Which clusters serve which environment: `envParity.kubernetes.clusters`
 * and, with a catalog, the `env-parity/environment` annotation of
 * `kind: Resource`, `spec.type: kubernetes-cluster` entities (the ones the
 * Kubernetes plugin's catalog cluster locator reads; the cluster name is
 * `metadata.name`). Only names and environments are taken from the
 * catalog, never URLs or credentials. Config wins on conflict. The
 * catalog's mapping is cached; when the catalog cannot be read, the config
 * mapping is used alone (with a warning).
 */
export class ClusterEnvironments {
  private readonly config: ClusterEnvironment[];
  private cached?: { at: number; ttl: number; entries: ClusterEnvironment[] };
  private loading?: Promise<ClusterEnvironment[]>;
  private readonly warned = new Set<string>();

  constructor(
    private readonly options: {
      /** Cluster name → environment, from config. */
      config: Map<string, string>;
      /** Without it only the config mapping is used. */
      catalog?: { service: CatalogService; auth: AuthService };
      logger: LoggerService;
      ttlMs?: number;
      failureTtlMs?: number;
      now?: () => number;
    },
  ) {
    this.config = [...options.config].map(([cluster, environment]) => ({
      cluster,
      environment,
      source: 'config',
    }));
  }

  /** Every mapped cluster, config first, then the catalog's clusters config does not name. */
  async get(): Promise<ClusterEnvironment[]> {
    if (!this.options.catalog) {
      return this.config;
    }
    const now = (this.options.now ?? Date.now)();
    if (this.cached && now - this.cached.at < this.cached.ttl) {
      return this.cached.entries;
    }
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<ClusterEnvironment[]> {
    const now = (this.options.now ?? Date.now)();
    const { service, auth } = this.options.catalog!;
    let entities: Entity[];
    try {
      const response = await service.getEntities(
        {
          filter: { kind: 'Resource', 'spec.type': 'kubernetes-cluster' },
          fields: [
            'kind',
            'metadata.name',
            'metadata.namespace',
            `metadata.annotations.${ENVIRONMENT_ANNOTATION}`,
          ],
        },
        { credentials: await auth.getOwnServiceCredentials() },
      );
      entities = response.items;
    } catch (error) {
      this.options.logger.warn(
        `${CONFIG_KEY}: could not read the ${ENVIRONMENT_ANNOTATION} annotations of kubernetes-cluster Resources from the catalog; using ${CONFIG_KEY}.clusters alone for now: ${
          (error as Error)?.message ?? error
        }`,
      );
      this.cached = {
        at: now,
        ttl: this.options.failureTtlMs ?? CATALOG_FAILURE_TTL_MS,
        entries: this.config,
      };
      return this.config;
    }

    const entries = [...this.config];
    const fromCatalog = new Map<string, ClusterEnvironment>();
    const annotated = entities
      .filter(
        e => e.metadata?.annotations?.[ENVIRONMENT_ANNOTATION] !== undefined,
      )
      .map(e => ({ entity: e, ref: stringifyEntityRef(e) }))
      .sort((a, b) => a.ref.localeCompare(b.ref));
    for (const { entity, ref } of annotated) {
      const cluster = entity.metadata.name;
      const environment = String(
        entity.metadata.annotations![ENVIRONMENT_ANNOTATION],
      ).trim();
      if (!environment) {
        this.warnOnce(
          `${ref}: annotation ${ENVIRONMENT_ANNOTATION} is empty; cluster ${cluster} is not mapped by it`,
        );
        continue;
      }
      const configured = this.options.config.get(cluster);
      if (configured !== undefined) {
        if (configured !== environment) {
          this.warnOnce(
            `${CONFIG_KEY}.clusters maps cluster ${cluster} to environment "${configured}", the ${ENVIRONMENT_ANNOTATION} annotation of ${ref} to "${environment}"; the config wins`,
          );
        }
        continue;
      }
      const earlier = fromCatalog.get(cluster);
      if (earlier) {
        if (earlier.environment !== environment) {
          this.warnOnce(
            `the ${ENVIRONMENT_ANNOTATION} annotations of ${earlier.entityRef} and ${ref} map cluster ${cluster} to "${earlier.environment}" and "${environment}"; ${earlier.entityRef} wins`,
          );
        }
        continue;
      }
      const entry: ClusterEnvironment = {
        cluster,
        environment,
        source: 'catalog',
        entityRef: ref,
      };
      fromCatalog.set(cluster, entry);
      entries.push(entry);
    }
    this.cached = {
      at: now,
      ttl: this.options.ttlMs ?? CATALOG_MAPPING_TTL_MS,
      entries,
    };
    return entries;
  }

  private warnOnce(message: string) {
    if (!this.warned.has(message)) {
      this.warned.add(message);
      this.options.logger.warn(message);
    }
  }
}
