import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { isFinalAccessRequestStatus } from '@env-parity/plugin-env-parity-common';
import {
  AccessProvisioner,
  AccessProvisionerContext,
  renderTemplate,
} from '@env-parity/plugin-env-parity-node';
import { AccessEvents, notificationTime } from './AccessEvents';
import { AccessOptions } from './config';
import { DatabaseAccessStore } from './DatabaseAccessStore';
import { AccessRequestRecord, AccessRequestUpdate } from './records';
import { describeRequest, effectiveStatus, toAccessRequest } from './view';

/** The actor of transitions nobody asked for (grants, expiry, time-outs). */
export const SYSTEM = 'system';

function errorMessage(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The transitions the system makes on its own: granting an approved
 * request through its provisioner, revoking, recording failed provisioning
 * with a retry backoff, timing out and warning before the end. Each is a
 * conditional write; a method returns undefined when someone else changed
 * the request first.
 */
export class AccessLifecycle {
  private readonly now: () => Date;

  constructor(
    private readonly deps: {
      store: DatabaseAccessStore;
      catalog: CatalogService;
      auth: AuthService;
      logger: LoggerService;
      events: AccessEvents;
      provisioners: AccessProvisioner[];
      options: AccessOptions;
      now: () => Date;
    },
  ) {
    this.now = deps.now;
  }

  provisioner(name: string): AccessProvisioner | undefined {
    return this.deps.provisioners.find(p => p.name === name);
  }

  /**
   * Grants an approved request (or retries a failed grant) and records the
   * outcome: `active`, or `provisioning-failed` with the next retry.
   */
  async grantNow(record: AccessRequestRecord) {
    const { store, events } = this.deps;
    const provisioner = this.provisioner(record.provisioner);
    const now = this.now();
    const expiresAt = new Date(now.getTime() + record.durationMinutes * 60_000);
    const granting = { ...record, activatedAt: now, expiresAt };
    let context: AccessProvisionerContext = { now };
    let result;
    try {
      context = await this.provisionerContext(record);
      if (!provisioner) {
        throw new Error(
          `Access provisioner ${record.provisioner} is not installed`,
        );
      }
      result = await provisioner.grant(
        toAccessRequest(granting, [], now),
        context,
      );
    } catch (error) {
      return this.provisioningFailed(record, 'grant', undefined, error);
    }
    const instructions =
      result?.instructions ??
      this.instructionsFor(granting, context, result?.metadata);
    const updated = await store.transition({
      from: record,
      to: 'active',
      set: {
        activatedAt: now,
        expiresAt,
        grantMetadata: result?.metadata,
        instructions,
        provisioningOperation: undefined,
        provisioningTarget: undefined,
        provisioningAttempts: 0,
        provisioningNextAt: undefined,
        provisioningError: undefined,
        warnedAt: undefined,
      },
      event: {
        type: 'granted',
        actor: SYSTEM,
        details: {
          provisioner: record.provisioner,
          expiresAt: expiresAt.toISOString(),
          ...(result?.metadata && { metadata: result.metadata }),
        },
      },
      at: now,
    });
    if (!updated) {
      // Someone else changed the request while we granted. If it is over
      // (revoked, expired), take back what we just granted.
      const fresh = await store.get(record.id);
      if (fresh && isFinalAccessRequestStatus(fresh.status) && provisioner) {
        await provisioner
          .revoke(toAccessRequest(fresh, [], this.now()), {
            ...context,
            grantMetadata: result?.metadata,
          })
          .catch(error =>
            this.deps.logger.error(
              `Could not take back the grant of ${
                record.id
              }, which ended while it was granted: ${errorMessage(error)}`,
            ),
          );
      }
      return undefined;
    }
    await events.audited(updated, record.status, 'granted', SYSTEM);
    events.notify({
      request: updated,
      to: [updated.requester],
      severity: 'normal',
      title: `Access active: ${describeRequest(updated)}`,
      description: `You have read-only access to ${describeRequest(
        updated,
      )} until ${notificationTime(expiresAt)}.${
        instructions ? ` Use it with: ${instructions}` : ''
      }`,
    });
    return updated;
  }

  /**
   * Revokes and records the final status; a failure records
   * `provisioning-failed` with the next retry. Undefined when someone else
   * changed the request first.
   */
  async revokeNow(
    record: AccessRequestRecord,
    target: 'expired' | 'revoked',
    actor: string,
    comment?: string,
  ): Promise<AccessRequestRecord | undefined> {
    const { store, events } = this.deps;
    const provisioner = this.provisioner(record.provisioner);
    try {
      if (!provisioner) {
        throw new Error(
          `Access provisioner ${record.provisioner} is not installed`,
        );
      }
      await provisioner.revoke(
        toAccessRequest(record, [], this.now()),
        await this.provisionerContext(record),
      );
    } catch (error) {
      return this.provisioningFailed(record, 'revoke', target, error);
    }
    const now = this.now();
    const updated = await store.transition({
      from: record,
      to: target,
      set: {
        resolvedAt: now,
        provisioningOperation: undefined,
        provisioningTarget: undefined,
        provisioningNextAt: undefined,
        provisioningError: undefined,
      },
      event: {
        type: target,
        actor,
        comment:
          comment ??
          (target === 'expired' && record.status === 'provisioning-failed'
            ? 'The access window closed before the grant succeeded'
            : undefined),
      },
      at: now,
    });
    if (updated) {
      await events.audited(updated, record.status, target, actor);
      if (target === 'expired') {
        events.notify({
          request: updated,
          to: [updated.requester],
          severity: 'low',
          title: `Access expired: ${describeRequest(updated)}`,
          description: 'Your temporary read-only access has ended.',
        });
      }
    }
    return updated;
  }

  /** Ends a pending request nobody reviewed before its deadline. */
  async timeOut(record: AccessRequestRecord) {
    const { store, events } = this.deps;
    const now = this.now();
    const updated = await store.transition({
      from: record,
      to: 'timed-out',
      set: { resolvedAt: now },
      event: {
        type: 'timed-out',
        actor: SYSTEM,
        comment: 'Not reviewed in time',
      },
      at: now,
    });
    if (updated) {
      await events.audited(updated, record.status, 'timed-out', SYSTEM);
      events.notify({
        request: updated,
        to: [updated.requester],
        severity: 'normal',
        title: `Access request timed out: ${describeRequest(updated)}`,
        description:
          'Nobody reviewed your request in time. Ask again if you still need access.',
      });
    }
    return updated;
  }

  /** Tells the requester and the approvers that access ends soon, once. */
  async warn(record: AccessRequestRecord) {
    const { store, events } = this.deps;
    const now = this.now();
    const updated = await store.transition({
      from: record,
      to: record.status,
      set: { warnedAt: now },
      event: {
        type: 'expiry-warning',
        actor: SYSTEM,
        details: { expiresAt: record.expiresAt?.toISOString() },
      },
      at: now,
    });
    if (updated) {
      events.notify({
        request: updated,
        to: [updated.requester, updated.approverRef],
        severity: 'normal',
        title: `Access ends soon: ${describeRequest(updated)}`,
        naming: [updated.requester],
        description: name =>
          `The read-only access of ${name(
            updated.requester,
          )} to ${describeRequest(updated)} ends ${
            updated.expiresAt
              ? `at ${notificationTime(updated.expiresAt)}`
              : 'soon'
          }.`,
      });
    }
  }

  /** Reads show expired and timed-out requests as such at once; this makes it so. */
  enforceInBackground(records: AccessRequestRecord[]) {
    const now = this.now();
    for (const record of records) {
      const effective = effectiveStatus(record, now);
      if (effective === record.status) {
        continue;
      }
      this.deps.events.track(
        (effective === 'timed-out'
          ? this.timeOut(record)
          : this.revokeNow(record, 'expired', SYSTEM)
        ).catch(error =>
          this.deps.logger.warn(
            `Could not end access request ${record.id} on read: ${errorMessage(
              error,
            )}`,
          ),
        ),
      );
    }
  }

  /** The service and the requester from the catalog, with the plugin's own credentials. */
  async provisionerContext(
    record: AccessRequestRecord,
    entity?: Entity,
  ): Promise<AccessProvisionerContext> {
    const { catalog, auth } = this.deps;
    const credentials = await auth.getOwnServiceCredentials();
    const [service, user] = await Promise.all([
      entity ?? catalog.getEntityByRef(record.entityRef, { credentials }),
      catalog
        .getEntityByRef(record.requester, { credentials })
        .catch(() => undefined),
    ]);
    return {
      entity: service,
      user,
      grantMetadata: record.grantMetadata,
      now: this.now(),
    };
  }

  private async provisioningFailed(
    record: AccessRequestRecord,
    operation: 'grant' | 'revoke',
    target: 'expired' | 'revoked' | undefined,
    error: unknown,
  ) {
    const { options, logger, store, events } = this.deps;
    const now = this.now();
    const attempts =
      (record.status === 'provisioning-failed' &&
      record.provisioningOperation === operation
        ? record.provisioningAttempts
        : 0) + 1;
    const backoff = Math.min(
      options.retryBaseMs * 2 ** Math.min(attempts - 1, 30),
      options.retryMaxMs,
    );
    const nextAt = new Date(now.getTime() + backoff);
    const message = errorMessage(error);
    logger.error(
      `Could not ${operation} access request ${
        record.id
      } (attempt ${attempts}, next at ${nextAt.toISOString()}): ${message}`,
    );
    const set: AccessRequestUpdate = {
      provisioningOperation: operation,
      provisioningTarget: target,
      provisioningAttempts: attempts,
      provisioningNextAt: nextAt,
      provisioningError: message.slice(0, 4000),
    };
    if (operation === 'grant' && !record.expiresAt) {
      // Retries of a grant stop where the access would have ended.
      set.expiresAt = new Date(
        (record.decidedAt ?? now).getTime() + record.durationMinutes * 60_000,
      );
    }
    const updated = await store.transition({
      from: record,
      to: 'provisioning-failed',
      set,
      event: {
        type: 'provisioning-failed',
        actor: SYSTEM,
        comment: message.slice(0, 2000),
        details: {
          operation,
          attempt: attempts,
          nextAttemptAt: nextAt.toISOString(),
        },
      },
      at: now,
    });
    if (updated) {
      await events.audited(
        updated,
        record.status,
        'provisioning-failed',
        SYSTEM,
        { operation, error: message },
      );
      if (attempts === 1) {
        events.notify({
          request: updated,
          to: [updated.requester, updated.approverRef],
          severity: 'high',
          title: `Access ${
            operation === 'grant'
              ? 'could not be granted'
              : 'could not be revoked'
          }: ${describeRequest(updated)}`,
          description: `${message}. It is retried automatically.`,
        });
      }
    }
    return updated;
  }

  private instructionsFor(
    record: AccessRequestRecord,
    context: AccessProvisionerContext,
    metadata?: Record<string, string>,
  ) {
    const template = this.deps.options.instructions[record.environment];
    if (!template) {
      return undefined;
    }
    const entity = parseEntityRef(record.entityRef);
    const user = parseEntityRef(record.requester);
    return renderTemplate(template, {
      request: {
        id: record.id,
        entityRef: record.entityRef,
        environment: record.environment,
        durationMinutes: record.durationMinutes,
        ticket: record.ticket,
      },
      environment: record.environment,
      entity: {
        kind: entity.kind,
        namespace: entity.namespace,
        name: entity.name,
        title: context.entity?.metadata.title ?? entity.name,
      },
      user: {
        ref: record.requester,
        name: user.name,
        namespace: user.namespace,
        email: (context.user?.spec?.profile as { email?: string })?.email,
      },
      grant: metadata ?? {},
      expiresAt: record.expiresAt?.toISOString(),
    });
  }
}
