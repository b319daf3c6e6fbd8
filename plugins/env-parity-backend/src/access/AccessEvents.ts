import {
  AuditorService,
  AuditorServiceEventSeverityLevel,
  AuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationSeverity } from '@backstage/plugin-notifications-common';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  AccessEventType,
  AccessRequestStatus,
} from '@env-parity/plugin-env-parity-common';
import { ApprovalEvents } from '../approvals';
import { AccessRequestRecord } from './records';

function errorMessage(error: unknown) {
  return error instanceof Error ? error.message : String(error);
}

/** How a notification names a user: their display name, else their name. */
export type NameOf = (userRef: string) => string;

/** A notification's description, written with the users' display names. */
export type Description = string | ((name: NameOf) => string);

/** `2026-12-03 19:11 UTC`: a time in a notification, whose reader's locale is unknown. */
export function notificationTime(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * What the outside world hears of access requests: an audit event per
 * transition and notifications to requesters and approvers (the plumbing,
 * and the background work it tracks, in {@link ApprovalEvents}).
 */
export class AccessEvents extends ApprovalEvents {
  constructor(
    private readonly deps: {
      logger: LoggerService;
      auditor?: AuditorService;
      notifications?: NotificationService;
      /** To name users by their display names in notifications. */
      catalog?: CatalogService;
      auth?: AuthService;
    },
  ) {
    super({ ...deps, noun: 'an access' });
  }

  /** The display names of users from the catalog; their names where unknown. */
  private async namesOf(refs: string[]): Promise<NameOf> {
    const names = new Map<string, string>();
    const { catalog, auth } = this.deps;
    if (refs.length && catalog && auth) {
      try {
        const { items } = await catalog.getEntitiesByRefs(
          {
            entityRefs: refs,
            fields: [
              'kind',
              'metadata.namespace',
              'metadata.name',
              'spec.profile.displayName',
            ],
          },
          { credentials: await auth.getOwnServiceCredentials() },
        );
        for (const entity of items) {
          const displayName = (
            entity?.spec?.profile as { displayName?: unknown } | undefined
          )?.displayName;
          if (entity && typeof displayName === 'string' && displayName.trim()) {
            names.set(
              stringifyEntityRef(entity).toLocaleLowerCase('en-US'),
              displayName.trim(),
            );
          }
        }
      } catch (error) {
        this.deps.logger.debug(
          `Could not read display names for a notification: ${errorMessage(
            error,
          )}`,
        );
      }
    }
    return ref => {
      const known = names.get(ref.toLocaleLowerCase('en-US'));
      if (known) {
        return known;
      }
      try {
        return parseEntityRef(ref).name;
      } catch {
        return ref;
      }
    };
  }

  /** Audits one transition of a request; a failing auditor is logged. */
  async audited(
    record: AccessRequestRecord,
    from: AccessRequestStatus | undefined,
    type: AccessEventType,
    actor: string,
    extra?: Record<string, string>,
  ): Promise<void> {
    let severityLevel: AuditorServiceEventSeverityLevel = 'medium';
    if (type === 'break-glass') {
      severityLevel = 'critical';
    } else if (
      ['granted', 'revoked', 'expired', 'provisioning-failed'].includes(type)
    ) {
      severityLevel = 'high';
    }
    await this.auditTransition({
      eventId: 'access-transition',
      severityLevel,
      meta: {
        action: type,
        requestId: record.id,
        entityRef: record.entityRef,
        environment: record.environment,
        requester: record.requester,
        actor,
        ...(from && { fromStatus: from }),
        toStatus: record.status,
        ...extra,
      },
      what: `Could not audit ${type} of access request ${record.id}`,
    });
  }

  /** Fire and forget: a missing notifications backend never fails a request. */
  notify(options: {
    request: AccessRequestRecord;
    to: string[];
    exclude?: string[];
    severity: NotificationSeverity;
    title: string;
    description: Description;
    /** The users the description names. */
    naming?: string[];
  }): void {
    const entity = parseEntityRef(options.request.entityRef);
    const describe = options.description;
    this.send(async () => ({
      recipients: {
        type: 'entity',
        entityRef: options.to,
        ...(options.exclude && { excludeEntityRef: options.exclude }),
      },
      payload: {
        title: options.title,
        description:
          typeof describe === 'string'
            ? describe
            : describe(await this.namesOf(options.naming ?? [])),
        link: `/catalog/${entity.namespace}/${entity.kind}/${entity.name}/parity?accessRequest=${options.request.id}`,
        severity: options.severity,
        topic: 'env-parity-access',
        scope: `env-parity-access:${options.request.id}`,
      },
    }));
  }
}
