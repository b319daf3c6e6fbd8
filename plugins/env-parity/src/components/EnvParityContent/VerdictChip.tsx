import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import { Verdict, verdictLabel } from '@env-parity/plugin-env-parity-common';

type Tone = 'good' | 'warning' | 'bad' | 'neutral';

const TONES: Record<Verdict, Tone> = {
  'in-sync': 'good',
  'config-drift': 'warning',
  ahead: 'warning',
  different: 'warning',
  behind: 'bad',
  diverged: 'bad',
  'tag-mismatch': 'bad',
  unknown: 'neutral',
};

const useStyles = makeStyles(theme => ({
  good: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.getContrastText(theme.palette.success.main),
  },
  warning: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.getContrastText(theme.palette.warning.main),
  },
  bad: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.getContrastText(theme.palette.error.main),
  },
  neutral: {
    backgroundColor: theme.palette.grey[500],
    color: theme.palette.getContrastText(theme.palette.grey[500]),
  },
}));

/**
 * A verdict as a coloured chip: green in sync, amber drifting, red behind or
 * a different build, grey unknown.
 */
export function VerdictChip(props: {
  verdict: Verdict;
  size?: 'small' | 'medium';
}) {
  const classes = useStyles();
  const tone = TONES[props.verdict] ?? 'neutral';
  return (
    <Chip
      label={verdictLabel(props.verdict) ?? props.verdict}
      size={props.size ?? 'small'}
      className={classes[tone]}
      data-verdict={props.verdict}
    />
  );
}
