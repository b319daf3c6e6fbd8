import { useMemo } from 'react';
import Typography from '@material-ui/core/Typography';
import { alpha, makeStyles } from '@material-ui/core/styles';
import {
  diffLines,
  prettyProbeBody,
  ProbeEnvironmentResult,
} from '@env-parity/plugin-env-parity-common';

const MAX_LINES = 1000;

const useStyles = makeStyles(theme => ({
  pre: {
    margin: 0,
    padding: theme.spacing(1),
    maxHeight: 400,
    overflow: 'auto',
    fontFamily: 'monospace',
    fontSize: '0.8rem',
    backgroundColor: theme.palette.background.default,
    borderRadius: theme.shape.borderRadius,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
  },
  line: {
    display: 'block',
    minHeight: '1em',
  },
  differs: {
    backgroundColor: alpha(theme.palette.warning.main, 0.25),
  },
}));

/**
 * A response body: JSON pretty-printed, text as is; with a reference, the
 * lines the reference does not have are highlighted.
 */
export function BodyView(props: {
  result: ProbeEnvironmentResult;
  reference?: ProbeEnvironmentResult;
}) {
  const classes = useStyles();
  const { result, reference } = props;
  const text = prettyProbeBody(result);
  const lines = useMemo(() => {
    if (text === undefined) {
      return [];
    }
    if (!reference || reference === result) {
      return text.split('\n').map(line => ({ text: line, differs: false }));
    }
    return diffLines(prettyProbeBody(reference) ?? '', text)
      .filter(op => op.type !== 'removed')
      .map(op => ({ text: op.text, differs: op.type === 'added' }));
  }, [text, reference, result]);

  if (result.bodyType === 'binary') {
    return (
      <Typography variant="body2" color="textSecondary">
        Binary body, {result.bodyBytes} bytes (not shown)
      </Typography>
    );
  }
  if (text === undefined) {
    return (
      <Typography variant="body2" color="textSecondary">
        No body
      </Typography>
    );
  }
  return (
    <pre className={classes.pre} aria-label={`${result.title} body`}>
      {lines.slice(0, MAX_LINES).map((line, i) => (
        <span
          key={i}
          className={`${classes.line} ${line.differs ? classes.differs : ''}`}
          data-differs={line.differs || undefined}
        >
          {line.text}
        </span>
      ))}
      {lines.length > MAX_LINES && (
        <span className={classes.line}>
          … {lines.length - MAX_LINES} more lines
        </span>
      )}
    </pre>
  );
}
