import { ReactNode, useEffect } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import {
  Alignment,
  envParityAlignAdminPermission,
  envParityAlignCreatePermission,
  envParityAlignReviewPermission,
  isFinalAlignmentStatus,
} from '@env-parity/plugin-env-parity-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { envParityApiRef } from '../../api';
import {
  DecisionList,
  DetailsDialog,
  DetailsFallback,
  DetailsLayout,
} from '../shared/Details';
import { FactList } from '../shared/FactList';
import { useDecisionNotice } from '../shared/Queue';
import { Actor } from '../shared/Timeline';
import { Time } from '../shared/Time';
import {
  alignmentActionLabel,
  useAlignmentDecisions,
} from './AlignmentDecisionDialog';
import { AlignmentStatusChip } from './AlignmentStatusChip';
import { AlignmentTimeline } from './AlignmentTimeline';
import { alignmentConfirmation, approvalLabel, progressLabel } from './format';
import { useAlignmentLink } from './routes';
import { useAlignmentActions } from './useAlignmentActions';
import { ALIGN_POLL_MS } from './useServiceAlignments';

/** Any of these lets a user see alignments. */
export const ALIGN_PERMISSION_NAMES = [
  envParityAlignCreatePermission.name,
  envParityAlignReviewPermission.name,
  envParityAlignAdminPermission.name,
];

const useStyles = makeStyles({
  code: {
    fontFamily: 'monospace',
    fontSize: '0.85rem',
  },
});

function Decisions(props: { alignment: Alignment }) {
  const { decisions, requiredApprovals, approvers } = props.alignment;
  const approved = decisions.filter(d => d.decision === 'approve').length;
  return (
    <DecisionList
      title={
        requiredApprovals
          ? `Approvals (${approved} of ${requiredApprovals})`
          : 'Approvals'
      }
      empty={
        requiredApprovals && approvers
          ? 'Nobody has decided yet.'
          : 'No approval was needed.'
      }
      decisions={decisions.map(d => ({ ...d, by: d.reviewer }))}
    />
  );
}

/**
 * One alignment in full: what it deploys, where it stands, the buttons the
 * caller may use, the approvals and the timeline. Reloads itself while it
 * is under way.
 */
export function AlignmentDetails(props: {
  id: string;
  /** Called after the alignment changed, e.g. to reload a list. */
  onChanged?: (alignment: Alignment) => void;
  /** Show a link to the alignment's own page (when the app has one). */
  showPageLink?: boolean;
}) {
  const classes = useStyles();
  const { id, onChanged, showPageLink } = props;
  const api = useApi(envParityApiRef);
  const link = useAlignmentLink();
  const actions = useAlignmentActions();
  const state = useAsyncRetry(() => api.getAlignment(id), [api, id]);
  const { retry } = state;
  const open = state.value && !isFinalAlignmentStatus(state.value.status);
  useEffect(() => {
    if (!open) {
      return undefined;
    }
    const timer = setInterval(retry, ALIGN_POLL_MS);
    return () => clearInterval(timer);
  }, [open, retry]);

  const notice = useDecisionNotice(
    retry,
    message =>
      `Someone else changed this alignment first: ${message}. It has been reloaded.`,
  );
  const decisions = useAlignmentDecisions({
    onDone: result => {
      notice.done(alignmentConfirmation(result));
      onChanged?.(result);
    },
    onConflict: notice.conflict,
  });

  const a = state.value;
  if (!a) {
    return (
      <DetailsFallback
        state={state}
        missing="No such alignment"
        what="see alignments"
        permissions={ALIGN_PERMISSION_NAMES}
      />
    );
  }

  const rows: Array<[string, ReactNode]> = [
    ['Service', <EntityRefLink entityRef={a.entityRef} />],
    ['Environment', `${a.environment} (aligned with ${a.reference})`],
    ['Requester', <Actor actor={a.requester} />],
    ['Reason', a.reason],
    ['Version', a.target.version ?? 'unknown'],
    [
      'Revision',
      <span className={classes.code}>{a.target.revision ?? 'unknown'}</span>,
    ],
    [
      'Artifact',
      <span className={classes.code}>{a.target.artifact ?? 'unknown'}</span>,
    ],
    [
      'Digest',
      <span className={classes.code}>{a.target.digest ?? 'unknown'}</span>,
    ],
    ['Deployer', a.deployer],
    ['Approval', approvalLabel(a.approvers, a.requiredApprovals)],
    ['Requested', <Time at={a.createdAt} />],
  ];
  if (a.dispatchedAt) {
    rows.push(['Deployer called', <Time at={a.dispatchedAt} />]);
  }
  if (a.deployerReference || a.deployerMessage) {
    rows.push([
      'Deployer answered',
      [a.deployerReference, a.deployerMessage].filter(Boolean).join(': '),
    ]);
  }
  if (a.verifyDeadlineAt && !isFinalAlignmentStatus(a.status)) {
    rows.push(['Verified by', <Time at={a.verifyDeadlineAt} />]);
  }
  if (a.finishedAt) {
    rows.push(['Ended', <Time at={a.finishedAt} />]);
  }

  return (
    <DetailsLayout
      title={
        <>
          <EntityRefLink entityRef={a.entityRef} hideIcon /> in {a.environment}
        </>
      }
      status={<AlignmentStatusChip status={a.status} />}
      progress={progressLabel(a)}
      pageLink={
        showPageLink && link
          ? { to: link(a.id), text: 'Open the alignment page' }
          : undefined
      }
      notice={notice}
      alerts={
        (a.status === 'failed' || a.status === 'timed-out') && (
          <Alert severity="error">
            <AlertTitle>
              {a.status === 'failed'
                ? 'The deployer failed'
                : `${a.environment} was not observed running ${a.reference}'s artifact in time`}
            </AlertTitle>
            {a.failureReason ?? 'No reason was given.'}
          </Alert>
        )
      }
      actions={actions.allowed(a)}
      actionLabel={alignmentActionLabel}
      primary={action => action === 'approve'}
      onAction={action => decisions.start(a, action)}
      facts={<FactList rows={rows} aria-label="Alignment" />}
      approvals={<Decisions alignment={a} />}
      timeline={<AlignmentTimeline steps={a.timeline} />}
      dialog={decisions.dialog}
    />
  );
}

/** {@link AlignmentDetails} in a dialog, e.g. on the Parity tab. */
export function AlignmentDetailsDialog(props: {
  id?: string;
  onClose: () => void;
  onChanged?: (alignment: Alignment) => void;
}) {
  const { id, onClose, onChanged } = props;
  return (
    <DetailsDialog
      open={Boolean(id)}
      titleId="alignment-details-title"
      title="Alignment"
      onClose={onClose}
    >
      {id && <AlignmentDetails id={id} onChanged={onChanged} showPageLink />}
    </DetailsDialog>
  );
}
