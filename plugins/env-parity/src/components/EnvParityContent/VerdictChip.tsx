import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import CheckCircleIcon from '@material-ui/icons/CheckCircle';
import ErrorIcon from '@material-ui/icons/Error';
import HelpIcon from '@material-ui/icons/Help';
import WarningIcon from '@material-ui/icons/Warning';
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

/** A shape per tone, so that the colour is never the only cue. */
const ICONS: Record<Tone, typeof CheckCircleIcon> = {
  good: CheckCircleIcon,
  warning: WarningIcon,
  bad: ErrorIcon,
  neutral: HelpIcon,
};

const useStyles = makeStyles(theme => ({
  // a long verdict wraps rather than being cut ("same build, configuratio…")
  chip: {
    height: 'auto',
    minHeight: 24,
    maxWidth: '100%',
  },
  label: {
    whiteSpace: 'normal',
    overflowWrap: 'break-word',
    paddingTop: 2,
    paddingBottom: 2,
  },
  icon: {
    color: 'inherit',
  },
  good: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.getContrastText(theme.palette.success.main),
  },
  warning: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.getContrastText(theme.palette.warning.main),
  },
  // error.main under white text is 3.7:1; the darker shade passes 4.5:1
  bad: {
    backgroundColor: theme.palette.error.dark,
    color: theme.palette.getContrastText(theme.palette.error.dark),
  },
  neutral: {
    backgroundColor: theme.palette.grey[500],
    color: theme.palette.getContrastText(theme.palette.grey[500]),
  },
}));

/**
 * A verdict as a chip: its words, an icon of its tone and a colour (green
 * in sync, amber drifting, red behind or a different build, grey unknown).
 * Long verdicts wrap.
 */
export function VerdictChip(props: {
  verdict: Verdict;
  size?: 'small' | 'medium';
}) {
  const classes = useStyles();
  const tone = TONES[props.verdict] ?? 'neutral';
  const Icon = ICONS[tone];
  return (
    <Chip
      label={verdictLabel(props.verdict) ?? props.verdict}
      size={props.size ?? 'small'}
      icon={<Icon aria-hidden data-tone={tone} className={classes.icon} />}
      className={`${classes.chip} ${classes[tone]}`}
      classes={{ label: classes.label }}
      data-verdict={props.verdict}
    />
  );
}
