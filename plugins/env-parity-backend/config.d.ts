import { HumanDuration } from '@backstage/types';
import { SchedulerServiceTaskScheduleDefinitionConfig } from '@backstage/backend-plugin-api';

export interface Config {
  /** Configuration of the Env Parity plugin. */
  envParity?: {
    /**
     * The environments services are deployed to, in promotion order. The one
     * marked `reference` (production) is what every other one is compared
     * with; without a mark, the last one is. Defaults to development, staging
     * and production.
     */
    environments?: Array<{
      /** Name used in annotations (`env-parity/<name>.version`) and URLs: lowercase letters, digits and dashes. */
      name: string;
      /** Human readable title. Defaults to the name. */
      title?: string;
      /** Marks the reference environment, usually production. At most one. */
      reference?: boolean;
      /** Entity ref of the group that owns the environment, e.g. `group:default/sre`. */
      owner?: string;
    }>;
    /**
     * Also read environments from catalog `Resource` entities with
     * `spec.type: environment`: their `spec.owner` becomes the environment's
     * owner, and ones not in `environments` are added before the reference.
     * Defaults to true.
     */
    environmentsFromCatalog?: boolean;
    /**
     * How often deployments are collected. Defaults to every 5 minutes with
     * a 4 minute timeout.
     */
    schedule?: SchedulerServiceTaskScheduleDefinitionConfig;
    /** Tuning of the collector. */
    collector?: {
      /** Entity kinds whose deployments are collected. Defaults to `['Component']`. */
      kinds?: string[];
      /** Entities handled per batch (one database transaction each). Defaults to 100. */
      batchSize?: number;
      /** Entities observed at once per provider, unless the provider sets its own. Defaults to 10. */
      concurrency?: number;
      /** How long one provider may take for one entity. Defaults to 30 seconds. */
      providerTimeout?: HumanDuration;
    };
    /**
     * A successful observation older than this is shown as stale. Defaults
     * to one hour.
     */
    staleAfter?: HumanDuration;
  };
}
