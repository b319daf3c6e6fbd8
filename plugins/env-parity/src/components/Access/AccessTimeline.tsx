import AlarmIcon from '@material-ui/icons/Alarm';
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
  AccessRequestStatus,
} from '@env-parity/plugin-env-parity-common';
import { StepSpec, Timeline } from '../shared/Timeline';
import { AccessStatusChip } from './AccessStatusChip';
import { formatDuration } from './format';

export { Actor } from '../shared/Timeline';

const EVENTS: Record<AccessEventType, StepSpec> = {
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
  return (
    <Timeline<AccessRequestStatus>
      steps={props.events.map(event => ({
        key: event.id,
        type: event.type,
        actor: event.actor,
        fromStatus: event.fromStatus,
        toStatus: event.toStatus,
        comment: event.comment,
        facts: eventFacts(event),
        at: event.at,
        order: event.id,
      }))}
      specOf={type => EVENTS[type as AccessEventType]}
      chip={status => <AccessStatusChip status={status} />}
    />
  );
}
