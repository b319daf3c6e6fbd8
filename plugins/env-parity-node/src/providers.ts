import { Entity } from '@backstage/catalog-model';
import {
  Deployment,
  EnvironmentDefinition,
  RevisionComparison,
} from '@env-parity/plugin-env-parity-common';

/**
 * What a provider reports for one environment of one entity.
 *
 * Return one per environment the provider knows about; leave out the ones it
 * has nothing to say about. A failure for one environment is an `error`
 * here, not a thrown exception, so the other environments still count.
 *
 * @public
 */
export interface ProviderObservation {
  environment: string;
  deployment?: Deployment;
  error?: string;
}

/**
 * The request a deployment provider answers: one entity, every environment.
 *
 * @public
 */
export interface ObserveRequest {
  entity: Entity;
  /** The configured environments, in promotion order. */
  environments: EnvironmentDefinition[];
  /** Aborted when the collection runs out of time. */
  signal?: AbortSignal;
}

/**
 * A source of truth about what runs where: catalog annotations, an SCM's
 * deployment records, a version endpoint, a cluster, a GitOps controller.
 *
 * A provider is called once per entity per collection, with bounded
 * concurrency. It should not write anything: the collector stores only what
 * changed.
 *
 * @public
 */
export interface DeploymentProvider {
  /** A stable, unique name such as `annotations` or `kubernetes`. Stored with every snapshot. */
  getProviderName(): string;
  /**
   * When two providers report the same field for an environment, the higher
   * precedence wins. Records of intent (annotations: 0) rank below what is
   * observed running (a cluster: 100).
   */
  readonly precedence?: number;
  /** How many entities this provider may observe at once; the collector's default otherwise. */
  readonly concurrency?: number;
  /** Cheap, no I/O: whether the entity has what this provider needs. */
  supports(entity: Entity): boolean;
  /**
   * Observes every environment of one entity. Throwing marks every
   * environment of the entity as failed for this provider.
   */
  observe(request: ObserveRequest): Promise<ProviderObservation[]>;
}

/**
 * Tells how two revisions of an entity's source relate (ahead, behind,
 * diverged), for any deployment provider's revisions.
 *
 * @public
 */
export interface RevisionComparer {
  getComparerName(): string;
  /** Cheap, no I/O: whether this comparer knows the entity's repository. */
  supports(entity: Entity): boolean;
  /**
   * Compares `head` against `base`. Returns undefined when it cannot tell.
   * Results for a pair of full SHAs never change and may be cached.
   */
  compare(request: {
    entity: Entity;
    base: string;
    head: string;
    signal?: AbortSignal;
  }): Promise<RevisionComparison | undefined>;
}
