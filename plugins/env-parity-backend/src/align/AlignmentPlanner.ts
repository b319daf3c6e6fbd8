import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ConflictError, InputError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AlignmentTarget,
  EnvironmentDefinition,
  referenceEnvironment,
} from '@env-parity/plugin-env-parity-common';
import {
  AlignmentDeployerDescription,
  EnvParityDeployer,
} from '@env-parity/plugin-env-parity-node';
import { ResolvedApprover } from '../approvals';
import { EnvironmentApprovers } from './approvers';
import { AlignEnvironmentPolicy, AlignOptions } from './config';
import {
  DatabaseAlignmentStore,
  tooManyOpenAlignments,
} from './DatabaseAlignmentStore';
import { AlignmentReports, runsTarget, targetOf } from './verification';

/** Everything an alignment would be, once every policy check passed. */
export interface AlignmentPlan {
  entity: Entity;
  entityRef: string;
  environment: EnvironmentDefinition;
  reference: EnvironmentDefinition;
  policy: AlignEnvironmentPolicy;
  target: AlignmentTarget;
  /** Undefined when the environment needs no approval. */
  approver?: ResolvedApprover;
  deployer: EnvParityDeployer;
  description: AlignmentDeployerDescription;
  /** Configuration keys that differ from production and the deployer does not carry. */
  remainingConfigDrift: string[];
  /**
   * Open alignments the requester may have at once: `maxOpenPerUser`, or
   * undefined (no limit) for the requester of following production.
   */
  openLimit: number | undefined;
}

/**
 * The open alignments a requester may have at once: `maxOpenPerUser`, but
 * none for following production's requester, which has its own cap
 * (`envParity.align.follow.maxPerCollection`) and at most one open
 * alignment per service and environment anyway.
 */
export function openLimitOf(
  options: Pick<AlignOptions, 'maxOpenPerUser' | 'follow'>,
  requester: string | undefined,
): number | undefined {
  const follow = options.follow;
  if (follow?.enabled && requester === follow.requester) {
    return undefined;
  }
  return options.maxOpenPerUser;
}

/**
 * The policy of `envParity.align`, checked in one place for the preview and
 * for a new alignment, before anything is stored: the entity kind, a known
 * and enabled non-reference environment, a visible entity (with the
 * caller's credentials), one open alignment per service and environment, the
 * per-user limit, production's target known, not already in sync, someone
 * to approve.
 */
export class AlignmentPlanner {
  constructor(
    private readonly deps: {
      store: DatabaseAlignmentStore;
      environments: { list(): Promise<EnvironmentDefinition[]> };
      catalog: CatalogService;
      reports: AlignmentReports;
      approvers: EnvironmentApprovers;
      deployer: (id: string) => EnvParityDeployer | undefined;
      options: AlignOptions;
    },
  ) {}

  async plan(
    caller: { credentials: BackstageCredentials; userRef?: string },
    input: { entityRef: string; environment: string },
  ): Promise<AlignmentPlan> {
    const { options } = this.deps;
    const kind = parseEntityRef(input.entityRef).kind.toLocaleLowerCase(
      'en-US',
    );
    if (!options.kinds.some(k => k.toLocaleLowerCase('en-US') === kind)) {
      throw new InputError(
        `Only ${options.kinds.join(
          ', ',
        )} entities can be aligned (envParity.collector.kinds), not ${
          input.entityRef
        }`,
      );
    }
    const environments = await this.deps.environments.list();
    const environment = environments.find(e => e.name === input.environment);
    if (!environment) {
      throw new NotFoundError(
        `Unknown environment "${input.environment}"; known: ${environments
          .map(e => e.name)
          .join(', ')}`,
      );
    }
    const reference = referenceEnvironment(environments)!;
    if (environment.name === reference.name) {
      throw new InputError(
        `${environment.name} is the reference environment: other environments are aligned with it, never it with them`,
      );
    }
    const policy = options.environments[environment.name];
    if (!policy) {
      throw new InputError(
        `Alignment is not enabled for ${environment.name} (envParity.align.environments.${environment.name})`,
      );
    }
    // the caller's credentials decide visibility: a service they cannot see
    // is one that does not exist
    const entity = await this.deps.catalog.getEntityByRef(input.entityRef, {
      credentials: caller.credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No entity ${input.entityRef} in the catalog`);
    }
    const entityRef = stringifyEntityRef(entity);

    const open = await this.deps.store.openOf(entityRef, environment.name);
    if (open) {
      throw new ConflictError(
        `${entityRef} already has an open alignment of ${environment.name} (${open.id}, ${open.status}); wait for it to end or cancel it`,
      );
    }
    const openLimit = openLimitOf(options, caller.userRef);
    if (
      caller.userRef &&
      openLimit !== undefined &&
      (await this.deps.store.countOpenBy(caller.userRef)) >= openLimit
    ) {
      throw new ConflictError(tooManyOpenAlignments(openLimit));
    }

    const report = await this.deps.reports.current(entity);
    const production = report.environments.find(e => e.name === reference.name);
    const target = targetOf(production?.deployment);
    if (!target) {
      throw new ConflictError(
        `The artifact digest and revision of ${entityRef} in ${reference.name} are unknown, so there is nothing to align ${environment.name} with and no way to verify it`,
      );
    }
    const current = report.environments.find(e => e.name === environment.name);
    if (runsTarget(current?.deployment, target)) {
      throw new ConflictError(
        `${environment.name} already runs what ${reference.name} runs (${
          target.digest ?? target.revision
        }); there is nothing to align`,
      );
    }

    let approver: ResolvedApprover | undefined;
    if (policy.approval) {
      approver = this.deps.approvers
        .of(environment.name)
        .forNew(entity, environment);
      if (!approver) {
        throw new InputError(
          policy.approval.approvers.type === 'service-owner'
            ? `${entityRef} has no owner, so nobody could approve aligning it`
            : `Environment ${environment.name} has no owner, so nobody could approve aligning it; set envParity.environments[].owner`,
        );
      }
    }
    const deployer = this.deps.deployer(policy.deployer)!;
    const description = await deployer.describe({
      entity,
      environment,
      target,
    });
    const carried = description.carriesConfig;
    const drift =
      report.comparisons
        .find(c => c.environment === environment.name)
        ?.drift.filter(d => d.type === 'config')
        .map(d => d.field) ?? [];
    return {
      entity,
      entityRef,
      environment,
      reference,
      policy,
      target,
      approver,
      deployer,
      description,
      remainingConfigDrift:
        carried === 'all'
          ? []
          : [...new Set(drift.filter(key => !carried.includes(key)))].sort(),
      openLimit,
    };
  }
}
