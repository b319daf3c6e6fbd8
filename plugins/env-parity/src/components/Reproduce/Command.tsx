import { CopyTextButton } from '@backstage/core-components';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  command: {
    display: 'flex',
    alignItems: 'center',
    gap: theme.spacing(1),
    marginTop: theme.spacing(0.5),
  },
  file: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: theme.spacing(1),
    marginTop: theme.spacing(1),
  },
  pre: {
    flex: 1,
    margin: 0,
    padding: theme.spacing(1),
    fontFamily: 'monospace',
    fontSize: '0.85rem',
    backgroundColor: theme.palette.background.default,
    borderRadius: theme.shape.borderRadius,
    overflowX: 'auto',
    whiteSpace: 'pre',
  },
}));

/** A command (or a file, `pre`) to copy, named by `label`, with its copy button. */
export function Command(props: {
  command: string;
  label: string;
  pre?: boolean;
}) {
  const classes = useStyles();
  return (
    <div className={props.pre ? classes.file : classes.command}>
      {/* a long command scrolls sideways: the keyboard reaches it */}
      {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
      <pre className={classes.pre} aria-label={props.label} tabIndex={0}>
        {props.command}
      </pre>
      <CopyTextButton
        text={props.command}
        tooltipText="Command copied to clipboard"
        aria-label={`Copy: ${props.label}`}
      />
    </div>
  );
}
