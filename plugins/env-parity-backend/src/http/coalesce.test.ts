import { mockCredentials } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { CallerEntityLoader, SingleFlight } from './coalesce';

function deferred() {
  let release!: () => void;
  const gate = new Promise<void>(resolve => {
    release = resolve;
  });
  return { gate, release };
}

const entity = (name: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
});

/** A catalog where mallory cannot see "ledger"; each call waits for `gate`. */
function gatedCatalog(gate: Promise<void>) {
  const all = ['payments', 'ledger', 'orders'].map(entity);
  const calls: Array<{ refs: string[]; user?: string }> = [];
  const visible = (ref: string, user?: string) =>
    all.find(
      e =>
        stringifyEntityRef(e) === ref &&
        !(
          ref === 'component:default/ledger' && user === 'user:default/mallory'
        ),
    );
  const userOf = (credentials: any) => credentials.principal.userEntityRef;
  const catalog = {
    async getEntityByRef(ref: string, { credentials }: any) {
      calls.push({ refs: [ref], user: userOf(credentials) });
      await gate;
      return visible(ref, userOf(credentials));
    },
    async getEntitiesByRefs({ entityRefs }: any, { credentials }: any) {
      calls.push({ refs: entityRefs, user: userOf(credentials) });
      await gate;
      return {
        items: entityRefs.map((r: string) => visible(r, userOf(credentials))),
      };
    },
  } as unknown as CatalogService;
  return { catalog, calls };
}

describe('CallerEntityLoader', () => {
  const alice = mockCredentials.user('user:default/alice');
  const mallory = mockCredentials.user('user:default/mallory');

  it('sends a lone read at once, and groups the reads that arrive meanwhile', async () => {
    const { gate, release } = deferred();
    const { catalog, calls } = gatedCatalog(gate);
    const loader = new CallerEntityLoader(catalog);
    const reads = [
      'payments',
      'ledger',
      'orders',
      'ledger',
      'missing',
      'payments',
    ].map(name =>
      loader.load('Bearer alice', alice, `component:default/${name}`),
    );
    expect(calls).toEqual([
      { refs: ['component:default/payments'], user: 'user:default/alice' },
    ]);
    release();
    const entities = await Promise.all(reads);
    expect(entities.map(e => e?.metadata.name)).toEqual([
      'payments',
      'ledger',
      'orders',
      'ledger',
      undefined,
      'payments',
    ]);
    expect(calls).toEqual([
      { refs: ['component:default/payments'], user: 'user:default/alice' },
      {
        refs: [
          'component:default/ledger',
          'component:default/orders',
          'component:default/missing',
          'component:default/payments',
        ],
        user: 'user:default/alice',
      },
    ]);
  });

  it('never lets two callers share a read: each sees what the catalog shows them', async () => {
    const { gate, release } = deferred();
    const { catalog, calls } = gatedCatalog(gate);
    const loader = new CallerEntityLoader(catalog);
    const reads = [
      loader.load('Bearer alice', alice, 'component:default/payments'),
      loader.load('Bearer mallory', mallory, 'component:default/payments'),
      loader.load('Bearer alice', alice, 'component:default/ledger'),
      loader.load('Bearer mallory', mallory, 'component:default/ledger'),
    ];
    release();
    const [a1, m1, a2, m2] = await Promise.all(reads);
    expect(a1?.metadata.name).toBe('payments');
    expect(m1?.metadata.name).toBe('payments');
    expect(a2?.metadata.name).toBe('ledger');
    expect(m2).toBeUndefined();
    expect(calls).toEqual([
      { refs: ['component:default/payments'], user: 'user:default/alice' },
      { refs: ['component:default/payments'], user: 'user:default/mallory' },
      { refs: ['component:default/ledger'], user: 'user:default/alice' },
      { refs: ['component:default/ledger'], user: 'user:default/mallory' },
    ]);
  });

  it('reads alone without a caller key', async () => {
    const { gate, release } = deferred();
    const { catalog, calls } = gatedCatalog(gate);
    const loader = new CallerEntityLoader(catalog);
    release();
    await Promise.all([
      loader.load(undefined, alice, 'component:default/payments'),
      loader.load(undefined, alice, 'component:default/orders'),
    ]);
    expect(calls.map(c => c.refs)).toEqual([
      ['component:default/payments'],
      ['component:default/orders'],
    ]);
  });

  it('fails every read of a failed call, and the next read asks again', async () => {
    const catalog = {
      getEntityByRef: jest
        .fn()
        .mockRejectedValueOnce(new Error('catalog is down'))
        .mockResolvedValueOnce(entity('payments')),
    } as unknown as CatalogService;
    const loader = new CallerEntityLoader(catalog);
    await expect(
      loader.load('Bearer alice', alice, 'component:default/payments'),
    ).rejects.toThrow('catalog is down');
    await expect(
      loader.load('Bearer alice', alice, 'component:default/payments'),
    ).resolves.toMatchObject({ metadata: { name: 'payments' } });
  });
});

describe('SingleFlight', () => {
  it('shares one in-flight call per key, and asks anew once it settled', async () => {
    const { gate, release } = deferred();
    const flight = new SingleFlight<string>();
    const fn = jest.fn(async () => {
      await gate;
      return 'allowed';
    });
    const first = [flight.run('a', fn), flight.run('a', fn)];
    const other = flight.run('b', fn);
    release();
    expect(await Promise.all([...first, other])).toEqual([
      'allowed',
      'allowed',
      'allowed',
    ]);
    expect(fn).toHaveBeenCalledTimes(2);
    await flight.run('a', fn);
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('shares a refusal too, without keeping it', async () => {
    const flight = new SingleFlight<void>();
    const refuse = jest
      .fn()
      .mockRejectedValueOnce(new Error('denied'))
      .mockResolvedValueOnce(undefined);
    await expect(
      Promise.all([flight.run('a', refuse), flight.run('a', refuse)]),
    ).rejects.toThrow('denied');
    await expect(flight.run('a', refuse)).resolves.toBeUndefined();
    expect(refuse).toHaveBeenCalledTimes(2);
  });
});
