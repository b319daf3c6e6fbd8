import { ReactNode, useEffect, useState } from 'react';
import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Divider from '@material-ui/core/Divider';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
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
import { isForbidden, statusOf } from '../shared/errors';
import { FactList } from '../shared/FactList';
import { NotPermitted } from '../shared/NotPermitted';
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

const useStyles = makeStyles(theme => ({
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1.5),
  },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  },
  stack: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
  },
  code: {
    fontFamily: 'monospace',
    fontSize: '0.85rem',
  },
}));

function Decisions(props: { alignment: Alignment }) {
  const { decisions, requiredApprovals, approvers } = props.alignment;
  const approved = decisions.filter(d => d.decision === 'approve').length;
  return (
    <div aria-label="Approvals" role="region">
      <Typography variant="subtitle2" gutterBottom>
        {requiredApprovals
          ? `Approvals (${approved} of ${requiredApprovals})`
          : 'Approvals'}
      </Typography>
      {decisions.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          {requiredApprovals && approvers
            ? 'Nobody has decided yet.'
            : 'No approval was needed.'}
        </Typography>
      ) : (
        decisions.map(d => (
          <Box key={`${d.reviewer}-${d.at}`} mb={1}>
            <Typography variant="body2">
              <Actor actor={d.reviewer} />{' '}
              {d.decision === 'approve' ? 'approved' : 'denied'}{' '}
              <Typography
                component="span"
                variant="body2"
                color="textSecondary"
              >
                <Time at={d.at} />
              </Typography>
            </Typography>
            {d.comment && (
              <Typography variant="body2" color="textSecondary">
                “{d.comment}”
              </Typography>
            )}
          </Box>
        ))
      )}
    </div>
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
  const [notice, setNotice] = useState<{
    severity: 'success' | 'warning';
    text: string;
  }>();
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

  const decisions = useAlignmentDecisions({
    onDone: result => {
      setNotice({ severity: 'success', text: alignmentConfirmation(result) });
      retry();
      onChanged?.(result);
    },
    onConflict: message => {
      setNotice({
        severity: 'warning',
        text: `Someone else changed this alignment first: ${message}. It has been reloaded.`,
      });
      retry();
    },
  });

  const a = state.value;
  if (!a) {
    if (state.loading) {
      return <Progress />;
    }
    if (state.error) {
      if (statusOf(state.error) === 404) {
        return (
          <Alert severity="warning">
            <AlertTitle>No such alignment</AlertTitle>
            It does not exist, or you may not see it.
          </Alert>
        );
      }
      if (isForbidden(state.error)) {
        return (
          <NotPermitted
            what="see alignments"
            permissions={ALIGN_PERMISSION_NAMES}
          />
        );
      }
      return <ResponseErrorPanel error={state.error} />;
    }
    return null;
  }

  const allowed = actions.allowed(a);
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
    <div className={classes.stack}>
      <div className={classes.header}>
        <Typography variant="h6" component="h2">
          <EntityRefLink entityRef={a.entityRef} hideIcon /> in {a.environment}
        </Typography>
        <AlignmentStatusChip status={a.status} />
        <Typography variant="body2" color="textSecondary" component="span">
          {progressLabel(a)}
        </Typography>
        {showPageLink && link && (
          <Box ml="auto">
            <Link to={link(a.id)}>Open the alignment page</Link>
          </Box>
        )}
      </div>
      {notice && (
        <Alert severity={notice.severity} onClose={() => setNotice(undefined)}>
          {notice.text}
        </Alert>
      )}
      {(a.status === 'failed' || a.status === 'timed-out') && (
        <Alert severity="error">
          <AlertTitle>
            {a.status === 'failed'
              ? 'The deployer failed'
              : `${a.environment} was not observed running ${a.reference}'s artifact in time`}
          </AlertTitle>
          {a.failureReason ?? 'No reason was given.'}
        </Alert>
      )}
      {allowed.length > 0 && (
        <div className={classes.actions}>
          {allowed.map(action => (
            <Button
              key={action}
              variant={action === 'approve' ? 'contained' : 'outlined'}
              color={action === 'approve' ? 'primary' : 'secondary'}
              onClick={() => decisions.start(a, action)}
            >
              {alignmentActionLabel(action)}
            </Button>
          ))}
        </div>
      )}
      <Grid container spacing={3}>
        <Grid item xs={12} md={7}>
          <FactList rows={rows} aria-label="Alignment" />
        </Grid>
        <Grid item xs={12} md={5}>
          <Decisions alignment={a} />
        </Grid>
      </Grid>
      <Divider />
      <div>
        <Typography variant="subtitle2" component="h3" gutterBottom>
          Timeline
        </Typography>
        <AlignmentTimeline steps={a.timeline} />
      </div>
      {decisions.dialog}
    </div>
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
    <Dialog
      open={Boolean(id)}
      onClose={onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="alignment-details-title"
    >
      <DialogTitle id="alignment-details-title">Alignment</DialogTitle>
      <DialogContent>
        {id && <AlignmentDetails id={id} onChanged={onChanged} showPageLink />}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
