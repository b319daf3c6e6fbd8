import { LoggerService } from '@backstage/backend-plugin-api';
import { ConfigReader } from '@backstage/config';
import { FakeKubernetes } from '@env-parity/fake-apis';
import { JsonObject } from '@backstage/types';
import { clusterConfig } from '../../__testUtils__/objects';
import { deployApi } from '../../__testUtils__/scenario';
import { KubernetesReplicaDriver } from '../KubernetesReplicaDriver';

/** A production Secret value that must never leave production. */
export const PLANTED = 'planted-prod-s3cret-31f7';
export const PLANTED_BASE64 = Buffer.from(PLANTED, 'utf8').toString('base64');
export const STAGING_PASSWORD = 'staging-only-password';

/** A logger keeping every line and its meta, to search for a planted secret. */
export function capturingLogger(): LoggerService & { text(): string } {
  const lines: unknown[] = [];
  const make = (fields: object): LoggerService & { text(): string } => {
    const log = (level: string) => (message: string, meta?: unknown) => {
      lines.push({
        level,
        message,
        fields,
        meta: meta instanceof Error ? { message: meta.message } : meta,
      });
    };
    return {
      error: log('error'),
      warn: log('warn'),
      info: log('info'),
      debug: log('debug'),
      child: meta => make({ ...fields, ...meta }),
      text: () => JSON.stringify(lines),
    };
  };
  return make({});
}

export interface SandboxWorld {
  production: FakeKubernetes;
  staging: FakeKubernetes;
  sandbox: FakeKubernetes;
  config(replicas?: JsonObject, extra?: JsonObject): JsonObject;
  close(): Promise<void>;
}

/**
 * Production and staging clusters running the `api` service (scenario
 * `deployApi`, with an http port 8080; production's Secret holds
 * {@link PLANTED}), and an empty writable sandbox cluster.
 */
export async function startWorld(): Promise<SandboxWorld> {
  const production = await FakeKubernetes.start({ name: 'prod' });
  const staging = await FakeKubernetes.start({ name: 'staging' });
  const sandbox = await FakeKubernetes.start({
    name: 'sandbox',
    token: 'sandbox-token',
    writable: true,
  });
  deployApi(production, {
    tag: '1.4.2',
    pods: ['a', 'a', 'b'],
    logLevel: 'warn',
    dbPassword: PLANTED,
    version: '1.4.2',
  });
  deployApi(staging, {
    tag: '1.5.0',
    pods: ['c'],
    logLevel: 'debug',
    dbPassword: STAGING_PASSWORD,
    version: '1.5.0',
  });
  for (const fake of [production, staging]) {
    const [deployment] = fake.stored('deployments');
    deployment.spec.template.spec.containers[1].ports = [
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
    ];
    deployment.spec.template.spec.serviceAccountName = 'api';
    deployment.spec.template.spec.nodeSelector = { pool: 'production' };
  }
  return {
    production,
    staging,
    sandbox,
    config(replicas = {}, extra = {}) {
      const base = clusterConfig([
        { fake: staging, environment: 'staging' },
        { fake: production, environment: 'production' },
      ]) as any;
      base.kubernetes.clusterLocatorMethods[0].clusters.push({
        name: sandbox.name,
        url: sandbox.url,
        authProvider: 'serviceAccount',
        serviceAccountToken: sandbox.token,
      });
      base.envParity.environments = [
        { name: 'staging' },
        { name: 'production', reference: true },
      ];
      base.envParity.replicas = { cluster: 'sandbox', ...replicas };
      return {
        ...base,
        ...extra,
        envParity: { ...base.envParity, ...(extra.envParity as object) },
      };
    },
    async close() {
      await Promise.all([production.close(), staging.close(), sandbox.close()]);
    },
  };
}

export function driverFor(config: JsonObject, logger = capturingLogger()) {
  const driver = KubernetesReplicaDriver.fromConfig(new ConfigReader(config), {
    logger,
    // generous: a loaded machine must not turn a success into a timeout
    timeoutMs: 120_000,
  });
  if (!driver) throw new Error('no driver');
  return { driver, logger };
}
