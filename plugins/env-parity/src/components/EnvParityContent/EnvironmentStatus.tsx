import {
  StatusError,
  StatusOK,
  StatusPending,
  StatusWarning,
} from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ErrorOutline from '@material-ui/icons/ErrorOutline';
import {
  ProviderFailure,
  ReportEnvironment,
} from '@env-parity/plugin-env-parity-common';
import { exactTime, relativeTime } from './format';

const useStyles = makeStyles(theme => ({
  // Backstage's Status components hide themselves from screen readers
  visuallyHidden: {
    position: 'absolute',
    width: 1,
    height: 1,
    padding: 0,
    margin: -1,
    overflow: 'hidden',
    clip: 'rect(0 0 0 0)',
    whiteSpace: 'nowrap',
    border: 0,
  },
  failures: {
    listStyle: 'none',
    margin: theme.spacing(0.5, 0, 0),
    padding: 0,
  },
  failure: {
    display: 'flex',
    alignItems: 'baseline',
    gap: theme.spacing(0.5),
  },
  failureIcon: {
    flexShrink: 0,
    position: 'relative',
    top: '0.125em',
  },
}));

const listFormat = new Intl.ListFormat('en', {
  style: 'long',
  type: 'conjunction',
});

function statusOf(env: ReportEnvironment): {
  label: string;
  icon: JSX.Element;
} {
  switch (env.status) {
    case 'ok':
      // what came is current, but a provider failed: not "OK"
      return env.partial
        ? {
            label: 'Partial data',
            icon: <StatusWarning>Partial data</StatusWarning>,
          }
        : { label: 'OK', icon: <StatusOK>OK</StatusOK> };
    case 'stale':
      return { label: 'Stale', icon: <StatusWarning>Stale</StatusWarning> };
    case 'error':
      return { label: 'Error', icon: <StatusError>Error</StatusError> };
    case 'missing':
    default:
      return {
        label: 'No data',
        icon: <StatusPending>No data</StatusPending>,
      };
  }
}

function Time(props: { iso: string; now: number }) {
  return (
    <Tooltip title={exactTime(props.iso)}>
      <span>{relativeTime(props.iso, props.now)}</span>
    </Tooltip>
  );
}

/** One line per failed provider: what failed, why, and when it last answered. */
function Failures(props: {
  environment: ReportEnvironment;
  failures: ProviderFailure[];
  now: number;
}) {
  const classes = useStyles();
  const { environment: env, failures, now } = props;
  return (
    <ul
      className={classes.failures}
      aria-label={`Failed providers in ${env.title}`}
    >
      {failures.map(failure => (
        <Typography
          key={failure.provider}
          component="li"
          variant="caption"
          className={classes.failure}
        >
          {/* a red icon; the words say it failed (red text lacks contrast) */}
          <ErrorOutline
            aria-hidden
            color="error"
            fontSize="inherit"
            className={classes.failureIcon}
          />
          <span>
            {failure.provider} failed: {failure.error};{' '}
            {failure.lastAnsweredAt ? (
              <>
                last answered <Time iso={failure.lastAnsweredAt} now={now} />
              </>
            ) : (
              'no successful answer on record'
            )}
          </span>
        </Typography>
      ))}
    </ul>
  );
}

/**
 * The status of one environment: whether its data is current and complete,
 * and why not.
 */
export function EnvironmentStatus(props: {
  environment: ReportEnvironment;
  now: number;
}) {
  const classes = useStyles();
  const { environment: env, now } = props;
  const status = statusOf(env);
  const answered = env.deployment?.providers ?? [];
  return (
    <Box>
      <span className={classes.visuallyHidden}>Status: {status.label}</span>
      {status.icon}
      {env.status === 'stale' && (
        <Typography variant="caption" component="div" color="textSecondary">
          showing last good data
          {env.observedAt && (
            <>
              {' from '}
              <Time iso={env.observedAt} now={now} />
            </>
          )}
        </Typography>
      )}
      {env.status === 'ok' && env.partial && answered.length > 0 && (
        <Typography variant="caption" component="div" color="textSecondary">
          showing what {listFormat.format(answered)} reported
        </Typography>
      )}
      {env.status === 'missing' && !env.error && (
        <Typography variant="caption" component="div" color="textSecondary">
          no provider reported a deployment
        </Typography>
      )}
      {env.failures?.length ? (
        <Failures environment={env} failures={env.failures} now={now} />
      ) : (
        // a backend older than the failures list
        env.error && (
          <Typography
            variant="caption"
            component="div"
            color="error"
            style={{ whiteSpace: 'pre-line' }}
          >
            {env.error}
          </Typography>
        )
      )}
    </Box>
  );
}
