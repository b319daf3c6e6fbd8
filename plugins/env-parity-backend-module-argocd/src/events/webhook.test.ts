import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import {
  EventParams,
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import eventsPlugin from '@backstage/plugin-events-backend';
import request from 'supertest';
import { eventsModuleEnvParityArgocdWebhook } from './module';

const SECRET = 'a shared secret';

/** The events backend with the webhook, and a subscriber to its topic. */
async function start(config: Record<string, unknown>) {
  const received: EventParams[] = [];
  const subscriber = createBackendPlugin({
    pluginId: 'subscriber',
    register(reg) {
      reg.registerInit({
        deps: { events: eventsServiceRef, logger: coreServices.logger },
        async init({ events }) {
          await events.subscribe({
            id: 'test-subscriber',
            topics: ['argocd'],
            onEvent: async params => {
              received.push(params);
            },
          });
        },
      });
    },
  });
  const { server } = await startTestBackend({
    features: [
      eventsPlugin,
      // the real events service: the test backend's mock is one per plugin
      eventsServiceFactory,
      eventsModuleEnvParityArgocdWebhook,
      subscriber,
      mockServices.rootConfig.factory({
        // one process: events delivered in it, no long polls to stop
        data: { ...config, events: { useEventBus: 'never' } },
      }),
    ],
  });
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    request(server)
      .post('/api/events/http/argocd')
      .set('content-type', 'application/json')
      .set(headers)
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  return { received, post };
}

async function waitFor(check: () => boolean) {
  const began = Date.now();
  while (!check()) {
    if (Date.now() - began > 30_000) {
      throw new Error('condition not met in 30 seconds');
    }
    await new Promise(r => setTimeout(r, 10));
  }
}

describe('the Argo CD Notifications webhook', () => {
  const withSecret = { 'x-env-parity-webhook-secret': SECRET };

  it('publishes a notification carrying the shared secret on the argocd topic', async () => {
    const t = await start({ envParity: { argocd: { webhookSecret: SECRET } } });
    const body = {
      app: 'payments-prod',
      instance: 'argo-prod',
      revision: 'abc',
    };
    const res = await t.post(body, withSecret);
    expect(res.status).toBe(202);
    await waitFor(() => t.received.length === 1);
    expect(t.received[0]).toMatchObject({
      topic: 'argocd',
      eventPayload: body,
    });
  });

  it('answers 401 without the secret or with another one, 400 to a malformed body, and publishes none of them', async () => {
    const t = await start({ envParity: { argocd: { webhookSecret: SECRET } } });
    const body = { app: 'payments-prod' };
    expect((await t.post(body)).status).toBe(401);
    expect(
      (await t.post(body, { 'x-env-parity-webhook-secret': `${SECRET}x` }))
        .status,
    ).toBe(401);
    expect(
      (await t.post(body, { 'x-env-parity-webhook-secret': '' })).status,
    ).toBe(401);
    // malformed: checked after the secret, so strangers learn nothing
    expect((await t.post({ app: 'payments-prod' }, {})).status).toBe(401);
    for (const malformed of [
      [],
      { app: '' },
      { app: 'Not A Name' },
      { app: 'ok', revision: 42 },
      { application: 'payments-prod' },
    ]) {
      const res = await t.post(malformed, withSecret);
      expect(res.status).toBe(400);
    }
    expect((await t.post('{"app": ', withSecret)).status).toBe(400);
    // an accepted one after them is the only one published
    expect((await t.post({ app: 'last' }, withSecret)).status).toBe(202);
    await waitFor(() => t.received.length === 1);
    expect(t.received.map(e => (e.eventPayload as any).app)).toEqual(['last']);
  });

  it('is not offered without a secret', async () => {
    const t = await start({});
    expect((await t.post({ app: 'payments-prod' })).status).toBe(404);
  });
});
