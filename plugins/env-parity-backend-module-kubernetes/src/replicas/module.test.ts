import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
// The real backend plugin, to test the module inside it (a devDependency).
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import envParityPlugin from '@env-parity/plugin-env-parity-backend';
import { JsonObject } from '@backstage/types';
import request from 'supertest';
import { testCatalogFactory } from '../__testUtils__/catalog';
import { component } from '../__testUtils__/objects';
import envParityModuleKubernetes from '../index';
import { SandboxWorld, startWorld } from './__testUtils__/sandbox';

describe('the Kubernetes module with envParity.replicas', () => {
  let world: SandboxWorld;

  beforeEach(async () => {
    world = await startWorld();
  });

  afterEach(async () => {
    await world.close();
  });

  const start = (config: JsonObject) =>
    startTestBackend({
      features: [
        envParityPlugin,
        envParityModuleKubernetes,
        testCatalogFactory([
          component({ 'backstage.io/kubernetes-id': 'api' }),
        ]),
        mockServices.rootConfig.factory({ data: config }),
        mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      ],
    });

  it('refuses to start with a sandbox serving the reference environment', async () => {
    const config = world.config() as any;
    config.envParity.kubernetes.clusters.sandbox = 'production';
    await expect(start(config)).rejects.toThrow(
      /envParity.replicas.cluster is "sandbox", which envParity.kubernetes.clusters maps to the reference environment production/,
    );
  });

  it('starts with a sandbox of its own, and replicas are enabled there', async () => {
    const backend = await start(world.config());
    const res = await request(backend.server).get(
      '/api/env-parity/replicas/settings',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ enabled: true, cluster: 'sandbox' });
    await backend.stop();
  });
});
