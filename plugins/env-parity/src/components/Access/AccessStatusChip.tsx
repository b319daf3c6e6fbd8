import Chip from '@material-ui/core/Chip';
import { makeStyles } from '@material-ui/core/styles';
import { AccessRequestStatus } from '@env-parity/plugin-env-parity-common';
import { statusLabel } from './format';

const useStyles = makeStyles(theme => ({
  pending: {
    backgroundColor: theme.palette.warning.main,
    color: theme.palette.getContrastText(theme.palette.warning.main),
  },
  approved: {
    backgroundColor: theme.palette.info.main,
    color: theme.palette.getContrastText(theme.palette.info.main),
  },
  active: {
    backgroundColor: theme.palette.success.main,
    color: theme.palette.getContrastText(theme.palette.success.main),
  },
  failed: {
    backgroundColor: theme.palette.error.main,
    color: theme.palette.getContrastText(theme.palette.error.main),
  },
  denied: {
    borderColor: theme.palette.error.main,
    color: theme.palette.error.main,
  },
  over: {},
}));

/** The status of an access request, coloured by what it means. */
export function AccessStatusChip(props: { status: AccessRequestStatus }) {
  const classes = useStyles();
  const { status } = props;
  let className = classes.over;
  let variant: 'default' | 'outlined' = 'outlined';
  switch (status) {
    case 'pending':
      className = classes.pending;
      variant = 'default';
      break;
    case 'approved':
      className = classes.approved;
      variant = 'default';
      break;
    case 'active':
      className = classes.active;
      variant = 'default';
      break;
    case 'provisioning-failed':
      className = classes.failed;
      variant = 'default';
      break;
    case 'denied':
      className = classes.denied;
      break;
    default:
      break;
  }
  return (
    <Chip
      size="small"
      variant={variant}
      className={className}
      label={statusLabel(status)}
      data-status={status}
    />
  );
}
