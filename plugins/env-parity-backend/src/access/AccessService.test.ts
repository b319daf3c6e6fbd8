import {
  AuditorService,
  BackstageCredentials,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  AccessRequest,
  EnvironmentDefinition,
} from '@env-parity/plugin-env-parity-common';
import { knex as createKnex, Knex } from 'knex';
import { AccessCaller, AccessService } from './AccessService';
import { AccessOptions, DEFAULT_ACCESS_OPTIONS } from './config';
import { DatabaseAccessStore } from './DatabaseAccessStore';
import {
  accessEntities,
  accessPolicy,
  ADMIN,
  ALICE,
  BOB,
  CAROL,
  createAccessCatalog,
  DAVE,
  deferred,
  ERIN,
  FRANK,
  group,
  MALLORY,
  notificationsRecorder,
  RecordingProvisioner,
  SRE,
  SRE_EU,
  TEAM,
  user,
  waitFor,
} from './__testUtils__';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

const T0 = Date.UTC(2026, 10, 28, 9, 0, 0);
const MINUTE = 60_000;

const ENVIRONMENTS: EnvironmentDefinition[] = [
  { name: 'staging', title: 'Staging', reference: false, source: 'config' },
  {
    name: 'production',
    title: 'Production',
    reference: true,
    owner: SRE,
    source: 'config',
  },
];

function as(
  userRef: string,
  can: Partial<AccessCaller['can']> = {},
): AccessCaller {
  return {
    credentials: mockCredentials.user(userRef),
    userRef,
    can: {
      create: accessPolicy('env-parity.access.create', userRef),
      review: accessPolicy('env-parity.access.review', userRef),
      admin: accessPolicy('env-parity.access.admin', userRef),
      ...can,
    },
  };
}

const service: AccessCaller = {
  credentials: mockCredentials.service() as BackstageCredentials,
  can: { create: true, review: true, admin: true },
};

const body = {
  entityRef: 'component:default/payments',
  reason: 'Checkout fails for EU customers; is it broken in production too?',
  durationMinutes: 30,
};

async function setup(
  options: {
    access?: Partial<AccessOptions>;
    entities?: Entity[];
    hiddenFrom?: Record<string, string[]>;
    knex?: Knex;
    provisioner?: RecordingProvisioner;
  } = {},
) {
  const knex = options.knex ?? (await databases.init('SQLITE_3'));
  const store = await DatabaseAccessStore.create({
    database: mockServices.database.mock({ getClient: async () => knex }),
  });
  const clock = { now: T0 };
  const entities = options.entities ?? accessEntities();
  const { catalog } = createAccessCatalog(entities, options.hiddenFrom);
  const notifications = notificationsRecorder();
  const provisioner = options.provisioner ?? new RecordingProvisioner();
  const audits: Record<string, unknown>[] = [];
  const auditor: AuditorService = {
    async createEvent(event) {
      audits.push(event.meta ?? {});
      return { success: async () => {}, fail: async () => {} };
    },
  };
  const access = new AccessService({
    store,
    environments: { list: async () => ENVIRONMENTS },
    catalog,
    auth: mockServices.auth(),
    logger: mockServices.logger.mock(),
    auditor,
    notifications: notifications.service,
    provisioners: [provisioner],
    options: {
      ...DEFAULT_ACCESS_OPTIONS,
      provisioner: provisioner.name,
      instructions: {
        production:
          'kubectl --context prod -n payments get pods  # as {{ user.email }}, account {{ grant.account }}, until {{ expiresAt }}',
      },
      ...options.access,
    },
    clock: () => new Date(clock.now),
  });
  const tick = (minutes: number) => {
    clock.now += minutes * MINUTE;
  };
  const stored = async () =>
    knex('env_parity_access_requests').count({ n: '*' });
  return {
    access,
    store,
    knex,
    clock,
    tick,
    entities,
    provisioner,
    notifications,
    audits,
    stored: async () => Number((await stored())[0].n),
  };
}

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
