import { ReactElement } from 'react';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import AlarmIcon from '@material-ui/icons/Alarm';
import ArrowForwardIcon from '@material-ui/icons/ArrowForward';
import AssignmentTurnedInIcon from '@material-ui/icons/AssignmentTurnedIn';
import BlockIcon from '@material-ui/icons/Block';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import HourglassEmptyIcon from '@material-ui/icons/HourglassEmpty';
import LockOpenIcon from '@material-ui/icons/LockOpen';
import RemoveCircleIcon from '@material-ui/icons/RemoveCircle';
import SendIcon from '@material-ui/icons/Send';
import TimerOffIcon from '@material-ui/icons/TimerOff';
import UndoIcon from '@material-ui/icons/Undo';
import WarningIcon from '@material-ui/icons/Warning';
import {
  AccessEvent,
  AccessEventType,
} from '@env-parity/plugin-env-parity-common';
import { exactTime, relativeTime } from '../EnvParityContent/format';
import { AccessStatusChip } from './AccessStatusChip';
import { formatDuration } from './format';

const useStyles = makeStyles(theme => ({
  list: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
  },
  item: {
    display: 'flex',
    gap: theme.spacing(1.5),
    position: 'relative',
    paddingBottom: theme.spacing(2),
    '&:not(:last-child)::before': {
      content: '""',
      position: 'absolute',
      left: 15,
      top: 32,
      bottom: 0,
      borderLeft: `2px solid ${theme.palette.divider}`,
    },
  },
  icon: {
    flex: '0 0 32px',
    height: 32,
    borderRadius: '50%',
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    backgroundColor: theme.palette.background.default,
    border: `1px solid ${theme.palette.divider}`,
  },
  good: { color: theme.palette.success.main },
  bad: { color: theme.palette.error.main },
  warn: { color: theme.palette.warning.main },
  neutral: { color: theme.palette.text.secondary },
  body: {
    flex: 1,
    minWidth: 0,
    paddingTop: theme.spacing(0.5),
  },
  headline: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  transition: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  },
  comment: {
    margin: theme.spacing(0.5, 0, 0),
    paddingLeft: theme.spacing(1.5),
    borderLeft: `3px solid ${theme.palette.divider}`,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
  },
}));

type Tone = 'good' | 'bad' | 'warn' | 'neutral';

const EVENTS: Record<
  AccessEventType,
  { label: string; icon: ReactElement; tone: Tone }
> = {
  requested: { label: 'requested access', icon: <SendIcon />, tone: 'neutral' },
  'break-glass': {
    label: 'broke the glass',
    icon: <WarningIcon />,
    tone: 'warn',
  },
  approved: { label: 'approved', icon: <CheckCircleIcon />, tone: 'good' },
  denied: { label: 'denied', icon: <BlockIcon />, tone: 'bad' },
  withdrawn: {
    label: 'withdrew the request',
    icon: <UndoIcon />,
    tone: 'neutral',
  },
  'timed-out': {
    label: 'timed out without a decision',
    icon: <HourglassEmptyIcon />,
    tone: 'neutral',
  },
  granted: { label: 'granted access', icon: <LockOpenIcon />, tone: 'good' },
  'provisioning-failed': {
    label: 'failed to provision',
    icon: <ErrorIcon />,
    tone: 'bad',
  },
  'expiry-warning': {
    label: 'warned that access ends soon',
    icon: <AlarmIcon />,
    tone: 'warn',
  },
  expired: {
    label: 'ended the access on time',
    icon: <TimerOffIcon />,
    tone: 'neutral',
  },
  revoked: { label: 'revoked access', icon: <RemoveCircleIcon />, tone: 'bad' },
  reviewed: {
    label: 'reviewed the break-glass access',
    icon: <AssignmentTurnedInIcon />,
    tone: 'good',
  },
};

/** Who acted: a link to the user, or the system. */
export function Actor(props: { actor: string }) {
  const { actor } = props;
  if (!actor || actor === 'system') {
    return <span>System</span>;
  }
  return <EntityRefLink entityRef={actor} defaultKind="user" hideIcon />;
}

/** The facts of an event worth reading, e.g. `1 of 2 approvals`. */
export function eventFacts(event: AccessEvent): string[] {
  const d = (event.details ?? {}) as Record<string, unknown>;
  const facts: string[] = [];
  if (typeof d.durationMinutes === 'number') {
    facts.push(`for ${formatDuration(d.durationMinutes)}`);
  }
  if (typeof d.ticket === 'string') {
    facts.push(`ticket ${d.ticket}`);
  }
  if (
    typeof d.approvals === 'number' &&
    typeof d.requiredApprovals === 'number'
  ) {
    facts.push(`${d.approvals} of ${d.requiredApprovals} approvals`);
  }
  if (typeof d.attempts === 'number') {
    facts.push(`attempt ${d.attempts}`);
  }
  for (const key of ['error', 'lastError', 'reason']) {
    if (typeof d[key] === 'string') {
      facts.push(String(d[key]));
    }
  }
  return facts;
}

/**
 * Every event of an access request, oldest first: what happened, who did
 * it, when, and the status it moved from and to.
 */
export function AccessTimeline(props: { events: AccessEvent[] }) {
  const classes = useStyles();
  const events = [...props.events].sort(
    (a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id - b.id,
  );
  if (!events.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        Nothing has happened yet.
      </Typography>
    );
  }
  return (
    <ol className={classes.list} aria-label="Timeline">
      {events.map(event => {
        const spec = EVENTS[event.type] ?? {
          label: event.type,
          icon: <ErrorIcon />,
          tone: 'neutral' as Tone,
        };
        const changed =
          event.fromStatus &&
          event.toStatus &&
          event.fromStatus !== event.toStatus;
        const facts = eventFacts(event);
        return (
          <li
            key={event.id}
            className={classes.item}
            data-event={event.type}
            aria-label={`${event.type} by ${event.actor}`}
          >
            <div className={`${classes.icon} ${classes[spec.tone]}`}>
              {spec.icon}
            </div>
            <div className={classes.body}>
              <div className={classes.headline}>
                <Typography component="span" variant="body2">
                  <Actor actor={event.actor} /> {spec.label}
                </Typography>
                <Tooltip title={exactTime(event.at)}>
                  <Typography
                    component="span"
                    variant="body2"
                    color="textSecondary"
                  >
                    <time dateTime={event.at}>{relativeTime(event.at)}</time>
                  </Typography>
                </Tooltip>
                {changed && (
                  <span
                    className={classes.transition}
                    aria-label={`from ${event.fromStatus} to ${event.toStatus}`}
                  >
                    <AccessStatusChip status={event.fromStatus!} />
                    <ArrowForwardIcon fontSize="small" color="disabled" />
                    <AccessStatusChip status={event.toStatus!} />
                  </span>
                )}
                {!changed && !event.fromStatus && event.toStatus && (
                  <AccessStatusChip status={event.toStatus} />
                )}
              </div>
              {facts.length > 0 && (
                <Typography variant="caption" color="textSecondary">
                  {facts.join(' · ')}
                </Typography>
              )}
              {event.comment && (
                <Typography
                  variant="body2"
                  component="blockquote"
                  className={classes.comment}
                >
                  {event.comment}
                </Typography>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
