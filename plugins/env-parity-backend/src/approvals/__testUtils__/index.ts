import {
  AuditorService,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  CatalogService,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { createTestCatalog } from '../../testUtils';

export const ALICE = 'user:default/alice';
export const BOB = 'user:default/bob';
export const CAROL = 'user:default/carol';
export const DAVE = 'user:default/dave';
export const MALLORY = 'user:default/mallory';
export const ADMIN = 'user:default/admin';
/** In `sre-eu` only, a child group of `sre`. */
export const ERIN = 'user:default/erin';
/** In `sre-eu-oncall` only, a child group of `sre-eu` (a grand-child of `sre`). */
export const FRANK = 'user:default/frank';
export const SRE = 'group:default/sre';
export const SRE_EU = 'group:default/sre-eu';
export const SRE_EU_ONCALL = 'group:default/sre-eu-oncall';
export const TEAM = 'group:default/team';

export function user(name: string, groups: string[], email?: string): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name, namespace: 'default' },
    spec: { memberOf: groups, ...(email && { profile: { email } }) },
    relations: groups.map(g => ({ type: 'memberOf', targetRef: g })),
  };
}

/**
 * A group with the relations the catalog derives: `hasMember` for its
 * members, `childOf` its parent and `parentOf` its children.
 */
export function group(
  name: string,
  members: string[],
  hierarchy: { parent?: string; children?: string[] } = {},
): Entity {
  const children = hierarchy.children ?? [];
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name, namespace: 'default' },
    spec: {
      type: 'team',
      ...(hierarchy.parent && { parent: hierarchy.parent }),
      children,
    },
    relations: [
      ...members.map(m => ({ type: 'hasMember', targetRef: m })),
      ...(hierarchy.parent
        ? [{ type: 'childOf', targetRef: hierarchy.parent }]
        : []),
      ...children.map(c => ({ type: 'parentOf', targetRef: c })),
    ],
  };
}

/**
 * The people: alice and mallory are in team (which owns the services); bob
 * and carol are in sre (which owns production) by their `memberOf`; dave is
 * in sre only by the group's `hasMember`; erin is only in sre-eu, a child
 * group of sre, and frank only in sre-eu-oncall, a child group of sre-eu;
 * admin is in no group.
 */
export function people(): Entity[] {
  return [
    user('alice', [TEAM], 'alice@example.com'),
    user('bob', [SRE]),
    user('carol', [SRE]),
    user('dave', []),
    user('erin', [SRE_EU]),
    user('frank', [SRE_EU_ONCALL]),
    user('mallory', [TEAM]),
    user('admin', []),
    group('sre', [BOB, CAROL, DAVE], { children: [SRE_EU] }),
    group('sre-eu', [ERIN], { parent: SRE, children: [SRE_EU_ONCALL] }),
    group('sre-eu-oncall', [FRANK], { parent: SRE_EU }),
    group('team', [ALICE, MALLORY]),
  ];
}

/** The test catalog of the backend tests, plus `getEntitiesByRefs`. */
export function createApprovalCatalog(
  entities: Entity[],
  hiddenFrom: Record<string, string[]> = {},
) {
  const { catalog } = createTestCatalog(entities, hiddenFrom);
  const full: CatalogService = {
    ...catalog,
    async getEntitiesByRefs(request, options) {
      return {
        items: await Promise.all(
          request.entityRefs.map(ref => catalog.getEntityByRef(ref, options)),
        ),
      };
    },
  };
  return {
    catalog: full,
    factory: createServiceFactory({
      service: catalogServiceRef,
      deps: {},
      factory: () => full,
    }),
  };
}

/** An auditor keeping the `meta` of every event. */
export function auditRecorder() {
  const audits: Record<string, any>[] = [];
  const auditor: AuditorService = {
    async createEvent(event) {
      audits.push(event.meta ?? {});
      return { success: async () => {}, fail: async () => {} };
    },
  };
  return { auditor, audits };
}
