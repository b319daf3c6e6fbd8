import {
  coreServices,
  createBackendModule,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import {
  EnvParityReplicaDriver,
  envParityReplicaDriverExtensionPoint,
} from '@env-parity/plugin-env-parity-node';
import { manualScheduler } from '@env-parity/plugin-env-parity-node/testUtils';
import { Knex } from 'knex';
import request from 'supertest';
import { notificationsRecorder, waitFor } from '../access/__testUtils__';
import { createApprovalCatalog, people } from '../approvals/__testUtils__';
import { envParityPlugin } from '../plugin';
import { DatabaseSnapshotStore } from '../store/DatabaseSnapshotStore';
import { component } from '../testUtils';
import {
  ADMIN,
  ALICE,
  BOB,
  countReplicas,
  databases,
  MALLORY,
  PRODUCTION,
  RecordingReplicaDriver,
  recordingPermissions,
  SERVICE,
} from './__testUtils__';
import { REPLICAS_DISABLED } from './router';

jest.setTimeout(60_000);

const API = '/api/env-parity/replicas';
const REPORT = '/api/env-parity/entities/component/default/payments-api';
const ID = '00000000-0000-4000-8000-000000000000';
const as = (userRef: string) => mockCredentials.user.header(userRef);

function driverModule(driver: EnvParityReplicaDriver, moduleId = 'test') {
  return createBackendModule({
    pluginId: 'env-parity',
    moduleId: `replica-driver-${moduleId}`,
    register(reg) {
      reg.registerInit({
        deps: { replicas: envParityReplicaDriverExtensionPoint },
        async init({ replicas }) {
          replicas.setDriver(driver);
        },
      });
    },
  });
}

describe('replica HTTP API', () => {
  let knex: Knex;

  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
  });

  async function start(options: {
    replicas?: JsonObject;
    drivers?: RecordingReplicaDriver[];
  }) {
    const { factory } = createApprovalCatalog([
      component('payments-api'),
      ...people(),
    ]);
    const scheduler = manualScheduler();
    const backend = await startTestBackend({
      features: [
        envParityPlugin,
        factory,
        scheduler.factory,
        notificationsRecorder().factory,
        createServiceFactory({
          service: coreServices.permissions,
          deps: {},
          factory: () => recordingPermissions([]),
        }),
        mockServices.rootConfig.factory({
          data: {
            envParity: {
              environmentsFromCatalog: false,
              environments: [
                { name: 'staging' },
                { name: 'production', reference: true },
              ],
              ...(options.replicas && { replicas: options.replicas }),
            },
          },
        }),
        mockServices.database.factory({ knex }),
        ...(options.drivers ?? []).map((d, i) => driverModule(d, `d${i}`)),
      ],
    });
    const snapshots = await DatabaseSnapshotStore.create({
      database: mockServices.database.mock({ getClient: async () => knex }),
    });
    await snapshots.applyObservations(
      [
        {
          entityRef: SERVICE,
          environment: 'production',
          provider: 'kubernetes',
          deployment: PRODUCTION,
        },
        {
          // what only another provider adds to production: a replica
          // carries production's workloads, not its GitOps tool's values
          entityRef: SERVICE,
          environment: 'production',
          provider: 'argocd',
          deployment: {
            config: {
              'helm.values.database.host': { hash: 'hd', value: 'db.prod' },
            },
          },
        },
      ],
      new Date(),
    );
    return { backend, server: backend.server, scheduler };
  }

  it('says replicas are off, and how to enable them, without configuration or without a driver', async () => {
    for (const options of [
      { drivers: [new RecordingReplicaDriver()] },
      { replicas: {} },
    ]) {
      const { server, backend } = await start(options);
      expect(
        (
          await request(server)
            .get(`${API}/settings`)
            .set('Authorization', mockCredentials.none.header())
        ).status,
      ).toBe(401);
      const settings = await request(server)
        .get(`${API}/settings`)
        .set('Authorization', as(ALICE));
      expect(settings.body).toEqual({
        enabled: false,
        defaultLifetimeMinutes: 240,
        maxLifetimeMinutes: 480,
        perUserLimit: 2,
        globalLimit: 20,
      });
      const launch = await request(server)
        .post(API)
        .set('Authorization', as(ALICE))
        .send({ entityRef: SERVICE, reason: 'Reproduce the bug' });
      expect(launch.status).toBe(404);
      expect(launch.body.error.message).toBe(REPLICAS_DISABLED);
      await backend.stop();
    }
    expect(await countReplicas(knex)).toBe(0);
  });

  it('refuses a second driver', async () => {
    await expect(
      start({
        replicas: {},
        drivers: [new RecordingReplicaDriver(), new RecordingReplicaDriver()],
      }),
    ).rejects.toThrow(/A replica driver is already set \(recording\)/);
  });

  it('launches, lists, extends and deletes, and shows an active replica in the report', async () => {
    const driver = new RecordingReplicaDriver();
    const { server, backend, scheduler } = await start({
      replicas: { perUserLimit: 1, maxTtl: { hours: 6 } },
      drivers: [driver],
    });
    const routes: Array<['get' | 'post' | 'delete', string]> = [
      ['get', API],
      ['post', API],
      ['get', `${API}/${ID}`],
      ['post', `${API}/${ID}/extend`],
      ['delete', `${API}/${ID}`],
    ];
    for (const [method, path] of routes) {
      const anonymous = await request(server)
        [method](path)
        .set('Authorization', mockCredentials.none.header());
      expect([method, path, anonymous.status]).toEqual([method, path, 401]);
    }
    expect(
      (
        await request(server)
          .get(`${API}/settings`)
          .set('Authorization', as(ALICE))
      ).body,
    ).toEqual({
      enabled: true,
      cluster: 'sandbox-eu',
      defaultLifetimeMinutes: 240,
      maxLifetimeMinutes: 360,
      perUserLimit: 1,
      globalLimit: 20,
    });

    const body = { entityRef: SERVICE, reason: 'Reproduce the refund bug' };
    const mallory = await request(server)
      .post(API)
      .set('Authorization', as(MALLORY))
      .send(body);
    expect(mallory.status).toBe(403);
    expect(
      (
        await request(server)
          .post(API)
          .set('Authorization', as(ALICE))
          .send({ ...body, lifetimeMinutes: 361 })
      ).status,
    ).toBe(400);
    expect(driver.launches).toHaveLength(0);

    const launched = await request(server)
      .post(API)
      .set('Authorization', as(ALICE))
      .send(body);
    expect(launched.status).toBe(201);
    expect(launched.body).toMatchObject({
      status: 'creating',
      requester: ALICE,
    });
    const { id, namespace, environment } = launched.body;
    const again = await request(server)
      .post(API)
      .set('Authorization', as(ALICE))
      .send(body);
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain(
      'envParity.replicas.perUserLimit',
    );

    // observed ready after the launch, or by the sweep
    await waitFor(async () => {
      await scheduler.run('env-parity-replica-sweep');
      const current = await request(server)
        .get(`${API}/${id}`)
        .set('Authorization', as(ALICE));
      return current.body.status === 'ready';
    });
    expect(
      (await request(server).get(`${API}/${id}`).set('Authorization', as(BOB)))
        .status,
    ).toBe(404);
    const mine = await request(server)
      .get(`${API}?entityRef=${SERVICE}`)
      .set('Authorization', as(ALICE));
    expect(mine.body.items.map((r: { id: string }) => r.id)).toEqual([id]);
    expect(
      (await request(server).get(API).set('Authorization', as(BOB))).body,
    ).toEqual({ items: [] });
    expect(
      (await request(server).get(API).set('Authorization', as(ADMIN))).body
        .items,
    ).toHaveLength(1);

    // one more environment of the report, in sync with production
    const report = await request(server)
      .get(REPORT)
      .set('Authorization', as(BOB));
    expect(report.status).toBe(200);
    expect(
      report.body.environments.map((e: { name: string }) => e.name),
    ).toEqual(['staging', 'production', environment]);
    expect(report.body.environments[2]).toMatchObject({
      title: expect.stringMatching(
        /^Replica of production \(alice's, expires \d\d:\d\d UTC/,
      ),
      replica: { id, requester: ALICE },
    });
    expect(
      report.body.comparisons.find(
        (c: { environment: string }) => c.environment === environment,
      ),
    ).toMatchObject({ against: 'production', verdict: 'in-sync', drift: [] });
    // the configured environments' summary alone
    expect(report.body.closestToReference).not.toBe(environment);
    expect(report.body.summary).not.toContain('Replica');

    // only the report: the environments, the scorecard's and the drift
    // notifications' (the registry's) never hold a replica
    for (const path of [
      '/api/env-parity/environments',
      '/api/env-parity/scorecard/environments',
    ]) {
      const listed = await request(server)
        .get(path)
        .set('Authorization', as(BOB));
      expect([path, listed.status]).toEqual([path, 200]);
      expect(JSON.stringify(listed.body)).not.toContain(environment);
    }

    const extended = await request(server)
      .post(`${API}/${id}/extend`)
      .set('Authorization', as(ALICE))
      .send({ lifetimeMinutes: 60 });
    expect(extended.status).toBe(200);
    expect(driver.expiries).toEqual([[namespace, extended.body.expiresAt]]);

    const deleted = await request(server)
      .delete(`${API}/${id}`)
      .set('Authorization', as(ALICE));
    expect(deleted.body).toMatchObject({ status: 'deleted' });
    expect(driver.removed).toEqual([namespace]);
    const after = await request(server)
      .get(REPORT)
      .set('Authorization', as(BOB));
    expect(
      after.body.environments.map((e: { name: string }) => e.name),
    ).toEqual(['staging', 'production']);
    await backend.stop();
  });
});
