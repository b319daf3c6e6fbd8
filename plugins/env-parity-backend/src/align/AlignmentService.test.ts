import { verifyWebhookSignature } from '../access/provisioners/WebhookProvisioner';
import {
  ALICE,
  allRows,
  as,
  BOB,
  CAROL,
  countAlignments,
  alignmentTestbed,
  databases,
  DIGEST,
  MALLORY,
  MINUTE,
  PRODUCTION,
  request,
  reviewer,
  SECRET,
  SERVICE,
  setup,
  STAGING_BEFORE,
} from './__testUtils__';

jest.setTimeout(60_000);

const T0 = Date.UTC(2026, 11, 3, 9, 0, 0);

describe.each(databases.eachSupportedId())('alignments on %p', databaseId => {
  const t = alignmentTestbed(databaseId, T0);

  async function withProduction(s: Awaited<ReturnType<typeof setup>>) {
    await s.observe('production', PRODUCTION);
    await s.observe('staging', STAGING_BEFORE);
  }

  it('calls the deployer once, only after approval, then verifies by observation', async () => {
    const s = await setup({ ...t });
    await withProduction(s);
    const created = await s.service.create(as(ALICE), request);
    expect(created).toMatchObject({
      status: 'pending-approval',
      entityRef: SERVICE,
      environment: 'staging',
      reference: 'production',
      target: {
        version: '1.4.2',
        revision: PRODUCTION.revision,
        artifact: PRODUCTION.artifact,
        digest: DIGEST,
      },
      deployer: 'webhook',
      requester: ALICE,
      approvers: 'group:default/sre',
      requiredApprovals: 1,
    });
    await s.service.settled();
    expect(t.receiver.calls).toHaveLength(0);

    t.clock.now += MINUTE;
    const approved = await s.service.approve(reviewer(BOB), created.id, {});
    expect(approved.status).toBe('dispatched');
    await s.service.settled();
    expect(t.receiver.calls).toHaveLength(1);
    const [call] = t.receiver.calls;
    expect(JSON.parse(call.body)).toEqual({
      alignmentId: created.id,
      entity: SERVICE,
      environment: 'staging',
      version: '1.4.2',
      revision: PRODUCTION.revision,
      artifact: PRODUCTION.artifact,
      digest: DIGEST,
      requester: ALICE,
    });
    expect(call.headers['idempotency-key']).toBe(created.id);
    expect(
      verifyWebhookSignature({
        secret: SECRET,
        timestamp: call.headers['x-env-parity-timestamp'] as string,
        signature: call.headers['x-env-parity-signature'] as string,
        body: call.body,
      }),
    ).toBe(true);
    expect(
      verifyWebhookSignature({
        secret: 'another-secret',
        timestamp: call.headers['x-env-parity-timestamp'] as string,
        signature: call.headers['x-env-parity-signature'] as string,
        body: call.body,
      }),
    ).toBe(false);

    let current = await s.service.get(as(ALICE), created.id);
    expect(current.status).toBe('verifying');
    expect(current.verifyDeadlineAt).toBe(
      new Date(T0 + MINUTE + 30 * MINUTE).toISOString(),
    );

    // a collection that still sees the old build proves nothing
    t.clock.now += MINUTE;
    await s.observe('staging', STAGING_BEFORE);
    await s.service.sweep();
    expect((await s.service.get(as(ALICE), created.id)).status).toBe(
      'verifying',
    );

    t.clock.now += MINUTE;
    await s.observe('staging', { ...PRODUCTION, version: 'ignored' });
    await s.service.sweep();
    current = await s.service.get(as(ALICE), created.id);
    expect(current.status).toBe('aligned');
    expect(
      current.timeline.map(step => [step.type, step.toStatus, step.actor]),
    ).toEqual([
      ['requested', 'pending-approval', ALICE],
      ['approved', 'dispatched', BOB],
      ['verifying', 'verifying', 'system'],
      ['aligned', 'aligned', 'system'],
    ]);
    expect(current.decisions).toEqual([
      expect.objectContaining({ reviewer: BOB, decision: 'approve' }),
    ]);
    expect(t.receiver.calls).toHaveLength(1);
    expect(s.audits.map(a => a.toStatus)).toEqual([
      'pending-approval',
      'dispatched',
      'verifying',
      'aligned',
    ]);

    await s.service.settled();
    expect(
      s.notifications.map(n => [
        n.recipients,
        n.payload.title,
        n.payload.description,
      ]),
    ).toEqual([
      [
        {
          type: 'entity',
          entityRef: ['group:default/sre'],
          excludeEntityRef: [ALICE],
        },
        'Alignment requested: staging of checkout-web',
        `alice asks to deploy production's 1.4.2 (${DIGEST}) to staging of checkout-web: ${request.reason}`,
      ],
      [
        { type: 'entity', entityRef: [ALICE], excludeEntityRef: [BOB] },
        'Alignment approved: staging of checkout-web',
        `bob approved deploying 1.4.2 (${DIGEST}) to staging of checkout-web. It is being deployed now.`,
      ],
      [
        {
          type: 'entity',
          entityRef: [ALICE, 'group:default/sre'],
          excludeEntityRef: [],
        },
        'Aligned with production: staging of checkout-web',
        `staging of checkout-web was observed running production's 1.4.2 (${DIGEST}).`,
      ],
    ]);
    expect(s.notifications[0].payload.link).toBe(
      `/catalog/default/component/checkout-web/parity?alignment=${created.id}`,
    );

    // the secret is in no row, response or log line
    expect(await allRows(t.knex)).not.toContain(SECRET);
    expect(JSON.stringify([created, approved, current])).not.toContain(SECRET);
    expect(JSON.stringify(s.lines)).not.toContain(SECRET);
    expect(JSON.stringify(s.audits)).not.toContain(SECRET);
  });

  it('makes exactly one deployer call when two reviewers approve at once on two replicas', async () => {
    const a = await setup({ ...t });
    const b = await setup({ ...t, knex: t.secondConnection() });
    await withProduction(a);
    const created = await a.service.create(as(ALICE), request);

    const results = await Promise.allSettled([
      a.service.approve(reviewer(BOB), created.id, {}),
      b.service.approve(reviewer(CAROL), created.id, {}),
    ]);
    await Promise.all([a.service.settled(), b.service.settled()]);
    const won = results.filter(r => r.status === 'fulfilled');
    const lost = results.filter(
      (r): r is PromiseRejectedResult => r.status === 'rejected',
    );
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0].reason.name).toBe('ConflictError');
    expect(lost[0].reason.message).toMatch(
      /is (dispatched|verifying); it cannot become dispatched/,
    );
    expect(t.receiver.calls).toHaveLength(1);
    expect((await a.service.get(as(ALICE), created.id)).decisions).toHaveLength(
      1,
    );
  });

  it('stores one of two requests made at once on two replicas, and calls the deployer once, without approval', async () => {
    const policy = { approval: undefined };
    const a = await setup({ ...t, policy });
    const b = await setup({
      ...t,
      knex: t.secondConnection(),
      policy,
    });
    await withProduction(a);
    const results = await Promise.allSettled([
      a.service.create(as(ALICE), request),
      b.service.create(as(BOB), request),
    ]);
    await Promise.all([a.service.settled(), b.service.settled()]);
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      results.filter(
        r => r.status === 'rejected' && r.reason.name === 'ConflictError',
      ),
    ).toHaveLength(1);
    expect(await countAlignments(t.knex)).toBe(1);
    expect(t.receiver.calls).toHaveLength(1);
  });

  it('needs N distinct approvers, never the requester, each deciding once', async () => {
    const s = await setup({
      ...t,
      policy: {
        approval: {
          approvers: { type: 'environment-owner' },
          requiredApprovals: 2,
        },
      },
    });
    await withProduction(s);
    const created = await s.service.create(as(BOB), request);
    await expect(
      s.service.approve(reviewer(BOB), created.id, {}),
    ).rejects.toThrow('You cannot approve your own alignment');
    await expect(
      s.service.approve(reviewer(MALLORY), created.id, {}),
    ).rejects.toThrow('Only members of group:default/sre can approve');
    await expect(s.service.approve(as(CAROL), created.id, {})).rejects.toThrow(
      'You are not allowed to review alignments: this needs the permission env-parity.align.review.',
    );
    const first = await s.service.approve(reviewer(CAROL), created.id, {});
    expect(first.status).toBe('pending-approval');
    await expect(
      s.service.approve(reviewer(CAROL), created.id, {}),
    ).rejects.toThrow('You have already decided on this alignment');
    await s.service.settled();
    expect(t.receiver.calls).toHaveLength(0);
    const second = await s.service.approve(
      reviewer('user:default/dave'),
      created.id,
      { comment: 'ok' },
    );
    expect(second.status).toBe('dispatched');
    await s.service.settled();
    expect(t.receiver.calls).toHaveLength(1);
  });

  it('ends denied or cancelled without calling the deployer', async () => {
    const s = await setup({ ...t });
    await withProduction(s);
    const first = await s.service.create(as(ALICE), request);
    await expect(s.service.deny(reviewer(BOB), first.id, {})).rejects.toThrow(
      'comment is required',
    );
    const denied = await s.service.deny(reviewer(BOB), first.id, {
      comment: 'Not during the freeze',
    });
    expect(denied.status).toBe('denied');
    await s.service.settled();
    expect(s.notifications.at(-1)?.payload.description).toBe(
      `bob denied deploying 1.4.2 (${DIGEST}) to staging of checkout-web: Not during the freeze`,
    );
    await expect(
      s.service.approve(reviewer(CAROL), first.id, {}),
    ).rejects.toThrow('is denied, which is final; it cannot become dispatched');

    const second = await s.service.create(as(ALICE), request);
    await expect(s.service.cancel(as(MALLORY), second.id, {})).rejects.toThrow(
      'Only the requester or an admin can cancel',
    );
    expect((await s.service.cancel(as(ALICE), second.id, {})).status).toBe(
      'cancelled',
    );
    await s.service.settled();
    expect(t.receiver.calls).toHaveLength(0);
  });

  it('ends timed-out when nobody decides within the review timeout, by the sweep, without calling the deployer', async () => {
    const HOUR = 60 * MINUTE;
    const s = await setup({
      ...t,
      reviewTimeoutMs: 2 * HOUR,
      policy: {
        approval: {
          approvers: { type: 'environment-owner' },
          requiredApprovals: 2,
        },
      },
    });
    await withProduction(s);
    const created = await s.service.create(as(ALICE), request);
    t.clock.now += HOUR;
    // a partial approval does not restart the clock
    await s.service.approve(reviewer(BOB), created.id, {});
    t.clock.now += HOUR - 1000;
    await s.service.sweep();
    expect((await s.service.get(as(ALICE), created.id)).status).toBe(
      'pending-approval',
    );

    t.clock.now += 1000;
    await s.service.sweep();
    const reason =
      'Nobody decided on aligning staging within 2 hours (envParity.align.reviewTimeout); ask again if it is still needed';
    const timedOut = await s.service.get(as(ALICE), created.id);
    expect(timedOut).toMatchObject({
      status: 'timed-out',
      failureReason: reason,
      finishedAt: new Date(T0 + 2 * HOUR).toISOString(),
    });
    expect(timedOut.timeline.at(-1)).toEqual({
      type: 'timed-out',
      actor: 'system',
      fromStatus: 'pending-approval',
      toStatus: 'timed-out',
      comment: reason,
      details: { approvals: 1, requiredApprovals: 2 },
      at: new Date(T0 + 2 * HOUR).toISOString(),
    });
    await expect(
      s.service.approve(reviewer(CAROL), created.id, {}),
    ).rejects.toThrow(
      'is timed-out, which is final; it cannot become dispatched',
    );
    await s.service.settled();
    expect(t.receiver.calls).toHaveLength(0);
    expect(s.audits.at(-1)).toMatchObject({
      alignmentId: created.id,
      actor: 'system',
      fromStatus: 'pending-approval',
      toStatus: 'timed-out',
      failureReason: reason,
    });
    expect(s.notifications.at(-1)).toMatchObject({
      recipients: { entityRef: [ALICE] },
      payload: {
        title: 'Alignment timed-out: staging of checkout-web',
        description: reason,
      },
    });
    // a new request may be made
    await expect(s.service.create(as(ALICE), request)).resolves.toMatchObject({
      status: 'pending-approval',
    });
  });

  it('refuses decisions past the review timeout even before the sweep has run', async () => {
    const s = await setup({ ...t, reviewTimeoutMs: 60 * MINUTE });
    await withProduction(s);
    const created = await s.service.create(as(ALICE), request);
    const reviewable = () =>
      s.service.list(reviewer(BOB), { reviewable: true });
    expect((await reviewable()).map(a => a.id)).toEqual([created.id]);
    t.clock.now += 60 * MINUTE;
    expect(await reviewable()).toEqual([]);
    await expect(
      s.service.approve(reviewer(BOB), created.id, {}),
    ).rejects.toThrow(
      'is timed-out, which is final; it cannot become dispatched',
    );
    await expect(s.service.cancel(as(ALICE), created.id, {})).rejects.toThrow(
      'is timed-out, which is final; it cannot become cancelled',
    );
    await s.service.settled();
    expect(t.receiver.calls).toHaveLength(0);
    // the refusal started the sweep, which wrote it
    expect((await s.service.get(as(ALICE), created.id)).status).toBe(
      'timed-out',
    );
  });

  it('times out after 24 hours without a configured review timeout', async () => {
    const s = await setup({ ...t });
    await withProduction(s);
    const created = await s.service.create(as(ALICE), request);
    t.clock.now += 24 * 60 * MINUTE - 1;
    await s.service.sweep();
    expect((await s.service.get(as(ALICE), created.id)).status).toBe(
      'pending-approval',
    );
    t.clock.now += 1;
    await s.service.sweep();
    expect((await s.service.get(as(ALICE), created.id)).failureReason).toMatch(
      /^Nobody decided on aligning staging within 24 hours/,
    );
  });

  it('resumes after a restart during dispatched and during verifying, and reaches a final state', async () => {
    const before = await setup({ ...t });
    await withProduction(before);
    // a replica won the approval, then stopped before calling the deployer
    const first = await before.service.create(as(ALICE), request);
    const record = await before.store.require(first.id);
    await before.store.transition({
      from: record,
      to: 'dispatched',
      set: { approvals: 1, dispatchedAt: new Date(t.clock.now) },
      step: { type: 'approved', actor: BOB },
      at: new Date(t.clock.now),
    });

    t.clock.now += 11 * MINUTE;
    const after = await setup({ ...t, knex: t.secondConnection() });
    await after.service.sweep();
    let current = await after.service.get(as(ALICE), first.id);
    expect(current.status).toBe('verifying');
    expect(current.timeline.at(-1)?.comment).toContain(
      'verified by observation',
    );
    // never a second call: whether the first happened is unknown
    expect(t.receiver.calls).toHaveLength(0);

    t.clock.now += MINUTE;
    await after.observe('staging', PRODUCTION);
    await after.service.sweep();
    current = await after.service.get(as(ALICE), first.id);
    expect(current.status).toBe('aligned');

    // verifying when the backend stopped, and never observed: times out
    await after.observe('staging', STAGING_BEFORE);
    const second = await after.service.create(as(ALICE), request);
    await after.service.approve(reviewer(CAROL), second.id, {});
    await after.service.settled();
    expect(t.receiver.calls).toHaveLength(1);
    expect((await after.service.get(as(ALICE), second.id)).status).toBe(
      'verifying',
    );
    t.clock.now += 29 * MINUTE;
    const restarted = await setup({ ...t });
    await restarted.service.sweep();
    expect((await restarted.service.get(as(ALICE), second.id)).status).toBe(
      'verifying',
    );
    t.clock.now += 2 * MINUTE;
    await restarted.service.sweep();
    current = await restarted.service.get(as(ALICE), second.id);
    expect(current.status).toBe('timed-out');
    expect(current.failureReason).toBe(
      `staging was not observed running ${DIGEST} within 30 minutes`,
    );
    expect(t.receiver.calls).toHaveLength(1);
  });
});

describe('alignment refusals', () => {
  const t = alignmentTestbed('SQLITE_3', T0);

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a body that is no object', [] as any, 'InputError', /JSON object/],
    [
      'no entity',
      { ...request, entityRef: undefined },
      'InputError',
      /entityRef is required/,
    ],
    [
      'a malformed entity ref',
      { ...request, entityRef: 'component:default/' },
      'InputError',
      /entityRef/,
    ],
    ['no reason', { ...request, reason: ' ' }, 'InputError', /reason/],
    ['a short reason', { ...request, reason: 'now' }, 'InputError', /at least/],
    [
      'the reference environment',
      { ...request, environment: 'production' },
      'InputError',
      /production is the reference environment/,
    ],
    [
      'an environment without alignment',
      { ...request, environment: 'dev' },
      'InputError',
      /not enabled for dev/,
    ],
    [
      'an unknown environment',
      { ...request, environment: 'qa' },
      'NotFoundError',
      /Unknown environment "qa"/,
    ],
    [
      'an unknown entity',
      { ...request, entityRef: 'component:default/nope' },
      'NotFoundError',
      /No entity/,
    ],
    [
      'an entity the caller cannot see',
      { ...request, entityRef: 'component:default/hidden' },
      'NotFoundError',
      /No entity/,
    ],
    [
      'a group',
      { ...request, entityRef: 'group:default/sre' },
      'InputError',
      /Only Component entities/,
    ],
  ])('refuses %s with nothing stored', async (_name, body, error, message) => {
    const s = await setup({ ...t });
    await s.observe('production', PRODUCTION);
    await expect(s.service.create(as(ALICE), body)).rejects.toMatchObject({
      name: error,
      message: expect.stringMatching(message),
    });
    expect(await countAlignments(t.knex)).toBe(0);
  });

  it('refuses with 409 when production is unknown, staging in sync, an alignment open or the per-user limit reached', async () => {
    const s = await setup({ ...t, maxOpenPerUser: 1 });
    const refused = async (message: RegExp, body = request) => {
      await expect(s.service.create(as(ALICE), body)).rejects.toMatchObject({
        name: 'ConflictError',
        message: expect.stringMatching(message),
      });
    };
    await refused(
      /artifact digest and revision of .* in production are unknown/,
    );
    await s.observe('production', { version: '1.4.2' });
    await refused(/are unknown/);
    await s.observe('production', PRODUCTION);
    await s.observe('staging', { artifact: PRODUCTION.artifact });
    await refused(/staging already runs what production runs \(sha256:a+\)/);
    expect(await countAlignments(t.knex)).toBe(0);

    await s.observe('staging', STAGING_BEFORE);
    const open = await s.service.create(as(ALICE), request);
    await expect(s.service.create(as(BOB), request)).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        `already has an open alignment of staging (${open.id}`,
      ),
    });
    // alice's limit of one open alignment is reached with another service
    await s.snapshots.applyObservations(
      [
        {
          entityRef: 'component:default/orders',
          environment: 'production',
          provider: 'annotations',
          deployment: PRODUCTION,
        },
      ],
      new Date(t.clock.now),
    );
    await refused(/You have 1 open alignments, the most allowed/, {
      ...request,
      entityRef: 'component:default/orders',
    });
    expect(await countAlignments(t.knex)).toBe(1);
  });

  it('previews what aligning would do, refusing as a request would, storing nothing', async () => {
    const s = await setup({ ...t });
    await s.observe('production', {
      ...PRODUCTION,
      config: {
        LOG_LEVEL: { hash: 'h1', value: 'info' },
        FEATURE_REFUNDS: { hash: 'h2', value: 'on' },
      },
    });
    await s.observe('staging', {
      ...STAGING_BEFORE,
      config: {
        LOG_LEVEL: { hash: 'h3', value: 'debug' },
        FEATURE_REFUNDS: { hash: 'h2', value: 'on' },
      },
    });
    const query = { entityRef: SERVICE, environment: 'staging' };
    await expect(s.service.preview(as(ALICE), query)).resolves.toEqual({
      entityRef: SERVICE,
      environment: 'staging',
      reference: 'production',
      target: {
        version: '1.4.2',
        revision: PRODUCTION.revision,
        artifact: PRODUCTION.artifact,
        digest: DIGEST,
      },
      deployer: 'webhook',
      summary: expect.stringMatching(
        /^Sends a signed request to 127\.0\.0\.1:/,
      ),
      carriesConfig: [],
      remainingConfigDrift: ['LOG_LEVEL'],
      approvers: 'group:default/sre',
      requiredApprovals: 1,
    });
    await expect(
      s.service.preview(as(ALICE), { ...query, environment: 'production' }),
    ).rejects.toMatchObject({ name: 'InputError' });
    await s.observe('staging', PRODUCTION);
    await expect(s.service.preview(as(ALICE), query)).rejects.toMatchObject({
      name: 'ConflictError',
    });
    expect(await countAlignments(t.knex)).toBe(0);
    expect(t.receiver.calls).toHaveLength(0);
  });

  it('lists mine, to review and, for admins, all, filtered by entity, only of services the caller sees', async () => {
    const s = await setup({ ...t });
    const observeIn = (entityRef: string) =>
      s.snapshots.applyObservations(
        [
          {
            entityRef,
            environment: 'production',
            provider: 'annotations',
            deployment: PRODUCTION,
          },
        ],
        new Date(t.clock.now),
      );
    await observeIn(SERVICE);
    await observeIn('component:default/orders');
    await observeIn('component:default/hidden');
    const mine = await s.service.create(as(ALICE), request);
    t.clock.now += 1000;
    const orders = await s.service.create(as(MALLORY), {
      ...request,
      entityRef: 'component:default/orders',
    });
    t.clock.now += 1000;
    const hidden = await s.service.create(as(MALLORY), {
      ...request,
      entityRef: 'component:default/hidden',
    });
    const ids = (items: Array<{ id: string }>) => items.map(i => i.id);

    expect(ids(await s.service.list(as(ALICE), { mine: true }))).toEqual([
      mine.id,
    ]);
    // alice may not see the hidden service, so not its alignment either
    expect(ids(await s.service.list(as(ALICE), {}))).toEqual([mine.id]);
    expect(
      ids(await s.service.list(reviewer(BOB), { reviewable: true })),
    ).toEqual([hidden.id, orders.id, mine.id]);
    expect(
      ids(
        await s.service.list(reviewer(BOB), {
          reviewable: true,
          entityRef: 'component:default/orders',
        }),
      ),
    ).toEqual([orders.id]);
    await expect(
      s.service.list(as(ALICE), { reviewable: true }),
    ).rejects.toThrow('review alignments');
    const admin = as('user:default/admin', { admin: true });
    expect(ids(await s.service.list(admin, {}))).toEqual([
      hidden.id,
      orders.id,
      mine.id,
    ]);
    await expect(s.service.get(as(ALICE), hidden.id)).rejects.toThrow(
      `No alignment ${hidden.id}`,
    );
    // an admin cancels anyone's pending alignment
    expect((await s.service.cancel(admin, orders.id, {})).status).toBe(
      'cancelled',
    );
    expect(
      ids(await s.service.list(reviewer(BOB), { reviewable: true })),
    ).toEqual([hidden.id, mine.id]);
  });

  it('dispatches at once when the environment needs no approval', async () => {
    const s = await setup({
      ...t,
      policy: { approval: undefined },
    });
    await s.observe('production', PRODUCTION);
    const created = await s.service.create(as(ALICE), request);
    expect(created).toMatchObject({ status: 'dispatched' });
    expect(created.approvers).toBeUndefined();
    await s.service.settled();
    expect(t.receiver.calls).toHaveLength(1);
    expect((await s.service.get(as(ALICE), created.id)).status).toBe(
      'verifying',
    );
  });
});

describe('deployer failures', () => {
  const t = alignmentTestbed('SQLITE_3', T0);

  async function dispatched(
    options: Partial<Parameters<typeof setup>[0]> = {},
  ) {
    const s = await setup({ ...t, ...options });
    await s.observe('production', PRODUCTION);
    const created = await s.service.create(as(ALICE), request);
    await s.service.approve(reviewer(BOB), created.id, {});
    await s.service.settled();
    return { ...s, alignment: await s.service.get(as(ALICE), created.id) };
  }

  it.each([
    [401, 'AuthenticationError'],
    [403, 'NotAllowedError'],
    [404, 'NotFoundError'],
    [422, 'InputError'],
  ])('ends failed at once when the webhook answers %p', async status => {
    t.receiver.answer({ status, body: `{"error":"refused with ${status}"}` });
    const { alignment, lines, ...s } = await dispatched();
    expect(alignment.status).toBe('failed');
    expect(alignment.failureReason).toBe(
      `webhook: the webhook answered ${status}: {"error":"refused with ${status}"}`,
    );
    expect(alignment.timeline.at(-1)).toMatchObject({
      type: 'failed',
      comment: alignment.failureReason,
    });
    expect(t.receiver.calls).toHaveLength(1);
    expect(JSON.stringify(lines)).not.toContain(SECRET);
    await s.service.settled();
    expect(s.notifications.at(-1)?.payload).toMatchObject({
      title: 'Alignment failed: staging of checkout-web',
      description: alignment.failureReason,
      severity: 'high',
    });
  });

  it('retries 5xx with backoff, then ends failed with the reason', async () => {
    t.receiver.answer({ status: 502 }, { status: 503 }, { status: 500 });
    const { alignment } = await dispatched();
    expect(alignment.status).toBe('failed');
    expect(alignment.failureReason).toBe(
      'webhook: the webhook answered 500 (after 3 calls)',
    );
    expect(t.receiver.calls).toHaveLength(3);
    // one idempotency key across the retries
    expect(
      new Set(t.receiver.calls.map(c => c.headers['idempotency-key'])).size,
    ).toBe(1);
  });

  it('goes on to verification when a retry succeeds', async () => {
    t.receiver.answer(
      { status: 503 },
      { status: 202, body: '{"reference":"deploy-42","message":"queued"}' },
    );
    const { alignment } = await dispatched();
    expect(alignment).toMatchObject({
      status: 'verifying',
      deployerReference: 'deploy-42',
      deployerMessage: 'queued',
    });
    expect(t.receiver.calls).toHaveLength(2);
  });

  it('ends failed when the webhook never answers', async () => {
    t.receiver.answer('hang', 'hang');
    const { alignment } = await dispatched({
      webhook: { attempts: 2, timeoutMs: 300 },
    });
    expect(alignment.status).toBe('failed');
    expect(alignment.failureReason).toMatch(
      /^webhook: the webhook could not be reached: .*timed out after 300 ms.*\(after 2 calls\)$/,
    );
    expect(t.receiver.calls).toHaveLength(2);
  });
});
