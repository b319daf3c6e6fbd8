import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { BasicPermission } from '@backstage/plugin-permission-common';
import { permissionDeniedMessage } from '@env-parity/plugin-env-parity-common';
import { ApprovalSubjectQuery } from './ApprovalTables';
import { sameRef } from './rules';

/** A caller as listing and reading see it. */
export interface ViewingCaller {
  credentials: BackstageCredentials;
  userRef?: string;
  can: { review: boolean; admin: boolean };
}

/** What a caller asks to list. */
export interface ApprovalListQuery<TStatus extends string> {
  mine?: boolean;
  reviewable?: boolean;
  entityRef?: string;
  environment?: string;
  statuses?: TStatus[];
  limit?: number;
  offset?: number;
}

/**
 * Whether the caller may see a stored request: never when the catalog
 * hides its service from them (their own credentials); admins always;
 * otherwise its requester, or a reviewer who is one of its approvers now.
 */
export async function canSee(options: {
  catalog: CatalogService;
  caller: ViewingCaller;
  record: { entityRef: string; requester: string };
  isApprover: (userRef: string) => Promise<boolean>;
}): Promise<boolean> {
  const { caller, record } = options;
  const entity = await options.catalog.getEntityByRef(record.entityRef, {
    credentials: caller.credentials,
  });
  if (!entity) {
    return false;
  }
  if (caller.can.admin) {
    return true;
  }
  if (!caller.userRef) {
    return false;
  }
  if (sameRef(caller.userRef, record.requester)) {
    return true;
  }
  return caller.can.review && options.isApprover(caller.userRef);
}

/**
 * Lists what a caller may see: to review (reviewers: what their approver
 * refs answer for, not their own, with `reviewable` added to the query),
 * `mine`, everything (admins), or otherwise their own and those they
 * approve; then only those whose service the catalog shows them.
 */
export async function listForCaller<
  TStatus extends string,
  TRecord extends { entityRef: string },
>(options: {
  catalog: CatalogService;
  caller: ViewingCaller;
  query: ApprovalListQuery<TStatus>;
  /** What is listed, in refusals, e.g. `alignments`. */
  nouns: string;
  reviewPermission: BasicPermission;
  approverRefsOf: (userRef: string) => Promise<string[]>;
  /** What the feature adds to the query of what a reviewer may review. */
  reviewable: Partial<ApprovalSubjectQuery<TStatus>> & Record<string, unknown>;
  list: (
    query: ApprovalSubjectQuery<TStatus> & Record<string, unknown>,
  ) => Promise<TRecord[]>;
}): Promise<TRecord[]> {
  const { caller, query, nouns } = options;
  const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
  const offset = Math.max(query.offset ?? 0, 0);
  const userRef = caller.userRef;
  if (!userRef && !caller.can.admin) {
    throw new NotAllowedError(`Only users and admins can list ${nouns}`);
  }
  if (query.reviewable && !caller.can.review) {
    throw new NotAllowedError(
      permissionDeniedMessage(`review ${nouns}`, options.reviewPermission.name),
    );
  }
  const base = {
    entityRef: query.entityRef,
    environment: query.environment,
    statuses: query.statuses,
    limit,
    offset,
  };
  let records: TRecord[];
  if (query.reviewable) {
    records = await options.list({
      ...base,
      approverRefs: await options.approverRefsOf(userRef!),
      notRequester: userRef,
      ...options.reviewable,
    });
  } else if (query.mine) {
    if (!userRef) {
      throw new InputError('mine=true needs a user');
    }
    records = await options.list({ ...base, requester: userRef });
  } else if (caller.can.admin) {
    records = await options.list(base);
  } else {
    records = await options.list({
      ...base,
      involving: {
        user: userRef!,
        approverRefs: caller.can.review
          ? await options.approverRefsOf(userRef!)
          : [],
      },
    });
  }
  return onlyVisible(options.catalog, caller.credentials, records);
}

/** The records whose service the catalog shows the caller (one read). */
async function onlyVisible<TRecord extends { entityRef: string }>(
  catalog: CatalogService,
  credentials: BackstageCredentials,
  records: TRecord[],
): Promise<TRecord[]> {
  const refs = [...new Set(records.map(r => r.entityRef))];
  if (!refs.length) {
    return records;
  }
  const { items } = await catalog.getEntitiesByRefs(
    {
      entityRefs: refs,
      fields: ['kind', 'metadata.namespace', 'metadata.name'],
    },
    { credentials },
  );
  const visible = new Set<string>();
  items.forEach(
    e => e && visible.add(stringifyEntityRef(e).toLocaleLowerCase('en-US')),
  );
  return records.filter(r =>
    visible.has(r.entityRef.toLocaleLowerCase('en-US')),
  );
}
