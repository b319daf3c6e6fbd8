import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { ReportEnvironment } from '@env-parity/plugin-env-parity-common';
import { exactTime, relativeTime } from './format';

/**
 * The status of one environment: whether its data is current, and why not.
 */
export function EnvironmentStatus(props: {
  environment: ReportEnvironment;
  now: number;
}) {
  const { environment: env, now } = props;
  let status: JSX.Element;
  switch (env.status) {
    case 'ok':
      status = <StatusOK>OK</StatusOK>;
      break;
    case 'stale':
      status = <StatusWarning>Stale</StatusWarning>;
      break;
    case 'error':
      status = <StatusError>Error</StatusError>;
      break;
    case 'missing':
    default:
      status = <StatusPending>No data</StatusPending>;
  }
  return (
    <Box>
      {status}
      {env.status === 'stale' && (
        <Typography variant="caption" component="div" color="textSecondary">
          showing last good data
          {env.observedAt && (
            <>
              {' from '}
              <Tooltip title={exactTime(env.observedAt)}>
                <span>{relativeTime(env.observedAt, now)}</span>
              </Tooltip>
            </>
          )}
        </Typography>
      )}
      {env.status === 'missing' && !env.error && (
        <Typography variant="caption" component="div" color="textSecondary">
          no provider reported a deployment
        </Typography>
      )}
      {env.error && (
        <Typography
          variant="caption"
          component="div"
          color="error"
          style={{ whiteSpace: 'pre-line' }}
        >
          {env.error}
        </Typography>
      )}
    </Box>
  );
}
