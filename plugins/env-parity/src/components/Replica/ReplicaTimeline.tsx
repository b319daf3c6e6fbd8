import AddCircleOutlineIcon from '@material-ui/icons/AddCircleOutline';
import AlarmIcon from '@material-ui/icons/Alarm';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import DeleteIcon from '@material-ui/icons/Delete';
import ErrorIcon from '@material-ui/icons/Error';
import SendIcon from '@material-ui/icons/Send';
import TimerOffIcon from '@material-ui/icons/TimerOff';
import UpdateIcon from '@material-ui/icons/Update';
import {
  ReplicaStatus,
  ReplicaStep,
} from '@env-parity/plugin-env-parity-common';
import { StepSpec, Timeline } from '../shared/Timeline';
import { ReplicaStatusChip } from './ReplicaStatusChip';
import { stepComment } from './format';

const STEPS: Record<ReplicaStep['type'], StepSpec> = {
  requested: {
    label: 'launched the replica',
    icon: <SendIcon />,
    tone: 'neutral',
  },
  created: {
    label: 'created the workloads',
    icon: <AddCircleOutlineIcon />,
    tone: 'neutral',
  },
  ready: {
    label: 'observed every pod ready on production’s digests',
    icon: <CheckCircleIcon />,
    tone: 'good',
  },
  failed: { label: 'saw it fail', icon: <ErrorIcon />, tone: 'bad' },
  extended: { label: 'extended it', icon: <UpdateIcon />, tone: 'neutral' },
  expiring: {
    label: 'warned that it expires soon',
    icon: <AlarmIcon />,
    tone: 'warn',
  },
  expired: {
    label: 'removed it on expiry',
    icon: <TimerOffIcon />,
    tone: 'neutral',
  },
  deleted: { label: 'deleted it', icon: <DeleteIcon />, tone: 'neutral' },
};

/** The status a step moves a replica to, for the steps that move it. */
const TO_STATUS: Partial<Record<ReplicaStep['type'], ReplicaStatus>> = {
  requested: 'creating',
  ready: 'ready',
  failed: 'failed',
  expired: 'expired',
  deleted: 'deleted',
};

/**
 * Every step of a replica, oldest first: who launched it and why, its
 * creation, readiness or failure, extensions, the expiry warning and its end.
 */
export function ReplicaTimeline(props: { steps: ReplicaStep[] }) {
  return (
    <Timeline<ReplicaStatus>
      steps={props.steps.map((step, index) => ({
        key: index,
        type: step.type,
        actor: step.actor,
        toStatus: TO_STATUS[step.type],
        comment: step.comment && stepComment(step.comment),
        facts: [],
        at: step.at,
        order: index,
      }))}
      specOf={type => STEPS[type as ReplicaStep['type']]}
      chip={status => <ReplicaStatusChip status={status} />}
    />
  );
}
