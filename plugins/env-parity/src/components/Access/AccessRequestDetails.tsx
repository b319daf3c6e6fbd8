import { ReactNode } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
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
import {
  DecisionList,
  DetailsDialog,
  DetailsFallback,
  DetailsLayout,
  useDecisionDialog,
} from '../shared/Details';
import { useDecisionNotice } from '../shared/Queue';
import { Time } from '../shared/Time';
import { AccessStatusChip } from './AccessStatusChip';
import { AccessTimeline, Actor } from './AccessTimeline';
import { Countdown } from './Countdown';
import { actionLabel, DecisionDialog } from './DecisionDialog';
import { Instructions } from './Instructions';
import { confirmation, formatDuration } from './format';
import { ACCESS_PERMISSION_NAMES } from './NotPermitted';
import { useAccessRequestLink } from './routes';

const useStyles = makeStyles(theme => ({
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
  return useDecisionDialog<AccessRequest, AccessRequestAction>(
    (request, action, handlers) => (
      <DecisionDialog open request={request} action={action} {...handlers} />
    ),
    options,
  );
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
    <DecisionList
      title={`Approvals (${approved} of ${requiredApprovals})`}
      empty="Nobody has decided yet."
      decisions={approvals.map(a => ({ ...a, by: a.approver }))}
    />
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
  const { id, onChanged, showPageLink } = props;
  const api = useApi(envParityApiRef);
  const link = useAccessRequestLink();
  const state = useAsyncRetry(() => api.getAccessRequest(id), [api, id]);
  const notice = useDecisionNotice(
    state.retry,
    message =>
      `Someone else changed this request first: ${message}. It has been reloaded.`,
  );
  const decisions = useDecisions({
    onDone: result => {
      notice.done(confirmation(result));
      onChanged?.(result);
    },
    onConflict: notice.conflict,
  });

  const request = state.value;
  if (!request) {
    return (
      <DetailsFallback
        state={state}
        missing="No such access request"
        what="see access requests"
        permissions={ACCESS_PERMISSION_NAMES}
      />
    );
  }

  return (
    <DetailsLayout
      title={
        <>
          <EntityRefLink entityRef={request.entityRef} hideIcon /> in{' '}
          {request.environment}
        </>
      }
      status={<AccessStatusChip status={request.status} />}
      progress={<RequestClock request={request} onElapsed={state.retry} />}
      pageLink={
        showPageLink && link
          ? { to: link(request.id), text: 'Open the request page' }
          : undefined
      }
      notice={notice}
      alerts={
        <>
          {request.breakGlass &&
            request.review?.required &&
            !request.review.reviewedBy && (
              <Alert severity="warning">
                Break-glass access: activated without review. An approver
                reviews it afterwards.
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
        </>
      }
      actions={ACTION_ORDER.filter(a => request.actions[a])}
      actionLabel={actionLabel}
      primary={action => action === 'approve' || action === 'review'}
      onAction={action => decisions.start(request, action)}
      facts={<Facts request={request} />}
      approvals={<Approvals request={request} />}
      timeline={<AccessTimeline events={request.events} />}
      dialog={decisions.dialog}
    />
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
    <DetailsDialog
      open={Boolean(id)}
      titleId="access-request-details-title"
      title="Access request"
      onClose={onClose}
    >
      {id && (
        <AccessRequestDetails id={id} onChanged={onChanged} showPageLink />
      )}
    </DetailsDialog>
  );
}
