import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { BasicPermission } from '@backstage/plugin-permission-common';
import { permissionDeniedMessage } from '@env-parity/plugin-env-parity-common';
import { onLatest } from './conditionalWrite';
import { outcomeOfDecision, reviewRefusal } from './rules';

/** What the review flow reads of a stored request or alignment. */
export interface ReviewSubject {
  id: string;
  entityRef: string;
  requester: string;
  approvals: number;
  requiredApprovals: number;
}

/** A caller as the review flow sees it. */
export interface ReviewCaller {
  credentials: BackstageCredentials;
  userRef?: string;
  can: { review: boolean };
}

/** The decision a reviewer may make, and what it leads to. */
export interface ReviewOutcome {
  outcome: 'approved' | 'pending' | 'denied';
  /** The approvals counted after this decision. */
  approvals: number;
}

const MAX_RACE_RETRIES = 3;

/**
 * The steps every feature takes, in the same order, when someone decides
 * on a request that asks for approval: the caller must see the service
 * (with their own credentials; otherwise the request does not exist),
 * never decides on their own request, needs the review permission, finds
 * the request still awaiting a decision, is one of its approvers now, and
 * has not decided already; then N of M says the outcome. Each decision is
 * a conditional write on the latest state ({@link ReviewFlow.onLatest}).
 */
export class ReviewFlow<TRecord extends ReviewSubject> {
  constructor(
    private readonly deps: {
      catalog: CatalogService;
      /** The request in messages, e.g. `access request`. */
      noun: string;
      /** What the requester does instead of denying, e.g. `withdraw it`. */
      insteadOfDeny: string;
      /** The permission reviewing needs, and what it is called in a refusal. */
      reviewPermission: BasicPermission;
      reviewAction: string;
      read: (id: string) => Promise<TRecord>;
    },
  ) {}

  /**
   * Runs `attempt` on the latest state of `id`, again when its conditional
   * write lost a race (returned undefined); a `ConflictError` when it keeps
   * losing.
   */
  onLatest(
    id: string,
    attempt: (record: TRecord) => Promise<TRecord | undefined>,
  ): Promise<TRecord> {
    const { noun } = this.deps;
    return onLatest({
      read: () => this.deps.read(id),
      attempt,
      name: `${noun.charAt(0).toLocaleUpperCase('en-US')}${noun.slice(
        1,
      )} ${id}`,
      maxRetries: MAX_RACE_RETRIES,
    });
  }

  /** A `NotFoundError` unless the caller can see the request's service. */
  async requireVisible(caller: ReviewCaller, record: TRecord): Promise<void> {
    const entity = await this.deps.catalog.getEntityByRef(record.entityRef, {
      credentials: caller.credentials,
    });
    if (!entity) {
      throw new NotFoundError(`No ${this.deps.noun} ${record.id}`);
    }
  }

  /**
   * Checks an approval or denial by `userRef` of `record`, in order, and
   * says what it leads to. The feature says whether the request still awaits
   * a decision (`requireStatus`, throwing a `ConflictError` otherwise), who
   * its approvers are now (`isApprover`, and the refusal `notApprover`),
   * and who decided already (`decidedBy`).
   */
  async decide(options: {
    caller: ReviewCaller;
    userRef: string;
    record: TRecord;
    decision: 'approve' | 'deny';
    requireStatus: () => void;
    isApprover: () => Promise<boolean>;
    notApprover: () => Promise<string>;
    decidedBy: () => Promise<string[]>;
  }): Promise<ReviewOutcome> {
    const { caller, userRef, record, decision } = options;
    const { noun } = this.deps;
    await this.requireVisible(caller, record);
    const self = reviewRefusal({
      requester: record.requester,
      reviewer: userRef,
      decision,
      decidedBy: [],
      noun,
      insteadOfDeny: this.deps.insteadOfDeny,
    });
    if (self) {
      throw new NotAllowedError(self.message);
    }
    if (!caller.can.review) {
      throw new NotAllowedError(
        permissionDeniedMessage(
          this.deps.reviewAction,
          this.deps.reviewPermission.name,
        ),
      );
    }
    options.requireStatus();
    if (!(await options.isApprover())) {
      throw new NotAllowedError(await options.notApprover());
    }
    const refusal = reviewRefusal({
      requester: record.requester,
      reviewer: userRef,
      decision,
      decidedBy: await options.decidedBy(),
      noun,
    });
    if (refusal) {
      throw new ConflictError(refusal.message);
    }
    return outcomeOfDecision({
      decision,
      approvals: record.approvals,
      requiredApprovals: record.requiredApprovals,
    });
  }
}
