import {
  AuditorService,
  AuthService,
  LoggerService,
  PermissionsService,
} from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  EnvironmentDefinition,
  envParityReplicaCreatePermission,
  isActiveReplicaStatus,
  permissionDeniedMessage,
  referenceEnvironment,
  Replica,
  ReplicaOverride,
  replicaEnvironmentName,
  ReplicaSettings,
  Snapshot,
} from '@env-parity/plugin-env-parity-common';
import { EnvParityReplicaDriver } from '@env-parity/plugin-env-parity-node';
import { randomUUID } from 'node:crypto';
import { sameRef, settleWithin } from '../approvals';
import { PermittedCaller, requireUser } from '../http';
import { parseExtendBody, parseReplicaBody } from './body';
import { ReplicaOptions } from './config';
import { DatabaseReplicaStore } from './DatabaseReplicaStore';
import { expiryTime, ReplicaEvents } from './ReplicaEvents';
import { ReplicaLifecycle } from './ReplicaLifecycle';
import { ReplicaRecord } from './records';
import { toReplica } from './view';

/**
 * The active replicas of an entity as report environments, and how to
 * compare them with production.
 */
export interface ReplicaReportInput {
  environments: EnvironmentDefinition[];
  /** The latest observation of each, as its snapshot. */
  snapshots: Snapshot[];
  /**
   * The deployment provider whose observation of production they are
   * compared with (the driver's `provider`), when the driver names one.
   */
  provider?: string;
  /** Configuration keys a replica differs in by design, e.g. `*.replicas`. */
  ignoreConfig: string[];
}

/** Who calls, and whether the permission policy lets them act on anyone's replicas. */
export type ReplicaCaller = PermittedCaller<'admin'>;

export interface ReplicaServiceDeps {
  store: DatabaseReplicaStore;
  driver: EnvParityReplicaDriver;
  catalog: CatalogService;
  auth: AuthService;
  permissions: PermissionsService;
  environments: { list(): Promise<EnvironmentDefinition[]> };
  /** Production's observed workloads, to check an override's workload. */
  snapshots: { getSnapshots(entityRef: string): Promise<Snapshot[]> };
  logger: LoggerService;
  auditor?: AuditorService;
  notifications?: NotificationService;
  options: ReplicaOptions;
  /** The time; tests pass a fake clock. */
  clock?: () => Date;
}

/** Replicas listed at most. */
const LIST_LIMIT = 100;

/**
 * The namespace of a replica: `envp-<entity name, up to 40 characters>-<first
 * 8 hex of its id>`, a DNS label.
 */
export function replicaNamespace(entityName: string, id: string): string {
  const name =
    entityName
      .toLocaleLowerCase('en-US')
      .replace(/[^a-z0-9-]+/g, '-')
      .slice(0, 40)
      .replace(/^-+|-+$/g, '') || 'service';
  return `envp-${name}-${id.replace(/-/g, '').slice(0, 8)}`;
}

/**
 * Production replicas: launching (every refusal, the permission check and
 * the capped conditional insert before the driver is ever called), reading,
 * extending, deleting, and the sweep ({@link ReplicaLifecycle}).
 */
export class ReplicaService {
  private readonly now: () => Date;
  private readonly events: ReplicaEvents;
  private readonly lifecycle: ReplicaLifecycle;

  constructor(private readonly deps: ReplicaServiceDeps) {
    this.now = deps.clock ?? (() => new Date());
    this.events = new ReplicaEvents(deps);
    this.lifecycle = new ReplicaLifecycle({
      ...deps,
      events: this.events,
      now: this.now,
    });
  }

  settings(): ReplicaSettings {
    const { options, driver } = this.deps;
    return {
      enabled: true,
      cluster: driver.sandbox,
      defaultLifetimeMinutes: Math.round(options.defaultTtlMs / 60_000),
      maxLifetimeMinutes: Math.round(options.maxTtlMs / 60_000),
      perUserLimit: options.perUserLimit,
      globalLimit: options.globalLimit,
    };
  }

  // ---------------------------------------------------------------- launch

  /**
   * Launches a replica of production: the body checked, the entity read with
   * the caller's credentials (404 when they cannot see it), their
   * `env-parity.replica.create` on it (403), the override's workload known
   * (400), then the `creating` row inserted within the caps (409); only then
   * is the driver called, in the background.
   */
  async launch(caller: ReplicaCaller, body: unknown): Promise<Replica> {
    const { options, catalog, permissions, store, driver } = this.deps;
    const userRef = requireUser(caller);
    const input = parseReplicaBody(body, options);
    const entity = await catalog.getEntityByRef(input.entityRef, {
      credentials: caller.credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${input.entityRef} in the catalog`);
    }
    const entityRef = stringifyEntityRef(entity);
    const [decision] = await permissions.authorize(
      [
        {
          permission: envParityReplicaCreatePermission,
          resourceRef: entityRef,
        },
      ],
      { credentials: caller.credentials },
    );
    if (decision.result !== AuthorizeResult.ALLOW) {
      throw new NotAllowedError(
        permissionDeniedMessage(
          `launch a replica of ${entityRef}`,
          envParityReplicaCreatePermission.name,
        ),
      );
    }
    if (input.override) {
      await this.checkOverride(entityRef, input.override);
    }
    const now = this.now();
    const id = randomUUID();
    const record: ReplicaRecord = {
      id,
      entityRef,
      environment: replicaEnvironmentName(id),
      requester: userRef,
      reason: input.reason,
      status: 'creating',
      version: 1,
      driver: driver.id,
      cluster: driver.sandbox,
      namespace: replicaNamespace(entity.metadata.name, id),
      ...(input.override && { override: input.override }),
      createdAt: now,
      updatedAt: now,
      expiresAt: new Date(now.getTime() + input.lifetimeMs),
    };
    const stored = await store.insert(
      record,
      { type: 'requested', actor: userRef, comment: input.reason },
      { perUser: options.perUserLimit, global: options.globalLimit },
    );
    await this.events.audited(stored, 'create', undefined, userRef);
    // the insert is the one write that claimed it: only its writer launches
    this.lifecycle.launchInBackground(stored, entity);
    return toReplica(stored, await store.getSteps(id));
  }

  /**
   * The override's workload must be one production was observed running
   * (a Deployment or StatefulSet of the reference environment).
   */
  private async checkOverride(entityRef: string, override: ReplicaOverride) {
    const reference = referenceEnvironment(await this.deps.environments.list());
    const snapshots = await this.deps.snapshots.getSnapshots(entityRef);
    const workloads = [
      ...new Set(
        snapshots
          .filter(s => s.environment === reference?.name)
          .flatMap(s => s.deployment?.resources ?? [])
          .filter(r => r.kind === 'Deployment' || r.kind === 'StatefulSet')
          .map(r => r.name),
      ),
    ].sort();
    if (!workloads.includes(override.workload)) {
      throw new InputError(
        workloads.length
          ? `override.workload "${
              override.workload
            }" is not a workload of ${entityRef} in ${
              reference?.name
            }; known: ${workloads.join(', ')}`
          : `override.workload "${
              override.workload
            }" cannot be checked: no Deployment or StatefulSet of ${entityRef} was observed in ${
              reference?.name ?? 'production'
            }`,
      );
    }
  }

  // ---------------------------------------------------------------- read

  async get(caller: ReplicaCaller, id: string): Promise<Replica> {
    const record = await this.visible(caller, id);
    return toReplica(record, await this.deps.store.getSteps(id));
  }

  /** The caller's own replicas, everyone's with `env-parity.replica.admin`; newest first. */
  async list(
    caller: ReplicaCaller,
    query: { entityRef?: string },
  ): Promise<Replica[]> {
    const requester = caller.can.admin ? undefined : requireUser(caller);
    const records = await this.deps.store.list({
      requester,
      entityRef: query.entityRef,
      limit: LIST_LIMIT,
    });
    return records.map(r => toReplica(r));
  }

  // ---------------------------------------------------------------- change

  /**
   * Sets an active replica's expiry to now + the lifetime asked for, never
   * past its creation + `maxTtl`; the namespace's recorded expiry follows.
   */
  async extend(
    caller: ReplicaCaller,
    id: string,
    body: unknown,
  ): Promise<Replica> {
    const { options, driver, logger } = this.deps;
    const actor = requireUser(caller);
    const lifetimeMs = parseExtendBody(body, options);
    await this.visible(caller, id);
    const now = this.now();
    const { record, written } = await this.lifecycle.write(id, r => {
      if (!isActiveReplicaStatus(r.status) || now >= r.expiresAt) {
        throw new ConflictError(
          `Replica ${id} is ${
            r.status === 'ready' || r.status === 'creating'
              ? 'expired'
              : r.status
          }; only an active replica can be extended`,
        );
      }
      const expiresAt = new Date(
        Math.min(
          now.getTime() + lifetimeMs,
          r.createdAt.getTime() + options.maxTtlMs,
        ),
      );
      return {
        to: r.status,
        set: { expiresAt },
        step: {
          type: 'extended',
          actor,
          comment: `Expires at ${expiresAt.toISOString()}`,
        },
        action: 'extend',
        actor,
      };
    });
    if (written && record.launchedAt) {
      await this.lifecycle
        .call(signal =>
          driver.setExpiry(record.namespace, record.expiresAt.toISOString(), {
            signal,
          }),
        )
        .catch(error =>
          // the row is authoritative; the sweep brings the namespace in line
          logger.warn(
            `Could not record the new expiry of ${record.namespace}: ${error}`,
          ),
        );
    }
    return toReplica(record, await this.deps.store.getSteps(id));
  }

  /** Deletes a replica (its requester, or an admin): `deleted`, its namespace removed. */
  async delete(caller: ReplicaCaller, id: string): Promise<Replica> {
    const actor = requireUser(caller);
    await this.visible(caller, id);
    const { record } = await this.lifecycle.write(id, r => {
      if (r.status === 'expired' || r.status === 'deleted') {
        throw new ConflictError(`Replica ${id} is already ${r.status}`);
      }
      return {
        to: 'deleted',
        set: {
          statusReason: `Deleted by ${actor}`,
          ...(!r.endedAt && { endedAt: this.now() }),
        },
        step: { type: 'deleted', actor },
        action: 'delete',
        actor,
      };
    });
    this.lifecycle.abortLaunch(id);
    await this.lifecycle.remove(record.namespace, `deleted by ${actor}`);
    return toReplica(record, await this.deps.store.getSteps(id));
  }

  // ---------------------------------------------------------------- report

  /**
   * The active replicas of an entity as extra environments of its parity
   * report, each with the driver's latest observation as its snapshot.
   */
  async reportEnvironments(
    entityRef: string,
    environments: EnvironmentDefinition[],
  ): Promise<ReplicaReportInput> {
    const now = this.now();
    const reference = referenceEnvironment(environments);
    const records = (
      await this.deps.store.list({
        entityRef,
        statuses: ['creating', 'ready'],
        limit: this.deps.options.globalLimit,
      })
    )
      .filter(r => r.expiresAt > now)
      .reverse();
    return {
      ...(this.deps.driver.provider && {
        provider: this.deps.driver.provider,
      }),
      // one pod per workload, on purpose
      ignoreConfig: ['*.replicas'],
      environments: records.map(r => ({
        name: r.environment,
        title: replicaTitle(r, reference?.name ?? 'production', now),
        reference: false,
        source: 'replica',
        replica: {
          id: r.id,
          requester: r.requester,
          expiresAt: r.expiresAt.toISOString(),
          ...(r.override && { override: r.override }),
        },
      })),
      snapshots: records.flatMap(r => {
        const o = r.observation;
        return o
          ? [
              {
                entityRef,
                environment: r.environment,
                provider: this.deps.driver.provider ?? 'replica',
                ...(o.deployment && { deployment: o.deployment }),
                ...(o.error && { error: o.error }),
                ...(o.observedAt && { observedAt: o.observedAt.toISOString() }),
                checkedAt: o.checkedAt.toISOString(),
              },
            ]
          : [];
      }),
    };
  }

  // ---------------------------------------------------------------- system

  /** One pass of the sweep; see {@link ReplicaLifecycle.sweep}. */
  sweep(): Promise<void> {
    return this.lifecycle.sweep();
  }

  /** Waits (a bounded time) for driver calls and the sweep under way. */
  close(timeoutMs = 10_000): Promise<void> {
    return settleWithin(this.settled(), timeoutMs);
  }

  /** Resolves once background driver calls, notifications and the sweep have ended. */
  async settled(): Promise<void> {
    await this.lifecycle.settled();
    await this.events.settled();
  }

  /** The replica, when the caller launched it or is an admin; 404 otherwise. */
  private async visible(
    caller: ReplicaCaller,
    id: string,
  ): Promise<ReplicaRecord> {
    const record = await this.deps.store.get(id);
    if (
      !record ||
      !(
        caller.can.admin ||
        (caller.userRef && sameRef(caller.userRef, record.requester))
      )
    ) {
      throw new NotFoundError(`No replica ${id}`);
    }
    return record;
  }
}

/** `Replica of production (guest's, expires 15:30 UTC)`. */
export function replicaTitle(
  record: Pick<ReplicaRecord, 'requester' | 'expiresAt' | 'override'>,
  reference: string,
  now: Date,
): string {
  const who = record.requester.slice(record.requester.lastIndexOf('/') + 1);
  const change = record.override
    ? ` with ${record.override.workload} at ${record.override.image}`
    : '';
  return `Replica of ${reference}${change} (${who}'s, expires ${expiryTime(
    record.expiresAt,
    now,
  )})`;
}
