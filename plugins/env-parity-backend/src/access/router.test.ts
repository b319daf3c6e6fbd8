import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import request from 'supertest';
import { envParityPlugin } from '../plugin';
import {
  accessEntities,
  accessPolicy,
  ALICE,
  BOB,
  CAROL,
  createAccessCatalog,
  deferred,
  ERIN,
  MALLORY,
  notificationsRecorder,
  permissionsFactory,
  provisionerModule,
  RecordingProvisioner,
  SRE,
  waitFor,
} from './__testUtils__';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15', 'MYSQL_8'],
});

const API = '/api/env-parity/access';
const T0 = Date.UTC(2026, 10, 28, 9, 0, 0);

const config = {
  envParity: {
    environmentsFromCatalog: false,
    environments: [
      { name: 'staging', owner: 'group:default/platform' },
      { name: 'production', title: 'Production', reference: true, owner: SRE },
    ],
    access: {
      provisioner: 'recording',
      maxDuration: { hours: 2 },
      instructions: {
        production:
          'kubectl --context prod get pods  # {{ user.name }} until {{ expiresAt }}',
      },
    },
  },
};

const as = (userRef: string) => mockCredentials.user.header(userRef);

const body = {
  entityRef: 'component:default/payments',
  reason: 'Checkout fails for EU customers; is it broken in production too?',
  durationMinutes: 30,
};

async function start(
  options: {
    knex?: Knex;
    provisioner?: RecordingProvisioner;
    policy?: (permission: string, userRef: string) => boolean;
    hiddenFrom?: Record<string, string[]>;
    /** Added to `envParity.access`. */
    access?: Record<string, unknown>;
  } = {},
) {
  const knex = options.knex ?? (await databases.init('SQLITE_3'));
  const provisioner = options.provisioner ?? new RecordingProvisioner();
  const notifications = notificationsRecorder();
  const { factory } = createAccessCatalog(
    accessEntities(['orders', 'billing', 'search', 'ledger']),
    options.hiddenFrom,
  );
  const backend = await startTestBackend({
    features: [
      envParityPlugin,
      factory,
      provisionerModule(provisioner),
      notifications.factory,
      permissionsFactory(options.policy ?? accessPolicy),
      mockServices.rootConfig.factory({
        data: {
          envParity: {
            ...config.envParity,
            access: { ...config.envParity.access, ...options.access },
          },
        },
      }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      mockServices.database.factory({ knex }),
    ],
  });
  const rows = async () =>
    Number((await knex('env_parity_access_requests').count({ n: '*' }))[0].n);
  return {
    backend,
    server: backend.server,
    knex,
    provisioner,
    notifications,
    rows,
  };
}

describe('access HTTP API', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('serves the whole lifecycle: request, review, use, check, revoke', async () => {
    const { server, provisioner, notifications } = await start();

    const settings = await request(server)
      .get(`${API}/settings`)
      .set('Authorization', as(ALICE));
    expect(settings.status).toBe(200);
    expect(settings.body).toMatchObject({
      maxDurationMinutes: 120,
      minReasonLength: 10,
      breakGlassEnabled: false,
      defaultEnvironment: 'production',
      provisioner: 'recording',
    });

    const created = await request(server)
      .post(`${API}/requests`)
      .set('Authorization', as(ALICE))
      .send({ ...body, ticket: 'INC-7' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'pending',
      requester: ALICE,
      environment: 'production',
      approverRef: SRE,
    });
    const id = created.body.id;

    const mine = await request(server)
      .get(`${API}/requests?mine=true`)
      .set('Authorization', as(ALICE));
    expect(mine.body.items.map((r: any) => r.id)).toEqual([id]);
    const reviewable = await request(server)
      .get(
        `${API}/requests?reviewable=true&entityRef=component:default/payments`,
      )
      .set('Authorization', as(BOB));
    expect(reviewable.body.items.map((r: any) => r.id)).toEqual([id]);
    const requesterOnly = await request(server)
      .post(`${API}/requests/${id}/approve`)
      .set('Authorization', as(ALICE))
      .send({});
    expect(requesterOnly.status).toBe(403);
    expect(requesterOnly.body.error.message).toBe(
      'You are not allowed to approve access requests: this needs the permission env-parity.access.review.',
    );

    // carol is an sre reviewer, and still cannot approve her own request.
    const own = await request(server)
      .post(`${API}/requests`)
      .set('Authorization', as(CAROL))
      .send({ ...body, entityRef: 'component:default/orders' });
    const self = await request(server)
      .post(`${API}/requests/${own.body.id}/approve`)
      .set('Authorization', as(CAROL))
      .send({});
    expect(self.status).toBe(403);
    expect(self.body.error).toMatchObject({
      name: 'NotAllowedError',
      message: 'You cannot approve your own access request',
    });
    const outsider = await request(server)
      .post(`${API}/requests/${id}/approve`)
      .set('Authorization', as(MALLORY))
      .send({});
    expect(outsider.status).toBe(403);
    expect(outsider.body.error.message).toBe(
      'Only members of group:default/sre can approve access to production of component:default/payments',
    );

    const approved = await request(server)
      .post(`${API}/requests/${id}/approve`)
      .set('Authorization', as(BOB))
      .send({ comment: 'ok' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'active' });
    expect(approved.body.instructions).toMatch(
      /^kubectl --context prod get pods {2}# alice until 20/,
    );
    expect(provisioner.grants.map(g => g.id)).toEqual([id]);

    const details = await request(server)
      .get(`${API}/requests/${id}`)
      .set('Authorization', as(ALICE));
    expect(details.status).toBe(200);
    expect(details.body.events.map((e: any) => e.type)).toEqual([
      'requested',
      'approved',
      'granted',
    ]);
    expect(details.body.actions).toEqual({
      approve: false,
      deny: false,
      withdraw: false,
      revoke: true,
      review: false,
    });
    const hidden = await request(server)
      .get(`${API}/requests/${id}`)
      .set('Authorization', as(MALLORY));
    expect(hidden.status).toBe(404);

    const check = await request(server)
      .get(
        `${API}/grants/active?user=${encodeURIComponent(
          ALICE,
        )}&environment=production`,
      )
      .set('Authorization', mockCredentials.service.header());
    expect(check.status).toBe(200);
    expect(check.body.items).toEqual([
      expect.objectContaining({
        requestId: id,
        user: ALICE,
        entityRef: 'component:default/payments',
      }),
    ]);
    const nosy = await request(server)
      .get(`${API}/grants/active?user=${encodeURIComponent(ALICE)}`)
      .set('Authorization', as(MALLORY));
    expect(nosy.status).toBe(403);

    const revoked = await request(server)
      .post(`${API}/requests/${id}/revoke`)
      .set('Authorization', as(ALICE))
      .send({ comment: 'found it' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    expect(provisioner.revokes.map(r => r.id)).toEqual([id]);
    const again = await request(server)
      .post(`${API}/requests/${id}/revoke`)
      .set('Authorization', as(ALICE))
      .send({});
    expect(again.status).toBe(409);
    expect(again.body.error.name).toBe('ConflictError');

    expect(notifications.sent.map(n => n.payload.title)).toEqual([
      'Access requested to payments in production',
      'Access requested to orders in production',
      'Access approved: payments in production',
      'Access active: payments in production',
    ]);
  });

  it.each([
    ['an empty reason', { ...body, reason: '' }, 'reason is required'],
    [
      'a reason too long',
      { ...body, reason: 'r'.repeat(2001) },
      'reason must be at most 2000 characters',
    ],
    [
      'an unknown environment',
      { ...body, environment: 'moon' },
      'Unknown environment "moon"',
    ],
    [
      'a duration over the maximum',
      { ...body, durationMinutes: 121 },
      'from 1 to 120',
    ],
    ['no service', { ...body, entityRef: undefined }, 'entityRef is required'],
  ])(
    'answers %s with 400 and stores nothing',
    async (_what, input, message) => {
      const { server, rows, notifications } = await start();
      const res = await request(server)
        .post(`${API}/requests`)
        .set('Authorization', as(ALICE))
        .send(input);
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toContain(message);
      expect(await rows()).toBe(0);
      expect(notifications.sent).toEqual([]);
      const mine = await request(server)
        .get(`${API}/requests?mine=true`)
        .set('Authorization', as(ALICE));
      expect(mine.body.items).toEqual([]);
    },
  );

  it.each([
    ['a malformed id', `${API}/requests/12345`, 'is not an access request id'],
    [
      'an unknown status filter',
      `${API}/requests?status=active,bogus`,
      'status "bogus" is not one of',
    ],
    [
      'a non-boolean flag',
      `${API}/requests?mine=yes`,
      'mine must be true or false',
    ],
    ['a grant check without user', `${API}/grants/active`, 'user is required'],
  ])('answers %s with 400', async (_what, path, message) => {
    const { server } = await start();
    const res = await request(server).get(path).set('Authorization', as(ALICE));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
  });

  it('answers 404 for a service hidden from the requester, and for an unknown request', async () => {
    const { server, rows } = await start({
      hiddenFrom: { 'component:default/payments': [ALICE] },
    });
    const res = await request(server)
      .post(`${API}/requests`)
      .set('Authorization', as(ALICE))
      .send(body);
    expect(res.status).toBe(404);
    expect(await rows()).toBe(0);
    const unknown = await request(server)
      .get(`${API}/requests/00000000-0000-4000-8000-000000000000`)
      .set('Authorization', as(ALICE));
    expect(unknown.status).toBe(404);
  });

  it('answers 400 for access to a group or a user, storing nothing', async () => {
    const { server, rows, provisioner } = await start();
    for (const entityRef of ['group:default/sre', 'user:default/bob']) {
      const res = await request(server)
        .post(`${API}/requests`)
        .set('Authorization', as(ALICE))
        .send({ ...body, entityRef });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        'Access can be requested to Component entities only',
      );
    }
    expect(await rows()).toBe(0);
    expect(provisioner.grants).toEqual([]);
  });

  it('refuses a body over 32 KB with 413 before reading it', async () => {
    const { server, rows } = await start();
    const res = await request(server)
      .post(`${API}/requests`)
      .set('Authorization', as(ALICE))
      .send({ ...body, padding: 'x'.repeat(40 * 1024) });
    expect(res.status).toBe(413);
    expect(await rows()).toBe(0);
    const decision = await request(server)
      .post(`${API}/requests/00000000-0000-4000-8000-000000000000/deny`)
      .set('Authorization', as(BOB))
      .send({ comment: 'x'.repeat(40 * 1024) });
    expect(decision.status).toBe(413);
  });

  it('writes no control character of a bad request id into its answer', async () => {
    const { server } = await start();
    const res = await request(server)
      .get(`${API}/requests/${encodeURIComponent('x\nforged line')}`)
      .set('Authorization', as(ALICE));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      '"x\\nforged line" is not an access request id',
    );
  });

  it('checks authentication and the access permissions on every route', async () => {
    const { server } = await start({ policy: () => false });
    const routes: Array<['get' | 'post', string]> = [
      ['get', `${API}/settings`],
      ['post', `${API}/requests`],
      ['get', `${API}/requests`],
      ['get', `${API}/requests/00000000-0000-4000-8000-000000000000`],
      ['post', `${API}/requests/00000000-0000-4000-8000-000000000000/approve`],
      ['post', `${API}/requests/00000000-0000-4000-8000-000000000000/deny`],
      ['post', `${API}/requests/00000000-0000-4000-8000-000000000000/withdraw`],
      ['post', `${API}/requests/00000000-0000-4000-8000-000000000000/revoke`],
      ['post', `${API}/requests/00000000-0000-4000-8000-000000000000/review`],
      ['get', `${API}/grants/active?user=alice`],
    ];
    for (const [method, path] of routes) {
      const anonymous = await request(server)
        [method](path)
        .set('Authorization', mockCredentials.none.header());
      expect([path, anonymous.status]).toEqual([path, 401]);
      const denied = await request(server)
        [method](path)
        .set('Authorization', as(ALICE))
        .send({});
      expect([path, denied.status]).toEqual([path, 403]);
      expect(denied.body.error.message).toMatch(
        /env-parity\.access\.(create|review|admin)/,
      );
    }
  });

  const refused = {
    status: 403,
    body: {
      error: {
        name: 'NotAllowedError',
        message:
          'Only members of group:default/sre can approve access to production of component:default/payments',
      },
    },
  };
  const approvedAnswer = {
    status: 200,
    body: { status: 'active' },
  };
  it.each([
    ['by default', undefined, false, refused],
    ['with nestedGroups: false', { nestedGroups: false }, false, refused],
    ['with nestedGroups: true', { nestedGroups: true }, true, approvedAnswer],
  ])(
    'lets a member of a child group of the approver group review %s only if nested',
    async (_what, access, allowed, answer) => {
      const { server } = await start({ access });
      const created = await request(server)
        .post(`${API}/requests`)
        .set('Authorization', as(ALICE))
        .send(body);
      const id = created.body.id;
      // erin is in sre-eu, a child group of sre, which owns production.
      const reviewable = await request(server)
        .get(`${API}/requests?reviewable=true`)
        .set('Authorization', as(ERIN));
      expect(reviewable.status).toBe(200);
      expect(reviewable.body.items.map((r: any) => r.id)).toEqual(
        allowed ? [id] : [],
      );
      const approved = await request(server)
        .post(`${API}/requests/${id}/approve`)
        .set('Authorization', as(ERIN))
        .send({});
      expect({ status: approved.status, body: approved.body }).toMatchObject(
        answer,
      );
    },
  );

  it('lets a break-glass request through only when configured, and it is off by default', async () => {
    const { server, rows } = await start();
    const res = await request(server)
      .post(`${API}/requests`)
      .set('Authorization', as(ALICE))
      .send({ ...body, breakGlass: true });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(
      'Break-glass access is not enabled',
    );
    expect(await rows()).toBe(0);
  });
});

describe.each(databases.eachSupportedId())(
  'access across backends on %p',
  databaseId => {
    afterEach(() => {
      jest.useRealTimers();
    });

    it('gives exactly one of two backends the decision when approve and deny meet', async () => {
      const knex = await databases.init(databaseId);
      const a = await start({ knex });
      const b = await start({ knex });
      const services = ['payments', 'orders', 'billing', 'search', 'ledger'];
      for (let round = 0; round < 10; round++) {
        const created = await request(a.server)
          .post(`${API}/requests`)
          .set('Authorization', as(ALICE))
          .send({
            ...body,
            entityRef: `component:default/${services[round % services.length]}`,
          });
        expect(created.status).toBe(201);
        const id = created.body.id;
        const [approve, deny] = await Promise.all([
          request(a.server)
            .post(`${API}/requests/${id}/approve`)
            .set('Authorization', as(BOB))
            .send({}),
          request(b.server)
            .post(`${API}/requests/${id}/deny`)
            .set('Authorization', as(CAROL))
            .send({ comment: 'not now' }),
        ]);
        const statuses = [approve.status, deny.status].sort();
        expect(statuses).toEqual([200, 409]);
        const loser = approve.status === 409 ? approve : deny;
        expect(loser.body.error.name).toBe('ConflictError');
        const winner = approve.status === 200 ? 'active' : 'denied';
        const stored = await knex('env_parity_access_requests')
          .where({ id })
          .first();
        expect(stored.status).toBe(winner);
        const decisions = await knex('env_parity_access_events').where({
          request_id: id,
          from_status: 'pending',
        });
        expect(decisions).toHaveLength(1);
        if (winner === 'active') {
          await request(b.server)
            .post(`${API}/requests/${id}/revoke`)
            .set('Authorization', as(ALICE))
            .send({});
        }
      }
      await a.backend.stop();
      await b.backend.stop();
    });

    it('ends access that expired while the backend was down: shown expired at once, revoked at start-up', async () => {
      jest.useFakeTimers({
        now: T0,
        doNotFake: [
          'hrtime',
          'nextTick',
          'performance',
          'queueMicrotask',
          'requestAnimationFrame',
          'cancelAnimationFrame',
          'requestIdleCallback',
          'cancelIdleCallback',
          'setImmediate',
          'clearImmediate',
          'setInterval',
          'clearInterval',
          'setTimeout',
          'clearTimeout',
        ],
      });
      const knex = await databases.init(databaseId);
      const first = await start({
        knex,
        provisioner: new RecordingProvisioner(),
      });
      const created = await request(first.server)
        .post(`${API}/requests`)
        .set('Authorization', as(ALICE))
        .send(body);
      const id = created.body.id;
      const approved = await request(first.server)
        .post(`${API}/requests/${id}/approve`)
        .set('Authorization', as(BOB))
        .send({});
      expect(approved.body).toMatchObject({
        status: 'active',
        expiresAt: new Date(T0 + 30 * 60_000).toISOString(),
      });
      await first.backend.stop();

      // Down past the end of the grant.
      jest.setSystemTime(T0 + 45 * 60_000);
      const provisioner = new RecordingProvisioner();
      const gate = deferred();
      provisioner.revokeGate = gate.promise;
      const second = await start({ knex, provisioner });

      // The start-up sweep is revoking (held at the gate); reads already say expired.
      const during = await request(second.server)
        .get(`${API}/requests/${id}`)
        .set('Authorization', as(ALICE));
      expect(during.body.status).toBe('expired');
      expect(during.body.instructions).toBeUndefined();
      const check = await request(second.server)
        .get(`${API}/grants/active?user=${encodeURIComponent(ALICE)}`)
        .set('Authorization', mockCredentials.service.header());
      expect(check.body.items).toEqual([]);
      expect(
        (await knex('env_parity_access_requests').where({ id }).first()).status,
      ).toBe('active');

      gate.resolve();
      await waitFor(
        async () =>
          (
            await knex('env_parity_access_requests').where({ id }).first()
          ).status === 'expired',
      );
      expect(provisioner.revokes.map(r => r.id)).toContain(id);
      const after = await request(second.server)
        .get(`${API}/requests/${id}`)
        .set('Authorization', as(ALICE));
      expect(after.body.events.map((e: any) => [e.type, e.actor])).toEqual([
        ['requested', ALICE],
        ['approved', BOB],
        ['granted', 'system'],
        ['expired', 'system'],
      ]);
      expect(after.body.resolvedAt).toBe(
        new Date(T0 + 45 * 60_000).toISOString(),
      );
      await second.backend.stop();
    });
  },
);
