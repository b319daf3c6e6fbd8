import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
// The real Scaffolder backend, to run the module inside it (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import fs from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import request from 'supertest';
import { parse as parseYaml } from 'yaml';
import { GUEST } from './__testUtils__/context';
import { FakeEnvParity } from './__testUtils__/FakeEnvParity';
import {
  PAYMENTS,
  paymentsReport,
  PRODUCTION_DIGEST,
} from './__testUtils__/reports';
import scaffolderModuleEnvParity from './index';

const EXAMPLE_TEMPLATE = resolvePath(
  __dirname,
  '../../../examples/templates/production-replica.yaml',
);

describe('scaffolderModuleEnvParity', () => {
  let fake: FakeEnvParity;

  beforeEach(async () => {
    fake = await FakeEnvParity.start();
    fake.reports.set(PAYMENTS, paymentsReport());
  });

  afterEach(async () => {
    await fake.close();
  });

  async function startScaffolder() {
    const { server } = await startTestBackend({
      features: [
        scaffolderPlugin,
        scaffolderModuleEnvParity,
        catalogServiceMock.factory({
          entities: [
            {
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'User',
              metadata: { name: 'guest', namespace: 'default' },
              spec: {},
            },
          ],
        }),
        // env-parity is the fake on loopback
        createServiceFactory({
          service: coreServices.discovery,
          deps: {},
          factory: () => fake.discovery,
        }),
      ],
    });
    return server;
  }

  it('adds both actions, with their schemas and examples, to the Scaffolder', async () => {
    const server = await startScaffolder();
    const res = await request(server)
      .get('/api/scaffolder/v2/actions')
      .set('Authorization', mockCredentials.user.header(GUEST));

    expect(res.status).toBe(200);
    const actions = new Map<string, any>(
      res.body.map((a: { id: string }) => [a.id, a]),
    );
    const resolve = actions.get('env-parity:resolve');
    expect(resolve.schema.input.required).toEqual(['entityRef']);
    expect(Object.keys(resolve.schema.output.properties)).toEqual(
      expect.arrayContaining(['artifact', 'digests', 'configKeys', 'links']),
    );
    expect(resolve.examples.length).toBeGreaterThan(0);
    const create = actions.get('env-parity:replica:create');
    expect(create.schema.input.required).toEqual(['entityRef', 'reason']);
    expect(Object.keys(create.schema.input.properties)).toEqual([
      'entityRef',
      'reason',
      'lifetimeMinutes',
      'override',
      'waitUntilReady',
      'timeoutMinutes',
    ]);
    expect(Object.keys(create.schema.output.properties)).toEqual(
      expect.arrayContaining(['id', 'namespace', 'expiresAt', 'endpoints']),
    );
    expect(create.examples.length).toBeGreaterThan(0);
  });

  it('dry-runs the example template: resolve runs as the user, the replica is not launched', async () => {
    const server = await startScaffolder();
    const template = parseYaml(await fs.readFile(EXAMPLE_TEMPLATE, 'utf8'));
    const res = await request(server)
      .post('/api/scaffolder/v2/dry-run')
      .set('Authorization', mockCredentials.user.header(GUEST))
      .send({
        template,
        values: { entityRef: PAYMENTS, reason: 'Reproduce INC-42' },
        secrets: {},
        directoryContents: [],
      });

    expect(res.status).toBe(200);
    expect(fake.requests).toEqual([
      {
        method: 'GET',
        path: '/api/env-parity/entities/component/default/payments-api',
        user: GUEST,
        target: 'env-parity',
      },
    ]);
    const log = res.body.log.map((l: any) => l.body.message).join('\n');
    expect(log).toContain(
      'Skipping because env-parity:replica:create does not support dry-run',
    );
    expect(fake.replicas.size).toBe(0);
    expect(res.body.output.text[0].content).toContain(
      `ghcr.io/acme/payments-api@${PRODUCTION_DIGEST}`,
    );
  });
});
