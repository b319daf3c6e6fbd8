import { ALICE, BOB, deferred, SRE, waitFor } from './__testUtils__';
import { as, body, MINUTE, service, setup, T0 } from './__testUtils__/service';

jest.setTimeout(60_000);

describe('AccessLifecycle and AccessSweep', () => {
  it('expires on time with a fake clock: warned before, shown expired at once, revoked by the sweep', async () => {
    const { access, provisioner, notifications, tick, store } = await setup();
    const request = await access.create(as(ALICE), body);
    await access.approve(as(BOB), request.id, {});

    tick(10);
    await access.sweep();
    expect(notifications.sent.map(n => n.payload.title)).not.toContain(
      'Access ends soon: payments in production',
    );
    tick(6); // 14 minutes left
    await access.sweep();
    await access.sweep();
    const warnings = notifications.sent.filter(
      n => n.payload.title === 'Access ends soon: payments in production',
    );
    expect(warnings).toEqual([
      expect.objectContaining({
        recipients: { type: 'entity', entityRef: [ALICE, SRE] },
      }),
    ]);

    tick(14); // exactly the end
    // Before any sweep: reads and checks already treat it as over.
    await expect(
      access.activeGrants(service, { user: ALICE }),
    ).resolves.toEqual([]);
    provisioner.revokeGate = new Promise(() => {}); // hold the read's revoke
    const read = await access.get(as(ALICE), request.id);
    expect(read.status).toBe('expired');
    expect(read.instructions).toBeUndefined();
    expect((await store.require(request.id)).status).toBe('active');

    provisioner.revokeGate = undefined;
    await access.sweep();
    expect(provisioner.revokes.map(r => r.id)).toEqual([request.id]);
    const after = await access.get(as(ALICE), request.id);
    expect(after.status).toBe('expired');
    expect(after.resolvedAt).toBe(new Date(T0 + 30 * MINUTE).toISOString());
    expect(after.events.map(e => [e.type, e.actor])).toEqual([
      ['requested', ALICE],
      ['approved', BOB],
      ['granted', 'system'],
      ['expiry-warning', 'system'],
      ['expired', 'system'],
    ]);
  });

  it('times out a request nobody reviewed', async () => {
    const { access, tick, notifications } = await setup({
      access: { reviewTimeoutMs: 60 * MINUTE },
    });
    const request = await access.create(as(ALICE), body);
    tick(61);
    expect((await access.get(as(ALICE), request.id)).status).toBe('timed-out');
    await expect(access.approve(as(BOB), request.id, {})).rejects.toMatchObject(
      { name: 'ConflictError', message: expect.stringContaining('timed-out') },
    );
    await access.sweep();
    await access.close();
    const details = await access.get(as(ALICE), request.id);
    expect(details.events.map(e => e.type)).toEqual(['requested', 'timed-out']);
    expect(notifications.sent.at(-1)!.payload.title).toBe(
      'Access request timed out: payments in production',
    );
  });

  it('shows a failed grant, retries it with backoff, and grants it', async () => {
    const { access, provisioner, tick, notifications } = await setup();
    provisioner.failGrants = 2;
    const request = await access.create(as(ALICE), body);
    const failed = await access.approve(as(BOB), request.id, {});
    expect(failed).toMatchObject({
      status: 'provisioning-failed',
      provisioning: {
        operation: 'grant',
        attempts: 1,
        nextAttemptAt: new Date(T0 + MINUTE).toISOString(),
        lastError: 'the access system is down',
      },
    });
    expect(failed.expiresAt).toBeUndefined();
    expect(
      notifications.sent.filter(n =>
        n.payload.title.startsWith('Access could not be granted'),
      ),
    ).toHaveLength(1);

    await access.sweep(); // not due yet
    expect(
      (await access.get(as(ALICE), request.id)).provisioning!.attempts,
    ).toBe(1);

    tick(1);
    await access.sweep();
    expect((await access.get(as(ALICE), request.id)).provisioning).toEqual({
      operation: 'grant',
      attempts: 2,
      nextAttemptAt: new Date(T0 + 3 * MINUTE).toISOString(), // doubled
      lastError: 'the access system is down',
    });

    tick(2);
    await access.sweep();
    const granted = await access.get(as(ALICE), request.id);
    expect(granted).toMatchObject({
      status: 'active',
      expiresAt: new Date(T0 + 33 * MINUTE).toISOString(),
    });
    expect(granted.provisioning).toBeUndefined();
    expect(granted.events.map(e => e.type)).toEqual([
      'requested',
      'approved',
      'provisioning-failed',
      'provisioning-failed',
      'granted',
    ]);
    // Only the first failure is announced.
    expect(
      notifications.sent.filter(n =>
        n.payload.title.startsWith('Access could not be granted'),
      ),
    ).toHaveLength(1);
  });

  it('keeps retrying a failed revoke, never listing the grant meanwhile', async () => {
    const { access, provisioner, tick } = await setup();
    const request = await access.create(as(ALICE), body);
    await access.approve(as(BOB), request.id, {});
    provisioner.failRevokes = 1;
    tick(30);
    await access.sweep();
    expect(await access.get(as(ALICE), request.id)).toMatchObject({
      status: 'provisioning-failed',
      provisioning: { operation: 'revoke', attempts: 1 },
    });
    await expect(
      access.activeGrants(service, { user: ALICE }),
    ).resolves.toEqual([]);
    tick(1);
    await access.sweep();
    expect((await access.get(as(ALICE), request.id)).status).toBe('expired');
    expect(provisioner.revokes).toHaveLength(1);
  });

  it('gives up a failing grant when its window closes, and cleans up', async () => {
    const { access, provisioner, tick } = await setup();
    provisioner.failGrants = 1000;
    const request = await access.create(as(ALICE), body);
    await access.approve(as(BOB), request.id, {});
    for (let i = 0; i < 6; i++) {
      tick(6);
      await access.sweep();
    }
    const details = await access.get(as(ALICE), request.id);
    expect(details.status).toBe('expired');
    expect(details.events.at(-1)).toMatchObject({
      type: 'expired',
      fromStatus: 'provisioning-failed',
      comment: 'The access window closed before the grant succeeded',
    });
    expect(provisioner.revokes.map(r => r.id)).toEqual([request.id]);
  });

  it('grants an approved request a crashed replica never granted', async () => {
    const { access, store, provisioner, tick } = await setup();
    const request = await access.create(as(ALICE), body);
    const pending = await store.require(request.id);
    // The approval was written, then the replica died before granting.
    await store.transition({
      from: pending,
      to: 'approved',
      set: { approvals: 1, decidedAt: new Date(T0) },
      approval: { approver: BOB, decision: 'approve' },
      event: { type: 'approved', actor: BOB },
      at: new Date(T0),
    });
    await access.sweep();
    expect(provisioner.grants).toEqual([]); // maybe still granting elsewhere
    tick(3);
    await access.sweep();
    expect((await access.get(as(ALICE), request.id)).status).toBe('active');
  });

  it('takes back a grant that finished after the request was revoked', async () => {
    const { access, provisioner } = await setup();
    const gate = deferred();
    const grant = provisioner.grant.bind(provisioner);
    provisioner.grant = async r => {
      await gate.promise;
      return grant(r);
    };
    const request = await access.create(as(ALICE), body);
    const approving = access.approve(as(BOB), request.id, {});
    await waitFor(
      async () =>
        (await access.get(as(ALICE), request.id)).status === 'approved',
    );
    await expect(
      access.revoke(as(ALICE), request.id, { comment: 'not needed' }),
    ).resolves.toMatchObject({ status: 'revoked' });
    gate.resolve();
    await expect(approving).resolves.toMatchObject({ status: 'revoked' });
    // Revoked once for the revoke, once more to undo the late grant.
    expect(provisioner.revokes.map(r => r.id)).toEqual([
      request.id,
      request.id,
    ]);
  });
});
