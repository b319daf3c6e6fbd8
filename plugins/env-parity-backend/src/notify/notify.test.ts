import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import request from 'supertest';
import { notificationsRecorder } from '../access/__testUtils__';
import { envParityPlugin } from '../plugin';
import { DIGEST_TASK_ID } from '.';
import { component, createTestCatalog } from '../testUtils';

jest.setTimeout(60_000);

const PATH = '/api/env-parity/entities/component/default/payments';

async function start(
  options: {
    annotations?: Record<string, string>;
    notify?: JsonObject;
  } = {},
) {
  const entity = component('payments', {
    'env-parity/staging.version': '1.0.0',
    'env-parity/production.version': '1.0.0',
    ...options.annotations,
  });
  const notifications = notificationsRecorder();
  // the scheduler, to run the digest task when the test says
  const scheduler = mockServices.scheduler();
  const { server } = await startTestBackend({
    features: [
      envParityPlugin,
      createTestCatalog([entity]).factory,
      notifications.factory,
      mockServices.rootConfig.factory({
        data: {
          envParity: {
            environmentsFromCatalog: false,
            environments: [
              { name: 'staging', title: 'Staging' },
              { name: 'production', title: 'Production', reference: true },
            ],
            ...(options.notify && { notify: options.notify }),
          },
        },
      }),
      createServiceFactory({
        service: coreServices.scheduler,
        deps: {},
        factory: () => scheduler,
      }),
    ],
  });
  const user = mockCredentials.user.header('user:default/alice');
  /** Collects payments again (a refresh) with staging at `version`. */
  const deployStaging = async (version: string) => {
    entity.metadata.annotations!['env-parity/staging.version'] = version;
    await request(server)
      .post(`${PATH}/refresh`)
      .set('Authorization', user)
      .expect(200);
  };
  // the first report collects payments: in sync
  await request(server).get(PATH).set('Authorization', user).expect(200);
  return { notifications, deployStaging, scheduler };
}

describe('drift notifications in the backend', () => {
  it("tell the service's owner once when staging starts to drift after a collection", async () => {
    const { notifications, deployStaging } = await start();
    expect(notifications.sent).toEqual([]);

    await deployStaging('1.1.0');
    expect(notifications.sent).toEqual([
      {
        recipients: { type: 'entity', entityRef: 'group:default/team' },
        payload: expect.objectContaining({
          title: 'payments: Staging drifts from Production',
          link: '/catalog/default/component/payments/parity#drift',
          topic: 'env-parity-drift',
        }),
      },
    ]);
    // collected again, still drifting: nothing new
    await deployStaging('1.1.0');
    expect(notifications.sent).toHaveLength(1);
  });

  it("send the service's team its digest when the digest task runs", async () => {
    const { notifications, deployStaging, scheduler } = await start();
    await scheduler.triggerTask(DIGEST_TASK_ID);
    // in sync: no digest
    expect(notifications.sent).toEqual([]);

    await deployStaging('1.1.0');
    await scheduler.triggerTask(DIGEST_TASK_ID);
    expect(notifications.sent.map(n => n.payload.topic)).toEqual([
      'env-parity-drift',
      'env-parity-digest',
    ]);
    expect(notifications.sent[1]).toEqual({
      recipients: { type: 'entity', entityRef: 'group:default/team' },
      payload: expect.objectContaining({
        title: 'team: 1 service whose Staging no longer represents Production',
        link: '/env-parity?owner=group%3Adefault%2Fteam&environment=staging&sort=driftAge&order=desc',
      }),
    });
    expect(notifications.sent[1].payload.description).toMatch(
      /^Staging differs from Production, oldest drift first:\npayments: different, drifting for 0 days/,
    );
    // run again in the same week: nothing new
    await scheduler.triggerTask(DIGEST_TASK_ID);
    expect(notifications.sent).toHaveLength(2);
  });

  it.each([
    [
      'a service that opts out',
      { annotations: { 'env-parity/notify': 'none' } },
    ],
    ['notifications turned off', { notify: { enabled: false } }],
  ])('stay silent for %s', async (_what, options) => {
    const { notifications, deployStaging } = await start(options);
    await deployStaging('1.1.0');
    expect(notifications.sent).toEqual([]);
  });
});
