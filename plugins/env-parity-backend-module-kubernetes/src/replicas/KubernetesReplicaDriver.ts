import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ReplicaConfigKey,
  ReplicaEndpoint,
  ReplicaWorkload,
} from '@env-parity/plugin-env-parity-common';
import {
  ConfigFingerprinter,
  configFingerprinterFromConfig,
  EnvParityReplicaDriver,
  ReplicaLaunchResult,
  ReplicaLaunchSpec,
  ReplicaNamespace,
  ReplicaObservation,
  renderTemplate,
} from '@env-parity/plugin-env-parity-node';
import { ClusterAccess, kubernetesClustersFromConfig } from '../clusters';
import {
  CONFIG_KEY,
  DEFAULT_TIMEOUT_MS,
  readKubernetesProviderOptions,
} from '../config';
import { kubernetesTarget, KubernetesTarget } from '../target';
import {
  CONFIG_FROM_ANNOTATION,
  EXPIRES_AT_ANNOTATION,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  PRODUCTION_NON_SECRET,
  readReplicaOptions,
  REPLICA_ID_LABEL,
  REPLICAS_KEY,
  ReplicaOptions,
} from './config';
import { replicaConfiguration } from './configuration';
import {
  limitRangeObject,
  namespaceObject,
  networkPolicyObject,
  pinnedContainers,
  resolveOverride,
  resourceQuotaObject,
  roleBindingObject,
  serviceName,
  serviceObject,
  workloadObject,
} from './objects';
import { ReplicaObserver } from './observe';
import {
  environmentClusters,
  ObservedWorkload,
  readWorkloads,
  requireWorkloads,
} from './production';
import {
  SANDBOX_RESOURCES,
  SandboxApiError,
  SandboxClient,
  SandboxObject,
} from './SandboxClient';

const R = SANDBOX_RESOURCES;

/** A failure of the sandbox as an error of `@backstage/errors`, its message safe to show. */
function sandboxError(error: unknown): Error {
  if (!(error instanceof SandboxApiError)) {
    return error as Error;
  }
  if (error.status === 403 && /exceeded quota/.test(error.message)) {
    return new NotAllowedError(error.message);
  }
  if (error.status === 400 || error.status === 422) {
    return new InputError(error.message);
  }
  return new ServiceUnavailableError(error.message);
}

/**
 * Production replicas in a sandbox Kubernetes cluster
 * (`envParity.replicas.cluster`): a namespace holding copies of the
 * Deployments and StatefulSets production runs for a service (one replica
 * each, every image pinned to the digest production's pods run), a
 * ResourceQuota, a LimitRange, a default-deny egress NetworkPolicy, the
 * configuration chosen by policy (never a Secret value of production), a
 * Service per workload and a RoleBinding for the requester. Production is
 * only read; the sandbox alone is written to.
 *
 * @public
 */
export class KubernetesReplicaDriver implements EnvParityReplicaDriver {
  readonly id = 'kubernetes';
  /** Observations have the Kubernetes provider's shape: compared with its view of production. */
  readonly provider = 'kubernetes';

  /**
   * The driver of `envParity.replicas`; undefined without
   * `envParity.replicas.cluster`. Throws, with a message naming the key,
   * when the sandbox is mapped to the reference environment, is not a
   * configured cluster, or `envParity.kubernetes` is missing.
   */
  static fromConfig(
    config: Config,
    deps: {
      logger: LoggerService;
      auth?: AuthService;
      discovery?: DiscoveryService;
      catalog?: CatalogService;
      /** Tests: a shorter request timeout. */
      timeoutMs?: number;
    },
  ): KubernetesReplicaDriver | undefined {
    const options = readReplicaOptions(config);
    if (!options) {
      return undefined;
    }
    const { clusters } = kubernetesClustersFromConfig(config, deps);
    if (!clusters || !(clusters instanceof ClusterAccess)) {
      throw new Error(
        `${REPLICAS_KEY}.cluster is set, but ${CONFIG_KEY} is not configured: production's workloads are read through it. Map production's clusters in ${CONFIG_KEY}.clusters.`,
      );
    }
    const mapped = config.getOptionalConfig(`${CONFIG_KEY}.clusters`);
    const environment = mapped?.keys().includes(options.cluster.name)
      ? mapped.getString(options.cluster.name)
      : undefined;
    if (environment) {
      deps.logger.warn(
        `${REPLICAS_KEY}.cluster ${options.cluster.name} is also mapped to environment ${environment} in ${CONFIG_KEY}.clusters: replicas' workloads carry the service's labels, so services without a backstage.io/kubernetes-namespace annotation would count them as ${environment}'s. A sandbox of its own is safer.`,
      );
    }
    const timeoutMs =
      deps.timeoutMs ??
      readKubernetesProviderOptions(config)?.options.timeoutMs ??
      DEFAULT_TIMEOUT_MS;
    return new KubernetesReplicaDriver({
      options,
      production: clusters,
      sandbox: new SandboxClient(options.cluster, { timeoutMs }),
      fingerprinter: configFingerprinterFromConfig(config),
      showConfigMapValues:
        config.getOptionalBoolean(`${CONFIG_KEY}.showConfigMapValues`) ?? false,
      logger: deps.logger,
      catalog:
        deps.catalog && deps.auth
          ? { service: deps.catalog, auth: deps.auth }
          : undefined,
      timeoutMs,
    });
  }

  readonly sandbox: string;
  private readonly options: ReplicaOptions;
  private readonly production: ClusterAccess;
  private readonly client: SandboxClient;
  private readonly logger: LoggerService;
  private readonly observer: ReplicaObserver;
  private readonly catalog?: { service: CatalogService; auth: AuthService };

  constructor(deps: {
    options: ReplicaOptions;
    production: ClusterAccess;
    sandbox: SandboxClient;
    fingerprinter: ConfigFingerprinter;
    showConfigMapValues: boolean;
    logger: LoggerService;
    catalog?: { service: CatalogService; auth: AuthService };
    timeoutMs: number;
  }) {
    this.options = deps.options;
    this.production = deps.production;
    this.client = deps.sandbox;
    this.logger = deps.logger;
    this.catalog = deps.catalog;
    this.sandbox = deps.options.cluster.name;
    this.observer = new ReplicaObserver({
      cluster: deps.options.cluster,
      client: deps.sandbox,
      fingerprinter: deps.fingerprinter,
      showConfigMapValues: deps.showConfigMapValues,
      logger: deps.logger,
      timeoutMs: deps.timeoutMs,
    });
  }

  async launch(
    spec: ReplicaLaunchSpec,
    { signal }: { signal: AbortSignal },
  ): Promise<ReplicaLaunchResult> {
    const { options } = this;
    // the catalog may map clusters too: checked on every launch
    const referenceClusters = await this.production.mapped([options.reference]);
    if (referenceClusters.some(c => c.cluster === options.cluster.name)) {
      throw new InputError(
        `the sandbox cluster ${options.cluster.name} is mapped to the reference environment ${options.reference}: replicas are never created there`,
      );
    }
    let target: KubernetesTarget;
    try {
      target = kubernetesTarget(spec.entity);
    } catch (error) {
      throw new InputError((error as Error).message);
    }

    // what production runs
    const production = await environmentClusters(
      this.production,
      options.reference,
    );
    const workloads = dedupe(await readWorkloads(production, target, signal));
    requireWorkloads(workloads, options.reference, spec.entityRef);
    const override = resolveOverride(spec.override, workloads, target.names);
    const pinned = workloads.map(w =>
      pinnedContainers(
        w,
        override && override.workload === w
          ? { container: override.container, image: override.image }
          : undefined,
      ),
    );

    // the configuration, by policy
    const configFrom =
      spec.entity.metadata.annotations?.[CONFIG_FROM_ANNOTATION]?.trim() ||
      options.configFrom;
    const configPolicy =
      configFrom === PRODUCTION_NON_SECRET
        ? PRODUCTION_NON_SECRET
        : `configFrom:${configFrom}`;
    let policy: Parameters<typeof replicaConfiguration>[0]['policy'];
    if (configFrom === PRODUCTION_NON_SECRET) {
      policy = { type: PRODUCTION_NON_SECRET };
    } else {
      if (configFrom === options.reference) {
        throw new InputError(
          `${CONFIG_FROM_ANNOTATION} of ${spec.entityRef} names the reference environment ${options.reference}: its Secrets are never copied`,
        );
      }
      const clusters = await environmentClusters(this.production, configFrom);
      if (clusters.length === 0) {
        throw new InputError(
          `configuration from ${configFrom}: no cluster is mapped to that environment in ${CONFIG_KEY}.clusters`,
        );
      }
      policy = {
        type: 'environment',
        environment: configFrom,
        clusters,
        workloads: await readWorkloads(clusters, target, signal),
        namespace: target.namespace,
      };
    }
    const configuration = await replicaConfiguration({
      spec,
      workloads,
      production,
      policy,
      override: options.override,
      signal,
    });

    const subject = await this.subject(spec.requester);
    const copies = workloads.map((w, i) => workloadObject(spec, w, pinned[i]));
    const services = new Map<string, SandboxObject>();
    for (const copy of copies) {
      let name = serviceName(copy.metadata!.name!);
      if (services.has(name)) name = serviceName(`${name}-${copy.kind}`);
      const service = serviceObject(spec, copy, name);
      if (service) services.set(name, service);
    }

    try {
      await this.createNamespace(spec, configPolicy, signal);
      const ns = spec.namespace;
      await this.client.create(
        R.resourcequotas,
        ns,
        resourceQuotaObject(spec, options),
        signal,
      );
      await this.client.create(
        R.limitranges,
        ns,
        limitRangeObject(spec, options),
        signal,
      );
      await this.client.create(
        R.networkpolicies,
        ns,
        networkPolicyObject(spec, options),
        signal,
      );
      for (const object of configuration.objects) {
        await this.client.create(
          object.kind === 'Secret' ? R.secrets : R.configmaps,
          ns,
          object,
          signal,
        );
      }
      if (subject) {
        await this.client.create(
          R.rolebindings,
          ns,
          roleBindingObject(spec, subject),
          signal,
        );
      }
      for (const service of services.values()) {
        await this.client.create(R.services, ns, service, signal);
      }
      for (const copy of copies) {
        await this.client.create(
          copy.kind === 'StatefulSet' ? R.statefulsets : R.deployments,
          ns,
          copy,
          signal,
        );
      }
    } catch (error) {
      throw sandboxError(error);
    }

    const result: ReplicaLaunchResult = {
      configPolicy,
      workloads: workloads.map(
        (w, i): ReplicaWorkload => ({
          kind: w.kind,
          name: String(w.object.metadata?.name),
          containers: pinned[i],
        }),
      ),
      config: configuration.keys as ReplicaConfigKey[],
      endpoints: [...services.values()].flatMap(service =>
        (service.spec.ports as Array<{ port: number }>).map(
          ({ port }): ReplicaEndpoint => ({
            service: service.metadata!.name!,
            port,
            command: `kubectl --context ${options.kubectlContext} -n ${
              spec.namespace
            } port-forward svc/${service.metadata!.name} ${port}:${port}`,
          }),
        ),
      ),
      ...(subject ? { roleBinding: 'env-parity-replica-viewer' } : {}),
    };
    this.logger.info(
      `replica ${spec.replicaId} of ${spec.entityRef}: namespace ${spec.namespace} created in cluster ${this.sandbox} with ${copies.length} workload(s), ${configuration.keys.length} configuration key(s) (${configPolicy})`,
    );
    return result;
  }

  observe(
    replica: { namespace: string; entity: Entity; replicaId: string },
    options: { signal: AbortSignal },
  ): Promise<ReplicaObservation> {
    return this.observer.observe(replica, options.signal);
  }

  async setExpiry(
    namespace: string,
    expiresAt: string,
    { signal }: { signal: AbortSignal },
  ): Promise<void> {
    let patched;
    try {
      patched = await this.client.patch(
        R.namespaces,
        undefined,
        namespace,
        { metadata: { annotations: { [EXPIRES_AT_ANNOTATION]: expiresAt } } },
        signal,
      );
    } catch (error) {
      throw sandboxError(error);
    }
    if (!patched) {
      throw new NotFoundError(
        `namespace ${namespace} no longer exists in cluster ${this.sandbox}`,
      );
    }
  }

  async remove(namespace: string, { signal }: { signal: AbortSignal }) {
    try {
      const existing = await this.client.get(
        R.namespaces,
        undefined,
        namespace,
        signal,
      );
      if (!existing) return;
      if (existing.metadata?.labels?.[MANAGED_BY_LABEL] !== MANAGED_BY) {
        throw new NotAllowedError(
          `namespace ${namespace} in cluster ${this.sandbox} is not managed by env-parity: not deleted`,
        );
      }
      await this.client.delete(R.namespaces, undefined, namespace, signal);
    } catch (error) {
      throw sandboxError(error);
    }
    this.logger.info(
      `namespace ${namespace} deleted in cluster ${this.sandbox}`,
    );
  }

  async listNamespaces({
    signal,
  }: {
    signal: AbortSignal;
  }): Promise<ReplicaNamespace[]> {
    let items: SandboxObject[];
    try {
      items = await this.client.list(
        R.namespaces,
        {
          labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY},${REPLICA_ID_LABEL}`,
        },
        signal,
      );
    } catch (error) {
      throw sandboxError(error);
    }
    return items.flatMap(item => {
      const name = item.metadata?.name;
      if (typeof name !== 'string') return [];
      const replicaId = item.metadata?.labels?.[REPLICA_ID_LABEL];
      const expiresAt = (item.metadata as any)?.annotations?.[
        EXPIRES_AT_ANNOTATION
      ];
      return [
        {
          namespace: name,
          ...(replicaId ? { replicaId } : {}),
          ...(typeof expiresAt === 'string' ? { expiresAt } : {}),
        },
      ];
    });
  }

  /** Creates the namespace; one of the same name must be this replica's own. */
  private async createNamespace(
    spec: ReplicaLaunchSpec,
    configPolicy: string,
    signal: AbortSignal,
  ) {
    const { object, created } = await this.client.create(
      R.namespaces,
      undefined,
      namespaceObject(spec, configPolicy),
      signal,
    );
    if (
      !created &&
      object.metadata?.labels?.[REPLICA_ID_LABEL] !== spec.replicaId
    ) {
      throw new ConflictError(
        `namespace ${spec.namespace} exists in cluster ${this.sandbox} and is not replica ${spec.replicaId}'s: nothing created`,
      );
    }
  }

  /** The requester's Kubernetes subject, from `envParity.access.kubernetes`; undefined without it. */
  private async subject(
    requester: string,
  ): Promise<{ name: string; kind: 'User' | 'Group' } | undefined> {
    const mapping = this.options.subjects;
    if (!mapping) {
      return undefined;
    }
    const ref = parseEntityRef(requester);
    let email: string | undefined;
    if (/user\.email/.test(mapping.template) && this.catalog) {
      try {
        const user = await this.catalog.service.getEntityByRef(requester, {
          credentials: await this.catalog.auth.getOwnServiceCredentials(),
        });
        const value = (user?.spec?.profile as { email?: unknown } | undefined)
          ?.email;
        email = typeof value === 'string' ? value : undefined;
      } catch {
        email = undefined;
      }
    }
    const name = renderTemplate(mapping.template, {
      user: { ref: requester, name: ref.name, namespace: ref.namespace, email },
    }).trim();
    if (!name) {
      this.logger.warn(
        `no Kubernetes subject for ${requester}: envParity.access.kubernetes.subjectTemplate renders empty; no RoleBinding created`,
      );
      return undefined;
    }
    return { name, kind: mapping.kind };
  }
}

/** One workload per kind and name (several production clusters run the same ones). */
function dedupe(workloads: ObservedWorkload[]): ObservedWorkload[] {
  const seen = new Set<string>();
  return workloads.filter(w => {
    const key = `${w.kind}/${w.object.metadata?.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
