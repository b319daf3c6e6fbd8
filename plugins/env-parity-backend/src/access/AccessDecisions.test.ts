import { AccessRequest } from '@env-parity/plugin-env-parity-common';
import { knex as createKnex } from 'knex';
import {
  accessEntities,
  ADMIN,
  ALICE,
  BOB,
  CAROL,
  DAVE,
  ERIN,
  FRANK,
  group,
  MALLORY,
  SRE,
  SRE_EU,
  TEAM,
  user,
} from './__testUtils__';
import {
  as,
  body,
  databases,
  MINUTE,
  service,
  setup,
  T0,
} from './__testUtils__/service';

jest.setTimeout(60_000);

describe('AccessDecisions', () => {
  it('refuses self-approval, even by a member of the approver group', async () => {
    const { access } = await setup();
    const request = await access.create(as(BOB), body);
    await expect(access.approve(as(BOB), request.id, {})).rejects.toMatchObject(
      {
        name: 'NotAllowedError',
        message: 'You cannot approve your own access request',
      },
    );
    await expect(
      access.deny(as(BOB), request.id, { comment: 'no' }),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect((await access.get(as(BOB), request.id)).status).toBe('pending');
    expect((await access.get(as(BOB), request.id)).actions).toMatchObject({
      approve: false,
      withdraw: true,
    });
  });

  it('refuses reviewers who are not members of the approver group, read from the catalog', async () => {
    const { access, entities } = await setup();
    const request = await access.create(as(ALICE), body);
    // mallory may review in general, but is not in sre.
    await expect(
      access.approve(as(MALLORY), request.id, {}),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'Only members of group:default/sre can approve access to production of component:default/payments',
    });
    // Whatever the caller's token claims: membership comes from the catalog.
    const claims = as(MALLORY);
    (claims.credentials.principal as any).ownershipEntityRefs = [SRE];
    await expect(access.approve(claims, request.id, {})).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    // Without the review permission, membership does not help.
    await expect(
      access.approve(as(CAROL, { review: false }), request.id, {}),
    ).rejects.toThrow('env-parity.access.review');

    // Membership is checked at decision time: bob leaves sre.
    const bob = entities.find(e => e.metadata.name === 'bob')!;
    bob.relations = [];
    const sre = entities.find(e => e.metadata.name === 'sre')!;
    sre.relations = sre.relations!.filter(r => r.targetRef !== BOB);
    await expect(access.approve(as(BOB), request.id, {})).rejects.toMatchObject(
      {
        name: 'NotAllowedError',
      },
    );
    expect((await access.get(as(ALICE), request.id)).events).toHaveLength(1);

    // dave is a member only by the group's hasMember relation.
    await expect(
      access.approve(as(DAVE), request.id, {}),
    ).resolves.toMatchObject({ status: 'active' });
  });

  it('grants on approval, shows how to use it, and answers active-grant checks', async () => {
    const { access, provisioner, notifications, audits } = await setup();
    const request = await access.create(as(ALICE), body);
    const approved = await access.approve(as(BOB), request.id, {
      comment: 'go ahead',
    });
    expect(approved).toMatchObject({
      status: 'active',
      activatedAt: new Date(T0).toISOString(),
      expiresAt: new Date(T0 + 30 * MINUTE).toISOString(),
      approvals: [{ approver: BOB, decision: 'approve', comment: 'go ahead' }],
      instructions: `kubectl --context prod -n payments get pods  # as alice@example.com, account ro-${request.id.slice(
        0,
        8,
      )}, until ${new Date(T0 + 30 * MINUTE).toISOString()}`,
    });
    expect(provisioner.grants.map(g => [g.id, g.expiresAt])).toEqual([
      [request.id, new Date(T0 + 30 * MINUTE).toISOString()],
    ]);
    const details = await access.get(as(ALICE), request.id);
    expect(
      details.events.map(e => [e.type, e.actor, e.fromStatus, e.toStatus]),
    ).toEqual([
      ['requested', ALICE, undefined, 'pending'],
      ['approved', BOB, 'pending', 'approved'],
      ['granted', 'system', 'approved', 'active'],
    ]);
    expect(details.actions).toEqual({
      approve: false,
      deny: false,
      withdraw: false,
      revoke: true,
      review: false,
    });
    expect(notifications.sent.map(n => n.payload.title)).toEqual([
      'Access requested to payments in production',
      'Access approved: payments in production',
      'Access active: payments in production',
    ]);
    expect(audits.map(a => a.action)).toEqual([
      'requested',
      'approved',
      'granted',
    ]);

    await expect(
      access.activeGrants(service, { user: ALICE }),
    ).resolves.toEqual([
      {
        requestId: request.id,
        user: ALICE,
        entityRef: 'component:default/payments',
        environment: 'production',
        activatedAt: new Date(T0).toISOString(),
        expiresAt: new Date(T0 + 30 * MINUTE).toISOString(),
        breakGlass: false,
      },
    ]);
    await expect(
      access.activeGrants(as(ALICE), { user: 'alice' }),
    ).resolves.toHaveLength(1);
    await expect(
      access.activeGrants(as(ALICE), {
        user: ALICE,
        environment: 'staging',
      }),
    ).resolves.toEqual([]);
    await expect(
      access.activeGrants(as(MALLORY), { user: ALICE }),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
  });

  it('needs N of M approvals, one per reviewer', async () => {
    const { access, provisioner } = await setup({
      access: { requiredApprovals: 2 },
    });
    const request = await access.create(as(ALICE), body);
    const once = await access.approve(as(BOB), request.id, {});
    expect(once).toMatchObject({ status: 'pending', requiredApprovals: 2 });
    expect(once.approvals).toHaveLength(1);
    expect(provisioner.grants).toEqual([]);
    await expect(access.approve(as(BOB), request.id, {})).rejects.toMatchObject(
      {
        name: 'ConflictError',
        message: expect.stringContaining('already decided'),
      },
    );
    await expect(
      access.approve(as(CAROL), request.id, {}),
    ).resolves.toMatchObject({ status: 'active' });
    expect(provisioner.grants).toHaveLength(1);
  });

  it('counts two approvals given at the same moment', async () => {
    const { access } = await setup({ access: { requiredApprovals: 2 } });
    const request = await access.create(as(ALICE), body);
    await Promise.all([
      access.approve(as(BOB), request.id, {}),
      access.approve(as(CAROL), request.id, {}),
    ]);
    const details = await access.get(as(ALICE), request.id);
    expect(details.status).toBe('active');
    expect(details.approvals.map(a => a.approver).sort()).toEqual([BOB, CAROL]);
  });

  it('denies with a comment, after which nothing can change it', async () => {
    const { access, store, notifications } = await setup();
    const request = await access.create(as(ALICE), body);
    await expect(access.deny(as(BOB), request.id, {})).rejects.toThrow(
      'comment is required',
    );
    const denied = await access.deny(as(BOB), request.id, {
      comment: 'Use the staging repro first',
    });
    expect(denied.status).toBe('denied');
    expect(notifications.sent.at(-1)).toMatchObject({
      recipients: { entityRef: [ALICE] },
      payload: { title: 'Access denied: payments in production' },
    });
    const before = await store.require(request.id);
    for (const attempt of [
      () => access.approve(as(CAROL), request.id, {}),
      () => access.deny(as(CAROL), request.id, { comment: 'no' }),
      () => access.withdraw(as(ALICE), request.id, {}),
      () => access.revoke(as(ADMIN), request.id, {}),
    ]) {
      await expect(attempt()).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringContaining('is denied, which is final'),
      });
    }
    await access.sweep();
    expect(await store.require(request.id)).toEqual(before);
  });

  it('lets only the requester withdraw a pending request', async () => {
    const { access } = await setup();
    const request = await access.create(as(ALICE), body);
    await expect(
      access.withdraw(as(BOB), request.id, {}),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(
      access.withdraw(as(ALICE), request.id, { comment: 'found it in logs' }),
    ).resolves.toMatchObject({ status: 'withdrawn' });
    // A new request may be opened once the old one is over.
    await expect(access.create(as(ALICE), body)).resolves.toMatchObject({
      status: 'pending',
    });
    await expect(access.create(as(ALICE), body)).rejects.toMatchObject({
      name: 'ConflictError',
    });
  });

  it('lets the requester, an approver or an admin revoke, and nobody else', async () => {
    const { access, provisioner } = await setup();
    const requests: AccessRequest[] = [];
    for (const name of ['payments', 'secret']) {
      const r = await access.create(as(ALICE), {
        ...body,
        entityRef: `component:default/${name}`,
      });
      await access.approve(as(BOB), r.id, {});
      requests.push(r);
    }
    const extra = await access.create(as(MALLORY), body);
    await access.approve(as(CAROL), extra.id, {});

    await expect(
      access.revoke(as(MALLORY), requests[0].id, {}),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    await expect(
      access.revoke(as(ALICE), requests[0].id, {}),
    ).resolves.toMatchObject({ status: 'revoked' });
    await expect(
      access.revoke(as(CAROL), requests[1].id, { comment: 'incident over' }),
    ).resolves.toMatchObject({ status: 'revoked' });
    await expect(access.revoke(as(ADMIN), extra.id, {})).resolves.toMatchObject(
      { status: 'revoked' },
    );
    await expect(access.revoke(as(ADMIN), extra.id, {})).rejects.toMatchObject({
      name: 'ConflictError',
    });
    expect(provisioner.revokes).toHaveLength(3);
  });

  it('takes approvers from the service owner or a named group when configured', async () => {
    const owner = await setup({
      access: { approvers: { type: 'service-owner' } },
    });
    const r1 = await owner.access.create(as(ALICE), body);
    expect(r1).toMatchObject({
      approverRef: 'group:default/team',
      approverSource: 'service-owner',
    });
    // alice owns the service but still cannot approve her own request.
    await expect(owner.access.approve(as(ALICE), r1.id, {})).rejects.toThrow(
      'own access request',
    );
    await expect(owner.access.approve(as(BOB), r1.id, {})).rejects.toThrow(
      'Only members of group:default/team',
    );
    await expect(
      owner.access.approve(as(MALLORY), r1.id, {}),
    ).resolves.toMatchObject({ status: 'active' });

    const named = await setup({
      access: { approvers: { type: 'group', ref: TEAM } },
    });
    const r2 = await named.access.create(as(BOB), body);
    expect(r2).toMatchObject({ approverRef: TEAM, approverSource: 'group' });
    await expect(
      named.access.approve(as(MALLORY), r2.id, {}),
    ).resolves.toMatchObject({ status: 'active' });
  });
});

describe.each(databases.eachSupportedId())(
  'AccessService nested approver groups on %p',
  databaseId => {
    const ids = (items: AccessRequest[]) => items.map(i => i.id);

    it('counts only direct members of the approver group by default', async () => {
      const knex = await databases.init(databaseId);
      const { access } = await setup({ knex });
      const request = await access.create(as(ALICE), body);
      // erin is only in sre-eu, a child group of sre; frank one level below.
      for (const reviewer of [ERIN, FRANK]) {
        await expect(
          access.approve(as(reviewer), request.id, {}),
        ).rejects.toMatchObject({
          name: 'NotAllowedError',
          message:
            'Only members of group:default/sre can approve access to production of component:default/payments',
        });
        await expect(
          access.deny(as(reviewer), request.id, { comment: 'no' }),
        ).rejects.toMatchObject({ name: 'NotAllowedError' });
        expect(await access.list(as(reviewer), { reviewable: true })).toEqual(
          [],
        );
        expect(await access.list(as(reviewer), {})).toEqual([]);
        await expect(
          access.get(as(reviewer), request.id),
        ).rejects.toMatchObject({ name: 'NotFoundError' });
      }
      expect(ids(await access.list(as(BOB), { reviewable: true }))).toEqual([
        request.id,
      ]);
      expect((await access.get(as(ALICE), request.id)).status).toBe('pending');
    });

    it('counts members of child and grand-child groups with nestedGroups', async () => {
      const knex = await databases.init(databaseId);
      const { access } = await setup({
        knex,
        access: { nestedGroups: true, requiredApprovals: 2 },
      });
      const request = await access.create(as(ALICE), body);
      for (const reviewer of [ERIN, FRANK]) {
        expect(
          ids(await access.list(as(reviewer), { reviewable: true })),
        ).toEqual([request.id]);
        expect(ids(await access.list(as(reviewer), {}))).toEqual([request.id]);
        expect(
          (await access.get(as(reviewer), request.id)).actions,
        ).toMatchObject({ approve: true, deny: true });
      }
      // Still nobody outside sre's tree.
      await expect(access.approve(as(MALLORY), request.id, {})).rejects.toThrow(
        'Only members of group:default/sre',
      );
      expect(await access.list(as(MALLORY), { reviewable: true })).toEqual([]);

      await expect(
        access.approve(as(ERIN), request.id, {}),
      ).resolves.toMatchObject({ status: 'pending' });
      await expect(
        access.approve(as(FRANK), request.id, {}),
      ).resolves.toMatchObject({ status: 'active' });
      expect(
        (await access.get(as(ALICE), request.id)).approvals.map(
          a => a.approver,
        ),
      ).toEqual([ERIN, FRANK]);
      expect(await access.list(as(ERIN), { reviewable: true })).toEqual([]);
    });

    it("reads the hierarchy with its own credentials, not the reviewer's", async () => {
      const knex = await databases.init(databaseId);
      const { access } = await setup({
        knex,
        access: { nestedGroups: true },
        // The groups and erin herself are hidden from erin's token.
        hiddenFrom: { [SRE]: [ERIN], [SRE_EU]: [ERIN], [ERIN]: [ERIN] },
      });
      const request = await access.create(as(ALICE), body);
      expect(ids(await access.list(as(ERIN), { reviewable: true }))).toEqual([
        request.id,
      ]);
      await expect(
        access.approve(as(ERIN), request.id, {}),
      ).resolves.toMatchObject({ status: 'active' });
    });

    it('ends at a cycle in the group hierarchy', async () => {
      const knex = await databases.init(databaseId);
      // loop-a childOf loop-b childOf loop-a; production is owned by sre.
      const a = 'group:default/loop-a';
      const b = 'group:default/loop-b';
      const entities = [
        ...accessEntities(),
        group('loop-a', [], { parent: b, children: [b] }),
        group('loop-b', [], { parent: a, children: [a] }),
        user('looped', [a]),
      ];
      const looped = 'user:default/looped';
      const { access } = await setup({
        knex,
        entities,
        access: { nestedGroups: true },
      });
      const request = await access.create(as(ALICE), body);
      await expect(
        access.approve(as(looped, { review: true }), request.id, {}),
      ).rejects.toThrow('Only members of group:default/sre');
      expect(
        await access.list(as(looped, { review: true }), { reviewable: true }),
      ).toEqual([]);

      // With loop-b as the approver group, looped (in loop-a) approves.
      const named = await setup({
        knex,
        entities,
        access: { nestedGroups: true, approvers: { type: 'group', ref: b } },
      });
      const second = await named.access.create(as(ALICE), {
        ...body,
        entityRef: 'component:default/secret',
      });
      expect(
        ids(
          await named.access.list(as(looped, { review: true }), {
            reviewable: true,
          }),
        ),
      ).toEqual([second.id]);
      await expect(
        named.access.approve(as(looped, { review: true }), second.id, {}),
      ).resolves.toMatchObject({ status: 'active' });
    });
  },
);

describe.each(databases.eachSupportedId())(
  'AccessService races on %p',
  databaseId => {
    it('has exactly one winner when approve and deny meet, across two instances', async () => {
      const knex = await databases.init(databaseId);
      // Two replicas: on PostgreSQL and MySQL each with its own pool.
      const second =
        databaseId === 'SQLITE_3' ? knex : createKnex(knex.client.config);
      try {
        const a = await setup({ knex });
        const b = await setup({ knex: second });
        for (let round = 0; round < 25; round++) {
          const request = await a.access.create(as(ALICE), {
            ...body,
            entityRef:
              round % 2
                ? 'component:default/payments'
                : 'component:default/secret',
          });
          const results = await Promise.allSettled([
            a.access.approve(as(BOB), request.id, {}),
            b.access.deny(as(CAROL), request.id, { comment: 'not now' }),
            b.access.approve(as(DAVE), request.id, {}),
          ]);
          const won = results.filter(r => r.status === 'fulfilled');
          const lost = results.filter(
            (r): r is PromiseRejectedResult => r.status === 'rejected',
          );
          expect(won).toHaveLength(1);
          expect(
            lost.map(l => `${l.reason.name}: ${l.reason.message}`),
          ).toEqual([
            expect.stringMatching(
              /^ConflictError: Access request .* is (active|approved|denied)/,
            ),
            expect.stringMatching(
              /^ConflictError: Access request .* is (active|approved|denied)/,
            ),
          ]);
          const details = await a.access.get(as(ALICE), request.id);
          expect(['active', 'denied']).toContain(details.status);
          expect(details.approvals).toHaveLength(1);
          expect(
            details.events.filter(e => e.fromStatus === 'pending'),
          ).toHaveLength(1);
          // Close the round so the next request for the service may open.
          if (details.status === 'active') {
            await b.access.revoke(as(ALICE), request.id, {});
          }
        }
      } finally {
        if (second !== knex) {
          await second.destroy();
        }
      }
    });
  },
);
