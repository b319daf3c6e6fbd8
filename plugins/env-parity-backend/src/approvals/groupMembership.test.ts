import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { GroupMembership, MAX_GROUP_DEPTH } from './groupMembership';
import {
  BOB,
  createApprovalCatalog,
  people,
  DAVE,
  ERIN,
  FRANK,
  group,
  MALLORY,
  SRE,
  SRE_EU,
  SRE_EU_ONCALL,
  TEAM,
  user,
} from './__testUtils__';

/** The access test catalog, counting the refs each batched read asked for. */
function setup(
  options: {
    nested?: boolean;
    entities?: Entity[];
  } = {},
) {
  const { catalog } = createApprovalCatalog(options.entities ?? people());
  const batches: string[][] = [];
  const counting: CatalogService = {
    ...catalog,
    async getEntitiesByRefs(request, opts) {
      batches.push([...request.entityRefs]);
      return catalog.getEntitiesByRefs(request, opts);
    },
  };
  const membership = new GroupMembership({
    catalog: counting,
    auth: mockServices.auth(),
    nested: options.nested ?? false,
  });
  return { membership, batches };
}

const ref = (name: string) => `group:default/${name}`;

describe('GroupMembership', () => {
  it('counts only direct membership when nested groups are off', async () => {
    const { membership, batches } = setup();
    await expect(membership.isMember(BOB, SRE)).resolves.toBe(true);
    // dave is in sre only by the group's hasMember.
    await expect(membership.isMember(DAVE, SRE)).resolves.toBe(true);
    await expect(membership.isMember(ERIN, SRE_EU)).resolves.toBe(true);
    await expect(membership.isMember(ERIN, SRE)).resolves.toBe(false);
    await expect(membership.isMember(FRANK, SRE)).resolves.toBe(false);
    await expect(membership.groupsOf(ERIN)).resolves.toEqual([SRE_EU]);
    await expect(membership.groupsOf(FRANK)).resolves.toEqual([SRE_EU_ONCALL]);
    expect(batches).toEqual([]);
  });

  it('counts members of child and grand-child groups when on, one batched read per level', async () => {
    const { membership, batches } = setup({ nested: true });
    await expect(membership.isMember(ERIN, SRE)).resolves.toBe(true);
    await expect(membership.isMember(FRANK, SRE)).resolves.toBe(true);
    await expect(membership.isMember(FRANK, SRE_EU)).resolves.toBe(true);
    // Upwards only: a member of the parent is not a member of the child.
    await expect(membership.isMember(BOB, SRE_EU)).resolves.toBe(false);
    await expect(membership.isMember(MALLORY, SRE)).resolves.toBe(false);
    await expect(membership.isMember(ERIN, TEAM)).resolves.toBe(false);
    await expect(membership.isMember(DAVE, SRE)).resolves.toBe(true);
    // Refs compare without regard to case, as the catalog's do.
    await expect(membership.isMember(FRANK, 'group:default/SRE')).resolves.toBe(
      true,
    );

    batches.length = 0;
    await expect(membership.groupsOf(FRANK)).resolves.toEqual([
      SRE_EU_ONCALL,
      SRE_EU,
      SRE,
    ]);
    expect(batches).toEqual([[SRE_EU_ONCALL], [SRE_EU], [SRE]]);
    await expect(membership.groupsOf(BOB)).resolves.toEqual([SRE]);
  });

  it('reads a whole level in one call', async () => {
    const entities = [
      user('multi', [ref('a'), ref('b')]),
      group('a', [], { parent: ref('top') }),
      group('b', [], { parent: ref('top') }),
      group('top', [], { children: [ref('a'), ref('b')] }),
    ];
    const { membership, batches } = setup({ nested: true, entities });
    await expect(membership.groupsOf('user:default/multi')).resolves.toEqual([
      ref('a'),
      ref('b'),
      ref('top'),
    ]);
    expect(batches).toEqual([[ref('a'), ref('b')], [ref('top')]]);
  });

  it('ends the walk at a cycle, reading each group once', async () => {
    // a childOf b childOf a, and c childOf itself.
    const entities = [
      user('looped', [ref('a'), ref('c')]),
      group('a', [], { parent: ref('b'), children: [ref('b')] }),
      group('b', [], { parent: ref('a'), children: [ref('a')] }),
      group('c', [], { parent: ref('c'), children: [ref('c')] }),
      group('elsewhere', []),
    ];
    const { membership, batches } = setup({ nested: true, entities });
    const looped = 'user:default/looped';
    await expect(membership.isMember(looped, ref('elsewhere'))).resolves.toBe(
      false,
    );
    const read = batches.flat();
    expect(read.sort()).toEqual([ref('a'), ref('b'), ref('c')]);
    await expect(membership.isMember(looped, ref('b'))).resolves.toBe(true);
    await expect(membership.groupsOf(looped)).resolves.toEqual([
      ref('a'),
      ref('c'),
      ref('b'),
    ]);
  });

  it(`follows at most ${MAX_GROUP_DEPTH} levels above the user's groups`, async () => {
    // level-0 is the root; the user is in level-N, N = MAX_GROUP_DEPTH + 1.
    const levels = MAX_GROUP_DEPTH + 1;
    const entities = [
      user('deep', [ref(`level-${levels}`)]),
      ...Array.from({ length: levels + 1 }, (_, i) =>
        group(`level-${i}`, [], {
          parent: i > 0 ? ref(`level-${i - 1}`) : undefined,
          children: i < levels ? [ref(`level-${i + 1}`)] : [],
        }),
      ),
    ];
    const { membership, batches } = setup({ nested: true, entities });
    const deep = 'user:default/deep';
    await expect(membership.isMember(deep, ref('level-2'))).resolves.toBe(true);
    await expect(membership.isMember(deep, ref('level-1'))).resolves.toBe(true);
    batches.length = 0;
    await expect(membership.isMember(deep, ref('level-0'))).resolves.toBe(
      false,
    );
    expect(batches).toHaveLength(MAX_GROUP_DEPTH);
    const groups = await membership.groupsOf(deep);
    expect(groups).toHaveLength(MAX_GROUP_DEPTH + 1);
    expect(groups).toContain(ref('level-1'));
    expect(groups).not.toContain(ref('level-0'));
  });

  it('skips groups missing from the catalog', async () => {
    const entities = [user('orphan', [ref('gone'), SRE_EU]), ...people()];
    const { membership } = setup({ nested: true, entities });
    await expect(membership.groupsOf('user:default/orphan')).resolves.toEqual([
      ref('gone'),
      SRE_EU,
      SRE,
    ]);
    await expect(membership.isMember('user:default/orphan', SRE)).resolves.toBe(
      true,
    );
  });
});
