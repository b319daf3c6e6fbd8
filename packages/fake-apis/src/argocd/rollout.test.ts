import { ARGOCD_TOKEN, FakeArgocd } from './FakeArgocd';

const headers = {
  authorization: `Bearer ${ARGOCD_TOKEN}`,
  'content-type': 'application/json',
};
const SHA = '9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a291807';

describe('FakeArgocd writes', () => {
  let fake: FakeArgocd;

  beforeEach(async () => {
    fake = await FakeArgocd.start();
    fake.addApp({
      name: 'shop',
      targetRevision: 'main',
      images: ['ghcr.io/acme/shop:1.5.0'],
      helm: { parameters: [{ name: 'image.tag', value: '1.5.0' }] },
      sync: 'OutOfSync',
    });
  });

  afterEach(() => fake.close());

  const post = (path: string, body: unknown, h = headers) =>
    fetch(`${fake.url}${path}`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify(body),
    });

  it('replaces a spec only with upsert, then a sync rolls it out and tells listeners', async () => {
    const heard: unknown[] = [];
    fake.onRollout(r => heard.push(r));
    const app = JSON.parse(JSON.stringify(fake.getApp('shop')));
    app.spec.source.targetRevision = SHA;
    app.spec.source.helm.parameters = [{ name: 'image.tag', value: '1.4.2' }];

    const refused = await post('/api/v1/applications', app);
    expect(refused.status).toBe(400);
    expect((await refused.json()).message).toBe(
      'existing application spec is different, use upsert flag to force update',
    );
    const upserted = await post('/api/v1/applications?upsert=true', app);
    expect(upserted.status).toBe(200);
    expect(fake.getApp('shop')!.spec.source.targetRevision).toBe(SHA);

    const synced = await post('/api/v1/applications/shop/sync', {
      name: 'shop',
    });
    expect(synced.status).toBe(200);
    const status = fake.getApp('shop')!.status;
    expect(status.sync).toMatchObject({ status: 'Synced', revision: SHA });
    expect(status.health.status).toBe('Healthy');
    expect(status.summary.images).toEqual(['ghcr.io/acme/shop:1.4.2']);
    expect(status.operationState).toMatchObject({
      phase: 'Succeeded',
      operation: { initiatedBy: { username: 'env-parity' } },
    });
    expect(heard).toEqual([
      {
        name: 'shop',
        namespace: 'argocd',
        destinationNamespace: 'shop',
        revision: SHA,
        images: ['ghcr.io/acme/shop:1.4.2'],
        username: 'env-parity',
      },
    ]);
    expect(fake.mutations.map(m => m.path)).toEqual([
      '/api/v1/applications',
      '/api/v1/applications?upsert=true',
      '/api/v1/applications/shop/sync',
    ]);
  });

  it('refuses a sync to another revision under auto-sync, an unknown application and a wrong token', async () => {
    const other = await post('/api/v1/applications/shop/sync', {
      name: 'shop',
      revision: SHA,
    });
    expect(other.status).toBe(400);
    expect((await other.json()).message).toBe(
      `Cannot sync to ${SHA}: auto-sync currently set to main`,
    );
    expect(
      (await post('/api/v1/applications/nope/sync', { name: 'nope' })).status,
    ).toBe(404);
    const anonymous = await post(
      '/api/v1/applications/shop/sync',
      { name: 'shop' },
      { ...headers, authorization: 'Bearer wrong' },
    );
    expect(anonymous.status).toBe(401);
    expect(fake.getApp('shop')!.status.sync.status).toBe('OutOfSync');
    expect(fake.mutations).toHaveLength(3);
  });
});
