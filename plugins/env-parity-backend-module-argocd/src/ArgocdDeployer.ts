import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  AuthenticationError,
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { AlignmentTarget } from '@env-parity/plugin-env-parity-common';
import {
  AlignmentDeployerContext,
  AlignmentDeployerDescription,
  AlignmentDeployRequest,
  AlignmentDispatchResult,
  EnvParityDeployer,
} from '@env-parity/plugin-env-parity-node';
import { isOwnRepo, sourcesOf } from './applications';
import {
  Application,
  ApplicationSource,
  ArgocdRequestError,
} from './ArgocdClient';
import { ArgocdDeploymentProvider } from './ArgocdDeploymentProvider';

/** The config key of the deployer's own settings. */
export const ALIGN_CONFIG_KEY = 'envParity.align.argocd';

/** Argo CD's annotation-based tracking of what an application manages. */
const TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';
/** Argo CD's label-based tracking (the default before v3). */
const INSTANCE_LABEL = 'app.kubernetes.io/instance';

/** Options of {@link ArgocdDeployer}. */
export interface ArgocdDeployerOptions {
  /**
   * The Helm parameter holding the image, e.g. `image.tag` (set to
   * production's tag), `image.digest` (its `sha256:` digest) or any other
   * name (its whole artifact reference).
   */
  imageParameter?: string;
}

/** The value the image parameter gets: by the parameter's name. */
export function imageValue(
  parameter: string,
  target: AlignmentTarget,
): string | undefined {
  const name = parameter.toLowerCase();
  if (name.endsWith('digest')) {
    return target.digest;
  }
  if (name.endsWith('tag')) {
    const reference = target.artifact?.split('@')[0] ?? '';
    const lastPart = reference.split('/').pop() ?? '';
    const colon = lastPart.lastIndexOf(':');
    return colon >= 0 ? lastPart.slice(colon + 1) : target.version;
  }
  return target.artifact;
}

/**
 * Why Argo CD would undo a change made through its API, or undefined: an
 * application syncing automatically with self-heal whose own definition
 * comes from Git (an app-of-apps parent tracks it, or an ApplicationSet
 * generates it) gets its spec put back from Git.
 */
export function undoneBy(app: Application): string | undefined {
  if (!app.spec?.syncPolicy?.automated?.selfHeal) {
    return undefined;
  }
  const appSet = app.metadata.ownerReferences?.find(
    o => o.kind === 'ApplicationSet',
  );
  if (appSet) {
    return `the ApplicationSet ${appSet.name ?? '(unnamed)'} that generates it`;
  }
  const tracking = app.metadata.annotations?.[TRACKING_ANNOTATION];
  const parent =
    tracking?.split(':')[0] || app.metadata.labels?.[INSTANCE_LABEL];
  if (parent && parent !== app.metadata.name) {
    return `the application ${parent} that defines it from Git`;
  }
  return undefined;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/** An Argo CD failure as the `@backstage/errors` error the lifecycle shows. */
function toDeployerError(error: unknown): Error {
  if (!(error instanceof ArgocdRequestError)) {
    return error as Error;
  }
  const { message, status } = error;
  if (status === 401) return new AuthenticationError(message);
  if (status === 403) return new NotAllowedError(message);
  if (status === 404) return new NotFoundError(message);
  if (status === 409) return new ConflictError(message);
  if (status !== undefined && status >= 400 && status < 500) {
    return new InputError(message);
  }
  return new ServiceUnavailableError(message);
}

/**
 * The `argocd` alignment deployer: for the one Application the Argo CD
 * module maps to the environment, sets the target revision of the sources
 * in the service's own repository to production's revision and, where
 * `envParity.align.argocd.imageParameter` is set, that Helm parameter to
 * production's image, through Argo CD's API with the instance's token
 * (`POST /api/v1/applications?upsert=true`), then asks for a sync
 * (`POST /api/v1/applications/{name}/sync`). It refuses, before changing
 * anything, an application Argo CD would put back from Git (self-heal on
 * an application defined in Git).
 */
export class ArgocdDeployer implements EnvParityDeployer {
  readonly id = 'argocd';

  static fromConfig(
    config: Config,
    provider: ArgocdDeploymentProvider,
  ): ArgocdDeployer {
    const imageParameter = config
      .getOptionalString(`${ALIGN_CONFIG_KEY}.imageParameter`)
      ?.trim();
    return new ArgocdDeployer(provider, {
      ...(imageParameter && { imageParameter }),
    });
  }

  constructor(
    private readonly provider: Pick<ArgocdDeploymentProvider, 'applicationsIn'>,
    private readonly options: ArgocdDeployerOptions = {},
  ) {}

  async describe(
    context: AlignmentDeployerContext,
  ): Promise<AlignmentDeployerDescription> {
    const { imageParameter } = this.options;
    const env = context.environment.title ?? context.environment.name;
    return {
      summary: `Sets the Argo CD application of ${env} to production's revision${
        imageParameter ? ` and Helm parameter ${imageParameter}` : ''
      }, then syncs it`,
      carriesConfig: imageParameter
        ? [`helm.parameters.${imageParameter}`]
        : [],
    };
  }

  async dispatch(
    request: AlignmentDeployRequest,
    options: {
      idempotencyKey: string;
      signal: AbortSignal;
      context: AlignmentDeployerContext;
    },
  ): Promise<AlignmentDispatchResult> {
    const { entity } = options.context;
    const { environment, target } = request;
    try {
      const found = await this.provider.applicationsIn(
        entity,
        environment,
        options.signal,
      );
      const what = `${stringifyEntityRef(entity)} in ${environment}`;
      if (found.length === 0) {
        throw new NotFoundError(
          `No Argo CD application of ${what} was found (envParity.argocd maps applications to environments)`,
        );
      }
      if (found.length > 1) {
        throw new InputError(
          `${found.length} Argo CD applications of ${what} (${found
            .map(f => `${f.client.instance.name}/${f.app.metadata.name}`)
            .join(', ')}): the argocd deployer changes exactly one`,
        );
      }
      const [{ app, client }] = found;
      const name = app.metadata.name;
      const where = `Argo CD application ${name} on ${client.instance.name}`;
      const undoing = undoneBy(app);
      if (undoing) {
        throw new ConflictError(
          `${where} syncs automatically with self-heal and ${undoing} would undo a change made through the Argo CD API; use a Git-based deployer (github or webhook) that changes the GitOps repository instead`,
        );
      }
      const { updated, changes } = this.update(app, entity, target, where);
      if (changes.length) {
        await client.upsertApplication(updated, { signal: options.signal });
      }
      await client.syncApplication(name, {
        appNamespace: app.metadata.namespace,
        signal: options.signal,
      });
      return {
        reference: `${client.instance.url}/applications/${
          app.metadata.namespace ?? 'argocd'
        }/${name}`,
        message: `${where}: ${
          changes.length ? changes.join(', ') : 'already set to production'
        }; sync requested`,
      };
    } catch (error) {
      throw toDeployerError(error);
    }
  }

  /** The application with production's revision and image; what changed. */
  private update(
    app: Application,
    entity: Entity,
    target: AlignmentTarget,
    where: string,
  ): { updated: Application; changes: string[] } {
    // what Argo CD's upsert compares and replaces (spec, labels,
    // annotations, finalizers); status and server-set fields stay its own
    const { name, namespace, labels, annotations, finalizers } =
      app.metadata as Application['metadata'] & { finalizers?: string[] };
    const updated: Application = clone({
      metadata: { name, namespace, labels, annotations, finalizers },
      spec: app.spec ?? {},
    });
    const sources = sourcesOf(updated);
    const multi = Array.isArray(updated.spec?.sources);
    const sourceAt = (index: number): ApplicationSource =>
      (multi ? updated.spec!.sources![index] : updated.spec!.source) ?? {};
    const changes: string[] = [];
    let pinned = false;

    const own = sources.filter(s => isOwnRepo(s.source.repoURL, entity));
    if (own.length && target.revision) {
      pinned = true;
      for (const { index, prefix } of own) {
        const source = sourceAt(index);
        if (source.targetRevision !== target.revision) {
          source.targetRevision = target.revision;
          changes.push(`${prefix}targetRevision=${target.revision}`);
        }
      }
    }

    const parameter = this.options.imageParameter;
    if (parameter) {
      const value = imageValue(parameter, target);
      if (!value) {
        throw new InputError(
          `Production's artifact gives no value for the Helm parameter ${parameter} (${ALIGN_CONFIG_KEY}.imageParameter)`,
        );
      }
      const helm =
        sources.find(s => s.source.helm || s.source.chart) ?? sources[0];
      const source = sourceAt(helm.index);
      source.helm = source.helm ?? {};
      const parameters = source.helm.parameters ?? [];
      const existing = parameters.find(p => p.name === parameter);
      if (existing?.value !== value) {
        if (existing) {
          existing.value = value;
        } else {
          parameters.push({ name: parameter, value });
        }
        changes.push(`${helm.prefix}helm.parameters.${parameter}=${value}`);
      }
      source.helm.parameters = parameters;
      pinned = true;
    }
    if (!pinned) {
      throw new InputError(
        `${where} deploys from ${
          sources.map(s => s.source.repoURL).join(', ') || 'no repository'
        }, not the service's own repository, so production's revision cannot be set there; set ${ALIGN_CONFIG_KEY}.imageParameter to the Helm parameter holding the image, or use a Git-based deployer`,
      );
    }
    return { updated, changes };
  }
}
