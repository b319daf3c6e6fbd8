import { replicaEnvironmentName } from '@env-parity/plugin-env-parity-common';
import { waitFor } from '../access/__testUtils__';
import {
  ADMIN,
  ALICE,
  as,
  BOB,
  countReplicas,
  databases,
  HOUR,
  launchBody,
  MALLORY,
  MINUTE,
  replicaTestbed,
  SERVICE,
  setup,
} from './__testUtils__';

jest.setTimeout(60_000);

const T0 = Date.UTC(2026, 11, 14, 9, 0, 0);

describe.each(databases.eachSupportedId())('replicas on %p', databaseId => {
  const t = replicaTestbed(databaseId, T0);

  it('calls the driver only after the permission check and the capped insert, then observes it ready', async () => {
    const s = await setup(t);
    const created = await s.service.launch(as(ALICE), launchBody);
    expect(created).toMatchObject({
      entityRef: SERVICE,
      environment: replicaEnvironmentName(created.id),
      requester: ALICE,
      reason: launchBody.reason,
      status: 'creating',
      cluster: 'sandbox-eu',
      namespace: `envp-payments-api-${created.id
        .replace(/-/g, '')
        .slice(0, 8)}`,
      expiresAt: new Date(T0 + 4 * HOUR).toISOString(),
      workloads: [],
    });
    await s.service.settled();
    expect(s.log).toEqual([
      'authorize env-parity.replica.create',
      'store.insert',
      `driver.launch ${created.namespace}`,
      `driver.observe ${created.namespace}`,
    ]);
    expect(s.driver.launches).toEqual([
      expect.objectContaining({
        replicaId: created.id,
        entityRef: SERVICE,
        requester: ALICE,
        namespace: created.namespace,
        expiresAt: created.expiresAt,
      }),
    ]);
    const ready = await s.service.get(as(ALICE), created.id);
    expect(ready).toMatchObject({
      status: 'ready',
      readyAt: new Date(T0).toISOString(),
      configPolicy: 'production-non-secret',
      workloads: [expect.objectContaining({ name: 'payments-api' })],
      config: [
        expect.objectContaining({ key: 'LOG_LEVEL', source: 'production' }),
        expect.objectContaining({ key: 'DB_PASSWORD', source: 'empty' }),
      ],
      endpoints: [expect.objectContaining({ service: 'payments-api' })],
    });
    expect(ready.timeline.map(step => [step.type, step.actor])).toEqual([
      ['requested', ALICE],
      ['created', 'system'],
      ['ready', 'system'],
    ]);
    expect(s.audits.map(a => [a.action, a.toStatus])).toEqual([
      ['create', 'creating'],
      ['launched', 'creating'],
      ['ready', 'ready'],
    ]);
    expect(s.notifications).toEqual([
      expect.objectContaining({
        recipients: { type: 'entity', entityRef: [ALICE] },
        payload: expect.objectContaining({
          title: `Your production replica of payments-api (${created.namespace}) is ready`,
        }),
      }),
    ]);
  });

  it('refuses before storing anything or calling the driver', async () => {
    const s = await setup(t);
    const refusals: Array<[unknown, string, string?]> = [
      [{ ...launchBody, reason: ' ' }, 'InputError'],
      [{ ...launchBody, lifetimeMinutes: 8 * 60 + 1 }, 'InputError'],
      [{ ...launchBody, lifetimeMinutes: 0 }, 'InputError'],
      [
        { ...launchBody, override: { workload: 'worker', image: '2.4.0' } },
        'InputError',
        'override.workload "worker" is not a workload of component:default/payments-api in production; known: payments-api',
      ],
      [
        { ...launchBody, entityRef: 'component:default/hidden' },
        'NotFoundError',
      ],
      [
        { ...launchBody, entityRef: 'component:default/nowhere' },
        'NotFoundError',
      ],
    ];
    for (const [body, name, message] of refusals) {
      await expect(s.service.launch(as(ALICE), body)).rejects.toMatchObject({
        name,
        ...(message && { message }),
      });
    }
    await expect(
      s.service.launch(as(MALLORY), launchBody),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('env-parity.replica.create'),
    });
    expect(await countReplicas(t.knex)).toBe(0);
    expect(s.driver.calls()).toEqual([]);

    // the per-user cap: a third launch is refused, and never reaches the driver
    await s.service.launch(as(ALICE), launchBody);
    await s.service.launch(as(ALICE), {
      ...launchBody,
      lifetimeMinutes: 30,
      override: { workload: 'payments-api', image: '2.4.0' },
    });
    await s.service.settled();
    expect(s.driver.launches).toHaveLength(2);
    await expect(s.service.launch(as(ALICE), launchBody)).rejects.toMatchObject(
      {
        name: 'ConflictError',
        message: expect.stringContaining('envParity.replicas.perUserLimit'),
      },
    );
    await s.service.settled();
    expect(s.driver.launches).toHaveLength(2);
    expect(s.driver.launches[1].override).toEqual({
      workload: 'payments-api',
      image: '2.4.0',
    });
  });

  it('lets exactly one of two launches at the cap win, on two backend replicas', async () => {
    const log: string[] = [];
    const a = await setup({ ...t, log, options: { globalLimit: 1 } });
    const b = await setup({
      knex: t.secondConnection(),
      clock: t.clock,
      driver: a.driver,
      options: { globalLimit: 1 },
    });
    const results = await Promise.allSettled([
      a.service.launch(as(ALICE), launchBody),
      b.service.launch(as(BOB), launchBody),
    ]);
    expect(results.map(r => r.status).sort()).toEqual([
      'fulfilled',
      'rejected',
    ]);
    await a.service.settled();
    await b.service.settled();
    expect(a.driver.launches).toHaveLength(1);
    expect(await countReplicas(t.knex)).toBe(1);
  });

  it('fails a replica the driver could not create, with the reason, and removes its namespace', async () => {
    const s = await setup(t);
    s.driver.launchError = Object.assign(
      new Error('exceeded quota: envp-quota, requested: cpu=4'),
      { name: 'NotAllowedError' },
    );
    const created = await s.service.launch(as(ALICE), launchBody);
    await s.service.settled();
    const failed = await s.service.get(as(ALICE), created.id);
    expect(failed).toMatchObject({
      status: 'failed',
      statusReason: 'recording: exceeded quota: envp-quota, requested: cpu=4',
    });
    expect(s.driver.removed).toEqual([created.namespace]);
    expect(s.driver.namespaces.size).toBe(0);
    expect(s.notifications.map(n => n.payload.severity)).toEqual(['high']);
    // failed replicas do not count against the caps
    await s.service.launch(as(ALICE), launchBody);
    await s.service.launch(as(ALICE), launchBody);
    // and may be deleted
    await expect(
      s.service.delete(as(ALICE), created.id),
    ).resolves.toMatchObject({ status: 'deleted' });
    await s.service.settled();
  });

  it('fails a replica the driver observes failing, and one never ready in time', async () => {
    const s = await setup(t);
    s.driver.state = 'failed';
    const bad = await s.service.launch(as(ALICE), launchBody);
    await s.service.settled();
    expect(await s.service.get(as(ALICE), bad.id)).toMatchObject({
      status: 'failed',
      statusReason: 'ImagePullBackOff: image not found',
    });
    expect(s.driver.removed).toEqual([bad.namespace]);

    s.driver.state = 'creating';
    const slow = await s.service.launch(as(ALICE), launchBody);
    await s.service.settled();
    t.clock.now += 10 * MINUTE;
    await s.service.sweep();
    expect((await s.service.get(as(ALICE), slow.id)).status).toBe('creating');
    t.clock.now += 5 * MINUTE;
    await s.service.sweep();
    expect(await s.service.get(as(ALICE), slow.id)).toMatchObject({
      status: 'failed',
      statusReason: 'Not ready within 15 minutes: 0 of 1 pods ready',
    });
    await s.service.settled();
  });

  it('warns once before expiry, expires on time with a fake clock, also after a restart', async () => {
    const first = await setup(t);
    const created = await first.service.launch(as(ALICE), {
      ...launchBody,
      lifetimeMinutes: 120,
    });
    await first.service.settled();
    t.clock.now += 89 * MINUTE;
    await first.service.sweep();
    expect(first.notifications).toHaveLength(1); // ready
    t.clock.now += MINUTE; // 30 minutes before expiry
    await first.service.sweep();
    await first.service.sweep();
    await first.service.settled();
    expect(first.notifications.map(n => n.payload.title)).toEqual([
      expect.stringContaining('is ready'),
      expect.stringContaining('expires soon'),
    ]);

    // the backend restarts: a new service over the same database
    const driver = first.driver;
    const second = await setup({ ...t, driver });
    t.clock.now += 29 * MINUTE;
    await second.service.sweep();
    expect((await second.service.get(as(ALICE), created.id)).status).toBe(
      'ready',
    );
    expect(second.notifications).toHaveLength(0);
    t.clock.now += MINUTE;
    await second.service.sweep();
    const expired = await second.service.get(as(ALICE), created.id);
    expect(expired).toMatchObject({
      status: 'expired',
      endedAt: new Date(T0 + 120 * MINUTE).toISOString(),
    });
    expect(expired.timeline.map(step => step.type)).toEqual([
      'requested',
      'created',
      'ready',
      'expiring',
      'expired',
    ]);
    expect(driver.removed).toEqual([created.namespace]);
    expect(second.audits.map(a => a.action)).toEqual(['expire']);
    expect(
      (await second.service.reportEnvironments(SERVICE, [])).environments,
    ).toEqual([]);
  });

  it('extends up to the maximum lifetime and deletes, for the requester or an admin only', async () => {
    const s = await setup(t);
    const created = await s.service.launch(as(ALICE), launchBody);
    await s.service.settled();
    await expect(
      s.service.extend(as(BOB), created.id, { lifetimeMinutes: 60 }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
    await expect(s.service.get(as(BOB), created.id)).rejects.toMatchObject({
      name: 'NotFoundError',
    });
    expect(await s.service.list(as(BOB), {})).toEqual([]);
    expect(await s.service.list(as(ADMIN, true), {})).toHaveLength(1);

    t.clock.now += 3 * HOUR;
    const extended = await s.service.extend(as(ALICE), created.id, {
      lifetimeMinutes: 6 * 60,
    });
    // never past creation + maxTtl (8 hours)
    expect(extended.expiresAt).toBe(new Date(T0 + 8 * HOUR).toISOString());
    expect(s.driver.expiries).toEqual([
      [created.namespace, new Date(T0 + 8 * HOUR).toISOString()],
    ]);
    await expect(
      s.service.extend(as(ALICE), created.id, { lifetimeMinutes: 9 * 60 }),
    ).rejects.toMatchObject({ name: 'InputError' });

    const deleted = await s.service.delete(as(ADMIN, true), created.id);
    expect(deleted).toMatchObject({
      status: 'deleted',
      statusReason: `Deleted by ${ADMIN}`,
    });
    expect(s.driver.removed).toEqual([created.namespace]);
    await expect(s.service.delete(as(ALICE), created.id)).rejects.toMatchObject(
      { name: 'ConflictError' },
    );
    await expect(
      s.service.extend(as(ALICE), created.id, { lifetimeMinutes: 60 }),
    ).rejects.toMatchObject({ name: 'ConflictError' });
    expect(s.audits.map(a => a.action)).toEqual([
      'create',
      'launched',
      'ready',
      'extend',
      'delete',
    ]);
  });

  it('aborts a launch deleted while under way, and removes what it created', async () => {
    const s = await setup(t);
    let release!: () => void;
    s.driver.gate = new Promise(r => {
      release = r;
    });
    const created = await s.service.launch(as(ALICE), launchBody);
    await waitFor(() => s.driver.launches.length === 1);
    await s.service.delete(as(ALICE), created.id);
    expect(s.driver.signals[0].aborted).toBe(true);
    release();
    await s.service.settled();
    expect((await s.service.get(as(ALICE), created.id)).status).toBe('deleted');
    expect(s.driver.namespaces.size).toBe(0);
  });

  it('self-heals: removes labelled namespaces past their expiry or whose replica is not active', async () => {
    const s = await setup(t);
    const active = await s.service.launch(as(ALICE), launchBody);
    const gone = await s.service.launch(as(BOB), launchBody);
    await s.service.settled();
    await s.service.delete(as(BOB), gone.id);
    const future = new Date(T0 + HOUR).toISOString();
    const past = new Date(T0 - MINUTE).toISOString();
    // left behind: the delete's removal failed, an unknown replica, one past
    // its expiry without an id, one with neither
    s.driver.namespaces.set(gone.namespace, {
      replicaId: gone.id,
      expiresAt: future,
    });
    s.driver.namespaces.set('envp-x-unknown', {
      replicaId: '00000000-0000-4000-8000-00000000dead',
      expiresAt: future,
    });
    s.driver.namespaces.set('envp-x-past', { expiresAt: past });
    s.driver.namespaces.set('envp-x-unlabelled', {});
    // the active replica's namespace lost its expiry: brought in line
    s.driver.namespaces.get(active.namespace)!.expiresAt = past;
    s.driver.removed.length = 0;
    await s.service.sweep();
    expect(s.driver.removed.sort()).toEqual(
      [gone.namespace, 'envp-x-past', 'envp-x-unknown'].sort(),
    );
    expect([...s.driver.namespaces.keys()].sort()).toEqual(
      [active.namespace, 'envp-x-unlabelled'].sort(),
    );
    expect(s.driver.namespaces.get(active.namespace)!.expiresAt).toBe(
      active.expiresAt,
    );
  });

  it('shows each active replica as an environment with its latest observation, surviving a restart', async () => {
    const s = await setup(t);
    const created = await s.service.launch(as(ALICE), {
      ...launchBody,
      override: { workload: 'payments-api', image: '2.4.0' },
    });
    await s.service.settled();
    const restarted = await setup({ ...t, driver: s.driver });
    const { environments, snapshots, provider, ignoreConfig } =
      await restarted.service.reportEnvironments(SERVICE, [
        {
          name: 'production',
          title: 'Production',
          reference: true,
          source: 'config',
        },
      ]);
    expect(environments).toEqual([
      {
        name: created.environment,
        title:
          "Replica of production with payments-api at 2.4.0 (alice's, expires 13:00 UTC)",
        reference: false,
        source: 'replica',
        replica: {
          id: created.id,
          requester: ALICE,
          expiresAt: created.expiresAt,
          override: { workload: 'payments-api', image: '2.4.0' },
        },
      },
    ]);
    // compared with production as the driver's provider observed it, its
    // one-pod scale not counted
    expect(provider).toBe('kubernetes');
    expect(ignoreConfig).toEqual(['*.replicas']);
    expect(snapshots).toEqual([
      expect.objectContaining({
        entityRef: SERVICE,
        environment: created.environment,
        provider: 'kubernetes',
        deployment: expect.objectContaining({ version: '2.3.0' }),
        observedAt: new Date(T0).toISOString(),
      }),
    ]);
  });
});
