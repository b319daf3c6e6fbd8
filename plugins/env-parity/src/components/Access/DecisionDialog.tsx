import { ReactNode } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { AccessRequest } from '@env-parity/plugin-env-parity-common';
import { AccessRequestAction, envParityApiRef } from '../../api';
import { ActionDialog, ActionSpec } from '../shared/ActionDialog';
import { formatDuration, shortRef } from './format';

const ACTIONS: Record<
  AccessRequestAction,
  ActionSpec & { explain: (r: AccessRequest) => string }
> = {
  approve: {
    title: 'Approve access',
    button: 'Approve',
    label: 'Comment (optional)',
    required: false,
    color: 'primary',
    explain: r =>
      `${shortRef(r.requester)} gets ${formatDuration(
        r.durationMinutes,
      )} of read-only access to ${shortRef(r.entityRef)} in ${
        r.environment
      } once approved${
        r.requiredApprovals > 1
          ? ` by ${r.requiredApprovals} approvers (${
              r.approvals.filter(a => a.decision === 'approve').length
            } so far)`
          : ''
      }.`,
  },
  deny: {
    title: 'Deny access',
    button: 'Deny',
    label: 'Why is it denied?',
    required: true,
    color: 'secondary',
    explain: r =>
      `${shortRef(r.requester)} does not get read-only access to ${shortRef(
        r.entityRef,
      )} in ${
        r.environment
      } and sees your comment. Denying is final: they can ask again.`,
  },
  withdraw: {
    title: 'Withdraw request',
    button: 'Withdraw',
    label: 'Comment (optional)',
    required: false,
    color: 'secondary',
    explain: r =>
      `The request for ${r.environment} access to ${shortRef(
        r.entityRef,
      )} stops waiting for review. You can ask again later.`,
  },
  revoke: {
    title: 'Revoke access',
    button: 'Revoke',
    label: 'Comment (optional)',
    required: false,
    color: 'secondary',
    explain: r =>
      `The read-only access of ${shortRef(r.requester)} to ${shortRef(
        r.entityRef,
      )} in ${r.environment} ends now.`,
  },
  review: {
    title: 'Review break-glass access',
    button: 'Mark reviewed',
    label: 'Review notes (optional)',
    required: false,
    color: 'primary',
    explain: r =>
      `${shortRef(r.requester)} used break-glass access to ${shortRef(
        r.entityRef,
      )} in ${r.environment} without review.`,
  },
};

/** The label of the button that opens the dialog for an action. */
export function actionLabel(action: AccessRequestAction): string {
  return ACTIONS[action].button;
}

/**
 * Asks for a comment and carries out one decision on an access request
 * ({@link ActionDialog} with the access request's wording and facts).
 */
export function DecisionDialog(props: {
  request: AccessRequest;
  action: AccessRequestAction;
  open: boolean;
  onClose: () => void;
  onDone: (request: AccessRequest) => void;
  onConflict: (message: string) => void;
}) {
  const { request, action, open, onClose, onDone, onConflict } = props;
  const api = useApi(envParityApiRef);
  const spec = ACTIONS[action];
  const facts: Array<[string, ReactNode]> =
    action === 'withdraw'
      ? []
      : [
          ['Reason', request.reason],
          ...(request.ticket
            ? [['Ticket', request.ticket] as [string, ReactNode]]
            : []),
        ];
  return (
    <ActionDialog<AccessRequest>
      id={`access-decision-${action}`}
      spec={spec}
      explain={spec.explain(request)}
      facts={facts}
      submit={comment => api.decideAccessRequest(request.id, action, comment)}
      open={open}
      onClose={onClose}
      onDone={onDone}
      onConflict={onConflict}
    />
  );
}
