import {
  AuthService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  RELATION_CHILD_OF,
  RELATION_HAS_MEMBER,
  RELATION_MEMBER_OF,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';

/**
 * How many levels above a user's own groups count when nested groups are on:
 * a member of a group ten levels below G is still a member of G, one more
 * level is not. Bounds the catalog reads of a deep or broken hierarchy.
 */
export const MAX_GROUP_DEPTH = 10;

const lower = (ref: string) => ref.toLocaleLowerCase('en-US');

const targetsOf = (entity: Entity | undefined, type: string) =>
  entity?.relations?.filter(r => r.type === type).map(r => r.targetRef) ?? [];

/**
 * Group membership read from the catalog with the plugin's own credentials,
 * never from the caller's token.
 *
 * Direct membership: the user's `memberOf` relation, or the group's
 * `hasMember` relation. With `nested`, a member of a group below G (through
 * `spec.parent` / `spec.children`, i.e. `childOf`) is a member of G too, up to
 * `maxDepth` levels; each level is one batched catalog read, and every group
 * is read at most once, so a cycle in the hierarchy ends the walk. The walk
 * starts from the user's `memberOf` groups, which the catalog derives from a
 * group's `spec.members` as well as from the user's `spec.memberOf`.
 */
export class GroupMembership {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      nested: boolean;
      maxDepth?: number;
    },
  ) {}

  /** Whether the user is a member of the group, directly or (nested) below it. */
  async isMember(userRef: string, groupRef: string): Promise<boolean> {
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const user = await this.deps.catalog.getEntityByRef(userRef, {
      credentials,
    });
    const direct = targetsOf(user, RELATION_MEMBER_OF);
    const wanted = lower(groupRef);
    if (direct.some(g => lower(g) === wanted)) {
      return true;
    }
    const group = await this.deps.catalog.getEntityByRef(groupRef, {
      credentials,
    });
    if (
      targetsOf(group, RELATION_HAS_MEMBER).some(
        u => lower(u) === lower(userRef),
      )
    ) {
      return true;
    }
    if (!this.deps.nested) {
      return false;
    }
    const ancestors = await this.ancestorsOf(direct, credentials, wanted);
    return ancestors.some(g => lower(g) === wanted);
  }

  /**
   * The groups the user is a member of: their `memberOf` groups and, with
   * nested groups, every group above those within the depth bound.
   */
  async groupsOf(userRef: string): Promise<string[]> {
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const user = await this.deps.catalog.getEntityByRef(userRef, {
      credentials,
    });
    const direct = targetsOf(user, RELATION_MEMBER_OF);
    if (!this.deps.nested) {
      return direct;
    }
    return [...direct, ...(await this.ancestorsOf(direct, credentials))];
  }

  /**
   * The groups above the given ones, nearest first, following `childOf`
   * breadth-first; stops early once `stopAt` (lower case) is found.
   */
  private async ancestorsOf(
    groupRefs: string[],
    credentials: BackstageCredentials,
    stopAt?: string,
  ): Promise<string[]> {
    const maxDepth = this.deps.maxDepth ?? MAX_GROUP_DEPTH;
    const seen = new Set(groupRefs.map(lower));
    const found: string[] = [];
    let frontier = [...new Set(groupRefs)];
    for (let depth = 1; depth <= maxDepth && frontier.length; depth++) {
      const { items } = await this.deps.catalog.getEntitiesByRefs(
        {
          entityRefs: frontier,
          fields: ['kind', 'metadata.namespace', 'metadata.name', 'relations'],
        },
        { credentials },
      );
      const next: string[] = [];
      for (const entity of items) {
        if (entity?.kind.toLocaleLowerCase('en-US') !== 'group') {
          continue;
        }
        for (const parent of targetsOf(entity, RELATION_CHILD_OF)) {
          if (!seen.has(lower(parent))) {
            seen.add(lower(parent));
            next.push(parent);
          }
        }
      }
      found.push(...next);
      if (stopAt && next.some(g => lower(g) === stopAt)) {
        break;
      }
      frontier = next;
    }
    return found;
  }
}
