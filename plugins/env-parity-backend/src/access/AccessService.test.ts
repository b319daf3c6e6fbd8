import { AccessRequest } from '@env-parity/plugin-env-parity-common';
import { ADMIN, ALICE, BOB, CAROL, MALLORY, SRE } from './__testUtils__';
import { as, body, MINUTE, setup, T0 } from './__testUtils__/service';

jest.setTimeout(60_000);

describe('AccessService', () => {
  it('creates a pending request, tells the approvers, and logs it', async () => {
    const { access, notifications, audits } = await setup();
    const request = await access.create(as(ALICE), {
      ...body,
      ticket: 'INC-42',
    });
    expect(request).toMatchObject({
      entityRef: 'component:default/payments',
      environment: 'production',
      requester: ALICE,
      status: 'pending',
      ticket: 'INC-42',
      durationMinutes: 30,
      approverRef: SRE,
      approverSource: 'environment-owner',
      requiredApprovals: 1,
      approvals: [],
      provisioner: 'recording',
      createdAt: new Date(T0).toISOString(),
      reviewDeadline: new Date(T0 + 24 * 60 * MINUTE).toISOString(),
    });
    expect(notifications.sent).toEqual([
      {
        recipients: {
          type: 'entity',
          entityRef: [SRE],
          excludeEntityRef: [ALICE],
        },
        payload: expect.objectContaining({
          title: 'Access requested to payments in production',
          severity: 'high',
          link: `/catalog/default/component/payments/parity?accessRequest=${request.id}`,
        }),
      },
    ]);
    expect(audits).toEqual([
      expect.objectContaining({
        action: 'requested',
        requestId: request.id,
        actor: ALICE,
        toStatus: 'pending',
      }),
    ]);
  });

  it.each([
    ['no body', undefined, 'must be a JSON object'],
    [
      'no entityRef',
      { ...body, entityRef: undefined },
      'entityRef is required',
    ],
    [
      'a malformed entityRef',
      { ...body, entityRef: 'component:' },
      'entityRef',
    ],
    ['an empty reason', { ...body, reason: '   ' }, 'reason is required'],
    ['a short reason', { ...body, reason: 'bug' }, 'at least 10 characters'],
    [
      'a reason too long',
      { ...body, reason: 'x'.repeat(2001) },
      'at most 2000 characters',
    ],
    [
      'a reason that is not text',
      { ...body, reason: 42 },
      'reason must be a string',
    ],
    [
      'an unknown environment',
      { ...body, environment: 'moon' },
      'Unknown environment "moon"; known: staging, production',
    ],
    [
      'an environment without owner',
      { ...body, environment: 'staging' },
      'has no owner',
    ],
    [
      'no duration',
      { ...body, durationMinutes: undefined },
      'durationMinutes must be a whole number from 1 to 480',
    ],
    ['a zero duration', { ...body, durationMinutes: 0 }, 'from 1 to 480'],
    ['a duration too long', { ...body, durationMinutes: 481 }, 'from 1 to 480'],
    [
      'a fractional duration',
      { ...body, durationMinutes: 1.5 },
      'whole number',
    ],
    ['a duration as text', { ...body, durationMinutes: '30' }, 'whole number'],
    [
      'a ticket too long',
      { ...body, ticket: 'T'.repeat(256) },
      'ticket must be at most 255',
    ],
    [
      'breakGlass not boolean',
      { ...body, breakGlass: 'yes' },
      'breakGlass must be true or false',
    ],
    [
      'break-glass while disabled',
      { ...body, breakGlass: true },
      'Break-glass access is not enabled',
    ],
  ])(
    'refuses %s with an InputError and stores nothing',
    async (_what, input, message) => {
      const { access, stored, notifications } = await setup();
      await expect(access.create(as(ALICE), input)).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(message),
      });
      expect(await stored()).toBe(0);
      expect(notifications.sent).toEqual([]);
    },
  );

  it.each([
    ['a group', 'group:default/sre'],
    ['a user', 'user:default/alice'],
    ['a kind given in another case', 'Group:default/sre'],
  ])(
    'refuses access to %s: only kinds Env Parity reports on can be requested',
    async (_what, entityRef) => {
      const { access, stored, notifications, provisioner } = await setup();
      await expect(
        access.create(as(ALICE), { ...body, entityRef }),
      ).rejects.toMatchObject({
        name: 'InputError',
        message: expect.stringContaining(
          'Access can be requested to Component entities only (envParity.collector.kinds)',
        ),
      });
      expect(await stored()).toBe(0);
      expect(notifications.sent).toEqual([]);
      expect(provisioner.grants).toEqual([]);
    },
  );

  it('accepts the kinds configured in envParity.collector.kinds, in any case', async () => {
    const { access } = await setup({
      access: { kinds: ['component', 'Group'] },
    });
    await expect(
      access.create(as(ALICE), { ...body, entityRef: 'group:default/sre' }),
    ).resolves.toMatchObject({
      entityRef: 'group:default/sre',
      status: 'pending',
    });
    await expect(access.create(as(ALICE), body)).resolves.toMatchObject({
      entityRef: 'component:default/payments',
    });
    await expect(
      access.create(as(ALICE), { ...body, entityRef: 'user:default/alice' }),
    ).rejects.toThrow('component, Group entities only');
  });

  it('checks tickets against the configured pattern', async () => {
    const { access, stored } = await setup({
      access: { ticketPattern: '(INC|CHG)-\\d+', ticketRequired: true },
    });
    await expect(access.create(as(ALICE), body)).rejects.toThrow(
      'ticket is required',
    );
    await expect(
      access.create(as(ALICE), { ...body, ticket: 'INC-12 ; drop' }),
    ).rejects.toThrow('does not match the required pattern');
    expect(await stored()).toBe(0);
    await expect(
      access.create(as(ALICE), { ...body, ticket: 'CHG-7' }),
    ).resolves.toMatchObject({ ticket: 'CHG-7' });
  });

  it('answers 404 alike for a service that is missing or hidden from the requester', async () => {
    const { access, stored } = await setup({
      hiddenFrom: { 'component:default/secret': [ALICE] },
    });
    await expect(
      access.create(as(ALICE), {
        ...body,
        entityRef: 'component:default/secret',
      }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(
      access.create(as(ALICE), {
        ...body,
        entityRef: 'component:default/nothing',
      }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await stored()).toBe(0);
  });

  it('lists mine, reviewable, everything for admins, and only visible services', async () => {
    const { access } = await setup({
      hiddenFrom: { 'component:default/secret': [BOB] },
    });
    const mine = await access.create(as(ALICE), body);
    const hidden = await access.create(as(ALICE), {
      ...body,
      entityRef: 'component:default/secret',
    });
    const malloryRequest = await access.create(as(MALLORY), body);
    const ids = (items: AccessRequest[]) => items.map(i => i.id).sort();

    expect(ids(await access.list(as(ALICE), { mine: true }))).toEqual(
      [mine.id, hidden.id].sort(),
    );
    // bob reviews for sre, but cannot see the secret service.
    expect(ids(await access.list(as(BOB), { reviewable: true }))).toEqual(
      [mine.id, malloryRequest.id].sort(),
    );
    await expect(
      access.list(as(ALICE), { reviewable: true }),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    // mallory sees only her own; admin sees all.
    expect(ids(await access.list(as(MALLORY), {}))).toEqual([
      malloryRequest.id,
    ]);
    expect(ids(await access.list(as(ADMIN), {}))).toHaveLength(3);
    expect(ids(await access.list(as(ADMIN), { statuses: ['active'] }))).toEqual(
      [],
    );
    // Others' requests are not found, rather than forbidden.
    await expect(access.get(as(MALLORY), mine.id)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    await expect(access.get(as(BOB), hidden.id)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    expect((await access.get(as(BOB), mine.id)).actions).toMatchObject({
      approve: true,
      deny: true,
    });

    await access.approve(as(BOB), mine.id, {});
    expect(ids(await access.list(as(BOB), { reviewable: true }))).toEqual([
      malloryRequest.id,
    ]);
  });

  describe('break-glass', () => {
    it('is off by default', async () => {
      const { access, stored } = await setup();
      await expect(
        access.create(as(ALICE), { ...body, breakGlass: true }),
      ).rejects.toMatchObject({ name: 'InputError' });
      expect(await stored()).toBe(0);
    });

    it('when enabled, activates at once, alerts the owners at the highest severity, and asks for a review', async () => {
      const { access, notifications, provisioner, audits } = await setup({
        access: { breakGlassEnabled: true },
      });
      await expect(
        access.create(as(ALICE), { ...body, breakGlass: true, reason: 'down' }),
      ).rejects.toThrow('at least 10 characters');
      const request = await access.create(as(ALICE), {
        ...body,
        breakGlass: true,
      });
      expect(request).toMatchObject({
        status: 'active',
        breakGlass: true,
        review: { required: true },
      });
      expect(provisioner.grants).toHaveLength(1);
      expect(notifications.sent[0]).toMatchObject({
        recipients: { entityRef: [SRE], excludeEntityRef: [ALICE] },
        payload: {
          severity: 'critical',
          title: 'Break-glass access to payments in production',
        },
      });
      expect(audits[0]).toMatchObject({ action: 'break-glass' });

      expect(
        (await access.list(as(BOB), { reviewable: true })).map(r => r.id),
      ).toEqual([request.id]);
      await expect(access.review(as(ALICE), request.id, {})).rejects.toThrow(
        'your own break-glass',
      );
      await expect(
        access.review(as(MALLORY), request.id, {}),
      ).rejects.toMatchObject({ name: 'NotAllowedError' });
      const reviewed = await access.review(as(BOB), request.id, {
        comment: 'justified: SEV1',
      });
      expect(reviewed.review).toMatchObject({
        required: true,
        reviewedBy: BOB,
        comment: 'justified: SEV1',
      });
      expect(reviewed.status).toBe('active');
      await expect(
        access.review(as(CAROL), request.id, {}),
      ).rejects.toMatchObject({ name: 'ConflictError' });
      expect(await access.list(as(BOB), { reviewable: true })).toEqual([]);
    });
  });
});
