import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';

/**
 * Shares one in-flight call among callers that ask the very same question
 * at the same time (same key); the next caller after it settles asks anew.
 * Nothing is kept: it coalesces, it does not cache.
 */
export class SingleFlight<T> {
  private readonly inFlight = new Map<string, Promise<T>>();

  run(key: string, fn: () => Promise<T>): Promise<T> {
    const existing = this.inFlight.get(key);
    if (existing) {
      return existing;
    }
    const call = Promise.resolve()
      .then(fn)
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, call);
    return call;
  }
}

type Waiter = {
  resolve: (entity: Entity | undefined) => void;
  reject: (error: unknown) => void;
};

type CallerQueue = {
  credentials: BackstageCredentials;
  busy: boolean;
  waiting: Map<string, Waiter[]>;
};

/**
 * Reads entities from the catalog with a caller's own credentials, the
 * reads of one caller (one token) that arrive while one of theirs is on its
 * way grouped into the next single `getEntitiesByRefs` call. A lone read
 * goes out at once, so nothing waits when there is no load; under load one
 * catalog request (and one catalog permission check) serves many. Reads of
 * different callers never share a call, so what each sees is exactly what
 * the catalog shows them.
 */
export class CallerEntityLoader {
  private readonly queues = new Map<string, CallerQueue>();

  constructor(
    private readonly catalog: CatalogService,
    private readonly maxBatch = 100,
  ) {}

  /**
   * The entity, or undefined when it does not exist or the caller may not
   * see it. `callerKey` must identify the credentials exactly (e.g. the
   * request's Authorization header); without one the read goes alone.
   */
  load(
    callerKey: string | undefined,
    credentials: BackstageCredentials,
    entityRef: string,
  ): Promise<Entity | undefined> {
    if (!callerKey) {
      return this.catalog.getEntityByRef(entityRef, { credentials });
    }
    let queue = this.queues.get(callerKey);
    if (!queue) {
      queue = { credentials, busy: false, waiting: new Map() };
      this.queues.set(callerKey, queue);
    }
    const result = new Promise<Entity | undefined>((resolve, reject) => {
      const waiters = queue!.waiting.get(entityRef) ?? [];
      waiters.push({ resolve, reject });
      queue!.waiting.set(entityRef, waiters);
    });
    if (!queue.busy) {
      this.send(callerKey, queue);
    }
    return result;
  }

  private send(callerKey: string, queue: CallerQueue) {
    const batch = [...queue.waiting.entries()].slice(0, this.maxBatch);
    for (const [ref] of batch) {
      queue.waiting.delete(ref);
    }
    const refs = batch.map(([ref]) => ref);
    const { credentials } = queue;
    queue.busy = true;
    const read: Promise<Array<Entity | undefined>> =
      refs.length === 1
        ? this.catalog
            .getEntityByRef(refs[0], { credentials })
            .then(entity => [entity])
        : this.catalog
            .getEntitiesByRefs({ entityRefs: refs }, { credentials })
            .then(({ items }) => items.map(item => item ?? undefined));
    read
      .then(
        entities =>
          batch.forEach(([, waiters], i) =>
            waiters.forEach(w => w.resolve(entities[i])),
          ),
        error =>
          batch.forEach(([, waiters]) => waiters.forEach(w => w.reject(error))),
      )
      .finally(() => {
        queue.busy = false;
        if (queue.waiting.size > 0) {
          this.send(callerKey, queue);
        } else {
          this.queues.delete(callerKey);
        }
      });
  }
}
