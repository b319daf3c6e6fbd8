import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import {
  Alignment,
  envParityAlignAdminPermission,
  envParityAlignReviewPermission,
} from '@env-parity/plugin-env-parity-common';
import useAsync from 'react-use/esm/useAsync';
import { AlignmentAction } from '../../api';

/**
 * Which actions the signed-in user may take on an alignment, as the backend
 * decides them: approve and deny an alignment pending approval with
 * `env-parity.align.review`, never their own; cancel their own pending
 * alignment, or anyone's with `env-parity.align.admin`. The backend still
 * checks (e.g. that the reviewer is one of the approvers).
 */
export function useAlignmentActions() {
  const identityApi = useApi(identityApiRef);
  const me = useAsync(
    async () => (await identityApi.getBackstageIdentity()).userEntityRef,
    [identityApi],
  );
  const review = usePermission({ permission: envParityAlignReviewPermission });
  const admin = usePermission({ permission: envParityAlignAdminPermission });
  const user = me.value?.toLocaleLowerCase('en-US');
  return {
    loading: me.loading || review.loading || admin.loading,
    canReview: review.allowed,
    canAdmin: admin.allowed,
    /** The actions allowed on this alignment, in button order. */
    allowed(a: Alignment): AlignmentAction[] {
      if (a.status !== 'pending-approval') {
        return [];
      }
      const mine = Boolean(
        user && a.requester.toLocaleLowerCase('en-US') === user,
      );
      const actions: AlignmentAction[] = [];
      if (review.allowed && !mine) {
        actions.push('approve', 'deny');
      }
      if (mine || admin.allowed) {
        actions.push('cancel');
      }
      return actions;
    },
  };
}
