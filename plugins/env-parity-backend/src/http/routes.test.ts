import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { WinstonLogger } from '@backstage/backend-defaults/rootLogger';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import request from 'supertest';
import { envParityPlugin } from '../plugin';
import { component, createTestCatalog } from '../testUtils';
import { closeServers, json, serve } from '../probe/__testUtils__/servers';

jest.setTimeout(60_000);

afterEach(closeServers);

const ENTITY = '/api/env-parity/entities/component/default/payments';

/**
 * The plugin as a backend runs it, every router mounted, with a real text
 * logger (the format a developer reads on a terminal) whose lines are kept.
 */
async function start(
  options: {
    permission?: AuthorizeResult.ALLOW | AuthorizeResult.DENY;
    brokenCatalog?: boolean;
  } = {},
) {
  const production = await serve(json({ version: '1.4.2' }));
  const lines: string[] = [];
  const text = WinstonLogger.colorFormat();
  const capture = {
    transform(info: any) {
      const out = text.transform(info, {}) as any;
      if (out) {
        lines.push(...String(out[Symbol.for('message')]).split('\n'));
      }
      return false; // kept, not printed
    },
  };
  const entities = [
    component('payments', {
      'env-parity/production.url': production.url,
      'env-parity/production.version': '1.4.2',
    }),
  ];
  const { server } = await startTestBackend({
    features: [
      envParityPlugin,
      options.brokenCatalog
        ? createServiceFactory({
            service: catalogServiceRef,
            deps: {},
            factory: () =>
              ({
                async getEntityByRef() {
                  throw new Error('catalog database is down');
                },
                async getEntities() {
                  return { items: [] };
                },
              } as any),
          })
        : createTestCatalog(entities).factory,
      createServiceFactory({
        service: coreServices.rootLogger,
        deps: {},
        factory: () =>
          WinstonLogger.create({ format: capture as any, level: 'debug' }),
      }),
      mockServices.rootConfig.factory({
        data: {
          envParity: {
            environmentsFromCatalog: false,
            probe: {
              allowedHosts: [`127.0.0.1:${production.port}`],
              allowPrivateNetworks: true,
            },
          },
        },
      }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ...(options.permission
        ? [mockServices.permissions.factory({ result: options.permission })]
        : []),
    ],
  });
  return { server, lines, production };
}

describe('every router of the plugin', () => {
  it('applies the probe body limit (16 KB), whatever router comes first', async () => {
    const { server, production } = await start();
    const res = await request(server)
      .post(`${ENTITY}/probe`)
      .send({ path: '/version', padding: 'x'.repeat(60_000) });
    expect(res.status).toBe(413);
    expect(production.hits).toEqual([]);
    // a probe of ordinary size still works
    await request(server)
      .post(`${ENTITY}/probe`)
      .send({ path: '/version' })
      .expect(200);
  });

  it('parses no body for a path that takes none', async () => {
    const { server } = await start();
    // 60 KB of broken JSON: no router may try to read it
    const res = await request(server)
      .post(`${ENTITY}/refresh`)
      .set('Content-Type', 'application/json')
      .send(`{${'x'.repeat(60_000)}`);
    expect(res.status).toBe(200);
    expect(res.body.entityRef).toBe('component:default/payments');
  });

  it('writes no user-supplied line breaks into the text log', async () => {
    const { server, lines } = await start();
    await request(server)
      .post(`${ENTITY}/probe`)
      .set('Authorization', mockCredentials.user.header('user:default/alice'))
      .send({ path: '/version\nFORGED-1 info: all good' })
      .expect(400);
    await request(server)
      .post(
        '/api/env-parity/entities/component/default/pay%0AFORGED-2%20info:%20ok/probe',
      )
      .send({ path: '/version' })
      .expect(400);
    await request(server).post(`${ENTITY}%0D%0AFORGED-3/refresh`).expect(400);

    const logged = lines.join('\n');
    expect(logged).toContain('env-parity.probe');
    expect(logged).toContain('FORGED-1');
    expect(logged).toContain('FORGED-2');
    expect(logged).toContain('FORGED-3');
    const forged = lines.filter(line => /^\s*FORGED/.test(line));
    expect(forged).toEqual([]);
  });

  describe('with NODE_ENV=production', () => {
    const nodeEnv = process.env.NODE_ENV;
    afterEach(() => {
      process.env.NODE_ENV = nodeEnv;
    });

    async function errorBodies(env: string) {
      process.env.NODE_ENV = env;
      const ok = await start();
      const denied = await start({ permission: AuthorizeResult.DENY });
      const broken = await start({ brokenCatalog: true });
      const answers = await Promise.all([
        request(ok.server).get('/api/env-parity/entities/group/default/sre'),
        request(ok.server).get(
          '/api/env-parity/entities/component/default/nothing',
        ),
        request(ok.server).post(`${ENTITY}/probe`).send({ path: '/..;/admin' }),
        request(ok.server)
          .post(`${ENTITY}/probe`)
          .send({ path: '/v', padding: 'x'.repeat(60_000) }),
        request(ok.server)
          .get(ENTITY)
          .set('Authorization', mockCredentials.none.header()),
        request(denied.server).get(ENTITY),
        request(denied.server).get('/api/env-parity/environments'),
        request(broken.server).get(ENTITY),
        request(broken.server).post(`${ENTITY}/probe`).send({ path: '/v' }),
      ]);
      expect(answers.map(a => a.status)).toEqual([
        400, 404, 400, 413, 401, 403, 403, 500, 500,
      ]);
      return answers.map(a => a.text);
    }

    it('answers errors without a stack trace', async () => {
      for (const body of await errorBodies('production')) {
        expect(JSON.parse(body).error).not.toHaveProperty('stack');
        expect(body).not.toMatch(/\bat .*\.[jt]s:\d+/);
      }
    });

    it('(the same requests in development do carry one, so the check above can fail)', async () => {
      for (const body of await errorBodies('development')) {
        expect(JSON.parse(body).error).toHaveProperty('stack');
      }
    });
  });
});
