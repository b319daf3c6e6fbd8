import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import { statusLabel } from './errors';

/**
 * What a status means to the reader: waiting for someone, under way, done
 * well, gone wrong, refused, or over without harm.
 */
export type StatusTone =
  | 'waiting'
  | 'underway'
  | 'good'
  | 'failed'
  | 'refused'
  | 'over';

const useStyles = makeStyles(theme => ({
  waiting: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.getContrastText(theme.palette.warning.main),
  },
  // the dark shades: white on info.main (3.1:1) or error.main (3.7:1)
  // misses 4.5:1 for the chip's small text
  underway: {
    backgroundColor: theme.palette.info.dark,
    color: theme.palette.getContrastText(theme.palette.info.dark),
  },
  good: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.getContrastText(theme.palette.success.main),
  },
  failed: {
    backgroundColor: theme.palette.error.dark,
    color: theme.palette.getContrastText(theme.palette.error.dark),
  },
  refused: {
    borderColor: theme.palette.error.main,
    color: theme.palette.error.main,
  },
  over: {},
}));

/**
 * A status as a small chip coloured by its tone; filled while it matters,
 * outlined once it is over. Access requests and alignments both use it,
 * each with its own status-to-tone table.
 */
export function StatusChip(props: { status: string; tone: StatusTone }) {
  const classes = useStyles();
  const { status, tone } = props;
  const outlined = tone === 'refused' || tone === 'over';
  return (
    <Chip
      size="small"
      variant={outlined ? 'outlined' : 'default'}
      className={classes[tone]}
      label={statusLabel(status)}
      data-status={status}
    />
  );
}
