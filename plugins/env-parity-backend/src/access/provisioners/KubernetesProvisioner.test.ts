import {
  mockCredentials,
  mockServices,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AccessRequest } from '@env-parity/plugin-env-parity-common';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { AccessService } from '../AccessService';
import { DEFAULT_ACCESS_OPTIONS } from '../config';
import { DatabaseAccessStore } from '../DatabaseAccessStore';
import {
  accessEntities,
  ALICE,
  BOB,
  createAccessCatalog,
  SRE,
} from '../__testUtils__';
import {
  bindingName,
  EXPIRES_AT_LABEL,
  KubernetesProvisioner,
  REQUEST_ID_LABEL,
} from './KubernetesProvisioner';

const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
const TOKEN = 'k8s-token';
const RBAC = '/apis/rbac.authorization.k8s.io/v1';

function status(code: number, reason: string, message: string) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 300 ? 'Success' : 'Failure',
    message,
    reason,
    code,
  };
}

/** Label selectors as the API server reads them: `key`, `key=value`, comma-separated. */
function matches(labels: Record<string, string> = {}, selector = '') {
  return selector
    .split(',')
    .filter(Boolean)
    .every(term => {
      const [key, value] = term.split('=');
      return value === undefined ? key in labels : labels[key] === value;
    });
}

/**
 * A loopback server answering like the Kubernetes RBAC API for RoleBindings:
 * 201 with the stored object, 409 AlreadyExists, 404 NotFound Status on
 * delete of a missing one, lists filtered by `labelSelector`, 401 without
 * the bearer token.
 */
async function fakeKubernetes() {
  const bindings = new Map<string, any>();
  const calls: string[] = [];
  let version = 100;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', c => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://localhost');
      calls.push(`${req.method} ${url.pathname}${url.search}`);
      const send = (code: number, body: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== `Bearer ${TOKEN}`) {
        send(401, status(401, 'Unauthorized', 'Unauthorized'));
        return;
      }
      const named = url.pathname.match(
        /^\/apis\/rbac\.authorization\.k8s\.io\/v1\/namespaces\/([^/]+)\/rolebindings(?:\/([^/]+))?$/,
      );
      const body = chunks.length
        ? JSON.parse(Buffer.concat(chunks).toString('utf8'))
        : undefined;
      if (named) {
        const [, namespace, name] = named;
        const key = `${namespace}/${name ?? body?.metadata?.name}`;
        if (req.method === 'POST' && !name) {
          if (bindings.has(key)) {
            send(
              409,
              status(
                409,
                'AlreadyExists',
                `rolebindings "${body.metadata.name}" already exists`,
              ),
            );
            return;
          }
          const stored = {
            ...body,
            metadata: {
              ...body.metadata,
              namespace,
              uid: `uid-${version}`,
              resourceVersion: String(++version),
              creationTimestamp: new Date().toISOString(),
            },
          };
          bindings.set(key, stored);
          send(201, stored);
          return;
        }
        if (req.method === 'PUT' && name) {
          if (!bindings.has(key)) {
            send(
              404,
              status(404, 'NotFound', `rolebindings "${name}" not found`),
            );
            return;
          }
          const stored = {
            ...body,
            metadata: {
              ...body.metadata,
              namespace,
              resourceVersion: String(++version),
            },
          };
          bindings.set(key, stored);
          send(200, stored);
          return;
        }
        if (req.method === 'DELETE' && name) {
          if (!bindings.delete(key)) {
            send(
              404,
              status(404, 'NotFound', `rolebindings "${name}" not found`),
            );
            return;
          }
          send(200, status(200, '', ''));
          return;
        }
      }
      if (req.method === 'GET' && url.pathname === `${RBAC}/rolebindings`) {
        const selector = url.searchParams.get('labelSelector') ?? '';
        send(200, {
          kind: 'RoleBindingList',
          apiVersion: 'rbac.authorization.k8s.io/v1',
          metadata: { resourceVersion: String(version) },
          items: [...bindings.values()].filter(b =>
            matches(b.metadata.labels, selector),
          ),
        });
        return;
      }
      send(
        404,
        status(
          404,
          'NotFound',
          'the server could not find the requested resource',
        ),
      );
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bindings,
    calls,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}

const request = (id: string, expiresAt: string) =>
  ({
    id,
    entityRef: 'component:default/payments',
    environment: 'production',
    requester: ALICE,
    expiresAt,
  } as AccessRequest);

const ID = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const entities = accessEntities();
const payments = entities.find(e => e.metadata.name === 'payments')!;
const alice = entities.find(e => e.metadata.name === 'alice')!;

describe('KubernetesProvisioner', () => {
  let k8s: Awaited<ReturnType<typeof fakeKubernetes>>;
  beforeEach(async () => {
    k8s = await fakeKubernetes();
  });
  afterEach(async () => {
    await k8s.close();
  });

  const provisioner = (
    options: Partial<
      ConstructorParameters<typeof KubernetesProvisioner>[0]
    > = {},
  ) =>
    new KubernetesProvisioner({
      url: k8s.url,
      token: TOKEN,
      subjectTemplate: '{{ user.name }}@example.com',
      ...options,
    });

  it('creates a RoleBinding to view in the service namespace, labelled with request and expiry', async () => {
    const result = await provisioner().grant(
      request(ID, '2026-11-28T09:30:00.000Z'),
      { entity: payments, user: alice, now: new Date() },
    );
    expect(result).toEqual({
      metadata: {
        namespace: 'payments',
        roleBinding: bindingName(ID),
        subject: 'alice@example.com',
      },
    });
    const binding = k8s.bindings.get(`payments/${bindingName(ID)}`);
    expect(binding).toMatchObject({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: {
        name: `env-parity-access-${ID}`,
        namespace: 'payments',
        labels: {
          [REQUEST_ID_LABEL]: ID,
          [EXPIRES_AT_LABEL]: String(
            Date.parse('2026-11-28T09:30:00.000Z') / 1000,
          ),
          'app.kubernetes.io/managed-by': 'env-parity',
        },
        annotations: {
          'env-parity.io/requester': ALICE,
          'env-parity.io/expires-at': '2026-11-28T09:30:00.000Z',
        },
      },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'view',
      },
      subjects: [
        {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'User',
          name: 'alice@example.com',
        },
      ],
    });
    expect(k8s.calls).toEqual([
      `POST ${RBAC}/namespaces/payments/rolebindings`,
    ]);
  });

  it('replaces a binding an earlier, lost attempt left, so its expiry is current', async () => {
    const p = provisioner();
    const context = { entity: payments, now: new Date() };
    await p.grant(request(ID, '2026-11-28T09:30:00.000Z'), context);
    await p.grant(request(ID, '2026-11-28T10:00:00.000Z'), context);
    expect(
      k8s.bindings.get(`payments/${bindingName(ID)}`).metadata.labels[
        EXPIRES_AT_LABEL
      ],
    ).toBe(String(Date.parse('2026-11-28T10:00:00.000Z') / 1000));
    expect(k8s.calls.map(c => c.split(' ')[0])).toEqual([
      'POST',
      'POST',
      'PUT',
    ]);
  });

  it('deletes on revoke, and revoking again succeeds', async () => {
    const p = provisioner();
    const r = request(ID, '2026-11-28T09:30:00.000Z');
    const { metadata } = await p.grant(r, {
      entity: payments,
      now: new Date(),
    });
    await p.revoke(r, {
      entity: payments,
      grantMetadata: metadata,
      now: new Date(),
    });
    expect(k8s.bindings.size).toBe(0);
    // Already gone (404), and without the entity: found by label instead.
    await expect(p.revoke(r, { now: new Date() })).resolves.toBeUndefined();
    expect(k8s.calls.slice(1)).toEqual([
      `DELETE ${RBAC}/namespaces/payments/rolebindings/${bindingName(ID)}`,
      `GET ${RBAC}/rolebindings?labelSelector=${encodeURIComponent(
        `${REQUEST_ID_LABEL}=${ID}`,
      )}&limit=500`,
      `GET ${RBAC}/rolebindings?labelSelector=${encodeURIComponent(
        `${REQUEST_ID_LABEL}=${ID}`,
      )}&limit=500`,
    ]);
  });

  it('self-heals: deletes labelled bindings past their expiry or whose request is over', async () => {
    const p = provisioner({ defaultNamespace: 'shared' });
    const now = new Date('2026-11-28T10:00:00.000Z');
    const ids = ['1', '2', '3'].map(n => ID.replace(/e{12}$/, n.repeat(12)));
    await p.grant(request(ids[0], '2026-11-28T09:59:00.000Z'), { now }); // expired
    await p.grant(request(ids[1], '2026-11-28T11:00:00.000Z'), { now }); // request over
    await p.grant(request(ids[2], '2026-11-28T11:00:00.000Z'), { now }); // fine
    k8s.bindings.set('shared/unrelated', {
      metadata: {
        name: 'unrelated',
        namespace: 'shared',
        labels: { app: 'x' },
      },
    });
    await p.reconcile({
      now,
      isFinal: async asked => {
        expect(asked.sort()).toEqual([...ids].sort());
        return new Set([ids[1]]);
      },
    });
    expect([...k8s.bindings.keys()].sort()).toEqual([
      `shared/${bindingName(ids[2])}`,
      'shared/unrelated',
    ]);
  });

  it('takes the namespace from the annotation, else the default, else refuses', async () => {
    const r = request(ID, '2026-11-28T09:30:00.000Z');
    const bare = entities.find(e => e.metadata.name === 'secret')!;
    await expect(
      provisioner().validate(r, { entity: bare, now: new Date() }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        'no backstage.io/kubernetes-namespace annotation',
      ),
    });
    await expect(
      provisioner({ defaultNamespace: 'apps' }).validate(r, {
        entity: bare,
        now: new Date(),
      }),
    ).resolves.toBeUndefined();
    await expect(
      provisioner({ subjectTemplate: '{{ user.email }}' }).validate(r, {
        entity: payments,
        now: new Date(),
      }),
    ).rejects.toThrow('renders empty');
  });

  it('reports what the API server refused', async () => {
    await expect(
      provisioner({ token: 'wrong' }).grant(
        request(ID, '2026-11-28T09:30:00.000Z'),
        {
          entity: payments,
          now: new Date(),
        },
      ),
    ).rejects.toThrow(
      `Kubernetes refused to create RoleBinding payments/${bindingName(
        ID,
      )}: HTTP 401 Unauthorized`,
    );
  });

  it('runs the whole lifecycle through the access service: grant, expiry, self-healing', async () => {
    const knex = await databases.init('SQLITE_3');
    const store = await DatabaseAccessStore.create({
      database: mockServices.database.mock({ getClient: async () => knex }),
    });
    const clock = { now: Date.parse('2026-11-28T09:00:00.000Z') };
    const { catalog } = createAccessCatalog(accessEntities());
    const kubernetes = provisioner();
    const access = new AccessService({
      store,
      environments: {
        list: async () => [
          {
            name: 'production',
            title: 'Production',
            reference: true,
            owner: SRE,
            source: 'config',
          },
        ],
      },
      catalog,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      provisioners: [kubernetes],
      options: {
        ...DEFAULT_ACCESS_OPTIONS,
        provisioner: 'kubernetes',
        instructions: {
          production:
            'kubectl --context prod -n {{ grant.namespace }} get pods --as {{ grant.subject }}',
        },
      },
      clock: () => new Date(clock.now),
    });
    const as = (userRef: string) => ({
      credentials: mockCredentials.user(userRef),
      userRef,
      can: { create: true, review: true, admin: false },
    });

    // Refused before anything is stored when there is no namespace.
    await expect(
      access.create(as(ALICE), {
        entityRef: 'component:default/secret',
        reason: 'Looking at the production logs',
        durationMinutes: 60,
      }),
    ).rejects.toMatchObject({ name: 'InputError' });

    const created = await access.create(as(ALICE), {
      entityRef: 'component:default/payments',
      reason: 'Looking at the production logs',
      durationMinutes: 60,
    });
    const active = await access.approve(as(BOB), created.id, {});
    expect(active).toMatchObject({
      status: 'active',
      instructions:
        'kubectl --context prod -n payments get pods --as alice@example.com',
    });
    expect([...k8s.bindings.keys()]).toEqual([
      `payments/${bindingName(created.id)}`,
    ]);

    // A binding whose revoke was lost long ago: the sweep removes it.
    k8s.bindings.set('payments/env-parity-access-stale', {
      metadata: {
        name: 'env-parity-access-stale',
        namespace: 'payments',
        labels: {
          [REQUEST_ID_LABEL]: 'stale',
          [EXPIRES_AT_LABEL]: '1700000000',
        },
      },
    });
    await access.sweep();
    expect([...k8s.bindings.keys()]).toEqual([
      `payments/${bindingName(created.id)}`,
    ]);

    clock.now += 61 * 60_000;
    await access.sweep();
    expect(k8s.bindings.size).toBe(0);
    expect((await store.require(created.id)).status).toBe('expired');
  });
});
