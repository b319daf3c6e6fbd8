import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard, Link } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import LockOpenIcon from '@material-ui/icons/LockOpen';
import Alert from '@material-ui/lab/Alert';
import {
  AccessRequest,
  AccessRequestDetails as AccessRequestDetailsType,
  envParityAccessCreatePermission,
  ParityReport,
} from '@env-parity/plugin-env-parity-common';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { envParityApiRef } from '../../api';
import { CardOffer, LoadError, useCardNotice } from '../shared/CardParts';
import { AccessStatusChip } from './AccessStatusChip';
import {
  AccessRequestDetailsDialog,
  RequestClock,
  useDecisions,
} from './AccessRequestDetails';
import { Instructions } from './Instructions';
import { RequestAccessDialog } from './RequestAccessDialog';
import {
  CURRENT_STATUSES,
  confirmation,
  formatDuration,
  isForbidden,
  shortRef,
} from './format';
import { useAccessRequestLink } from './routes';

const useStyles = makeStyles(theme => ({
  request: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
    '&:not(:last-child)': {
      paddingBottom: theme.spacing(2),
      marginBottom: theme.spacing(2),
      borderBottom: `1px solid ${theme.palette.divider}`,
    },
  },
  line: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1.5),
  },
  buttons: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
}));

/** Reload this often while a request waits for someone else. */
const POLL_MS = 30_000;

const QUERY_PARAM = 'accessRequest';

function CurrentRequest(props: {
  request: AccessRequestDetailsType;
  title: string;
  onDecide: (request: AccessRequest, action: 'withdraw' | 'revoke') => void;
  onOpen: (id: string) => void;
  onElapsed: () => void;
}) {
  const classes = useStyles();
  const { request, title, onDecide, onOpen, onElapsed } = props;
  const link = useAccessRequestLink();
  return (
    <div
      className={classes.request}
      role="region"
      aria-label={`${title} access request`}
    >
      <div className={classes.line}>
        <Typography variant="subtitle1" component="h3">
          {title}
        </Typography>
        <AccessStatusChip status={request.status} />
        <Typography variant="body2" color="textSecondary" component="span">
          <RequestClock request={request} onElapsed={onElapsed} />
        </Typography>
      </div>
      <Typography variant="body2" color="textSecondary">
        {formatDuration(request.durationMinutes)} of read-only access
        {request.breakGlass ? ' (break-glass)' : ''}
        {request.status === 'pending'
          ? `, waiting for ${shortRef(request.approverRef)} to approve`
          : ''}
        {request.ticket ? ` · ${request.ticket}` : ''} · “{request.reason}”
      </Typography>
      {request.status === 'provisioning-failed' && request.provisioning && (
        <Alert severity="error">
          Granting the access is failing and is retried (attempt{' '}
          {request.provisioning.attempts}): {request.provisioning.lastError}
        </Alert>
      )}
      {request.instructions && (
        <Instructions
          text={request.instructions}
          expiresAt={request.expiresAt}
        />
      )}
      <div className={classes.buttons}>
        {request.actions.withdraw && (
          <Button
            variant="outlined"
            size="small"
            onClick={() => onDecide(request, 'withdraw')}
          >
            Withdraw
          </Button>
        )}
        {request.actions.revoke && (
          <Button
            variant="outlined"
            size="small"
            color="secondary"
            onClick={() => onDecide(request, 'revoke')}
          >
            Revoke
          </Button>
        )}
        {link ? (
          <Link to={link(request.id)}>View request and timeline</Link>
        ) : (
          <Button
            size="small"
            color="primary"
            onClick={() => onOpen(request.id)}
          >
            View request and timeline
          </Button>
        )}
      </div>
    </div>
  );
}

/**
 * On the Parity tab: the caller's current access request or grant for this
 * service, with its countdown, or a button to request read-only access.
 * `?accessRequest=<id>` (where notifications link) opens that request.
 */
export function AccessRequestCard(props: {
  entity: Entity;
  report: ParityReport;
}) {
  const { entity, report } = props;
  const api = useApi(envParityApiRef);
  const entityRef = stringifyEntityRef(entity);
  const permission = usePermission({
    permission: envParityAccessCreatePermission,
  });
  const [searchParams, setSearchParams] = useSearchParams();
  const openId = searchParams.get(QUERY_PARAM) ?? undefined;
  const [requesting, setRequesting] = useState(false);
  const { setNotice, element: noticeElement } = useCardNotice();

  const state = useAsyncRetry(async () => {
    const { items } = await api.listAccessRequests({
      mine: true,
      entityRef,
      status: CURRENT_STATUSES,
    });
    return Promise.all(items.map(r => api.getAccessRequest(r.id)));
  }, [api, entityRef]);
  const current = state.value ?? [];
  const { retry } = state;

  const waiting = current.some(r => r.status !== 'active');
  useEffect(() => {
    if (!waiting) {
      return undefined;
    }
    const id = setInterval(retry, POLL_MS);
    return () => clearInterval(id);
  }, [waiting, retry]);

  const decisions = useDecisions({
    onDone: result => {
      setNotice({
        severity: 'success',
        text: confirmation(result, true),
      });
      retry();
    },
    onConflict: message => {
      setNotice({ severity: 'warning', text: message });
      retry();
    },
  });

  const setOpenId = (id: string | undefined) => {
    const next = new URLSearchParams(searchParams);
    if (id) {
      next.set(QUERY_PARAM, id);
    } else {
      next.delete(QUERY_PARAM);
    }
    setSearchParams(next, { replace: true });
  };

  const titleOf = (name: string) =>
    report.environments.find(e => e.name === name)?.title ?? name;
  const canCreate = permission.allowed;
  // access to an environment the service is not deployed to shows nothing
  const requestable = report.environments.filter(e => e.deployment);
  const reference = requestable.find(e => e.name === report.reference);

  const detailsDialog = (
    <AccessRequestDetailsDialog
      id={openId}
      onClose={() => setOpenId(undefined)}
      onChanged={retry}
    />
  );

  const hidden =
    // nothing to show yet (a notification's link still opens at once)
    ((permission.loading || state.loading) && !state.value) ||
    // nothing to show, and nothing to offer
    (current.length === 0 &&
      (!canCreate ||
        requestable.length === 0 ||
        (state.error && isForbidden(state.error))));
  if (hidden) {
    return (
      <>
        {null}
        {detailsDialog}
      </>
    );
  }

  const uncovered = requestable.filter(
    e => !current.some(r => r.environment === e.name),
  );

  return (
    <>
      <Grid item xs={12}>
        <InfoCard title="Read-only access">
          {noticeElement}
          <LoadError what="your access requests" error={state.error} />
          {current.map(request => (
            <CurrentRequest
              key={request.id}
              request={request}
              title={titleOf(request.environment)}
              onDecide={decisions.start}
              onOpen={setOpenId}
              onElapsed={retry}
            />
          ))}
          {current.length === 0 && !state.error && (
            <CardOffer
              button={
                <Button
                  variant="contained"
                  color="primary"
                  startIcon={<LockOpenIcon />}
                  onClick={() => setRequesting(true)}
                >
                  Request read-only access
                </Button>
              }
            >
              {reference
                ? `Is it also broken in ${reference.title}? Ask for temporary read-only access to ${entity.metadata.name}.`
                : `${entity.metadata.name} has no ${titleOf(
                    report.reference,
                  )} deployment; you can ask for temporary read-only access to ${requestable
                    .map(e => e.title)
                    .join(', ')}.`}{' '}
              The environment's owners approve it, and it ends on its own.
            </CardOffer>
          )}
          {current.length > 0 && canCreate && uncovered.length > 0 && (
            <Box mt={1}>
              <Button
                size="small"
                color="primary"
                startIcon={<LockOpenIcon />}
                onClick={() => setRequesting(true)}
              >
                Request access to another environment
              </Button>
            </Box>
          )}
        </InfoCard>
        {canCreate && (
          <RequestAccessDialog
            open={requesting}
            entityRef={entityRef}
            environments={(current.length ? uncovered : requestable).map(e => ({
              name: e.name,
              title: e.title,
              owner: e.owner,
            }))}
            onClose={() => setRequesting(false)}
            onCreated={created => {
              setRequesting(false);
              setNotice({
                severity: 'success',
                text: created.breakGlass
                  ? `Break-glass access to ${titleOf(
                      created.environment,
                    )} is starting; the approvers have been alerted.`
                  : `Requested read-only access to ${
                      entity.metadata.name
                    } in ${titleOf(created.environment)}. Members of ${shortRef(
                      created.approverRef,
                    )} have been notified.`,
              });
              retry();
            }}
          />
        )}
        {decisions.dialog}
      </Grid>
      {detailsDialog}
    </>
  );
}
