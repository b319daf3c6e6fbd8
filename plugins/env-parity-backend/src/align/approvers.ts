import { AuthService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EnvironmentDefinition } from '@env-parity/plugin-env-parity-common';
import { ApproverResolver } from '../approvals';
import { AlignOptions } from './config';
import { AlignmentRecord } from './records';

/**
 * The approval machine's `ApproverResolver`, one per environment (each
 * environment has its own approval rule).
 */
export class EnvironmentApprovers {
  private readonly resolvers = new Map<string, ApproverResolver>();

  constructor(
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      environments: { list(): Promise<EnvironmentDefinition[]> };
      options: AlignOptions;
    },
  ) {}

  /** The resolver of an environment's rule. */
  of(environment: string): ApproverResolver {
    let resolver = this.resolvers.get(environment);
    if (!resolver) {
      resolver = new ApproverResolver({
        rule: this.deps.options.environments[environment]?.approval
          ?.approvers ?? { type: 'environment-owner' },
        catalog: this.deps.catalog,
        auth: this.deps.auth,
        environments: this.deps.environments,
        nestedGroups: this.deps.options.nestedGroups,
      });
      this.resolvers.set(environment, resolver);
    }
    return resolver;
  }

  /** The approver refs a user answers for: themselves and their groups. */
  refsOf(userRef: string): Promise<string[]> {
    return this.of('').approverRefsOf(userRef);
  }

  /** Whether the user is one of the alignment's approvers now. */
  async isApprover(userRef: string, record: AlignmentRecord): Promise<boolean> {
    if (!record.approverRef || !record.approverSource) {
      return false;
    }
    return this.of(record.environment).isApprover(userRef, {
      entityRef: record.entityRef,
      environment: record.environment,
      approverRef: record.approverRef,
      approverSource: record.approverSource,
    });
  }
}
