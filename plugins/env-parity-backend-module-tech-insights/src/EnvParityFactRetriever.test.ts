import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { DiscoveryService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { FactRetrieverContext } from '@backstage-community/plugin-tech-insights-node';
// The test runs the real env-parity backend that the retriever reads from.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import envParityPlugin from '@env-parity/plugin-env-parity-backend';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import { createEnvParityFactRetriever } from './EnvParityFactRetriever';

const testCatalog = (entities: Entity[]) =>
  catalogServiceMock.factory({ entities });

jest.setTimeout(30_000);

const config = {
  envParity: {
    environments: [
      { name: 'development' },
      { name: 'staging' },
      { name: 'production', reference: true },
    ],
    environmentsFromCatalog: false,
  },
};

function service(
  name: string,
  staging: string,
  production: string,
  development?: string,
): Entity {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Component',
    metadata: {
      name,
      namespace: 'default',
      annotations: {
        'env-parity/staging.version': staging,
        'env-parity/production.version': production,
        ...(development && { 'env-parity/development.version': development }),
      },
    },
    spec: {
      type: 'service',
      owner: 'group:default/team',
      lifecycle: 'production',
    },
  };
}

function context(
  baseUrl: string,
  auth = mockServices.auth({ pluginId: 'tech-insights' }),
): FactRetrieverContext {
  const discovery: DiscoveryService = {
    getBaseUrl: jest.fn(async (pluginId: string) => {
      expect(pluginId).toBe('env-parity');
      return baseUrl;
    }),
    getExternalBaseUrl: jest.fn(async () => baseUrl),
  };
  return {
    config: mockServices.rootConfig({ data: {} }),
    discovery,
    logger: mockServices.logger.mock(),
    auth,
    urlReader: mockServices.urlReader.mock(),
  };
}

describe('createEnvParityFactRetriever', () => {
  it('describes the facts', () => {
    const retriever = createEnvParityFactRetriever();
    expect(retriever.id).toBe('envParityFactRetriever');
    expect(retriever.version).toBe('0.3.0');
    expect(retriever.entityFilter).toEqual([{ kind: ['component'] }]);
    expect(
      Object.entries(retriever.schema).map(([name, s]) => [name, s.type]),
    ).toEqual([
      ['parityScore', 'integer'],
      ['parityUnknownReason', 'string'],
      ['parityVerdict', 'string'],
      ['inParity', 'boolean'],
      ['driftAgeDays', 'integer'],
      ['commitsBehind', 'integer'],
      ['commitsAhead', 'integer'],
      ['comparedEnvironment', 'string'],
      ['referenceEnvironment', 'string'],
      ['referenceVersion', 'string'],
      ['comparedVersion', 'string'],
      ['worstEnvironment', 'string'],
      ['worstParityScore', 'integer'],
      ['worstParityVerdict', 'string'],
      ['worstInParity', 'boolean'],
      ['worstDriftAgeDays', 'integer'],
    ]);
    for (const s of Object.values(retriever.schema)) {
      expect(s.description).toBeTruthy();
    }
  });

  it('rejects bad options', () => {
    expect(() => createEnvParityFactRetriever({ pageSize: 501 })).toThrow(
      'pageSize of the env-parity fact retriever must be a whole number from 1 to 500, got 501',
    );
    expect(() => createEnvParityFactRetriever({ maxPages: 0 })).toThrow(
      /maxPages .* must be a whole number from 1/,
    );
    expect(() => createEnvParityFactRetriever({ kinds: [] })).toThrow(
      /at least one entity kind/,
    );
  });

  describe('against the env-parity backend', () => {
    let baseUrl: string;

    beforeAll(async () => {
      const entities = [
        // staging in sync, development behind: development is the worst
        service('api', '1.0.0', '1.0.0', '0.9.0'),
        service('web', '1.1.0', '1.0.0'),
        service('db', '0.9.0', '1.0.0'),
      ];
      const { server } = await startTestBackend({
        features: [
          envParityPlugin,
          testCatalog(entities),
          mockServices.rootConfig.factory({ data: config }),
          mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
        ],
      });
      baseUrl = `http://localhost:${server.port()}/api/env-parity`;
      // the first report of an entity collects it, and its scorecard row
      for (const e of entities) {
        const res = await fetch(
          `${baseUrl}/entities/component/default/${e.metadata.name}`,
          { headers: { Authorization: mockCredentials.user.header() } },
        );
        if (res.status !== 200) {
          throw new Error(
            `Collecting ${e.metadata.name} answered ${res.status}`,
          );
        }
      }
    });

    it('retrieves the facts of every scorecard row, with a service token', async () => {
      const ctx = context(baseUrl);
      const tokenSpy = jest.spyOn(ctx.auth, 'getPluginRequestToken');
      const facts = await createEnvParityFactRetriever().handler(ctx);

      expect(tokenSpy).toHaveBeenCalledWith({
        onBehalfOf: mockCredentials.service('plugin:tech-insights'),
        targetPluginId: 'env-parity',
      });
      const byName = Object.fromEntries(facts.map(f => [f.entity.name, f]));
      expect(Object.keys(byName).sort()).toEqual(['api', 'db', 'web']);
      expect(byName.api).toEqual({
        entity: { kind: 'component', namespace: 'default', name: 'api' },
        facts: {
          parityScore: 100,
          parityVerdict: 'in-sync',
          inParity: true,
          comparedEnvironment: 'staging',
          referenceEnvironment: 'production',
          referenceVersion: '1.0.0',
          comparedVersion: '1.0.0',
          worstEnvironment: 'development',
          worstParityScore: 50,
          worstParityVerdict: 'different',
          worstInParity: false,
          worstDriftAgeDays: 0,
        },
      });
      expect(byName.db).toEqual({
        entity: { kind: 'component', namespace: 'default', name: 'db' },
        facts: {
          parityScore: 50,
          parityVerdict: 'different',
          inParity: false,
          driftAgeDays: 0,
          comparedEnvironment: 'staging',
          referenceEnvironment: 'production',
          referenceVersion: '1.0.0',
          comparedVersion: '0.9.0',
          // not deployed to development: staging is its worst
          worstEnvironment: 'staging',
          worstParityScore: 50,
          worstParityVerdict: 'different',
          worstInParity: false,
          worstDriftAgeDays: 0,
        },
      });
      expect(byName.web.facts).toMatchObject({
        parityScore: 50,
        parityVerdict: 'different',
        inParity: false,
        comparedVersion: '1.1.0',
      });
    });

    it('reports the main facts of another environment when told to', async () => {
      const facts = await createEnvParityFactRetriever({
        environment: 'development',
      }).handler(context(baseUrl));
      const api = facts.find(f => f.entity.name === 'api')!;
      expect(api.facts).toMatchObject({
        comparedEnvironment: 'development',
        parityVerdict: 'different',
        worstEnvironment: 'development',
      });
      const web = facts.find(f => f.entity.name === 'web')!;
      expect(web.facts).toMatchObject({
        comparedEnvironment: 'development',
        parityVerdict: 'unknown',
        worstEnvironment: 'staging',
      });
      // unknown is not a score of 0: no score, and why it is unknown
      expect(web.facts.parityScore).toBeUndefined();
      expect(web.facts.parityUnknownReason).toBe('not-deployed');
    });

    it('pages through the scorecard', async () => {
      const ctx = context(baseUrl);
      const facts = await createEnvParityFactRetriever({
        pageSize: 2,
      }).handler(ctx);
      expect(facts.map(f => f.entity.name)).toEqual(['api', 'db', 'web']);
    });

    it('stops after maxPages with a warning', async () => {
      const ctx = context(baseUrl);
      const facts = await createEnvParityFactRetriever({
        pageSize: 1,
        maxPages: 2,
      }).handler(ctx);
      expect(facts.map(f => f.entity.name)).toEqual(['api', 'db']);
      expect(ctx.logger.warn).toHaveBeenCalledWith(
        expect.stringContaining(
          'Read 2 pages of the env-parity scorecard (2 of 3 services)',
        ),
      );
    });

    it('fails clearly when the token is refused', async () => {
      const auth = mockServices.auth({ pluginId: 'tech-insights' });
      jest
        .spyOn(auth, 'getPluginRequestToken')
        .mockResolvedValue({ token: mockCredentials.service.invalidToken() });
      await expect(
        createEnvParityFactRetriever().handler(context(baseUrl, auth)),
      ).rejects.toThrow(
        /The env-parity scorecard request .*\/scorecard\?.* failed with 401 Unauthorized; caused by AuthenticationError: /,
      );
    });
  });

  describe('against a failing server', () => {
    let server: Server;
    let baseUrl: string;

    beforeAll(async () => {
      server = createServer((_req, res) => {
        res.statusCode = 500;
        res.setHeader('Content-Type', 'application/json');
        res.end(
          JSON.stringify({
            error: { name: 'Error', message: 'database is down' },
            request: { method: 'GET', url: '/scorecard' },
            response: { statusCode: 500 },
          }),
        );
      });
      await new Promise<void>(resolve => server.listen(0, resolve));
      baseUrl = `http://localhost:${
        (server.address() as AddressInfo).port
      }/api/env-parity`;
    });

    afterAll(async () => {
      await new Promise(resolve => server.close(resolve));
    });

    it('throws with the status and the error of the answer', async () => {
      const error = await createEnvParityFactRetriever()
        .handler(context(baseUrl))
        .catch(e => e);
      expect(error).toBeInstanceOf(Error);
      expect(error.message).toMatch(
        /^The env-parity scorecard request http:\/\/localhost:\d+\/api\/env-parity\/scorecard\?kind=component&sort=name&order=asc&page=1&pageSize=500 failed with 500 Internal Server Error; caused by Error: database is down$/,
      );
    });

    it('throws when the server cannot be reached', async () => {
      const closed = createServer();
      await new Promise<void>(resolve => closed.listen(0, resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise(resolve => closed.close(resolve));
      await expect(
        createEnvParityFactRetriever().handler(
          context(`http://localhost:${port}/api/env-parity`),
        ),
      ).rejects.toThrow(/^Could not reach the env-parity scorecard at /);
    });
  });
});
