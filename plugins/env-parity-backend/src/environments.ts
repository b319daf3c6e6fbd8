import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import { InputError } from '@backstage/errors';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const CACHE_MS = 60_000;

const DEFAULT_ENVIRONMENTS: EnvironmentDefinition[] = [
  {
    name: 'development',
    title: 'Development',
    reference: false,
    source: 'config',
  },
  { name: 'staging', title: 'Staging', reference: false, source: 'config' },
  {
    name: 'production',
    title: 'Production',
    reference: true,
    source: 'config',
  },
];

/**
 * Reads `envParity.environments`, failing start-up with a clear message on
 * a bad definition rather than computing nonsense later.
 */
export function readEnvironmentsConfig(
  config: Config,
): EnvironmentDefinition[] {
  const list = config.getOptionalConfigArray('envParity.environments');
  if (!list || list.length === 0) {
    return DEFAULT_ENVIRONMENTS;
  }
  const seen = new Set<string>();
  const environments = list.map((c, index) => {
    const name = c.getString('name');
    if (!NAME.test(name)) {
      throw new InputError(
        `envParity.environments[${index}].name "${name}" must be lowercase letters, digits and dashes`,
      );
    }
    if (seen.has(name)) {
      throw new InputError(`envParity.environments lists "${name}" twice`);
    }
    seen.add(name);
    const owner = c.getOptionalString('owner');
    return {
      name,
      title: c.getOptionalString('title') ?? name,
      reference: c.getOptionalBoolean('reference') ?? false,
      ...(owner ? { owner } : {}),
      source: 'config' as const,
    };
  });
  const references = environments.filter(e => e.reference);
  if (references.length > 1) {
    throw new InputError(
      `envParity.environments marks ${references
        .map(e => e.name)
        .join(' and ')} as reference; mark only one`,
    );
  }
  if (references.length === 0) {
    environments[environments.length - 1].reference = true;
  }
  return environments;
}

function isEnvironmentResource(entity: Entity): boolean {
  return entity.kind === 'Resource' && entity.spec?.type === 'environment';
}

/**
 * The environments in promotion order: configured ones, with owners (and
 * any extra environments) from catalog `Resource` entities of type
 * `environment`.
 */
export class EnvironmentRegistry {
  private cached?: { at: number; value: Promise<EnvironmentDefinition[]> };

  static fromConfig(
    config: Config,
    deps: { catalog: CatalogService; auth: AuthService; logger: LoggerService },
  ) {
    return new EnvironmentRegistry(
      readEnvironmentsConfig(config),
      config.getOptionalBoolean('envParity.environmentsFromCatalog') ?? true,
      deps,
    );
  }

  constructor(
    private readonly configured: EnvironmentDefinition[],
    private readonly fromCatalog: boolean,
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
    },
  ) {}

  async list(): Promise<EnvironmentDefinition[]> {
    if (!this.fromCatalog) {
      return this.configured;
    }
    const now = Date.now();
    if (!this.cached || now - this.cached.at > CACHE_MS) {
      const value = this.load().catch(error => {
        this.deps.logger.warn(
          `Could not read environment resources from the catalog: ${error}`,
        );
        this.cached = undefined;
        return this.configured;
      });
      this.cached = { at: now, value };
    }
    return this.cached.value;
  }

  private async load(): Promise<EnvironmentDefinition[]> {
    // Environment definitions are shared setup, not per-user data: read them
    // once for everyone with the plugin's own credentials.
    const { items } = await this.deps.catalog.getEntities(
      {
        filter: { kind: 'Resource', 'spec.type': 'environment' },
        fields: ['kind', 'metadata', 'spec'],
      },
      { credentials: await this.deps.auth.getOwnServiceCredentials() },
    );
    const resources = new Map<string, Entity>();
    for (const entity of items.filter(isEnvironmentResource)) {
      if (NAME.test(entity.metadata.name)) {
        resources.set(entity.metadata.name, entity);
      }
    }
    const ownerOf = (entity?: Entity) => {
      const owner = entity?.spec?.owner;
      if (typeof owner !== 'string' || !owner) {
        return undefined;
      }
      return stringifyEntityRef(
        parseEntityRef(owner, {
          defaultKind: 'group',
          defaultNamespace: entity!.metadata.namespace ?? 'default',
        }),
      );
    };
    const environments = this.configured.map(e => {
      const owner = e.owner ?? ownerOf(resources.get(e.name));
      return owner ? { ...e, owner } : e;
    });
    const extra: EnvironmentDefinition[] = [...resources.values()]
      .filter(r => !this.configured.some(e => e.name === r.metadata.name))
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map(r => {
        const owner = ownerOf(r);
        return {
          name: r.metadata.name,
          title: r.metadata.title ?? r.metadata.name,
          reference: false,
          ...(owner ? { owner } : {}),
          source: 'catalog' as const,
        };
      });
    const referenceIndex = environments.findIndex(e => e.reference);
    environments.splice(referenceIndex, 0, ...extra);
    return environments;
  }
}
