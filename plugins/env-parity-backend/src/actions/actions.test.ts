import { createServiceFactory } from '@backstage/backend-plugin-api';
import { actionsRegistryServiceRef } from '@backstage/backend-plugin-api/alpha';
import { mockCredentials } from '@backstage/backend-test-utils';
import { actionsRegistryServiceMock } from '@backstage/backend-test-utils/alpha';
import request from 'supertest';
import { ALICE, BOB, SRE } from '../access/__testUtils__';
import {
  ACTIONS,
  as,
  auditRecorder,
  DANA,
  invoke,
  start,
} from './__testUtils__';

jest.setTimeout(60_000);

describe('actions through the actions registry', () => {
  it('lists the three actions with their schemas, to permitted callers only', async () => {
    const { server } = await start();
    const alice = await request(server)
      .get(ACTIONS)
      .set('Authorization', as(ALICE));
    expect(alice.status).toBe(200);
    const byId = new Map<string, any>(
      alice.body.actions.map((a: any) => [a.id, a]),
    );
    expect([...byId.keys()].sort()).toEqual([
      'env-parity:get-parity-report',
      'env-parity:list-drifting-services',
      'env-parity:request-production-access',
    ]);
    const report = byId.get('env-parity:get-parity-report');
    expect(report.attributes).toEqual({
      readOnly: true,
      destructive: false,
      idempotent: true,
    });
    expect(report.schema.input).toMatchObject({
      type: 'object',
      required: ['entityRef'],
    });
    expect(Object.keys(report.schema.output.properties)).toEqual(
      expect.arrayContaining([
        'summary',
        'closestEnvironment',
        'environments',
        'url',
      ]),
    );
    const access = byId.get('env-parity:request-production-access');
    expect(access.attributes).toEqual({
      readOnly: false,
      destructive: false,
      idempotent: false,
    });
    expect(Object.keys(access.schema.input.properties).sort()).toEqual([
      'durationMinutes',
      'entityRef',
      'environment',
      'reason',
      'ticket',
    ]);

    const dana = await request(server)
      .get(ACTIONS)
      .set('Authorization', as(DANA));
    expect(dana.status).toBe(200);
    expect(dana.body.actions).toEqual([]);
  });

  it('get-parity-report answers for a service the caller sees, and only then', async () => {
    const { server } = await start();
    const res = await invoke(server, 'get-parity-report', ALICE, {
      entityRef: 'payments',
    });
    expect(res.status).toBe(200);
    const { output } = res.body;
    expect(output).toMatchObject({
      entityRef: 'component:default/payments',
      referenceEnvironment: 'production',
      closestEnvironment: 'staging',
      url: 'https://backstage.example.com/catalog/default/component/payments/parity',
    });
    expect(output.summary).toMatch(
      /^Production runs 1\.4\.2\. Staging runs 1\.5\.0/,
    );
    expect(
      output.environments.map((e: any) => [e.name, e.version, e.verdict]),
    ).toEqual([
      ['staging', '1.5.0', 'different'],
      ['production', '1.4.2', undefined],
    ]);
    expect(output.environments[0].differences).toEqual([
      { type: 'version', field: 'version', change: 'changed' },
    ]);

    // hidden from alice: the same answer as a service that does not exist
    const hidden = await invoke(server, 'get-parity-report', ALICE, {
      entityRef: 'component:default/secret',
    });
    const missing = await invoke(server, 'get-parity-report', ALICE, {
      entityRef: 'component:default/nothing',
    });
    expect([hidden.status, missing.status]).toEqual([404, 404]);
    expect(hidden.body.error.message).toBe(
      'No entity component:default/secret in the catalog',
    );
    expect(missing.body.error.message).toBe(
      'No entity component:default/nothing in the catalog',
    );
    const bob = await invoke(server, 'get-parity-report', BOB, {
      entityRef: 'component:default/secret',
    });
    expect(bob.status).toBe(200);

    // dana may not read parity: the registry does not even show the action
    const dana = await invoke(server, 'get-parity-report', DANA, {
      entityRef: 'payments',
    });
    expect(dana.status).toBe(404);
    expect(dana.body.error.message).toBe(
      'Action "env-parity:get-parity-report" not found',
    );

    const group = await invoke(server, 'get-parity-report', ALICE, {
      entityRef: 'group:default/team',
    });
    expect(group.status).toBe(400);
    expect(group.body.error.message).toBe(
      'Env Parity reports on Component entities only (envParity.collector.kinds), not on group',
    );
  });

  it('list-drifting-services lists the drift the caller may see, worst first', async () => {
    const { server } = await start();
    const alice = await invoke(server, 'list-drifting-services', ALICE, {});
    expect(alice.status).toBe(200);
    expect(alice.body.output).toMatchObject({
      totalCount: 1,
      totalsMayIncludeHidden: false,
    });
    expect(alice.body.output.services).toEqual([
      expect.objectContaining({
        entityRef: 'component:default/payments',
        owner: 'group:default/team',
        environment: 'staging',
        referenceEnvironment: 'production',
        verdict: 'different',
        environmentVersion: '1.5.0',
        referenceVersion: '1.4.2',
        url: 'https://backstage.example.com/catalog/default/component/payments/parity',
      }),
    ]);

    const bob = await invoke(server, 'list-drifting-services', BOB, {
      owner: 'team',
      limit: 10,
    });
    expect(bob.body.output.services.map((s: any) => s.entityRef)).toEqual([
      'component:default/payments',
      'component:default/secret',
    ]);
    const other = await invoke(server, 'list-drifting-services', BOB, {
      owner: 'group:default/other',
    });
    // ledger is in sync: not drifting
    expect(other.body.output).toEqual({
      totalCount: 0,
      totalsMayIncludeHidden: false,
      services: [],
    });
    const tagMismatch = await invoke(server, 'list-drifting-services', BOB, {
      verdict: ['tag-mismatch'],
    });
    expect(tagMismatch.body.output.services).toEqual([]);

    const reference = await invoke(server, 'list-drifting-services', BOB, {
      environment: 'production',
    });
    expect(reference.status).toBe(400);
    expect(reference.body.error.message).toMatch(
      /^environment "production" is the reference environment/,
    );
    const inSync = await invoke(server, 'list-drifting-services', BOB, {
      verdict: ['in-sync'],
    });
    expect(inSync.status).toBe(400);

    const dana = await invoke(server, 'list-drifting-services', DANA, {});
    expect(dana.status).toBe(404);
  });

  it('request-production-access creates a pending request and never grants', async () => {
    const audit = auditRecorder();
    const { server, provisioner, accessRequests } = await start({
      features: [audit.factory],
    });
    const res = await invoke(server, 'request-production-access', ALICE, {
      entityRef: 'payments',
      reason:
        'Checkout fails for EU customers; is it broken in production too?',
      durationMinutes: 30,
      ticket: 'INC-7',
      // not part of the schema: dropped, never break-glass
      breakGlass: true,
    });
    expect(res.status).toBe(200);
    expect(res.body.output).toMatchObject({
      status: 'pending',
      entityRef: 'component:default/payments',
      environment: 'production',
      requester: ALICE,
      approverRef: SRE,
      requiredApprovals: 1,
      durationMinutes: 30,
    });
    expect(res.body.output.url).toBe(
      `https://backstage.example.com/catalog/default/component/payments/parity?accessRequest=${res.body.output.id}`,
    );
    expect(await accessRequests()).toEqual([
      { status: 'pending', requester: ALICE },
    ]);
    expect(provisioner.grants).toEqual([]);
    // audited as the route audits it, with the actor named, and as a transition
    expect(audit.events('access-request')).toEqual([
      {
        severityLevel: 'medium',
        meta: { action: 'create', via: 'action', actor: ALICE },
        outcome: 'succeeded',
        outcomeMeta: expect.objectContaining({
          requestId: res.body.output.id,
        }),
      },
    ]);
    expect(audit.events('access-transition')).toEqual([
      expect.objectContaining({
        meta: expect.objectContaining({
          action: 'requested',
          requestId: res.body.output.id,
        }),
      }),
    ]);

    // the access API's own rules: one open request per service and environment
    const again = await invoke(server, 'request-production-access', ALICE, {
      entityRef: 'component:default/payments',
      reason: 'Still failing for EU customers; checking production',
      durationMinutes: 30,
    });
    expect(again.status).toBe(409);
    expect(again.body.error.name).toBe('ConflictError');

    // and its validation
    const long = await invoke(server, 'request-production-access', ALICE, {
      entityRef: 'payments',
      reason: 'Checkout fails for EU customers',
      durationMinutes: 600,
    });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toBe(
      'durationMinutes must be a whole number from 1 to 120',
    );
    const hidden = await invoke(server, 'request-production-access', ALICE, {
      entityRef: 'component:default/secret',
      reason: 'Checkout fails for EU customers',
      durationMinutes: 30,
    });
    expect(hidden.status).toBe(404);
    const dana = await invoke(server, 'request-production-access', DANA, {
      entityRef: 'payments',
      reason: 'Checkout fails for EU customers',
      durationMinutes: 30,
    });
    expect(dana.status).toBe(404);
    expect(await accessRequests()).toHaveLength(1);
    expect(provisioner.grants).toEqual([]);
  });
});

describe('actions called directly, past the registry', () => {
  it('refuse a caller the permission policy denies, whatever the registry shows', async () => {
    const registry = actionsRegistryServiceMock();
    const { server } = await start({
      features: [
        createServiceFactory({
          service: actionsRegistryServiceRef,
          deps: {},
          factory: () => registry,
        }),
      ],
    });
    expect(server).toBeDefined();
    const credentials = mockCredentials.user(DANA);
    await expect(
      registry.invoke({
        id: 'test:get-parity-report',
        input: { entityRef: 'payments' },
        credentials,
      }),
    ).rejects.toThrow(
      'You are not allowed to read environment parity: this needs the permission env-parity.report.read.',
    );
    await expect(
      registry.invoke({
        id: 'test:list-drifting-services',
        input: {},
        credentials,
      }),
    ).rejects.toThrow(/env-parity\.scorecard\.read/);
    await expect(
      registry.invoke({
        id: 'test:request-production-access',
        input: {
          entityRef: 'payments',
          reason: 'Checkout fails for EU customers',
          durationMinutes: 30,
        },
        credentials,
      }),
    ).rejects.toThrow(/env-parity\.access\.create/);
    // a service principal has no user to request access for
    await expect(
      registry.invoke({
        id: 'test:request-production-access',
        input: {
          entityRef: 'payments',
          reason: 'Checkout fails for EU customers',
          durationMinutes: 30,
        },
        credentials: mockCredentials.service(),
      }),
    ).rejects.toThrow('This needs a signed-in user');
  });
});
