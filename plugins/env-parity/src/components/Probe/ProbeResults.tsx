import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { alpha, makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  compareProbeResults,
  ProbeComparison,
  ProbeDiffEntry,
  ProbeEnvironmentResult,
  ProbeResult,
} from '@env-parity/plugin-env-parity-common';
import { BodyView } from './BodyView';
import { StatusChip } from './StatusChip';

const useStyles = makeStyles(theme => ({
  columns: {
    display: 'flex',
    gap: theme.spacing(2),
    overflowX: 'auto',
    alignItems: 'stretch',
    paddingBottom: theme.spacing(1),
  },
  column: {
    flex: '1 0 320px',
    minWidth: 320,
    padding: theme.spacing(1.5),
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  },
  header: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  },
  mono: {
    fontFamily: 'monospace',
    overflowWrap: 'anywhere',
  },
  headerName: {
    fontFamily: 'monospace',
    width: '40%',
    verticalAlign: 'top',
    overflowWrap: 'anywhere',
  },
  headerValue: {
    fontFamily: 'monospace',
    verticalAlign: 'top',
    overflowWrap: 'anywhere',
  },
  differs: {
    backgroundColor: alpha(theme.palette.warning.main, 0.25),
  },
  entries: {
    margin: 0,
    paddingLeft: theme.spacing(2.5),
  },
}));

function entryText(entry: ProbeDiffEntry): string {
  const where = entry.kind === 'header' ? `header ${entry.path}` : entry.path;
  switch (entry.change) {
    case 'added':
      return `${where}: only here (${entry.environment})`;
    case 'removed':
      return `${where}: missing (reference has ${entry.reference})`;
    default:
      return `${where}: ${entry.reference} → ${entry.environment}`;
  }
}

function Differences(props: {
  comparison: ProbeComparison;
  referenceTitle: string;
}) {
  const classes = useStyles();
  const { comparison, referenceTitle } = props;
  if (comparison.same) {
    return (
      <Typography variant="body2" data-testid="probe-same">
        Same as {referenceTitle}
      </Typography>
    );
  }
  return (
    <Box>
      <Typography variant="subtitle2">Differs from {referenceTitle}</Typography>
      <ul
        className={classes.entries}
        aria-label={`Differences from ${referenceTitle}`}
      >
        {comparison.entries.map((entry, i) => (
          <li key={i} data-kind={entry.kind}>
            <Typography variant="body2" className={classes.mono}>
              {entryText(entry)}
            </Typography>
          </li>
        ))}
        {comparison.truncated && (
          <li>
            <Typography variant="body2" color="textSecondary">
              … and more
            </Typography>
          </li>
        )}
      </ul>
    </Box>
  );
}

function Headers(props: {
  result: ProbeEnvironmentResult;
  differing: Set<string>;
}) {
  const classes = useStyles();
  const entries = Object.entries(props.result.headers ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  );
  if (entries.length === 0) {
    return null;
  }
  return (
    <Table size="small" aria-label={`${props.result.title} headers`}>
      <TableBody>
        {entries.map(([name, value]) => (
          <TableRow
            key={name}
            className={props.differing.has(name) ? classes.differs : undefined}
            data-differs={props.differing.has(name) || undefined}
          >
            <TableCell className={classes.headerName}>{name}</TableCell>
            <TableCell className={classes.headerValue}>{value}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

function Column(props: {
  result: ProbeEnvironmentResult;
  reference?: ProbeEnvironmentResult;
  comparison?: ProbeComparison;
}) {
  const classes = useStyles();
  const { result, reference, comparison } = props;
  const differing = new Set(
    (comparison?.entries ?? [])
      .filter(e => e.kind === 'header')
      .map(e => e.path),
  );
  const statusDiffers = comparison?.entries.some(
    e => e.kind === 'status' || e.kind === 'error',
  );
  return (
    <Paper
      variant="outlined"
      className={classes.column}
      role="region"
      aria-label={`${result.title} answer`}
    >
      <div className={classes.header}>
        <Typography variant="subtitle1" component="h3">
          {result.title}
        </Typography>
        {result.reference && (
          <Chip size="small" variant="outlined" label="reference" />
        )}
        <span
          className={statusDiffers ? classes.differs : undefined}
          data-differs={statusDiffers || undefined}
        >
          <StatusChip result={result} />
        </span>
        {result.latencyMs !== undefined && (
          <Typography variant="body2" color="textSecondary">
            {result.latencyMs} ms
          </Typography>
        )}
      </div>
      {result.url && (
        <Typography
          variant="caption"
          color="textSecondary"
          className={classes.mono}
        >
          {result.url}
        </Typography>
      )}
      {result.error && <Alert severity="error">{result.error.message}</Alert>}
      {result.redirect && (
        <Alert severity="info">
          Redirects to{' '}
          <span className={classes.mono}>{result.redirect.location}</span> (
          {result.redirect.sameOrigin ? 'same host' : 'another host'}); not
          followed.
        </Alert>
      )}
      {comparison && reference && (
        <Differences comparison={comparison} referenceTitle={reference.title} />
      )}
      {!result.error && (
        <>
          <Headers result={result} differing={differing} />
          <BodyView result={result} reference={reference} />
        </>
      )}
    </Paper>
  );
}

/**
 * Each environment's answer side by side, each compared with the
 * reference's: what differs is listed and highlighted.
 */
export function ProbeResults(props: { result: ProbeResult }) {
  const classes = useStyles();
  const { result } = props;
  const reference = result.environments.find(
    e => e.environment === result.reference,
  );
  return (
    <Box>
      <Typography variant="body2" color="textSecondary" gutterBottom>
        <span className={classes.mono}>
          {result.method} {result.path}
        </span>{' '}
        at {new Date(result.startedAt).toLocaleTimeString()}
        {!reference &&
          ' — include the reference environment to see what differs from it'}
      </Typography>
      <div className={classes.columns}>
        {result.environments.map(env => (
          <Column
            key={env.environment}
            result={env}
            reference={reference}
            comparison={
              reference && env !== reference
                ? compareProbeResults(reference, env)
                : undefined
            }
          />
        ))}
      </div>
    </Box>
  );
}
