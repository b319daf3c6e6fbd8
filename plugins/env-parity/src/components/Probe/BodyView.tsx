import { useMemo } from 'react';
import Typography from '@material-ui/core/Typography';
import { alpha, makeStyles } from '@material-ui/core/styles';
import {
  comparableReferenceBody,
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
  // a gutter, where a differing line is marked with a sign besides its colour
  line: {
    display: 'block',
    position: 'relative',
    minHeight: '1em',
    paddingLeft: '1.5em',
  },
  differs: {
    backgroundColor: alpha(theme.palette.warning.main, 0.25),
    '&::before': {
      content: '"≠"',
      position: 'absolute',
      left: '0.25em',
      fontWeight: 'bold',
    },
  },
  legend: {
    display: 'block',
    marginTop: theme.spacing(0.5),
  },
}));

/**
 * A response body: JSON pretty-printed, text as is; with a reference, the
 * lines the reference does not have are highlighted.
 */
export function BodyView(props: {
  result: ProbeEnvironmentResult;
  reference?: ProbeEnvironmentResult;
  /** Fields expected to differ: their lines are not highlighted. */
  ignore?: string[];
}) {
  const classes = useStyles();
  const { result, reference, ignore } = props;
  const text = prettyProbeBody(result);
  const lines = useMemo(() => {
    if (text === undefined) {
      return [];
    }
    if (!reference || reference === result) {
      return text.split('\n').map(line => ({ text: line, differs: false }));
    }
    return diffLines(
      comparableReferenceBody(reference, result, ignore) ?? '',
      text,
    )
      .filter(op => op.type !== 'removed')
      .map(op => ({ text: op.text, differs: op.type === 'added' }));
  }, [text, reference, result, ignore]);
  const differing = lines.some(line => line.differs);

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
    <div>
      <pre
        className={classes.pre}
        // it scrolls: a named region in the tab order, so that the keyboard
        // can scroll it too (WCAG 2.1.1)
        role="region"
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        tabIndex={0}
        aria-label={`${result.title} body`}
      >
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
      {differing && reference && (
        <Typography
          variant="caption"
          color="textSecondary"
          className={classes.legend}
        >
          ≠ marks the lines that differ from {reference.title}
        </Typography>
      )}
    </div>
  );
}
