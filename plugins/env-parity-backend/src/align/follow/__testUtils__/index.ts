/* Following production under test: a real collector storing what a
 * scripted provider reports, the real alignment service and follower on a
 * test database, the webhook deployer against a loopback receiver standing
 * in for the delivery system, and an injected clock. */
import { mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { Deployment } from '@env-parity/plugin-env-parity-common';
import {
  DeploymentProvider,
  ObserveRequest,
} from '@env-parity/plugin-env-parity-node';
import { Knex } from 'knex';
import { people } from '../../../approvals/__testUtils__';
import { createApprovalCatalog } from '../../../approvals/__testUtils__';
import { DeploymentCollector, readCollectorOptions } from '../../../collector';
import { EnvironmentRegistry } from '../../../environments';
import { ParityReportBuilder } from '../../../report';
import { DatabaseSnapshotStore } from '../../../store/DatabaseSnapshotStore';
import { component } from '../../../testUtils';
import { AlignmentService } from '../../AlignmentService';
import {
  AlignEnvironmentPolicy,
  AlignOptions,
  DEFAULT_ALIGN_OPTIONS,
} from '../../config';
import { DatabaseAlignmentStore } from '../../DatabaseAlignmentStore';
import { WebhookDeployer } from '../../deployers/webhook';
import { Receiver, recordingLogger, SRE } from '../../__testUtils__';
import { storedReports, verifyAfterCollection } from '../../verification';
import { readFollowOptions } from '../config';
import { DatabaseFollowStore } from '../DatabaseFollowStore';
import { ProductionFollower } from '../ProductionFollower';

export const MINUTE = 60_000;
export const FOLLOWER = 'user:default/env-parity-follow';

/** Build number n of a service: version, revision and digest all new. */
export function build(name: string, n: number): Deployment {
  const hex = n.toString(16).padStart(2, '0');
  return {
    version: `1.${n}.0`,
    revision: hex.repeat(20),
    artifact: `ghcr.io/acme/${name}:1.${n}.0@sha256:${hex.repeat(32)}`,
  };
}

export const digestOf = (name: string, n: number) =>
  build(name, n).artifact!.split('@')[1];

/**
 * What runs where, by service name and environment, as the delivery system
 * would report it; a provider reads it at every collection.
 */
export type Running = Record<string, Record<string, Deployment>>;

class RunningProvider implements DeploymentProvider {
  constructor(private readonly running: Running) {}
  getProviderName() {
    return 'fake-delivery';
  }
  supports() {
    return true;
  }
  async observe({ entity, environments }: ObserveRequest) {
    const here = this.running[entity.metadata.name] ?? {};
    return environments
      .filter(e => here[e.name])
      .map(e => ({ environment: e.name, deployment: here[e.name] }));
  }
}

/**
 * The deliveries the receiver was asked for, rolled out: each call not yet
 * applied sets its environment of its service to the target.
 */
export function rollOut(receiver: Receiver, running: Running, from = 0) {
  for (const call of receiver.calls.slice(from)) {
    const body = JSON.parse(call.body);
    const name = body.entity.split('/').pop();
    running[name][body.environment] = {
      version: body.version,
      revision: body.revision,
      artifact: body.artifact,
    };
  }
  return receiver.calls.length;
}

export async function setupFollowing(options: {
  knex: Knex;
  receiver: Receiver;
  clock: { now: number };
  running: Running;
  services: string[];
  follow: object;
  policy?: Partial<AlignEnvironmentPolicy>;
  align?: Partial<AlignOptions>;
}) {
  const { knex, receiver, clock } = options;
  const database = mockServices.database.mock({ getClient: async () => knex });
  const entities: Entity[] = [
    ...options.services.map(name => component(name)),
    ...people(),
  ];
  const { catalog } = createApprovalCatalog(entities);
  const { logger, lines } = recordingLogger();
  const auth = mockServices.auth();
  const config = new ConfigReader({
    envParity: {
      environments: [
        { name: 'staging', owner: SRE },
        { name: 'production', reference: true, owner: SRE },
      ],
      environmentsFromCatalog: false,
      align: {
        environments: { staging: { deployer: 'webhook' } },
        follow: options.follow,
      },
    },
  });
  const environments = EnvironmentRegistry.fromConfig(config, {
    catalog,
    auth,
    logger,
  });
  const snapshots = await DatabaseSnapshotStore.create({ database });
  const builder = new ParityReportBuilder({
    providers: [],
    comparers: [],
    logger,
  });
  const deployer = new WebhookDeployer({
    url: receiver.url,
    secret: 'follow-test-secret',
    allowPrivateNetworks: true,
    attempts: 1,
    timeoutMs: 10_000,
    backoffMs: 10,
    sleep: async () => {},
    logger,
  });
  const follow = readFollowOptions(config.getConfig('envParity.align'), [
    'staging',
  ])!;
  const now = () => new Date(clock.now);
  const service = new AlignmentService({
    store: await DatabaseAlignmentStore.create({ database }),
    environments,
    catalog,
    auth,
    logger,
    deployers: [deployer],
    reports: storedReports({ snapshots, builder, environments }),
    options: {
      ...DEFAULT_ALIGN_OPTIONS,
      environments: {
        staging: {
          deployer: 'webhook',
          approval: {
            approvers: { type: 'environment-owner' },
            requiredApprovals: 1,
          },
          verifyTimeoutMs: 30 * MINUTE,
          ...options.policy,
        },
      },
      follow,
      ...options.align,
    },
    clock: now,
  });
  const collector = new DeploymentCollector({
    store: snapshots,
    providers: [new RunningProvider(options.running)],
    environments,
    catalog,
    auth,
    logger,
    options: readCollectorOptions(config),
  });
  collector.addListener(verifyAfterCollection(service));
  if (follow.enabled) {
    collector.addListener(
      new ProductionFollower({
        service,
        store: await DatabaseFollowStore.create({ database }),
        builder,
        auth,
        logger,
        options: follow,
        clock: now,
      }),
    );
  }
  /** A full collection, then the background deployer calls settled. */
  const collect = async () => {
    await collector.collectAll();
    await service.settled();
  };
  const alignments = () =>
    knex('env_parity_alignments').select().orderBy('created_at', 'asc');
  return { service, collector, collect, alignments, lines, follow };
}
