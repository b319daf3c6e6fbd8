import { CopyTextButton } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';

const useStyles = makeStyles(theme => ({
  text: {
    margin: 0,
    fontFamily: 'monospace',
    fontSize: theme.typography.body2.fontSize,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
  },
}));

/** How to use a granted access, as the backend rendered it. */
export function Instructions(props: { text: string }) {
  const classes = useStyles();
  return (
    <Alert
      severity="success"
      icon={false}
      role="region"
      aria-label="How to use this access"
      action={
        <CopyTextButton
          text={props.text}
          tooltipText="Copied"
          aria-label="Copy instructions"
        />
      }
    >
      <AlertTitle>How to use this access</AlertTitle>
      <Box component="pre" className={classes.text}>
        {props.text}
      </Box>
      <Typography variant="caption" color="textSecondary">
        Read-only. Everything you do is attributed to you.
      </Typography>
    </Alert>
  );
}
