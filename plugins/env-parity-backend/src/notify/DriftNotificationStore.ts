import {
  DatabaseService,
  isDatabaseConflictError,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import { migratedClient } from '../database/migrations';
import { DriftNotificationKind } from './rules';

const TABLE = 'env_parity_drift_notifications';

type Row = {
  entity_ref: string;
  environment: string;
  drift_since: number | string;
  kind: string;
  notified_at: number | string;
};

/**
 * Remembers which drift notifications were sent (table
 * `env_parity_drift_notifications`): one row per drift and kind, claimed
 * before the notification goes out, so the same drift is never notified
 * twice of the same thing, by any replica.
 */
export class DriftNotificationStore {
  private constructor(private readonly db: Knex) {}

  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DriftNotificationStore> {
    return new DriftNotificationStore(
      await migratedClient(options.database, options.skipMigrations),
    );
  }

  /**
   * Records that this notification of this drift is being sent; false when
   * it was already (here or by another replica), and then it must not be.
   */
  async claim(options: {
    entityRef: string;
    environment: string;
    driftSince: Date;
    kind: DriftNotificationKind;
    now: Date;
  }): Promise<boolean> {
    try {
      await this.db<Row>(TABLE).insert({
        entity_ref: options.entityRef,
        environment: options.environment,
        drift_since: options.driftSince.getTime(),
        kind: options.kind,
        notified_at: options.now.getTime(),
      });
      return true;
    } catch (error) {
      if (isDatabaseConflictError(error)) {
        return false;
      }
      throw error;
    }
  }

  /** Whether any notification of this environment was sent since `since`. */
  async notifiedSince(options: {
    entityRef: string;
    environment: string;
    since: Date;
  }): Promise<boolean> {
    const row = await this.db<Row>(TABLE)
      .where({
        entity_ref: options.entityRef,
        environment: options.environment,
      })
      .where('notified_at', '>=', options.since.getTime())
      .first('kind');
    return !!row;
  }
}
