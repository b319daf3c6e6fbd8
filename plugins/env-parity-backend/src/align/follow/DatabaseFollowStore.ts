import { DatabaseService } from '@backstage/backend-plugin-api';
import { AlignmentTarget } from '@env-parity/plugin-env-parity-common';
import { Knex } from 'knex';
import { migratedClient } from '../../database/migrations';
import { chunks, DbTime, optional, toDate } from '../../database/rows';

const TABLE = 'env_parity_align_follow';

/** What following did about one production target of a service in one environment. */
export type FollowOutcome =
  /** An alignment was created. */
  | 'created'
  /** The environment already ran it. */
  | 'in-sync'
  /** Alignment refused it (e.g. nobody to approve); not asked again for this target. */
  | 'refused';

/** The production target last followed in one environment of one service. */
export interface FollowedTarget {
  entityRef: string;
  environment: string;
  /** See `targetKey` in ../verification. */
  targetKey: string;
  target: AlignmentTarget;
  outcome: FollowOutcome;
  alignmentId?: string;
  /** Why it was refused. */
  detail?: string;
  followedAt: Date;
}

interface FollowRow {
  entity_ref: string;
  environment: string;
  target_key: string;
  target: string;
  outcome: string;
  alignment_id: string | null;
  detail: string | null;
  followed_at: DbTime;
}

/** The key of a service and environment in {@link DatabaseFollowStore.lastFollowed}'s map. */
export function followKey(entityRef: string, environment: string): string {
  return `${entityRef}\n${environment}`;
}

/**
 * Remembers, per service and environment, which production target was last
 * followed, so that each production change is followed once.
 */
export class DatabaseFollowStore {
  static async create(options: {
    database: DatabaseService;
    skipMigrations?: boolean;
  }): Promise<DatabaseFollowStore> {
    return new DatabaseFollowStore(
      await migratedClient(options.database, options.skipMigrations),
    );
  }

  private constructor(private readonly db: Knex) {}

  /** The last followed targets of these services, by {@link followKey}. */
  async lastFollowed(
    entityRefs: string[],
  ): Promise<Map<string, FollowedTarget>> {
    const result = new Map<string, FollowedTarget>();
    for (const part of chunks([...new Set(entityRefs)])) {
      const rows: FollowRow[] = await this.db(TABLE)
        .whereIn('entity_ref', part)
        .select();
      for (const row of rows) {
        result.set(followKey(row.entity_ref, row.environment), {
          entityRef: row.entity_ref,
          environment: row.environment,
          targetKey: row.target_key,
          target: JSON.parse(row.target),
          outcome: row.outcome as FollowOutcome,
          alignmentId: optional(row.alignment_id),
          detail: optional(row.detail),
          followedAt: toDate(row.followed_at)!,
        });
      }
    }
    return result;
  }

  /** Records a followed target, replacing the one before. */
  async record(followed: FollowedTarget): Promise<void> {
    const row: FollowRow = {
      entity_ref: followed.entityRef,
      environment: followed.environment,
      target_key: followed.targetKey,
      target: JSON.stringify(followed.target),
      outcome: followed.outcome,
      alignment_id: followed.alignmentId ?? null,
      detail: followed.detail?.slice(0, 2000) ?? null,
      followed_at: followed.followedAt,
    };
    await this.db(TABLE)
      .insert(row)
      .onConflict(['entity_ref', 'environment'])
      .merge([
        'target_key',
        'target',
        'outcome',
        'alignment_id',
        'detail',
        'followed_at',
      ]);
  }
}
