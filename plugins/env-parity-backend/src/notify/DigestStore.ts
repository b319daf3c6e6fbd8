import {
  DatabaseService,
  isDatabaseConflictError,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { migratedClient } from '../database/migrations';

const TABLE = 'env_parity_notify_digests';

type Row = {
  recipient: string;
  sent_at: number | string;
  services: number;
};

/**
 * Remembers the latest drift digest of each recipient (table
 * `env_parity_notify_digests`), claimed before the digest goes out: a
 * recipient's claim succeeds only when it has none yet or its latest is at
 * least the minimum gap old, one conditional write, so of replicas running
 * the digest in the same period exactly one sends it.
 */
export class DigestStore {
  private constructor(private readonly db: Knex) {}

  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DigestStore> {
    return new DigestStore(
      await migratedClient(options.database, options.skipMigrations),
    );
  }

  /**
   * Records that this recipient's digest is being sent now; false when one
   * was claimed less than `minimumGapMs` ago (here or by another replica),
   * and then it must not be sent.
   */
  async claim(options: {
    recipient: string;
    services: number;
    now: Date;
    minimumGapMs: number;
  }): Promise<boolean> {
    const now = options.now.getTime();
    const recipient = options.recipient.toLocaleLowerCase('en-US');
    try {
      await this.db<Row>(TABLE).insert({
        recipient,
        sent_at: now,
        services: options.services,
      });
      return true;
    } catch (error) {
      if (!isDatabaseConflictError(error)) {
        throw error;
      }
    }
    const updated = await this.db<Row>(TABLE)
      .where('recipient', recipient)
      .where('sent_at', '<=', now - options.minimumGapMs)
      .update({ sent_at: now, services: options.services });
    return updated === 1;
  }
}
