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
  PROBE_IGNORE_ANNOTATION,
  ProbeEnvironmentResult,
  ProbeIgnoreSummary,
  ProbeResult,
} from '@env-parity/plugin-env-parity-common';
import { BodyView } from './BodyView';
import { StatusChip } from './StatusChip';

const useStyles = makeStyles(theme => ({
  // as many columns of at least 300 px as fit, the rest wrapped below: no
  // environment ever starts off-screen behind a horizontal scroll
  columns: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 300px), 1fr))',
    gap: theme.spacing(2),
    alignItems: 'stretch',
    paddingBottom: theme.spacing(1),
  },
  column: {
    minWidth: 0,
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
  flag: {
    marginLeft: theme.spacing(1),
    fontFamily: theme.typography.fontFamily,
    fontSize: theme.typography.caption.fontSize,
    fontWeight: theme.typography.fontWeightMedium as number,
    whiteSpace: 'nowrap',
  },
  ignored: {
    color: theme.palette.text.secondary,
  },
}));

/** Where the fields expected to differ come from, for the ignored lists. */
const IGNORE_HELP = `Expected to differ: set in envParity.probe.ignore or the entity annotation ${PROBE_IGNORE_ANNOTATION}; not counted as differences.`;

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

/**
 * The differences found in fields expected to differ, listed apart like
 * the configuration keys ignored as expected on the tab.
 */
function IgnoredDifferences(props: {
  entries: ProbeDiffEntry[];
  referenceTitle: string;
}) {
  const classes = useStyles();
  const { entries, referenceTitle } = props;
  const n = entries.length;
  return (
    <Box className={classes.ignored} data-testid="probe-ignored">
      <Typography variant="body2" color="textSecondary">
        {n} {n === 1 ? 'difference' : 'differences'} ignored (expected to
        differ):
      </Typography>
      <ul
        className={classes.entries}
        aria-label={`Ignored differences from ${referenceTitle}`}
      >
        {entries.map((entry, i) => (
          <li key={i} data-kind={entry.kind}>
            <Typography
              variant="body2"
              color="textSecondary"
              className={classes.mono}
            >
              {entryText(entry)}
            </Typography>
          </li>
        ))}
      </ul>
      <Typography variant="caption" color="textSecondary">
        {IGNORE_HELP}
      </Typography>
    </Box>
  );
}

function Differences(props: {
  comparison: ProbeComparison;
  referenceTitle: string;
}) {
  const classes = useStyles();
  const { comparison, referenceTitle } = props;
  const ignored = comparison.ignored?.length ? (
    <IgnoredDifferences
      entries={comparison.ignored}
      referenceTitle={referenceTitle}
    />
  ) : null;
  if (comparison.same) {
    return (
      <Box>
        <Typography variant="body2" data-testid="probe-same">
          Same as {referenceTitle}
        </Typography>
        {ignored}
      </Box>
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
      {ignored}
    </Box>
  );
}

/** Ignore list entries that could not be read: named, not applied. */
function IgnoreNotes(props: { ignore?: ProbeIgnoreSummary }) {
  const classes = useStyles();
  const invalid = props.ignore?.invalid ?? [];
  if (invalid.length === 0) {
    return null;
  }
  return (
    <Box mb={2}>
      <Alert severity="warning">
        Not applied: {invalid.length === 1 ? 'an entry' : 'entries'} of the
        fields expected to differ that {invalid.length === 1 ? 'is' : 'are'}{' '}
        neither a JSON path (such as $.build.time) nor a header name.
        <ul className={classes.entries} aria-label="Ignore entries not applied">
          {invalid.map((item, i) => (
            <li key={i}>
              <span className={classes.mono}>{item.entry}</span> (
              {item.source === 'annotation'
                ? `annotation ${PROBE_IGNORE_ANNOTATION}`
                : 'envParity.probe.ignore'}
              ): {item.message}
            </li>
          ))}
        </ul>
      </Alert>
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
            <TableCell className={classes.headerName}>
              <span>{name}</span>
              {props.differing.has(name) && (
                <span className={classes.flag}>differs</span>
              )}
            </TableCell>
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
  ignore?: string[];
}) {
  const classes = useStyles();
  const { result, reference, comparison, ignore } = props;
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
          {statusDiffers && <span className={classes.flag}>differs</span>}
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
          <BodyView result={result} reference={reference} ignore={ignore} />
        </>
      )}
    </Paper>
  );
}

/**
 * Each environment's answer side by side, the reference's first, each other
 * compared with it: what differs is listed and highlighted (with a word,
 * never by colour alone); differences in fields expected to differ are
 * listed as ignored.
 */
export function ProbeResults(props: { result: ProbeResult }) {
  const classes = useStyles();
  const { result } = props;
  const reference = result.environments.find(
    e => e.environment === result.reference,
  );
  const ignore = result.ignore?.fields;
  const ordered = reference
    ? [reference, ...result.environments.filter(e => e !== reference)]
    : result.environments;
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
      <IgnoreNotes ignore={result.ignore} />
      <div className={classes.columns}>
        {ordered.map(env => (
          <Column
            key={env.environment}
            result={env}
            reference={reference}
            ignore={ignore}
            comparison={
              reference && env !== reference
                ? compareProbeResults(reference, env, { ignore })
                : undefined
            }
          />
        ))}
      </div>
    </Box>
  );
}
