import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { JsonObject } from '@backstage/types';
import request from 'supertest';
import { notificationsRecorder } from '../access/__testUtils__';
import { envParityPlugin } from '../plugin';
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
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
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
  return { notifications, deployStaging };
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
