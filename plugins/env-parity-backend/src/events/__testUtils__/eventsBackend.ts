import { createHmac } from 'node:crypto';
import { dirname, join } from 'node:path';
import {
  BackendFeature,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { envParityProvidersExtensionPoint } from '@env-parity/plugin-env-parity-node';
import eventsPlugin from '@backstage/plugin-events-backend';
import { eventsServiceFactory } from '@backstage/plugin-events-node';
import request from 'supertest';
import { envParityPlugin } from '../../plugin';
import { component, createTestCatalog } from '../../testUtils';
import { eventsModuleEnvParityGithubWebhook } from '../githubWebhookModule';

/**
 * The GitHub events module's two parts (signature-checked webhook and event
 * router). Its package's default export loads them with a dynamic import(),
 * which Jest cannot run; they are required from the package's files.
 */
function githubEventsModules() {
  const dist = dirname(
    require.resolve('@backstage/plugin-events-backend-module-github'),
  );
  return [
    'service/eventsModuleGithubWebhook.cjs.js',
    'service/eventsModuleGithubEventRouter.cjs.js',
  ].map(file => require(join(dist, file)).default);
}

export const WEBHOOK_SECRET = 'test-webhook-secret';

/** Signs a body as GitHub does (X-Hub-Signature-256). */
export function githubSignature(body: string, secret = WEBHOOK_SECRET) {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** A service deployed from a GitHub repository and an Argo CD application. */
export function service(name: string, slug: string, argocdApp?: string) {
  return component(name, {
    'github.com/project-slug': slug,
    ...(argocdApp ? { 'argocd/app-name': argocdApp } : {}),
  });
}

/**
 * The installed backend as an adopter runs it: the events backend with its
 * GitHub module, Env Parity's GitHub webhook module and an `argocd` topic,
 * Env Parity, a catalog of the given services, and a deployment provider
 * reporting `revisions` (mutable) for production, counting its collections
 * per service. The scheduled collection does not run unless
 * `realScheduler` is set (then it runs on `envParity.schedule`).
 */
export async function startEventsBackend(options: {
  entities: Entity[];
  /** Entity ref to the production revision the provider reports. */
  revisions: Map<string, string>;
  /** How long one collection of a service takes. */
  observeDelayMs?: number;
  /** Under `envParity`. */
  config?: Record<string, unknown>;
  /** At the root of the app config, beside `events` and `envParity`. */
  rootConfig?: Record<string, unknown>;
  /** More features, e.g. Env Parity modules. */
  features?: BackendFeature[];
  /** Backstage's scheduler instead of one that never runs tasks by itself. */
  realScheduler?: boolean;
  /** Leave out Env Parity's GitHub webhook module (the events backend alone). */
  withoutWebhookModule?: boolean;
}) {
  const collections = new Map<string, number>();
  const providerModule = createBackendModule({
    pluginId: 'env-parity',
    moduleId: 'test-revisions',
    register(reg) {
      reg.registerInit({
        deps: { providers: envParityProvidersExtensionPoint },
        async init({ providers }) {
          providers.addDeploymentProvider({
            getProviderName: () => 'test-revisions',
            supports: () => true,
            async observe({ entity }) {
              const ref = stringifyEntityRef(entity);
              collections.set(ref, (collections.get(ref) ?? 0) + 1);
              if (options.observeDelayMs) {
                await new Promise(r => setTimeout(r, options.observeDelayMs));
              }
              const revision = options.revisions.get(ref);
              return revision
                ? [{ environment: 'production', deployment: { revision } }]
                : [];
            },
          });
        },
      });
    },
  });
  const { factory } = createTestCatalog(options.entities);
  const backend = await startTestBackend({
    features: [
      eventsPlugin,
      // the real events service: the test backend's mock is one per plugin
      eventsServiceFactory,
      ...githubEventsModules(),
      ...(options.withoutWebhookModule
        ? []
        : [eventsModuleEnvParityGithubWebhook]),
      envParityPlugin,
      providerModule,
      factory,
      ...(options.features ?? []),
      mockServices.rootConfig.factory({
        data: {
          ...(options.rootConfig ?? {}),
          events: {
            modules: { github: { webhookSecret: WEBHOOK_SECRET } },
            // one process: events delivered in it, no long polls to stop
            useEventBus: 'never',
            // the Argo CD module's webhook (with its secret) is tested in
            // that module; here the topic's events arrive unchecked
            http: { topics: ['argocd'] },
          },
          envParity: {
            environments: [
              { name: 'staging', title: 'Staging' },
              { name: 'production', title: 'Production', reference: true },
            ],
            ...(options.config ?? {}),
          },
        },
      }),
      options.realScheduler
        ? schedulerServiceFactory
        : mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
    ],
  });
  const { server } = backend;

  return {
    backend,
    server,
    /** Collections of the service so far. */
    collections: (entityRef: string) => collections.get(entityRef) ?? 0,
    /**
     * Delivers a GitHub webhook, signed unless a signature is given (null:
     * no X-Hub-Signature-256 header).
     */
    github(
      event: 'deployment' | 'deployment_status' | string,
      payload: unknown,
      signature?: string | null,
    ) {
      const body =
        typeof payload === 'string' ? payload : JSON.stringify(payload);
      const req = request(server)
        .post('/api/events/http/github')
        .set('content-type', 'application/json')
        .set('x-github-event', event)
        .set('x-github-delivery', `${Math.random()}`);
      if (signature !== null) {
        req.set('x-hub-signature-256', signature ?? githubSignature(body));
      }
      return req.send(body);
    },
    /** Delivers an Argo CD Notifications webhook. */
    argocd(payload: unknown) {
      const body =
        typeof payload === 'string' ? payload : JSON.stringify(payload);
      return request(server)
        .post('/api/events/http/argocd')
        .set('content-type', 'application/json')
        .send(body);
    },
    /** The production revision in the service's report. */
    async reportedRevision(entityRef: string): Promise<string | undefined> {
      const [kind, rest] = entityRef.split(':');
      const [namespace, name] = rest.split('/');
      const res = await request(server).get(
        `/api/env-parity/entities/${kind}/${namespace}/${name}`,
      );
      if (res.status !== 200) {
        throw new Error(`report: ${res.status} ${JSON.stringify(res.body)}`);
      }
      return res.body.environments.find((e: any) => e.name === 'production')
        ?.deployment?.revision;
    },
  };
}

/** A GitHub `deployment` webhook payload for the repository. */
export function deploymentPayload(fullName: string, sha = 'a'.repeat(40)) {
  return {
    action: 'created',
    deployment: { id: 1, sha, ref: 'main', environment: 'production' },
    repository: { full_name: fullName, name: fullName.split('/')[1] },
  };
}

/** Waits until the condition holds, polling; fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  timeoutMs = 20_000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value) {
      return value;
    }
    if (Date.now() - start > timeoutMs) {
      throw new Error('condition not met in time');
    }
    await new Promise(r => setTimeout(r, 20));
  }
}
