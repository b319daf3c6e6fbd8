import { ReactNode, useState } from 'react';
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
  AccessRequest,
  AccessRequestDetails as AccessRequestDetailsType,
  isFinalAccessRequestStatus,
} from '@env-parity/plugin-env-parity-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { AccessRequestAction, envParityApiRef } from '../../api';
import { Time } from '../shared/Time';
import { AccessStatusChip } from './AccessStatusChip';
import { AccessTimeline, Actor } from './AccessTimeline';
import { Countdown } from './Countdown';
import { actionLabel, DecisionDialog } from './DecisionDialog';
import { Instructions } from './Instructions';
import { confirmation, formatDuration, isForbidden, statusOf } from './format';
import { ACCESS_PERMISSION_NAMES, NotPermitted } from './NotPermitted';
import { useAccessRequestLink } from './routes';

const useStyles = makeStyles(theme => ({
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1.5),
  },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: theme.spacing(3),
    rowGap: theme.spacing(1),
    margin: 0,
    '& dt': {
      color: theme.palette.text.secondary,
    },
    '& dd': {
      margin: 0,
      wordBreak: 'break-word',
    },
  },
  reason: {
    whiteSpace: 'pre-wrap',
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
}));

const ACTION_ORDER: AccessRequestAction[] = [
  'approve',
  'deny',
  'review',
  'withdraw',
  'revoke',
];

/** The buttons of the actions the backend allows, and their dialogs. */
export function useDecisions(options: {
  onDone: (request: AccessRequest) => void;
  onConflict: (message: string) => void;
}) {
  const [open, setOpen] = useState<{
    request: AccessRequest;
    action: AccessRequestAction;
  }>();
  const dialog = open ? (
    <DecisionDialog
      open
      request={open.request}
      action={open.action}
      onClose={() => setOpen(undefined)}
      onDone={result => {
        setOpen(undefined);
        options.onDone(result);
      }}
      onConflict={message => {
        setOpen(undefined);
        options.onConflict(message);
      }}
    />
  ) : null;
  return {
    dialog,
    start: (request: AccessRequest, action: AccessRequestAction) =>
      setOpen({ request, action }),
  };
}

/** When the request's clock matters: its expiry, or its review deadline. */
export function RequestClock(props: {
  request: AccessRequest;
  onElapsed?: () => void;
}) {
  const { request, onElapsed } = props;
  if (
    (request.status === 'active' || request.status === 'provisioning-failed') &&
    request.expiresAt
  ) {
    return (
      <Countdown
        to={request.expiresAt}
        prefix="expires in"
        elapsed="expired"
        onElapsed={onElapsed}
      />
    );
  }
  if (request.status === 'pending') {
    return (
      <Countdown
        to={request.reviewDeadline}
        prefix="awaiting approval, times out in"
        elapsed="timed out"
        onElapsed={onElapsed}
      />
    );
  }
  if (request.status === 'approved') {
    return <span>approved, access is being granted…</span>;
  }
  return null;
}

function Facts(props: { request: AccessRequestDetailsType }) {
  const classes = useStyles();
  const r = props.request;
  const rows: Array<[string, ReactNode]> = [
    ['Service', <EntityRefLink entityRef={r.entityRef} />],
    ['Environment', r.environment],
    ['Requester', <Actor actor={r.requester} />],
    ['Reason', <span className={classes.reason}>{r.reason}</span>],
    ['Ticket', r.ticket ?? '—'],
    [
      'Duration',
      `${formatDuration(r.durationMinutes)}${
        r.breakGlass ? ' (break-glass)' : ''
      }`,
    ],
    [
      'Approvers',
      <>
        <EntityRefLink entityRef={r.approverRef} defaultKind="group" /> (
        {r.approverSource.replace(/-/g, ' ')}),{' '}
        {r.requiredApprovals === 1
          ? 'one approval needed'
          : `${r.requiredApprovals} approvals needed`}
      </>,
    ],
    ['Requested', <Time at={r.createdAt} />],
  ];
  if (r.status === 'pending') {
    rows.push(['Review deadline', <Time at={r.reviewDeadline} />]);
  }
  if (r.activatedAt) {
    rows.push(['Granted', <Time at={r.activatedAt} />]);
  }
  if (r.expiresAt && !isFinalAccessRequestStatus(r.status)) {
    rows.push(['Expires', <Time at={r.expiresAt} />]);
  }
  if (r.resolvedAt) {
    rows.push(['Ended', <Time at={r.resolvedAt} />]);
  }
  rows.push(['Provisioner', r.provisioner]);
  if (r.review) {
    rows.push([
      'Review',
      r.review.reviewedBy ? (
        <>
          reviewed by <Actor actor={r.review.reviewedBy} />{' '}
          <Time at={r.review.reviewedAt} />
          {r.review.comment ? `: ${r.review.comment}` : ''}
        </>
      ) : (
        'waiting for an after-the-fact review'
      ),
    ]);
  }
  return (
    <dl className={classes.facts} aria-label="Request">
      {rows.map(([label, value]) => (
        <Box key={label} display="contents">
          <dt>{label}</dt>
          <dd>{value}</dd>
        </Box>
      ))}
    </dl>
  );
}

function Approvals(props: { request: AccessRequestDetailsType }) {
  const { approvals, requiredApprovals } = props.request;
  const approved = approvals.filter(a => a.decision === 'approve').length;
  return (
    <div aria-label="Approvals" role="region">
      <Typography variant="subtitle2" gutterBottom>
        Approvals ({approved} of {requiredApprovals})
      </Typography>
      {approvals.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          Nobody has decided yet.
        </Typography>
      ) : (
        approvals.map(a => (
          <Box key={`${a.approver}-${a.at}`} mb={1}>
            <Typography variant="body2">
              <Actor actor={a.approver} />{' '}
              {a.decision === 'approve' ? 'approved' : 'denied'}{' '}
              <Typography
                component="span"
                variant="body2"
                color="textSecondary"
              >
                <Time at={a.at} />
              </Typography>
            </Typography>
            {a.comment && (
              <Typography variant="body2" color="textSecondary">
                “{a.comment}”
              </Typography>
            )}
          </Box>
        ))
      )}
    </div>
  );
}

/**
 * One access request in full: the facts, the approvals, how to use an
 * active grant, the buttons the caller may use, and the timeline.
 */
export function AccessRequestDetails(props: {
  id: string;
  /** Called after the request changed, e.g. to reload a list. */
  onChanged?: (request: AccessRequest) => void;
  /** Show a link to the request's own page (when the app has one). */
  showPageLink?: boolean;
}) {
  const classes = useStyles();
  const { id, onChanged, showPageLink } = props;
  const api = useApi(envParityApiRef);
  const link = useAccessRequestLink();
  const [notice, setNotice] = useState<{
    severity: 'success' | 'warning';
    text: string;
  }>();
  const state = useAsyncRetry(() => api.getAccessRequest(id), [api, id]);
  const decisions = useDecisions({
    onDone: result => {
      setNotice({
        severity: 'success',
        text: confirmation(result),
      });
      state.retry();
      onChanged?.(result);
    },
    onConflict: message => {
      setNotice({
        severity: 'warning',
        text: `Someone else changed this request first: ${message}. It has been reloaded.`,
      });
      state.retry();
    },
  });

  const request = state.value;
  if (!request) {
    if (state.loading) {
      return <Progress />;
    }
    if (state.error) {
      if (statusOf(state.error) === 404) {
        return (
          <Alert severity="warning">
            <AlertTitle>No such access request</AlertTitle>
            It does not exist, or you may not see it.
          </Alert>
        );
      }
      if (isForbidden(state.error)) {
        return (
          <NotPermitted
            what="see access requests"
            permissions={ACCESS_PERMISSION_NAMES}
          />
        );
      }
      return <ResponseErrorPanel error={state.error} />;
    }
    return null;
  }

  const allowed = ACTION_ORDER.filter(a => request.actions[a]);
  return (
    <div className={classes.stack}>
      <div className={classes.header}>
        <Typography variant="h6" component="h2">
          <EntityRefLink entityRef={request.entityRef} hideIcon /> in{' '}
          {request.environment}
        </Typography>
        <AccessStatusChip status={request.status} />
        <Typography variant="body2" color="textSecondary" component="span">
          <RequestClock request={request} onElapsed={state.retry} />
        </Typography>
        {showPageLink && link && (
          <Box ml="auto">
            <Link to={link(request.id)}>Open the request page</Link>
          </Box>
        )}
      </div>
      {notice && (
        <Alert severity={notice.severity} onClose={() => setNotice(undefined)}>
          {notice.text}
        </Alert>
      )}
      {request.breakGlass &&
        request.review?.required &&
        !request.review.reviewedBy && (
          <Alert severity="warning">
            Break-glass access: activated without review. An approver reviews it
            afterwards.
          </Alert>
        )}
      {request.provisioning && (
        <Alert severity="error">
          <AlertTitle>
            The {request.provisioning.operation} is failing (attempt{' '}
            {request.provisioning.attempts})
          </AlertTitle>
          {request.provisioning.lastError}
          {request.provisioning.nextAttemptAt && (
            <>
              {' '}
              Next attempt <Time at={request.provisioning.nextAttemptAt} />.
            </>
          )}
        </Alert>
      )}
      {request.instructions && (
        <Instructions
          text={request.instructions}
          expiresAt={request.expiresAt}
        />
      )}
      {allowed.length > 0 && (
        <div className={classes.actions}>
          {allowed.map(action => (
            <Button
              key={action}
              variant={
                action === 'approve' || action === 'review'
                  ? 'contained'
                  : 'outlined'
              }
              color={
                action === 'approve' || action === 'review'
                  ? 'primary'
                  : 'secondary'
              }
              onClick={() => decisions.start(request, action)}
            >
              {actionLabel(action)}
            </Button>
          ))}
        </div>
      )}
      <Grid container spacing={3}>
        <Grid item xs={12} md={7}>
          <Facts request={request} />
        </Grid>
        <Grid item xs={12} md={5}>
          <Approvals request={request} />
        </Grid>
      </Grid>
      <Divider />
      <div>
        <Typography variant="subtitle2" component="h3" gutterBottom>
          Timeline
        </Typography>
        <AccessTimeline events={request.events} />
      </div>
      {decisions.dialog}
    </div>
  );
}

/** {@link AccessRequestDetails} in a dialog, e.g. on the Parity tab. */
export function AccessRequestDetailsDialog(props: {
  id?: string;
  onClose: () => void;
  onChanged?: (request: AccessRequest) => void;
}) {
  const { id, onClose, onChanged } = props;
  return (
    <Dialog
      open={Boolean(id)}
      onClose={onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby="access-request-details-title"
    >
      <DialogTitle id="access-request-details-title">
        Access request
      </DialogTitle>
      <DialogContent>
        {id && (
          <AccessRequestDetails id={id} onChanged={onChanged} showPageLink />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
