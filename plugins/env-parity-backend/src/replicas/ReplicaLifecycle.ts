import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  isActiveReplicaStatus,
  ReplicaStatus,
} from '@env-parity/plugin-env-parity-common';
import {
  EnvParityReplicaDriver,
  ReplicaNamespace,
  ReplicaObservation,
} from '@env-parity/plugin-env-parity-node';
import { onLatest, SweepPass } from '../approvals';
import { logSafe } from '../http';
import { ReplicaOptions } from './config';
import { DatabaseReplicaStore } from './DatabaseReplicaStore';
import { ReplicaAction, ReplicaEvents } from './ReplicaEvents';
import { NewReplicaStep, ReplicaRecord, ReplicaUpdate } from './records';

/** The actor of what the system does on its own. */
export const SYSTEM = 'system';

/** Active replicas handled per sweep; the next sweep takes the rest. */
const SWEEP_BATCH = 200;

function errorMessage(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

const minutes = (ms: number) => Math.round(ms / 60_000);

/** A write `decide` wants on the latest state of a replica; undefined: none. */
type Change = {
  to: ReplicaStatus;
  set?: ReplicaUpdate;
  step?: NewReplicaStep;
  action?: ReplicaAction;
  actor?: string;
};

/** The replica after a write, whether it was written, and its status before. */
type Written = { record: ReplicaRecord; written: boolean; from: ReplicaStatus };

/**
 * What happens to a replica without anyone acting: the one launch (by the
 * backend replica whose insert created the row), observation until ready,
 * the expiry warning, the expiry, and the self-healing removal of
 * namespaces nobody needs. Every change is a conditional write; a write
 * lost to another backend replica is read again and decided anew. Driver
 * calls carry an AbortSignal and a timeout.
 */
export class ReplicaLifecycle {
  private readonly pass = new SweepPass(() => this.sweepOnce());
  /** Launches under way on this backend replica, to abort on delete. */
  private readonly launching = new Map<string, AbortController>();

  constructor(
    private readonly deps: {
      store: DatabaseReplicaStore;
      driver: EnvParityReplicaDriver;
      catalog: CatalogService;
      auth: AuthService;
      events: ReplicaEvents;
      logger: LoggerService;
      options: ReplicaOptions;
      now: () => Date;
    },
  ) {}

  // ------------------------------------------------------------- writes

  /**
   * Applies what `decide` says to the latest state of replica `id`, as a
   * conditional write (re-read and decided again when it loses), audited
   * when it names an action. Returns the replica and whether it was
   * written.
   */
  async write(
    id: string,
    decide: (latest: ReplicaRecord) => Change | undefined,
  ): Promise<Written> {
    const { store, events } = this.deps;
    return onLatest<Written>({
      read: async () => {
        const record = await store.require(id);
        return { record, written: false, from: record.status };
      },
      attempt: async ({ record: latest }) => {
        const change = decide(latest);
        if (!change) {
          return { record: latest, written: false, from: latest.status };
        }
        const record = await store.transition({
          from: latest,
          to: change.to,
          set: change.set,
          step: change.step,
          at: this.deps.now(),
        });
        if (!record) {
          return undefined;
        }
        if (change.action) {
          await events.audited(
            record,
            change.action,
            latest.status,
            change.actor ?? SYSTEM,
          );
        }
        return { record, written: true, from: latest.status };
      },
      name: `Replica ${id}`,
    });
  }

  /** Runs a driver call with an AbortSignal that fires after `timeoutMs`. */
  async call<T>(
    what: (signal: AbortSignal) => Promise<T>,
    timeoutMs = this.deps.options.callTimeoutMs,
    controller = new AbortController(),
  ): Promise<T> {
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    try {
      return await what(controller.signal);
    } catch (error) {
      if (controller.signal.aborted) {
        throw new Error(
          `the sandbox did not answer within ${Math.round(timeoutMs / 1000)} s`,
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Removes a namespace; a failure is logged (the sweep tries again). */
  async remove(namespace: string, why: string): Promise<boolean> {
    try {
      await this.call(signal => this.deps.driver.remove(namespace, { signal }));
      this.deps.logger.info(`Removed replica namespace ${namespace}: ${why}`);
      return true;
    } catch (error) {
      this.deps.logger.warn(
        `Could not remove replica namespace ${namespace} (${why}); the sweep tries again: ${logSafe(
          errorMessage(error),
        )}`,
      );
      return false;
    }
  }

  /** Aborts this backend replica's launch of `id`, if one is under way. */
  abortLaunch(id: string): void {
    this.launching.get(id)?.abort();
  }

  // ------------------------------------------------------------- launch

  /**
   * Asks the driver to create a replica whose insert this backend replica
   * just wrote (only the writer of the insert calls this), in the
   * background.
   */
  launchInBackground(record: ReplicaRecord, entity: Entity): void {
    this.deps.events.track(
      this.launch(record, entity).catch(error =>
        this.deps.logger.error(
          `Launching replica ${record.id} failed: ${logSafe(
            errorMessage(error),
          )}`,
        ),
      ),
    );
  }

  private async launch(record: ReplicaRecord, entity: Entity): Promise<void> {
    const { driver, options, logger } = this.deps;
    const controller = new AbortController();
    this.launching.set(record.id, controller);
    let result;
    try {
      result = await this.call(
        signal =>
          driver.launch(
            {
              replicaId: record.id,
              entity,
              entityRef: record.entityRef,
              requester: record.requester,
              namespace: record.namespace,
              expiresAt: record.expiresAt.toISOString(),
              ...(record.override && { override: record.override }),
            },
            { signal },
          ),
        options.launchTimeoutMs,
        controller,
      );
    } catch (error) {
      const reason = controller.signal.aborted
        ? `The sandbox did not finish creating it within ${minutes(
            options.launchTimeoutMs,
          )} minutes`
        : logSafe(errorMessage(error));
      logger.warn(`Replica ${record.id} failed: ${reason}`);
      await this.fail(record.id, `${driver.id}: ${reason}`);
      return;
    } finally {
      this.launching.delete(record.id);
    }
    const { record: latest, written } = await this.write(record.id, r =>
      r.status === 'creating'
        ? {
            to: 'creating',
            set: { launch: result, launchedAt: this.deps.now() },
            step: {
              type: 'created',
              actor: SYSTEM,
              comment: `${result.workloads.length} workload(s) created in ${r.namespace}`,
            },
            action: 'launched',
          }
        : undefined,
    );
    if (!written) {
      // deleted or expired while it was being created
      await this.remove(latest.namespace, `replica ${latest.status}`);
      return;
    }
    await this.observe(latest);
  }

  /**
   * Moves an active replica to `failed` with `reason`, tells its requester
   * and removes its namespace.
   */
  async fail(id: string, reason: string): Promise<void> {
    const { record, written } = await this.write(id, r =>
      r.status === 'creating'
        ? {
            to: 'failed',
            set: { statusReason: reason, endedAt: this.deps.now() },
            step: { type: 'failed', actor: SYSTEM, comment: reason },
            action: 'fail',
          }
        : undefined,
    );
    if (written) {
      this.deps.events.notify(record, 'failed', this.deps.now());
    }
    if (!isActiveReplicaStatus(record.status)) {
      await this.remove(record.namespace, `replica ${record.status}`);
    }
  }

  // ------------------------------------------------------------- observe

  /**
   * Observes an active replica the driver created: `creating` becomes
   * `ready` once the driver says every pod is ready and runs production's
   * digests, or `failed`; what runs there is kept for the report either
   * way.
   */
  async observe(record: ReplicaRecord): Promise<void> {
    const { driver, catalog, auth, options } = this.deps;
    const entity = await catalog.getEntityByRef(record.entityRef, {
      credentials: await auth.getOwnServiceCredentials(),
    });
    if (!entity) {
      this.deps.logger.warn(
        `Replica ${record.id}: ${record.entityRef} is no longer in the catalog; it is left to expire`,
      );
      return;
    }
    const now = this.deps.now();
    let seen: ReplicaObservation;
    try {
      seen = await this.call(signal =>
        driver.observe(
          { namespace: record.namespace, entity, replicaId: record.id },
          { signal },
        ),
      );
    } catch (error) {
      await this.deps.store.recordObservation(record.id, {
        ...record.observation,
        error: logSafe(errorMessage(error)),
        checkedAt: now,
      });
      return;
    }
    const previous = record.observation;
    const observation = {
      deployment: seen.deployment ?? previous?.deployment,
      observedAt: seen.deployment ? now : previous?.observedAt,
      ...(seen.state === 'failed' && {
        error: seen.reason ?? 'failed',
      }),
      checkedAt: now,
    };
    if (record.status === 'creating' && seen.state === 'ready') {
      const { record: ready, written } = await this.write(record.id, r =>
        r.status === 'creating' && r.launchedAt
          ? {
              to: 'ready',
              set: { observation, readyAt: now },
              step: {
                type: 'ready',
                actor: SYSTEM,
                comment:
                  seen.reason ??
                  "Every pod is ready and runs production's digests",
              },
              action: 'ready',
            }
          : undefined,
      );
      if (written) {
        this.deps.events.notify(ready, 'ready', now);
      }
      return;
    }
    const launchedAt = record.launchedAt ?? record.createdAt;
    if (record.status === 'creating' && seen.state === 'failed') {
      await this.fail(
        record.id,
        logSafe(seen.reason ?? 'The sandbox failed it'),
      );
      return;
    }
    if (
      record.status === 'creating' &&
      now.getTime() >= launchedAt.getTime() + options.readyTimeoutMs
    ) {
      await this.fail(
        record.id,
        `Not ready within ${minutes(options.readyTimeoutMs)} minutes${
          seen.reason ? `: ${logSafe(seen.reason)}` : ''
        }`,
      );
      return;
    }
    await this.deps.store.recordObservation(record.id, observation);
  }

  // ------------------------------------------------------------- sweep

  /**
   * One pass: every active replica is expired past its expiry (then its
   * namespace removed), its requester warned once `notifyBefore` it, and
   * it is observed; a `creating` replica never launched within the launch
   * timeout (its backend stopped) fails; then every namespace the driver
   * labelled is removed when past its expiry or its replica is not active
   * (self-healing). Safe on several backend replicas at once; calls while a
   * pass runs share it.
   */
  sweep(): Promise<void> {
    return this.pass.run();
  }

  settled(): Promise<void> {
    return this.pass.settled();
  }

  private async sweepOnce(): Promise<void> {
    const { store, logger } = this.deps;
    for (const record of await store.active(SWEEP_BATCH)) {
      try {
        await this.sweepOne(record);
      } catch (error) {
        logger.error(
          `Replica sweep could not handle ${record.id}: ${logSafe(
            errorMessage(error),
          )}`,
        );
      }
    }
    try {
      await this.selfHeal();
    } catch (error) {
      logger.error(
        `Replica sweep could not list the sandbox's namespaces: ${logSafe(
          errorMessage(error),
        )}`,
      );
    }
  }

  private async sweepOne(record: ReplicaRecord): Promise<void> {
    const { options } = this.deps;
    const now = this.deps.now();
    if (now >= record.expiresAt) {
      await this.expire(record.id);
      return;
    }
    if (
      record.status === 'creating' &&
      !record.launchedAt &&
      !this.launching.has(record.id)
    ) {
      // launched by another backend replica, or by one that stopped
      if (
        now.getTime() >=
        record.createdAt.getTime() + options.launchTimeoutMs + 60_000
      ) {
        await this.fail(
          record.id,
          'The backend stopped while the replica was being created; launch it again',
        );
      }
      return;
    }
    if (record.launchedAt) {
      await this.observe(record);
    }
    await this.warnOfExpiry(record.id);
  }

  /** Tells the requester once, `notifyBefore` its expiry (again after an extension). */
  private async warnOfExpiry(id: string): Promise<void> {
    const { notifyBeforeMs } = this.deps.options;
    const now = this.deps.now();
    const { record, written } = await this.write(id, r =>
      isActiveReplicaStatus(r.status) &&
      now.getTime() >= r.expiresAt.getTime() - notifyBeforeMs &&
      now < r.expiresAt &&
      r.expiryNoticeFor?.getTime() !== r.expiresAt.getTime()
        ? {
            to: r.status,
            set: { expiryNoticeFor: r.expiresAt },
            step: {
              type: 'expiring',
              actor: SYSTEM,
              comment: `Expires at ${r.expiresAt.toISOString()}`,
            },
          }
        : undefined,
    );
    if (written) {
      this.deps.events.notify(record, 'expiring', now);
    }
  }

  /** Expires an active replica past its expiry, then removes its namespace. */
  async expire(id: string): Promise<void> {
    const now = this.deps.now();
    const { record, written } = await this.write(id, r =>
      isActiveReplicaStatus(r.status) && now >= r.expiresAt
        ? {
            to: 'expired',
            set: {
              statusReason: `Expired at ${r.expiresAt.toISOString()}`,
              endedAt: now,
            },
            step: { type: 'expired', actor: SYSTEM },
            action: 'expire',
          }
        : undefined,
    );
    if (written) {
      this.abortLaunch(id);
      await this.remove(record.namespace, 'replica expired');
    }
  }

  /**
   * Removes every namespace the driver labelled that is past its expiry or
   * whose replica is not active (failed, ended, or unknown to this
   * database); an active replica's row is authoritative, and its
   * namespace's recorded expiry is brought in line with it.
   */
  private async selfHeal(): Promise<void> {
    const { driver, store } = this.deps;
    const namespaces = await this.call(signal =>
      driver.listNamespaces({ signal }),
    );
    for (const ns of namespaces) {
      const why = await this.unneeded(ns);
      if (why) {
        await this.remove(ns.namespace, why);
        continue;
      }
      const record = ns.replicaId ? await store.get(ns.replicaId) : undefined;
      const expiresAt = record?.expiresAt.toISOString();
      if (record && expiresAt !== ns.expiresAt && record.launchedAt) {
        await this.call(signal =>
          driver.setExpiry(ns.namespace, expiresAt!, { signal }),
        ).catch(error =>
          this.deps.logger.warn(
            `Could not record the expiry of ${ns.namespace}: ${logSafe(
              errorMessage(error),
            )}`,
          ),
        );
      }
    }
  }

  /** Why a labelled namespace should go, or undefined when it is needed. */
  private async unneeded(ns: ReplicaNamespace): Promise<string | undefined> {
    const now = this.deps.now();
    const record = ns.replicaId
      ? await this.deps.store.get(ns.replicaId)
      : undefined;
    if (record) {
      if (record.namespace !== ns.namespace) {
        return `labelled for replica ${record.id}, whose namespace is ${record.namespace}`;
      }
      if (!isActiveReplicaStatus(record.status)) {
        return `replica ${record.status}`;
      }
      return now >= record.expiresAt ? 'replica past its expiry' : undefined;
    }
    if (ns.replicaId) {
      return `no replica ${ns.replicaId} is known`;
    }
    if (ns.expiresAt && now.getTime() >= Date.parse(ns.expiresAt)) {
      return `past its expiry ${ns.expiresAt}`;
    }
    return undefined;
  }
}
