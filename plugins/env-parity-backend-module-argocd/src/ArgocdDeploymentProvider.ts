import { Entity } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  ConfigFingerprint,
  Deployment,
  globMatch,
} from '@env-parity/plugin-env-parity-common';
import {
  ConfigFingerprinter,
  configFingerprinterFromConfig,
  DeploymentProvider,
  GuardedHttpLookup,
  ObserveRequest,
  ProviderObservation,
} from '@env-parity/plugin-env-parity-node';
import { createHash } from 'node:crypto';
import {
  configOf,
  deployedByOf,
  imageName,
  imagesOf,
  linkOf,
  resourceOf,
  statusFindings,
  syncRevision,
} from './applications';
import { Application, ArgocdClient, ArgocdRequestError } from './ArgocdClient';
import {
  ARGOCD_CONFIG_KEY,
  ArgocdModuleOptions,
  CONFIG_KEY,
  EnvironmentRule,
  readArgocdModuleOptions,
} from './config';

export const ANNOTATIONS = {
  appName: 'argocd/app-name',
  appSelector: 'argocd/app-selector',
  instanceName: 'argocd/instance-name',
  projectName: 'argocd/project-name',
  appNamespace: 'argocd/app-namespace',
} as const;

/** An Application found on an instance. */
export interface Found {
  app: Application;
  client: ArgocdClient;
}

/** Where an Application belongs. */
type Placement =
  | { environment: string; configured: true }
  | { environment: string; configured: false; error: string };

function annotation(entity: Entity, key: string): string | undefined {
  return entity.metadata.annotations?.[key]?.trim() || undefined;
}

/** A DNS-1123 label: lowercase alphanumerics and `-`, starting and ending alphanumeric. */
function isDnsLabel(text: string, maxLength = 63): boolean {
  return (
    text.length >= 1 &&
    text.length <= maxLength &&
    /^[a-z0-9-]+$/.test(text) &&
    !text.startsWith('-') &&
    !text.endsWith('-')
  );
}

/**
 * A Kubernetes object name (DNS-1123 subdomain): dot-separated DNS labels,
 * at most 253 characters. Rules out `.` and `..`, which would turn
 * `/api/v1/applications/<name>` into another path.
 */
function isKubernetesName(text: string): boolean {
  return (
    text.length <= 253 && text.split('.').every(label => isDnsLabel(label, 253))
  );
}

const OBJECT_NAME_RULE =
  'a Kubernetes object name: lowercase letters, digits, "-" and ".", each dot-separated part starting and ending with a letter or digit, at most 253 characters';

/** The annotations sent to Argo CD, with what a valid value is. */
const NAME_RULES = {
  [ANNOTATIONS.appName]: {
    what: 'an Argo CD application name',
    valid: isKubernetesName,
    rule: OBJECT_NAME_RULE,
  },
  [ANNOTATIONS.projectName]: {
    what: 'an Argo CD project name',
    valid: isKubernetesName,
    rule: OBJECT_NAME_RULE,
  },
  [ANNOTATIONS.appNamespace]: {
    what: 'a Kubernetes namespace',
    valid: (text: string) => isDnsLabel(text),
    rule: 'lowercase letters, digits and "-", starting and ending with a letter or digit, at most 63 characters',
  },
} as const;

/**
 * The error for the first annotation that would be sent to Argo CD and is not
 * a valid name, or undefined when all are valid.
 */
function invalidAnnotation(entity: Entity): string | undefined {
  const used: Array<keyof typeof NAME_RULES> = annotation(
    entity,
    ANNOTATIONS.appName,
  )
    ? [ANNOTATIONS.appName, ANNOTATIONS.appNamespace]
    : [ANNOTATIONS.projectName, ANNOTATIONS.appNamespace];
  for (const key of used) {
    const value = annotation(entity, key);
    const { what, valid, rule } = NAME_RULES[key];
    if (value !== undefined && !valid(value)) {
      const shown =
        value.length > 80
          ? `${JSON.stringify(value.slice(0, 80))}…`
          : JSON.stringify(value);
      return `Annotation ${key} is ${shown}, which is not ${what} (${rule}); nothing was requested from Argo CD`;
    }
  }
  return undefined;
}

function errorMessage(error: unknown): string {
  if (error instanceof ArgocdRequestError) {
    return error.message;
  }
  // anything else is a bug; its message could hold data, so it is not shown
  return 'reading the Argo CD application failed unexpectedly';
}

/**
 * Reads what Argo CD Applications run for a service, on every configured
 * Argo CD instance: sync revision, images, sync and health status, last
 * operation, and Helm and Kustomize configuration as fingerprints.
 */
export class ArgocdDeploymentProvider implements DeploymentProvider {
  /** Below a cluster (100), which sees the running digests. */
  readonly precedence = 90;

  private readonly clients: ArgocdClient[];

  /** The provider configured by `envParity.argocd`, or undefined when it enables nothing. */
  static fromConfig(
    config: Config,
    options: { lookup?: GuardedHttpLookup } = {},
  ): { provider?: ArgocdDeploymentProvider; warnings: string[] } {
    const { options: read, warnings } = readArgocdModuleOptions(config);
    if (!read) {
      return { warnings };
    }
    return {
      provider: new ArgocdDeploymentProvider(
        read,
        configFingerprinterFromConfig(config),
        options,
      ),
      warnings,
    };
  }

  constructor(
    private readonly options: ArgocdModuleOptions,
    private readonly fingerprinter: ConfigFingerprinter,
    extra: { lookup?: GuardedHttpLookup } = {},
  ) {
    this.clients = options.instances.map(
      instance =>
        new ArgocdClient(instance, {
          timeoutMs: options.timeoutMs,
          lookup: extra.lookup,
        }),
    );
  }

  getProviderName() {
    return 'argocd';
  }

  /** The Argo CD instances read. */
  get instanceNames(): string[] {
    return this.clients.map(c => c.instance.name);
  }

  supports(entity: Entity): boolean {
    return Boolean(
      annotation(entity, ANNOTATIONS.appName) ||
        annotation(entity, ANNOTATIONS.appSelector),
    );
  }

  async observe({
    entity,
    environments,
    signal,
  }: ObserveRequest): Promise<ProviderObservation[]> {
    const known = environments.map(e => e.name);
    const invalid = invalidAnnotation(entity);
    if (invalid) {
      return known.map(environment => ({ environment, error: invalid }));
    }
    const instanceName = annotation(entity, ANNOTATIONS.instanceName);
    let clients = this.clients;
    if (instanceName) {
      clients = clients.filter(c => c.instance.name === instanceName);
      if (clients.length === 0) {
        const error = `Annotation ${
          ANNOTATIONS.instanceName
        } names Argo CD instance "${instanceName}", which is not configured with a token in ${ARGOCD_CONFIG_KEY} (configured: ${
          this.clients.map(c => c.instance.name).join(', ') || 'none'
        })`;
        return known.map(environment => ({ environment, error }));
      }
    }

    const results = await Promise.all(
      clients.map(async client => {
        try {
          return { client, apps: await this.find(client, entity, signal) };
        } catch (error) {
          return { client, error: errorMessage(error) };
        }
      }),
    );

    // environments whose data is incomplete because an instance failed
    const failed = new Map<string, string[]>();
    const found: Found[] = [];
    for (const result of results) {
      if (result.error !== undefined) {
        for (const environment of this.servedBy(
          result.client.instance.name,
          known,
        )) {
          failed.set(environment, [
            ...(failed.get(environment) ?? []),
            result.error,
          ]);
        }
      } else {
        found.push(
          ...result.apps!.map(app => ({ app, client: result.client })),
        );
      }
    }

    const byEnvironment = new Map<string, Found[]>();
    const unknown = new Map<string, string[]>();
    for (const item of found) {
      const placement = this.place(item, known);
      if (placement.configured) {
        byEnvironment.set(placement.environment, [
          ...(byEnvironment.get(placement.environment) ?? []),
          item,
        ]);
      } else {
        unknown.set(placement.environment, [
          ...(unknown.get(placement.environment) ?? []),
          placement.error,
        ]);
      }
    }

    const observations: ProviderObservation[] = [];
    for (const environment of known) {
      const errors = failed.get(environment);
      if (errors) {
        observations.push({
          environment,
          error: [...new Set(errors)].join('; '),
        });
        continue;
      }
      const items = byEnvironment.get(environment);
      if (items?.length) {
        observations.push({
          environment,
          deployment: this.deployment(entity, items),
        });
      }
    }
    for (const [environment, errors] of unknown) {
      observations.push({ environment, error: errors.join('; ') });
    }
    return observations;
  }

  /**
   * The applications of the entity the module maps to one environment,
   * each with the client of its instance; for the alignment deployer.
   * Throws an `ArgocdRequestError` when an annotation is invalid or an
   * instance that may serve the environment fails.
   */
  async applicationsIn(
    entity: Entity,
    environment: string,
    signal?: AbortSignal,
  ): Promise<Found[]> {
    const invalid = invalidAnnotation(entity);
    if (invalid) {
      throw new ArgocdRequestError(invalid);
    }
    const instanceName = annotation(entity, ANNOTATIONS.instanceName);
    const clients = this.clients.filter(
      c =>
        (!instanceName || c.instance.name === instanceName) &&
        this.servedBy(c.instance.name, [environment]).length > 0,
    );
    const found: Found[] = [];
    for (const client of clients) {
      for (const app of await this.find(client, entity, signal)) {
        const placement = this.place({ app, client }, [environment]);
        if (placement.configured && placement.environment === environment) {
          found.push({ app, client });
        }
      }
    }
    return found;
  }

  /** The applications of the entity on one instance. */
  private async find(
    client: ArgocdClient,
    entity: Entity,
    signal?: AbortSignal,
  ): Promise<Application[]> {
    const appNamespace = annotation(entity, ANNOTATIONS.appNamespace);
    const name = annotation(entity, ANNOTATIONS.appName);
    if (name) {
      const app = await client.getApplication(name, { appNamespace, signal });
      return app ? [app] : [];
    }
    return client.listApplications({
      selector: annotation(entity, ANNOTATIONS.appSelector),
      project: annotation(entity, ANNOTATIONS.projectName),
      appNamespace,
      signal,
    });
  }

  /**
   * The configured environments an instance may serve: its `instances`
   * entry, the rules naming it, the rules naming no instance and, with an
   * environment label, every environment.
   */
  private servedBy(instance: string, known: string[]): string[] {
    const { instanceEnvironments, rules, environmentLabel } = this.options;
    if (environmentLabel) {
      return known;
    }
    const served = new Set<string>();
    if (instanceEnvironments[instance]) {
      served.add(instanceEnvironments[instance]);
    }
    for (const rule of rules) {
      if (!rule.instance || rule.instance === instance) {
        served.add(rule.environment);
      }
    }
    return known.filter(e => served.has(e));
  }

  private matches(rule: EnvironmentRule, { app, client }: Found): boolean {
    const destination = app.spec?.destination ?? {};
    const trim = (s?: string) => (s ?? '').replace(/\/+$/, '');
    if (rule.instance && rule.instance !== client.instance.name) {
      return false;
    }
    if (
      rule.destinationServer &&
      trim(rule.destinationServer) !== trim(destination.server)
    ) {
      return false;
    }
    if (rule.destinationName && rule.destinationName !== destination.name) {
      return false;
    }
    if (
      rule.destinationNamespace &&
      !globMatch(rule.destinationNamespace, destination.namespace ?? '')
    ) {
      return false;
    }
    const labels = app.metadata.labels ?? {};
    return Object.entries(rule.labels ?? {}).every(
      ([key, value]) => labels[key] === value,
    );
  }

  /** Rules, then the environment label, then the instance's environment. */
  private place(item: Found, known: string[]): Placement {
    const { rules, environmentLabel, instanceEnvironments } = this.options;
    const { app, client } = item;
    const instance = client.instance.name;
    const what = `Argo CD application ${app.metadata.name} on ${instance}`;
    const configured = `(configured: ${known.join(', ')})`;
    const ruleIndex = rules.findIndex(rule => this.matches(rule, item));
    if (ruleIndex >= 0) {
      const environment = rules[ruleIndex].environment;
      return known.includes(environment)
        ? { environment, configured: true }
        : {
            environment,
            configured: false,
            error: `${what} maps to environment "${environment}" by ${CONFIG_KEY}.environments[${ruleIndex}], which is not configured ${configured}`,
          };
    }
    const labelValue = environmentLabel
      ? app.metadata.labels?.[environmentLabel]
      : undefined;
    if (labelValue && known.includes(labelValue)) {
      return { environment: labelValue, configured: true };
    }
    const mapped = instanceEnvironments[instance];
    if (mapped) {
      return known.includes(mapped)
        ? { environment: mapped, configured: true }
        : {
            environment: mapped,
            configured: false,
            error: `${what} maps to environment "${mapped}" by ${CONFIG_KEY}.instances.${instance}, which is not configured ${configured}`,
          };
    }
    const ways = [
      `a rule in ${CONFIG_KEY}.environments`,
      `${CONFIG_KEY}.instances.${instance}`,
      ...(environmentLabel
        ? [`its label ${environmentLabel} set to an environment name`]
        : []),
    ];
    return {
      environment: labelValue || app.metadata.name,
      configured: false,
      error: `${what} maps to no configured environment ${configured}${
        labelValue ? ` (label ${environmentLabel}: "${labelValue}")` : ''
      }; map it with ${ways.join(', or ')}`,
    };
  }

  /** One deployment from the applications of one environment. */
  private deployment(entity: Entity, found: Found[]): Deployment {
    const items = [...found].sort(
      (a, b) =>
        a.client.instance.name.localeCompare(b.client.instance.name) ||
        a.app.metadata.name.localeCompare(b.app.metadata.name),
    );
    const deployment: Deployment = {};

    const revisions = items.map(({ app }) => syncRevision(app, entity));
    const own = revisions.find(r => r.own)?.own;
    if (own) {
      deployment.revision = own;
    }

    const wanted = new Set([entity.metadata.name.toLowerCase()]);
    items.forEach(({ app }) => wanted.add(app.metadata.name.toLowerCase()));
    const images = items.flatMap(({ app }) => imagesOf(app));
    const artifact =
      images.find(image => wanted.has(imageName(image).toLowerCase())) ??
      images[0];
    if (artifact) {
      deployment.artifact = artifact;
    }

    const latest = items
      .filter(({ app }) => app.status?.operationState?.finishedAt)
      .sort(
        (a, b) =>
          Date.parse(b.app.status!.operationState!.finishedAt!) -
          Date.parse(a.app.status!.operationState!.finishedAt!),
      )[0];
    if (latest) {
      const finishedAt = latest.app.status!.operationState!.finishedAt!;
      const time = Date.parse(finishedAt);
      deployment.deployedAt = Number.isNaN(time)
        ? finishedAt
        : new Date(time).toISOString();
      const by = deployedByOf(latest.app);
      if (by) {
        deployment.deployedBy = by;
      }
    }

    const perApp = items.map(({ app, client }) =>
      configOf(app, client.instance.name, this.fingerprinter),
    );
    const config = this.mergeConfig(perApp.map(p => p.config));
    if (Object.keys(config).length) {
      deployment.config = config;
    }
    deployment.links = items.map(({ app, client }) =>
      linkOf(app, client.instance.url),
    );
    deployment.resources = items.map(({ app, client }, i) =>
      resourceOf(app, client.instance.name, revisions[i].shown),
    );
    const findings = items.flatMap(({ app, client }, i) => [
      ...statusFindings(app, client.instance.name),
      ...perApp[i].findings,
    ]);
    if (findings.length) {
      deployment.findings = findings;
    }
    return deployment;
  }

  /**
   * Merges the configuration of several applications of one environment. A
   * key the applications disagree on, or that only some of them set, gets a
   * hash of the distinct values it has across them (an application without
   * the key counting as one more value, "absent"), and no value. Application
   * names are left out: they usually name the environment (`api-staging`,
   * `api-prod`), and the same disagreement in two environments is no drift.
   */
  private mergeConfig(
    configs: Array<Record<string, ConfigFingerprint>>,
  ): Record<string, ConfigFingerprint> {
    if (configs.length === 1) {
      return configs[0];
    }
    const merged: Record<string, ConfigFingerprint> = {};
    const keys = new Set(configs.flatMap(c => Object.keys(c)));
    for (const key of [...keys].sort()) {
      const fingerprints = configs.map(c => c[key]);
      const present = fingerprints.filter(Boolean);
      // "absent" cannot collide with a "hash:" member
      const members = new Set(
        fingerprints.map(fp => (fp ? `hash:${fp.hash}` : 'absent')),
      );
      if (members.size === 1) {
        merged[key] = present[0];
        continue;
      }
      const secret = present.some(fp => fp.secret);
      const combined = createHash('sha256')
        .update([...members].sort().join('\n'))
        .digest('hex')
        .slice(0, 32);
      merged[key] = { hash: combined, ...(secret ? { secret: true } : {}) };
    }
    return merged;
  }
}
