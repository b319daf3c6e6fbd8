import { AuthService } from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';
import { GroupMembership } from './groupMembership';
import {
  ApproverRule,
  ApproverSource,
  resolveApprover,
  ResolvedApprover,
  sameRef,
} from './rules';

/** What the approval machine needs to know of a stored request. */
export interface ApprovalSubject {
  /** The service, e.g. `component:default/payments`. */
  entityRef: string;
  /** The target environment's name. */
  environment: string;
  /** The approver the request was given when it was made. */
  approverRef: string;
  approverSource: ApproverSource;
}

/**
 * Approvers from the catalog, for any feature that asks for approval
 * (access requests; alignments): who approves a new request by the
 * configured rule, who approves a stored one now (owners change), and
 * whether a user is one of them. Catalog reads here use the plugin's own
 * credentials, never the caller's token, so a reviewer cannot widen their
 * own membership; the caller's visibility of the service is the feature's
 * check.
 */
export class ApproverResolver {
  private readonly membership: GroupMembership;

  constructor(
    private readonly deps: {
      rule: ApproverRule;
      catalog: CatalogService;
      auth: AuthService;
      environments: { list(): Promise<EnvironmentDefinition[]> };
      /** Members of groups below the approver group count as its members. */
      nestedGroups: boolean;
    },
  ) {
    this.membership = new GroupMembership({
      catalog: deps.catalog,
      auth: deps.auth,
      nested: deps.nestedGroups,
    });
  }

  /** The configured rule. */
  get rule(): ApproverRule {
    return this.deps.rule;
  }

  /** The approver a new request gets, by the configured rule; undefined when nobody could approve. */
  forNew(
    entity: Entity,
    environment: EnvironmentDefinition,
  ): ResolvedApprover | undefined {
    return resolveApprover({ rule: this.deps.rule, entity, environment });
  }

  /** The approver of a stored request now: owners are read again, a named group is kept. */
  async current(subject: ApprovalSubject): Promise<string | undefined> {
    let entity: Entity | undefined;
    let environment: EnvironmentDefinition | undefined;
    if (subject.approverSource === 'service-owner') {
      entity = await this.deps.catalog.getEntityByRef(subject.entityRef, {
        credentials: await this.deps.auth.getOwnServiceCredentials(),
      });
    } else if (subject.approverSource === 'environment-owner') {
      environment = (await this.deps.environments.list()).find(
        e => e.name === subject.environment,
      );
    }
    return resolveApprover({
      rule: this.deps.rule,
      entity,
      environment,
      source: subject.approverSource,
      storedRef:
        subject.approverSource === 'group' ? subject.approverRef : undefined,
    })?.ref;
  }

  /**
   * Whether the user may approve the request now: the approver is resolved
   * again, and membership is read from the catalog (with nested groups,
   * members of groups below count).
   */
  async isApprover(
    userRef: string,
    subject: ApprovalSubject,
  ): Promise<boolean> {
    const current = await this.current(subject);
    if (!current) {
      return false;
    }
    if (parseEntityRef(current).kind.toLocaleLowerCase('en-US') === 'user') {
      return sameRef(current, userRef);
    }
    return this.membership.isMember(userRef, current);
  }

  /**
   * The approver refs a user answers for: the user and the groups the
   * catalog says they are a member of (with nested groups, also every group
   * above those), e.g. to list what they may review.
   */
  async approverRefsOf(userRef: string): Promise<string[]> {
    return [userRef, ...(await this.membership.groupsOf(userRef))];
  }
}
