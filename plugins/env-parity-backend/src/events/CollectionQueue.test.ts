import { mockServices } from '@backstage/backend-test-utils';
import { CollectionQueue } from './CollectionQueue';

/** A collect function whose collections finish when the test says. */
function controlledCollect() {
  const started: string[] = [];
  const finishers: Array<() => void> = [];
  return {
    started,
    collect: (ref: string) =>
      new Promise<void>(resolve => {
        started.push(ref);
        finishers.push(resolve);
      }),
    finishNext: () => finishers.shift()!(),
  };
}

async function waitFor(check: () => boolean) {
  while (!check()) {
    await new Promise(r => setTimeout(r, 10));
  }
}

const flush = () => new Promise(r => setImmediate(r));

describe('CollectionQueue', () => {
  const logger = mockServices.logger.mock();

  it('starts a lone request at once and merges repeats while it runs into one more', async () => {
    const c = controlledCollect();
    const queue = new CollectionQueue(c.collect, logger, {
      mergeWindowMs: 0,
      maxPending: 10,
      concurrency: 2,
    });
    queue.request('a');
    expect(c.started).toEqual(['a']);
    for (let i = 0; i < 50; i++) {
      queue.request('a');
    }
    await flush();
    expect(c.started).toEqual(['a']);
    c.finishNext();
    await flush();
    expect(c.started).toEqual(['a', 'a']);
    c.finishNext();
    await queue.idle();
    expect(queue.stats).toMatchObject({
      requested: 51,
      collections: 2,
      merged: 49,
    });
  });

  it('waits out the merge window after a start', async () => {
    let now = 0;
    const c = controlledCollect();
    const queue = new CollectionQueue(
      c.collect,
      logger,
      { mergeWindowMs: 100, maxPending: 10, concurrency: 2 },
      () => now,
    );
    queue.request('a');
    c.finishNext();
    await flush();
    queue.request('a');
    queue.request('a');
    await flush();
    // the clock has not moved: still within the window of the first start
    expect(c.started).toEqual(['a']);
    now = 100;
    await waitFor(() => c.started.length === 2);
    c.finishNext();
    await queue.idle();
    expect(queue.stats.collections).toBe(2);
  });

  it('runs different services side by side up to the concurrency, and drops beyond the bound', async () => {
    const c = controlledCollect();
    const queue = new CollectionQueue(c.collect, logger, {
      mergeWindowMs: 0,
      maxPending: 3,
      concurrency: 2,
    });
    ['a', 'b', 'c', 'd', 'e', 'f'].forEach(r => queue.request(r));
    expect(c.started).toEqual(['a', 'b']);
    // a and b run; c, d wait ready; e waits too (3 pending at most): f dropped
    expect(queue.stats.dropped).toBe(1);
    for (let i = 0; i < 5; i++) {
      c.finishNext();
      await flush();
    }
    await queue.idle();
    expect(c.started).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('dropped the request for f'),
    );
  });

  it('keeps going after a failed collection', async () => {
    const calls: string[] = [];
    const queue = new CollectionQueue(
      async ref => {
        calls.push(ref);
        if (calls.length === 1) {
          throw new Error('provider down');
        }
      },
      logger,
      { mergeWindowMs: 0, maxPending: 10, concurrency: 1 },
    );
    queue.request('a');
    await queue.idle();
    queue.request('a');
    await queue.idle();
    expect(calls).toEqual(['a', 'a']);
    expect(queue.stats.failed).toBe(1);
  });
});
