import {
  deploymentPayload,
  service,
  startEventsBackend,
  waitFor,
} from './__testUtils__/eventsBackend';

const PAYMENTS = 'component:default/payments';
const CHECKOUT = 'component:default/checkout';
const OTHER = 'component:default/other';
const NEW_SHA = 'b'.repeat(40);

describe('deployments collected at once through the events backend', () => {
  async function start(observeDelayMs?: number) {
    const revisions = new Map([
      [PAYMENTS, 'a'.repeat(40)],
      [CHECKOUT, 'c'.repeat(40)],
      [OTHER, 'd'.repeat(40)],
    ]);
    const backend = await startEventsBackend({
      entities: [
        service('payments', 'acme/payments', 'payments-prod'),
        service('checkout', 'Acme/Payments'),
        service('other', 'acme/other'),
      ],
      revisions,
      observeDelayMs,
    });
    // first reads collect once each (nothing stored yet)
    for (const ref of [PAYMENTS, CHECKOUT, OTHER]) {
      await backend.reportedRevision(ref);
    }
    return { ...backend, revisions };
  }

  it('collects the services of a signed GitHub deployment webhook, and only those', async () => {
    const t = await start();
    expect(t.collections(PAYMENTS)).toBe(1);
    t.revisions.set(PAYMENTS, NEW_SHA);
    t.revisions.set(CHECKOUT, NEW_SHA);

    const res = await t.github(
      'deployment',
      deploymentPayload('acme/payments'),
    );
    expect(res.status).toBe(202);
    // both services deployed from the repository (slugs compare without case)
    await waitFor(async () => (await t.reportedRevision(PAYMENTS)) === NEW_SHA);
    await waitFor(async () => (await t.reportedRevision(CHECKOUT)) === NEW_SHA);
    expect(t.collections(PAYMENTS)).toBe(2);
    expect(t.collections(CHECKOUT)).toBe(2);
    expect(t.collections(OTHER)).toBe(1);

    // deployment_status too
    t.revisions.set(PAYMENTS, 'e'.repeat(40));
    expect(
      (
        await t.github('deployment_status', {
          ...deploymentPayload('acme/payments'),
          deployment_status: { state: 'success' },
        })
      ).status,
    ).toBe(202);
    await waitFor(
      async () => (await t.reportedRevision(PAYMENTS)) === 'e'.repeat(40),
    );
  });

  it('accepts and ignores an unknown repository and another event', async () => {
    const t = await start();
    expect(
      (await t.github('deployment', deploymentPayload('acme/unknown'))).status,
    ).toBe(202);
    expect(
      (await t.github('push', deploymentPayload('acme/payments'))).status,
    ).toBe(202);
    await t.github('deployment', deploymentPayload('acme/other'));
    await waitFor(() => t.collections(OTHER) === 2);
    expect(t.collections(PAYMENTS)).toBe(1);
    expect(t.collections(CHECKOUT)).toBe(1);
  });

  it('coalesces a burst of deliveries for one repository into a few collections', async () => {
    const t = await start(50);
    t.revisions.set(PAYMENTS, NEW_SHA);
    const deliveries = await Promise.all(
      Array.from({ length: 100 }, () =>
        t.github('deployment', deploymentPayload('acme/payments')),
      ),
    );
    expect(deliveries.every(d => d.status === 202)).toBe(true);
    await waitFor(async () => (await t.reportedRevision(PAYMENTS)) === NEW_SHA);
    // one right away, one for the rest (once per merge window while it lasts)
    await new Promise(r => setTimeout(r, 1500));
    const collected = t.collections(PAYMENTS) - 1;
    expect(collected).toBeGreaterThanOrEqual(1);
    expect(collected).toBeLessThanOrEqual(4);
  });

  it('collects the services of an Argo CD application', async () => {
    const t = await start();
    t.revisions.set(PAYMENTS, NEW_SHA);
    expect(
      (await t.argocd({ app: 'payments-prod', revision: NEW_SHA })).status,
    ).toBe(202);
    await waitFor(async () => (await t.reportedRevision(PAYMENTS)) === NEW_SHA);
    // an unknown application, and one on an instance the service is not on
    expect((await t.argocd({ app: 'nobody' })).status).toBe(202);
    await t.github('deployment', deploymentPayload('acme/other'));
    await waitFor(() => t.collections(OTHER) === 2);
    expect(t.collections(PAYMENTS)).toBe(2);
    expect(t.collections(CHECKOUT)).toBe(1);
  });
});
