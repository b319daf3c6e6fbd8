import { ConflictError } from '@backstage/errors';
import { Knex } from 'knex';
import { isRolledBackRace } from '../database/rows';

/**
 * Moves one row from the exact state it was read in, as a single
 * conditional write: `UPDATE ... WHERE id = ? AND status = ? AND version = ?`,
 * in one transaction with whatever `alsoWrite` adds (the event, the
 * reviewer's decision). Two replicas or two reviewers can never both win.
 *
 * Returns false when the row was changed by someone else since it was read
 * (or the database rolled the transaction back to break a deadlock): the
 * caller lost the race, and reads again.
 */
export async function compareAndSet(
  db: Knex,
  options: {
    table: string;
    id: string;
    expected: { status: string; version: number };
    /** The new column values; must set `status` and `version`. */
    update: Record<string, unknown>;
    alsoWrite?: (tx: Knex.Transaction) => Promise<void>;
  },
): Promise<boolean> {
  const { table, id, expected, update, alsoWrite } = options;
  const rowLocks = !String(db.client.config.client ?? '').includes('sqlite');
  try {
    return await db.transaction(async tx => {
      if (rowLocks) {
        // Queue writers of one row on its primary key first; on MySQL the
        // conditional update alone also takes gap locks on a status index,
        // where two writers can deadlock.
        await tx(table).select('id').where('id', id).forUpdate();
      }
      const changed = await tx(table)
        .where({ id, status: expected.status, version: expected.version })
        .update(update);
      if (changed !== 1) {
        return false;
      }
      await alsoWrite?.(tx);
      return true;
    });
  } catch (error) {
    if (isRolledBackRace(error)) {
      return false;
    }
    throw error;
  }
}

/**
 * Runs `attempt` on the latest state of a request; when its conditional
 * write loses to a concurrent one (`attempt` returns undefined), reads
 * again and retries, so the loser sees the winner's outcome as a clear
 * conflict from its own checks (or succeeds if the action still makes
 * sense, like a second approval in N-of-M).
 */
export async function onLatest<T>(options: {
  read: () => Promise<T>;
  attempt: (latest: T) => Promise<T | undefined>;
  /** For the message when the request keeps changing, e.g. "Access request 1234". */
  name: string;
  maxRetries?: number;
}): Promise<T> {
  const maxRetries = options.maxRetries ?? 3;
  for (let i = 0; i <= maxRetries; i++) {
    const result = await options.attempt(await options.read());
    if (result !== undefined) {
      return result;
    }
  }
  throw new ConflictError(`${options.name} is changing too often; try again`);
}
