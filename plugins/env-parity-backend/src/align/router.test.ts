import {
  coreServices,
  createServiceFactory,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import { JsonObject } from '@backstage/types';
import { recordingRootLogger } from '@env-parity/plugin-env-parity-node/testUtils';
import { Knex } from 'knex';
import request from 'supertest';
import { createApprovalCatalog } from '../approvals/__testUtils__';
import { notificationsRecorder, waitFor } from '../access/__testUtils__';
import { envParityPlugin } from '../plugin';
import { DatabaseSnapshotStore } from '../store/DatabaseSnapshotStore';
import {
  ALICE,
  alignEntities,
  allRows,
  BOB,
  countAlignments,
  databases,
  MALLORY,
  PRODUCTION,
  Receiver,
  SECRET,
  SERVICE,
  STAGING_BEFORE,
  startReceiver,
  SRE,
} from './__testUtils__';

jest.setTimeout(60_000);

const API = '/api/env-parity/alignments';
const ID = '00000000-0000-4000-8000-000000000000';
const as = (userRef: string) => mockCredentials.user.header(userRef);

/**
 * The policy: alice may align checkout-web only (a resource decision on
 * the entity), bob and carol review, mallory may do nothing.
 */
function policy(name: string, userRef: string, resourceRef?: string) {
  if (name === 'env-parity.align.create') {
    return userRef === ALICE && resourceRef === SERVICE;
  }
  if (name === 'env-parity.align.review') {
    return ['user:default/bob', 'user:default/carol'].includes(userRef);
  }
  if (name === 'env-parity.align.admin') {
    return false;
  }
  return userRef !== MALLORY;
}

function permissionsFactory() {
  const service = {
    async authorize(requests: any[], options: any) {
      const principal = options?.credentials?.principal;
      return requests.map(r => ({
        result:
          principal?.type === 'user' &&
          policy(r.permission.name, principal.userEntityRef, r.resourceRef)
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      }));
    },
    async authorizeConditional(requests: any[]) {
      return requests.map(() => ({ result: AuthorizeResult.DENY }));
    },
  } as unknown as PermissionsService;
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => service,
  });
}

describe('alignment HTTP API', () => {
  let knex: Knex;
  let receiver: Receiver;

  beforeEach(async () => {
    knex = await databases.init('SQLITE_3');
    receiver = await startReceiver();
  });

  afterEach(() => receiver.close());

  async function start(align?: JsonObject) {
    const logs = recordingRootLogger();
    const { factory } = createApprovalCatalog(alignEntities());
    const backend = await startTestBackend({
      features: [
        envParityPlugin,
        factory,
        logs.factory,
        notificationsRecorder().factory,
        permissionsFactory(),
        mockServices.rootConfig.factory({
          data: {
            envParity: {
              environmentsFromCatalog: false,
              environments: [
                { name: 'staging', owner: SRE },
                { name: 'production', reference: true, owner: SRE },
              ],
              ...(align && { align }),
            },
          },
        }),
        mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
        mockServices.database.factory({ knex }),
      ],
    });
    const snapshots = await DatabaseSnapshotStore.create({
      database: mockServices.database.mock({ getClient: async () => knex }),
    });
    await snapshots.applyObservations(
      [
        { environment: 'production', deployment: PRODUCTION },
        { environment: 'staging', deployment: STAGING_BEFORE },
      ].map(o => ({ ...o, entityRef: SERVICE, provider: 'annotations' })),
      new Date(),
    );
    return { backend, server: backend.server, logs };
  }

  const enabled = {
    environments: { staging: { deployer: 'webhook' } },
    webhook: { url: '', secret: SECRET, allowPrivateNetworks: true },
  };

  it('answers 404 on every route when alignment is not configured, after authentication', async () => {
    const { server, backend } = await start();
    const anonymous = await request(server)
      .get(API)
      .set('Authorization', mockCredentials.none.header());
    expect(anonymous.status).toBe(401);
    const off = await request(server)
      .post(API)
      .set('Authorization', as(ALICE))
      .send({
        entityRef: SERVICE,
        environment: 'staging',
        reason: 'x'.repeat(20),
      });
    expect(off.status).toBe(404);
    expect(off.body.error.message).toBe(
      'Aligning environments with production is not enabled here (envParity.align is not configured)',
    );
    expect(
      (await request(server).get(API).set('Authorization', as(ALICE))).status,
    ).toBe(404);
    expect(await countAlignments(knex)).toBe(0);
    await backend.stop();
  });

  it('serves request, review and reading, checking the caller on every route', async () => {
    const { server, backend, logs } = await start({
      ...enabled,
      webhook: { ...enabled.webhook, url: receiver.url },
    });
    const routes: Array<['get' | 'post', string]> = [
      ['get', API],
      ['post', API],
      ['get', `${API}/preview?entityRef=${SERVICE}&environment=staging`],
      ['get', `${API}/${ID}`],
      ['post', `${API}/${ID}/approve`],
      ['post', `${API}/${ID}/deny`],
      ['post', `${API}/${ID}/cancel`],
    ];
    for (const [method, path] of routes) {
      const anonymous = await request(server)
        [method](path)
        .set('Authorization', mockCredentials.none.header());
      expect([method, path, anonymous.status]).toEqual([method, path, 401]);
    }

    const body = {
      entityRef: SERVICE,
      environment: 'staging',
      reason: 'Staging runs an old build; reproduce the checkout bug',
    };
    // mallory may not align anything; alice not another service
    const mallory = await request(server)
      .post(API)
      .set('Authorization', as(MALLORY))
      .send(body);
    expect(mallory.status).toBe(403);
    expect(mallory.body.error.message).toBe(
      `You are not allowed to align ${SERVICE}: this needs the permission env-parity.align.create.`,
    );
    const orders = await request(server)
      .post(API)
      .set('Authorization', as(ALICE))
      .send({ ...body, entityRef: 'component:default/orders' });
    expect(orders.status).toBe(403);
    const malformed = await request(server)
      .post(API)
      .set('Authorization', as(ALICE))
      .send({ ...body, reason: '' });
    expect(malformed.status).toBe(400);
    const reference = await request(server)
      .post(API)
      .set('Authorization', as(ALICE))
      .send({ ...body, environment: 'production' });
    expect(reference.status).toBe(400);
    const unknown = await request(server)
      .post(API)
      .set('Authorization', as(ALICE))
      .send({ ...body, environment: 'qa' });
    expect(unknown.status).toBe(404);
    expect(await countAlignments(knex)).toBe(0);

    const preview = await request(server)
      .get(`${API}/preview?entityRef=${SERVICE}&environment=staging`)
      .set('Authorization', as(ALICE));
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      deployer: 'webhook',
      approvers: SRE,
      remainingConfigDrift: [],
    });
    const previewDenied = await request(server)
      .get(`${API}/preview?entityRef=${SERVICE}&environment=staging`)
      .set('Authorization', as(MALLORY));
    expect(previewDenied.status).toBe(403);
    const previewIncomplete = await request(server)
      .get(`${API}/preview?entityRef=${SERVICE}`)
      .set('Authorization', as(ALICE));
    expect(previewIncomplete.status).toBe(400);

    const created = await request(server)
      .post(API)
      .set('Authorization', as(ALICE))
      .send(body);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'pending-approval',
      approvers: SRE,
      target: { digest: expect.stringMatching(/^sha256:/) },
    });
    const id = created.body.id;
    const again = await request(server)
      .post(API)
      .set('Authorization', as(ALICE))
      .send(body);
    expect(again.status).toBe(409);

    const reviewable = await request(server)
      .get(`${API}?reviewable=true&entityRef=${SERVICE}`)
      .set('Authorization', as(BOB));
    expect(reviewable.body.items.map((a: any) => a.id)).toEqual([id]);
    const notReviewer = await request(server)
      .get(`${API}?reviewable=true`)
      .set('Authorization', as(ALICE));
    expect(notReviewer.status).toBe(403);
    const mine = await request(server)
      .get(`${API}?mine=true`)
      .set('Authorization', as(ALICE));
    expect(mine.body.items.map((a: any) => a.id)).toEqual([id]);
    const badStatus = await request(server)
      .get(`${API}?status=done`)
      .set('Authorization', as(ALICE));
    expect(badStatus.status).toBe(400);

    const byRequester = await request(server)
      .post(`${API}/${id}/approve`)
      .set('Authorization', as(ALICE))
      .send({});
    expect(byRequester.status).toBe(403);
    const byOutsider = await request(server)
      .post(`${API}/${id}/approve`)
      .set('Authorization', as(MALLORY))
      .send({});
    expect(byOutsider.status).toBe(403);
    expect(receiver.calls).toHaveLength(0);

    const approved = await request(server)
      .post(`${API}/${id}/approve`)
      .set('Authorization', as(BOB))
      .send({ comment: 'go' });
    expect(approved.status).toBe(200);
    expect(approved.body.status).toBe('dispatched');
    await waitFor(async () => {
      const res = await request(server)
        .get(`${API}/${id}`)
        .set('Authorization', as(ALICE));
      return res.body.status === 'verifying';
    }, 20_000);
    expect(receiver.calls).toHaveLength(1);

    const hidden = await request(server)
      .get(`${API}/${id}`)
      .set('Authorization', as(MALLORY));
    expect(hidden.status).toBe(404);
    const notAnId = await request(server)
      .get(`${API}/nope`)
      .set('Authorization', as(ALICE));
    expect(notAnId.status).toBe(400);

    const details = await request(server)
      .get(`${API}/${id}`)
      .set('Authorization', as(ALICE));
    expect(details.body.timeline.map((s: any) => s.type)).toEqual([
      'requested',
      'approved',
      'verifying',
    ]);
    await backend.stop();
    // the secret is in no row, response or log line
    expect(await allRows(knex)).not.toContain(SECRET);
    expect(
      JSON.stringify([created.body, approved.body, details.body]),
    ).not.toContain(SECRET);
    expect(logs.text()).not.toContain(SECRET);
    expect(logs.text()).toContain('alignment');
  });

  it('refuses to start when a configured deployer is not installed', async () => {
    await expect(
      start({ environments: { staging: { deployer: 'argocd' } } }),
    ).rejects.toThrow(
      'envParity.align.environments.staging.deployer is "argocd", which is not installed (installed: none)',
    );
  });
});
