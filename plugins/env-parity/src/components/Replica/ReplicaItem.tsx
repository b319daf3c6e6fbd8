import { useState } from 'react';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import Chip from '@material-ui/core/Chip';
import LinearProgress from '@material-ui/core/LinearProgress';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandLessIcon from '@material-ui/icons/ExpandLess';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';
import Alert from '@material-ui/lab/Alert';
import {
  isActiveReplicaStatus,
  Replica,
} from '@env-parity/plugin-env-parity-common';
import useAsync from 'react-use/esm/useAsync';
import { envParityApiRef } from '../../api';
import { exactTime, relativeTime } from '../EnvParityContent/format';
import { Command } from '../Reproduce/Command';
import { LoadError } from '../shared/CardParts';
import { shortRef } from '../shared/errors';
import { ReplicaStatusChip } from './ReplicaStatusChip';
import { ReplicaTimeline } from './ReplicaTimeline';
import { isEndedReplica, sourceLabel } from './format';

const useStyles = makeStyles(theme => ({
  item: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
    padding: theme.spacing(1.5, 0),
    '&:not(:last-of-type)': {
      borderBottom: `1px solid ${theme.palette.divider}`,
    },
  },
  line: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  mono: {
    fontFamily: 'monospace',
    overflowWrap: 'anywhere',
  },
  toProvide: {
    fontWeight: theme.typography.fontWeightMedium as number,
  },
  actions: {
    display: 'flex',
    gap: theme.spacing(1),
  },
  timelineToggle: {
    alignSelf: 'flex-start',
  },
  timeline: {
    paddingTop: theme.spacing(1),
  },
}));

/**
 * Every step of the replica behind a **Timeline** button, closed at first:
 * who launched it and why, when it became ready, each extension, its end.
 * The list of replicas carries no timeline, so it is read when opened, and
 * again when the replica changes.
 */
function TimelineDisclosure(props: { replica: Replica }) {
  const classes = useStyles();
  const { replica } = props;
  const api = useApi(envParityApiRef);
  const [open, setOpen] = useState(false);
  const id = `replica-timeline-${replica.id}`;
  const steps = useAsync(
    async () =>
      open ? (await api.getReplica(replica.id)).timeline : undefined,
    [api, open, replica.id, replica.updatedAt],
  );
  return (
    <>
      <Button
        size="small"
        color="primary"
        className={classes.timelineToggle}
        onClick={() => setOpen(o => !o)}
        aria-expanded={open}
        aria-controls={id}
        aria-label={`Timeline of ${replica.namespace}`}
        startIcon={open ? <ExpandLessIcon /> : <ExpandMoreIcon />}
      >
        Timeline
      </Button>
      <div id={id} className={classes.timeline} hidden={!open}>
        {open && (
          <>
            <LoadError what="the timeline" error={steps.error} />
            {!steps.value && steps.loading && <Progress />}
            {steps.value && <ReplicaTimeline steps={steps.value} />}
          </>
        )}
      </div>
    </>
  );
}

/** `expires in 3 h (4 Dec 2026, 15:30:00 UTC)`, or when it ended. */
function Expiry(props: { replica: Replica; now: number }) {
  const { replica, now } = props;
  const ended = replica.endedAt && !isActiveReplicaStatus(replica.status);
  const at = ended ? replica.endedAt! : replica.expiresAt;
  const verb = ended
    ? `${replica.status === 'expired' ? 'expired' : 'ended'}`
    : 'expires';
  return (
    <Typography variant="body2" component="span" data-testid="replica-expiry">
      {verb} <time dateTime={at}>{relativeTime(at, now)}</time> ({exactTime(at)}
      )
    </Typography>
  );
}

/** What was copied from where, by key name: never a value. */
function ConfigTable(props: {
  replica: Replica;
  titleOf: (environment: string) => string;
}) {
  const classes = useStyles();
  const { replica, titleOf } = props;
  const id = `replica-config-${replica.id}`;
  if (replica.config.length === 0) {
    return null;
  }
  const toProvide = replica.config.filter(k => k.source === 'empty').length;
  return (
    <div>
      <Typography variant="subtitle2" component="h4" id={id}>
        Configuration: what was copied from where
      </Typography>
      {toProvide > 0 && (
        <Typography variant="body2" color="textSecondary">
          {toProvide} secret key{toProvide === 1 ? ' was' : 's were'} created
          empty: provide {toProvide === 1 ? 'it' : 'them'} in the namespace.
        </Typography>
      )}
      <Table size="small" aria-labelledby={id}>
        <TableHead>
          <TableRow>
            <TableCell>Key</TableCell>
            <TableCell>In</TableCell>
            <TableCell>Source</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {replica.config.map(key => (
            <TableRow key={`${key.kind}/${key.object}/${key.key}`}>
              <TableCell className={classes.mono}>{key.key}</TableCell>
              <TableCell className={classes.mono}>
                {key.kind} {key.object}
              </TableCell>
              <TableCell
                className={
                  key.source === 'empty' ? classes.toProvide : undefined
                }
              >
                {sourceLabel(key, titleOf)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}

/**
 * One of the user's replicas: its status (and why it failed), where it
 * runs, when it expires, how to reach it, what its configuration came
 * from, and Extend and Delete while they apply.
 */
export function ReplicaItem(props: {
  replica: Replica;
  /** The signed-in user's entity ref, when known. */
  me?: string;
  now: number;
  titleOf: (environment: string) => string;
  canExtend: boolean;
  onExtend: (replica: Replica) => void;
  onDelete: (replica: Replica) => void;
}) {
  const classes = useStyles();
  const { replica, me, now, titleOf, canExtend, onExtend, onDelete } = props;
  const active = isActiveReplicaStatus(replica.status);
  const over = isEndedReplica(replica);
  const label = `Replica in ${replica.namespace}`;
  const mine =
    me && replica.requester.toLocaleLowerCase('en-US') === me.toLowerCase();

  return (
    <li
      className={classes.item}
      aria-label={label}
      data-replica={replica.id}
      data-status={replica.status}
    >
      <div className={classes.line}>
        <ReplicaStatusChip status={replica.status} />
        <Typography variant="body2" component="span">
          Namespace <span className={classes.mono}>{replica.namespace}</span> in
          the <span className={classes.mono}>{replica.cluster}</span> cluster
        </Typography>
        <Expiry replica={replica} now={now} />
        {!mine && (
          <Typography variant="body2" color="textSecondary" component="span">
            launched by {shortRef(replica.requester)}
          </Typography>
        )}
      </div>
      {replica.override && (
        <Chip
          size="small"
          variant="outlined"
          label={`Production plus a change: ${replica.override.workload} runs ${replica.override.image}`}
          style={{ alignSelf: 'flex-start', maxWidth: '100%' }}
        />
      )}
      {replica.status === 'creating' && (
        <>
          <Typography variant="body2" color="textSecondary">
            Creating: waiting for every pod to be ready and running production's
            digests.
          </Typography>
          <LinearProgress aria-label={`Creating ${replica.namespace}`} />
        </>
      )}
      {replica.status === 'failed' && (
        <Alert severity="error">
          Failed: {replica.statusReason ?? 'the reason is not known'}
        </Alert>
      )}
      {replica.status === 'ready' && replica.endpoints.length > 0 && (
        <div>
          <Typography variant="subtitle2" component="h4">
            Reach it
          </Typography>
          {replica.endpoints.map(endpoint => (
            <Command
              key={`${endpoint.service}:${endpoint.port}`}
              command={endpoint.command}
              label={`Port-forward ${endpoint.service} port ${endpoint.port}`}
            />
          ))}
        </div>
      )}
      {active && replica.roleBinding && (
        <Typography variant="body2">
          Read access in the namespace: RoleBinding{' '}
          <span className={classes.mono}>{replica.roleBinding}</span>
        </Typography>
      )}
      {!over && <ConfigTable replica={replica} titleOf={titleOf} />}
      {!over && (
        <div className={classes.actions}>
          {active && (
            <Button
              size="small"
              variant="outlined"
              onClick={() => onExtend(replica)}
              disabled={!canExtend}
              aria-label={`Extend ${replica.namespace}`}
            >
              Extend
            </Button>
          )}
          <Button
            size="small"
            variant="outlined"
            color="secondary"
            onClick={() => onDelete(replica)}
            aria-label={`Delete ${replica.namespace}`}
          >
            Delete
          </Button>
          {active && !canExtend && (
            <Typography variant="body2" color="textSecondary">
              It lives as long as it may.
            </Typography>
          )}
        </div>
      )}
      <TimelineDisclosure replica={replica} />
    </li>
  );
}
