import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import { ProbeEnvironmentResult } from '@env-parity/plugin-env-parity-common';

const useStyles = makeStyles(theme => ({
  success: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.getContrastText(theme.palette.success.main),
  },
  info: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.getContrastText(theme.palette.info.main),
  },
  warning: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.getContrastText(theme.palette.warning.main),
  },
  error: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.getContrastText(theme.palette.error.main),
  },
}));

const REASONS: Record<string, string> = {
  'not-allowed': 'refused',
  invalid: 'invalid URL',
  timeout: 'timed out',
  'body-too-large': 'too large',
  dns: 'DNS error',
  network: 'network error',
  aborted: 'aborted',
};

/** The status of one environment's answer, coloured by class. */
export function StatusChip(props: { result: ProbeEnvironmentResult }) {
  const classes = useStyles();
  const { result } = props;
  if (result.error || result.status === undefined) {
    return (
      <Chip
        size="small"
        className={classes.error}
        label={REASONS[result.error?.reason ?? ''] ?? 'no answer'}
        data-status="error"
      />
    );
  }
  const { status } = result;
  let tone: keyof ReturnType<typeof useStyles> = 'error';
  if (status < 300) {
    tone = 'success';
  } else if (status < 400) {
    tone = 'info';
  } else if (status < 500) {
    tone = 'warning';
  }
  return (
    <Chip
      size="small"
      className={classes[tone]}
      label={`${status}${result.statusText ? ` ${result.statusText}` : ''}`}
      data-status={status}
    />
  );
}
