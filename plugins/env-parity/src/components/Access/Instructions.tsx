import { CopyTextButton } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { exactTime } from '../EnvParityContent/format';

const useStyles = makeStyles(theme => ({
  text: {
    margin: 0,
    fontFamily: 'monospace',
    fontSize: theme.typography.body2.fontSize,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
  },
}));

/**
 * How to use a granted access: the command the backend rendered from
 * `envParity.access.instructions` (copied alone, so that it runs in a
 * terminal as it is), and when the access ends, in the user's locale.
 */
export function Instructions(props: { text: string; expiresAt?: string }) {
  const classes = useStyles();
  return (
    <Alert
      severity="success"
      icon={false}
      role="region"
      aria-label="How to use this access"
      action={
        <CopyTextButton
          text={props.text.trim()}
          tooltipText="Command copied to clipboard"
          aria-label="Copy the command"
        />
      }
    >
      <AlertTitle>How to use this access</AlertTitle>
      <Box component="pre" className={classes.text}>
        {props.text}
      </Box>
      <Typography variant="caption" color="textSecondary">
        Read-only
        {props.expiresAt ? ` until ${exactTime(props.expiresAt)}` : ''}.
        Everything you do is attributed to you.
      </Typography>
    </Alert>
  );
}
