import { useApi } from '@backstage/core-plugin-api';
import { Alignment } from '@env-parity/plugin-env-parity-common';
import { AlignmentAction, envParityApiRef } from '../../api';
import { ActionDialog, ActionSpec } from '../shared/ActionDialog';
import { useDecisionDialog } from '../shared/Details';
import { shortRef } from '../shared/errors';
import { approvalLabel, targetLabel } from './format';

const ACTIONS: Record<
  AlignmentAction,
  ActionSpec & { explain: (a: Alignment) => string }
> = {
  approve: {
    title: 'Approve alignment',
    button: 'Approve',
    label: 'Comment (optional)',
    required: false,
    color: 'primary',
    explain: a =>
      `The ${a.deployer} deployer deploys ${a.reference}'s ${targetLabel(
        a.target,
      )} to ${a.environment} of ${shortRef(a.entityRef)} once ${approvalLabel(
        a.approvers,
        a.requiredApprovals,
      )} ${a.requiredApprovals > 1 ? 'are' : 'is'} given.`,
  },
  deny: {
    title: 'Deny alignment',
    button: 'Deny',
    label: 'Why is it denied?',
    required: true,
    color: 'secondary',
    explain: a =>
      `Nothing is deployed to ${a.environment} of ${shortRef(
        a.entityRef,
      )}; ${shortRef(
        a.requester,
      )} sees your comment. Denying is final: they can ask again.`,
  },
  cancel: {
    title: 'Cancel alignment',
    button: 'Cancel alignment',
    label: 'Comment (optional)',
    required: false,
    color: 'secondary',
    explain: a =>
      `The alignment of ${a.environment} of ${shortRef(
        a.entityRef,
      )} stops waiting for approval, and nothing is deployed. It can be asked for again.`,
  },
};

/** The label of the button that opens the dialog for an action. */
export function alignmentActionLabel(action: AlignmentAction): string {
  return action === 'cancel' ? 'Cancel' : ACTIONS[action].button;
}

/**
 * Approves, denies or cancels an alignment ({@link ActionDialog} with the
 * alignment's wording and facts).
 */
export function AlignmentDecisionDialog(props: {
  alignment: Alignment;
  action: AlignmentAction;
  open: boolean;
  onClose: () => void;
  onDone: (alignment: Alignment) => void;
  onConflict: (message: string) => void;
}) {
  const { alignment: a, action, open, onClose, onDone, onConflict } = props;
  const api = useApi(envParityApiRef);
  const spec = ACTIONS[action];
  return (
    <ActionDialog<Alignment>
      id={`alignment-decision-${action}`}
      spec={spec}
      explain={spec.explain(a)}
      facts={
        action === 'cancel'
          ? []
          : [
              ['Requester', shortRef(a.requester)],
              ['Reason', a.reason],
              ['Target', targetLabel(a.target)],
              ...(a.target.artifact
                ? [['Artifact', a.target.artifact] as [string, string]]
                : []),
            ]
      }
      submit={comment => api.decideAlignment(a.id, action, comment)}
      open={open}
      onClose={onClose}
      onDone={onDone}
      onConflict={onConflict}
    />
  );
}

/** Starts a decision on an alignment, and renders its dialog. */
export function useAlignmentDecisions(options: {
  onDone: (alignment: Alignment) => void;
  onConflict: (message: string) => void;
}) {
  return useDecisionDialog<Alignment, AlignmentAction>(
    (alignment, action, handlers) => (
      <AlignmentDecisionDialog
        open
        alignment={alignment}
        action={action}
        {...handlers}
      />
    ),
    options,
  );
}
