import BlockIcon from '@material-ui/icons/Block';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import HourglassEmptyIcon from '@material-ui/icons/HourglassEmpty';
import SendIcon from '@material-ui/icons/Send';
import SyncIcon from '@material-ui/icons/Sync';
import UndoIcon from '@material-ui/icons/Undo';
import VisibilityIcon from '@material-ui/icons/Visibility';
import VerifiedUserIcon from '@material-ui/icons/VerifiedUser';
import {
  AlignmentStatus,
  AlignmentStep,
} from '@env-parity/plugin-env-parity-common';
import { StepSpec, Timeline } from '../shared/Timeline';
import { AlignmentStatusChip } from './AlignmentStatusChip';
import { stepFacts } from './format';

const STEPS: Record<AlignmentStep['type'], StepSpec> = {
  requested: {
    label: 'asked to align with production',
    icon: <SendIcon />,
    tone: 'neutral',
  },
  approved: { label: 'approved', icon: <CheckCircleIcon />, tone: 'good' },
  denied: { label: 'denied', icon: <BlockIcon />, tone: 'bad' },
  cancelled: { label: 'cancelled', icon: <UndoIcon />, tone: 'neutral' },
  dispatched: {
    label: 'called the deployer',
    icon: <SyncIcon />,
    tone: 'neutral',
  },
  verifying: {
    label: 'is waiting to observe the deployment',
    icon: <VisibilityIcon />,
    tone: 'neutral',
  },
  aligned: {
    label: 'observed the environment running production’s artifact',
    icon: <VerifiedUserIcon />,
    tone: 'good',
  },
  failed: { label: 'failed', icon: <ErrorIcon />, tone: 'bad' },
  'timed-out': {
    label: 'did not observe the deployment in time',
    icon: <HourglassEmptyIcon />,
    tone: 'bad',
  },
};

/**
 * Every step of an alignment, oldest first: who asked, who decided, the
 * deployer's call and the observation that verified it (or why it failed).
 */
export function AlignmentTimeline(props: { steps: AlignmentStep[] }) {
  return (
    <Timeline<AlignmentStatus>
      steps={props.steps.map((step, index) => ({
        key: index,
        type: step.type,
        actor: step.actor,
        fromStatus: step.fromStatus,
        toStatus: step.toStatus,
        comment: step.comment,
        facts: stepFacts(step),
        at: step.at,
        order: index,
      }))}
      specOf={type => STEPS[type as AlignmentStep['type']]}
      chip={status => <AlignmentStatusChip status={status} />}
    />
  );
}
