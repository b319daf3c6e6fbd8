import {
  AuditorService,
  coreServices,
  createServiceFactory,
  PermissionsService,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  AuthorizePermissionRequest,
  AuthorizeResult,
} from '@backstage/plugin-permission-common';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import { JsonObject } from '@backstage/types';
import { Knex } from 'knex';
import request from 'supertest';
import {
  accessPolicy,
  ALICE,
  BOB,
  people,
  provisionerModule,
  RecordingProvisioner,
  SRE,
} from '../../access/__testUtils__';
import { createApprovalCatalog, user } from '../../approvals/__testUtils__';
import { envParityPlugin } from '../../plugin';
import { component } from '../../testUtils';

/*
 * The backend of the actions tests: Env Parity and the MCP actions backend,
 * three services (payments drifting in staging, ledger in sync, secret
 * drifting and hidden from alice), the people of the approval tests, and a
 * permission policy denying dana everything of Env Parity.
 */
const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

/** Denied every Env Parity permission by the test policy. */
export const DANA = 'user:default/dana';
export const ACTIONS = '/api/env-parity/.backstage/actions/v1/actions';

export const as = (userRef: string) => mockCredentials.user.header(userRef);

function service(
  name: string,
  versions: { staging: string; production: string },
  owner = 'group:default/team',
): Entity {
  const entity = component(name, {
    'env-parity/staging.version': versions.staging,
    'env-parity/production.version': versions.production,
  });
  entity.spec = { ...entity.spec, owner };
  return entity;
}

function entities(): Entity[] {
  return [
    service('payments', { staging: '1.5.0', production: '1.4.2' }),
    service(
      'ledger',
      { staging: '2.0.0', production: '2.0.0' },
      'group:default/other',
    ),
    // hidden from alice by the catalog
    service('secret', { staging: '0.9.0', production: '1.0.0' }),
    ...people(),
    user('dana', []),
  ];
}

const config = {
  app: { baseUrl: 'https://backstage.example.com' },
  backend: { actions: { pluginSources: ['env-parity'] } },
  envParity: {
    environmentsFromCatalog: false,
    environments: [
      { name: 'staging', title: 'Staging', owner: 'group:default/platform' },
      { name: 'production', title: 'Production', reference: true, owner: SRE },
    ],
    access: { provisioner: 'recording', maxDuration: { hours: 2 } },
  },
};

/** An auditor recording every event and how it ended. */
export function auditRecorder() {
  const recorded: Array<{
    eventId: string;
    severityLevel?: string;
    meta?: JsonObject;
    outcome?: 'succeeded' | 'failed';
    outcomeMeta?: JsonObject;
  }> = [];
  const auditor: AuditorService = {
    async createEvent(options) {
      const event: (typeof recorded)[number] = {
        eventId: options.eventId,
        severityLevel: options.severityLevel,
        meta: options.meta,
      };
      recorded.push(event);
      return {
        async success(result) {
          event.outcome = 'succeeded';
          event.outcomeMeta = result?.meta;
        },
        async fail(result) {
          event.outcome = 'failed';
          event.outcomeMeta = result.meta;
        },
      };
    },
  };
  return {
    events: (eventId: string) =>
      recorded
        .filter(e => e.eventId === eventId)
        .map(({ eventId: _, ...rest }) => rest),
    factory: createServiceFactory({
      service: coreServices.auditor,
      deps: {},
      factory: () => auditor,
    }),
  };
}

/** Denies dana everything of Env Parity; otherwise the access test policy. */
function policy(permission: string, userRef: string) {
  if (userRef === DANA) {
    return !permission.startsWith('env-parity.');
  }
  return accessPolicy(permission, userRef);
}

/**
 * The permission policy: {@link policy}, and the catalog's read permission
 * hiding the service `secret` from alice, as the test catalog does.
 */
function permissionsFactory() {
  const permissions = {
    async authorize(requests: AuthorizePermissionRequest[], options: any) {
      const principal = options?.credentials?.principal;
      return requests.map(r => ({
        result:
          principal?.type === 'service' ||
          (principal?.type === 'user' &&
            policy(r.permission.name, principal.userEntityRef))
            ? AuthorizeResult.ALLOW
            : AuthorizeResult.DENY,
      }));
    },
    async authorizeConditional(requests: unknown[], options: any) {
      const principal = options?.credentials?.principal;
      return requests.map(() =>
        principal?.userEntityRef === ALICE
          ? {
              result: AuthorizeResult.CONDITIONAL,
              pluginId: 'catalog',
              resourceType: 'catalog-entity',
              conditions: {
                not: {
                  rule: 'HAS_METADATA',
                  resourceType: 'catalog-entity',
                  params: { key: 'name', value: 'secret' },
                },
              },
            }
          : { result: AuthorizeResult.ALLOW },
      );
    },
  } as unknown as PermissionsService;
  return createServiceFactory({
    service: coreServices.permissions,
    deps: {},
    factory: () => permissions,
  });
}

export async function start(options: { features?: ServiceFactory[] } = {}) {
  const knex: Knex = await databases.init('SQLITE_3');
  const provisioner = new RecordingProvisioner();
  const { factory } = createApprovalCatalog(entities(), {
    'component:default/secret': [ALICE],
  });
  const backend = await startTestBackend({
    features: [
      envParityPlugin,
      mcpActionsPlugin,
      factory,
      provisionerModule(provisioner),
      permissionsFactory(),
      mockServices.rootConfig.factory({ data: config }),
      mockServices.scheduler.factory({ skipTaskRunOnStartup: true }),
      mockServices.database.factory({ knex }),
      ...(options.features ?? []),
    ],
  });
  const server = backend.server;
  // the first report of a service collects it, and its scorecard row
  for (const name of ['payments', 'ledger', 'secret']) {
    await request(server)
      .get(`/api/env-parity/entities/component/default/${name}`)
      .set('Authorization', as(BOB))
      .expect(200);
  }
  const accessRequests = async () =>
    knex('env_parity_access_requests').select('status', 'requester');
  return { server, provisioner, accessRequests };
}

export function invoke(
  server: Awaited<ReturnType<typeof start>>['server'],
  name: string,
  userRef: string,
  input: object,
) {
  return request(server)
    .post(`${ACTIONS}/env-parity:${name}/invoke`)
    .set('Authorization', as(userRef))
    .send(input);
}
