import {
  AuthService,
  LifecycleService,
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EventParams, EventsService } from '@backstage/plugin-events-node';
import { SingleFlight } from '../http/coalesce';
import {
  CollectionQueue,
  CollectionQueueOptions,
  DEFAULT_QUEUE_OPTIONS,
} from './CollectionQueue';
import {
  ARGOCD_TOPIC,
  eventTarget,
  EventTarget,
  GITHUB_DEPLOYMENT_TOPICS,
} from './eventSources';

export { CollectionQueue } from './CollectionQueue';
export type { CollectionQueueStats } from './CollectionQueue';
export {
  ARGOCD_TOPIC,
  GITHUB_DEPLOYMENT_TOPICS,
  parseArgocdNotification,
} from './eventSources';

/** The part of the collector events drive. */
export interface EntityCollector {
  tracks(entity: Entity): boolean;
  collectEntity(entity: Entity): Promise<void>;
}

function readQueueOptions(config: RootConfigService): CollectionQueueOptions {
  const c = config.getOptionalConfig('envParity.events');
  return {
    mergeWindowMs:
      c?.getOptionalNumber('mergeWindowMs') ??
      DEFAULT_QUEUE_OPTIONS.mergeWindowMs,
    maxPending:
      c?.getOptionalNumber('maxPending') ?? DEFAULT_QUEUE_OPTIONS.maxPending,
    concurrency:
      c?.getOptionalNumber('concurrency') ?? DEFAULT_QUEUE_OPTIONS.concurrency,
  };
}

/**
 * Collects services at once when a deployment event names them (GitHub
 * `deployment` and `deployment_status` webhooks through the events backend's
 * GitHub module, Argo CD Notifications through the Argo CD module's
 * webhook), through the collector's one-service path, coalesced by a
 * {@link CollectionQueue}. Events naming no known service are ignored. The
 * services are found in the catalog with the plugin's own credentials, as
 * the scheduled collection does. Off with `envParity.events.enabled: false`.
 */
export async function createEventCollection(options: {
  config: RootConfigService;
  logger: LoggerService;
  auth: AuthService;
  catalog: CatalogService;
  events: EventsService;
  lifecycle: LifecycleService;
  collector: EntityCollector;
  kinds: string[];
}): Promise<CollectionQueue | undefined> {
  const { config, logger, auth, catalog, collector, kinds } = options;
  if (config.getOptionalBoolean('envParity.events.enabled') === false) {
    logger.info('envParity.events.enabled is false: events collect nothing');
    return undefined;
  }
  const queue = new CollectionQueue(
    async entityRef => {
      const credentials = await auth.getOwnServiceCredentials();
      const entity = await catalog.getEntityByRef(entityRef, { credentials });
      if (entity) {
        await collector.collectEntity(entity);
      }
    },
    logger,
    readQueueOptions(config),
  );
  options.lifecycle.addShutdownHook(() => queue.close());

  // a burst of events naming one repository asks the catalog once
  const lookups = new SingleFlight<Entity[]>();
  const find = (target: EventTarget) =>
    lookups.run(JSON.stringify(target.filter), async () => {
      const credentials = await auth.getOwnServiceCredentials();
      const { items } = await catalog.getEntities(
        { filter: { kind: kinds, ...target.filter } },
        { credentials },
      );
      return items;
    });

  const onEvent = async (params: EventParams) => {
    const target = eventTarget(params);
    if (!target) {
      logger.debug(`Ignored an event on ${params.topic} naming no service`);
      return;
    }
    try {
      const entities = (await find(target)).filter(
        e =>
          collector.tracks(e) &&
          (target.accepts?.(e.metadata.annotations ?? {}) ?? true),
      );
      if (entities.length === 0) {
        logger.debug(`Ignored an event about ${target.description}`);
      }
      for (const entity of entities) {
        queue.request(stringifyEntityRef(entity));
      }
    } catch (error) {
      // the scheduled collection catches up
      logger.warn(
        `Finding the services of ${target.description} failed: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
    }
  };
  await options.events.subscribe({
    id: 'env-parity-collect',
    topics: [...GITHUB_DEPLOYMENT_TOPICS, ARGOCD_TOPIC],
    onEvent,
  });
  return queue;
}
