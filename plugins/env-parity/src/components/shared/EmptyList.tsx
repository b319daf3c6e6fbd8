import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  empty: {
    padding: theme.spacing(4, 2),
    maxWidth: 640,
    margin: '0 auto',
    textAlign: 'center',
  },
}));

/** What an empty list says: what would be here, and how it gets here. */
export function EmptyList(props: { title: string; text: string }) {
  const classes = useStyles();
  return (
    <div className={classes.empty}>
      <Typography variant="h6" component="p" gutterBottom>
        {props.title}
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {props.text}
      </Typography>
    </div>
  );
}
