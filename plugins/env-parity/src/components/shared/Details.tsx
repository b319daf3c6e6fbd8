import { ReactNode, useState } from 'react';
import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogTitle from '@material-ui/core/DialogTitle';
import Divider from '@material-ui/core/Divider';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import AlertTitle from '@material-ui/lab/AlertTitle';
import { isForbidden, statusOf } from './errors';
import { NotPermitted } from './NotPermitted';
import { DecisionNotice, useDecisionNotice } from './Queue';
import { Actor } from './Timeline';
import { Time } from './Time';

/*
 * One item of a queue (an access request, an alignment) in full: its
 * header, the buttons of the decisions the caller may take and their
 * dialogs, its facts, its approvals and its timeline.
 */

const useStyles = makeStyles(theme => ({
  header: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1.5),
  },
  actions: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  },
  stack: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
  },
}));

/** The handlers a decision dialog is given by {@link useDecisionDialog}. */
export type DecisionHandlers<T> = {
  onClose: () => void;
  onDone: (item: T) => void;
  onConflict: (message: string) => void;
};

/**
 * Starts a decision (an action) on an item and renders its dialog, which
 * closes when it is done or someone else decided first.
 */
export function useDecisionDialog<T, A>(
  render: (item: T, action: A, handlers: DecisionHandlers<T>) => ReactNode,
  options: { onDone: (item: T) => void; onConflict: (message: string) => void },
) {
  const [open, setOpen] = useState<{ item: T; action: A }>();
  const dialog = open
    ? render(open.item, open.action, {
        onClose: () => setOpen(undefined),
        onDone: result => {
          setOpen(undefined);
          options.onDone(result);
        },
        onConflict: message => {
          setOpen(undefined);
          options.onConflict(message);
        },
      })
    : null;
  return {
    dialog,
    start: (item: T, action: A) => setOpen({ item, action }),
  };
}

/**
 * What shows while an item is not loaded: progress, that it does not
 * exist (`missing` is its title), that the caller may not see it, or the
 * error.
 */
export function DetailsFallback(props: {
  state: { loading: boolean; error?: Error };
  missing: string;
  what: string;
  permissions: string[];
}) {
  const { state } = props;
  if (state.loading) {
    return <Progress />;
  }
  if (state.error) {
    if (statusOf(state.error) === 404) {
      return (
        <Alert severity="warning">
          <AlertTitle>{props.missing}</AlertTitle>
          It does not exist, or you may not see it.
        </Alert>
      );
    }
    if (isForbidden(state.error)) {
      return <NotPermitted what={props.what} permissions={props.permissions} />;
    }
    return <ResponseErrorPanel error={state.error} />;
  }
  return null;
}

/** The decisions taken on an item so far. */
export function DecisionList(props: {
  title: string;
  /** What shows when nobody has decided. */
  empty: string;
  decisions: Array<{
    by: string;
    decision: string;
    at: string;
    comment?: string;
  }>;
}) {
  const { title, empty, decisions } = props;
  return (
    <div aria-label="Approvals" role="region">
      <Typography variant="subtitle2" gutterBottom>
        {title}
      </Typography>
      {decisions.length === 0 ? (
        <Typography variant="body2" color="textSecondary">
          {empty}
        </Typography>
      ) : (
        decisions.map(d => (
          <Box key={`${d.by}-${d.at}`} mb={1}>
            <Typography variant="body2">
              <Actor actor={d.by} />{' '}
              {d.decision === 'approve' ? 'approved' : 'denied'}{' '}
              <Typography
                component="span"
                variant="body2"
                color="textSecondary"
              >
                <Time at={d.at} />
              </Typography>
            </Typography>
            {d.comment && (
              <Typography variant="body2" color="textSecondary">
                “{d.comment}”
              </Typography>
            )}
          </Box>
        ))
      )}
    </div>
  );
}

/** The layout of one item in full. */
export function DetailsLayout<A extends string>(props: {
  title: ReactNode;
  status: ReactNode;
  /** Said next to the status, e.g. how far it got or its clock. */
  progress: ReactNode;
  /** The link to the item's own page, when shown. */
  pageLink?: { to: string; text: string };
  notice: ReturnType<typeof useDecisionNotice>;
  /** Alerts under the header, e.g. what went wrong. */
  alerts?: ReactNode;
  /** The decisions the caller may take, in order. */
  actions: A[];
  actionLabel: (action: A) => string;
  /** Whether an action's button is the primary one. */
  primary: (action: A) => boolean;
  onAction: (action: A) => void;
  facts: ReactNode;
  approvals: ReactNode;
  timeline: ReactNode;
  dialog: ReactNode;
}) {
  const classes = useStyles();
  const { pageLink, actions, primary } = props;
  return (
    <div className={classes.stack}>
      <div className={classes.header}>
        <Typography variant="h6" component="h2">
          {props.title}
        </Typography>
        {props.status}
        <Typography variant="body2" color="textSecondary" component="span">
          {props.progress}
        </Typography>
        {pageLink && (
          <Box ml="auto">
            <Link to={pageLink.to}>{pageLink.text}</Link>
          </Box>
        )}
      </div>
      <DecisionNotice notice={props.notice} />
      {props.alerts}
      {actions.length > 0 && (
        <div className={classes.actions}>
          {actions.map(action => (
            <Button
              key={action}
              variant={primary(action) ? 'contained' : 'outlined'}
              color={primary(action) ? 'primary' : 'secondary'}
              onClick={() => props.onAction(action)}
            >
              {props.actionLabel(action)}
            </Button>
          ))}
        </div>
      )}
      <Grid container spacing={3}>
        <Grid item xs={12} md={7}>
          {props.facts}
        </Grid>
        <Grid item xs={12} md={5}>
          {props.approvals}
        </Grid>
      </Grid>
      <Divider />
      <div>
        <Typography variant="subtitle2" component="h3" gutterBottom>
          Timeline
        </Typography>
        {props.timeline}
      </div>
      {props.dialog}
    </div>
  );
}

/** An item in full in a dialog, e.g. on the Parity tab. */
export function DetailsDialog(props: {
  open: boolean;
  /** The id of the dialog's title. */
  titleId: string;
  title: string;
  onClose: () => void;
  children: ReactNode;
}) {
  const { open, titleId, title, onClose } = props;
  return (
    <Dialog
      open={open}
      onClose={onClose}
      fullWidth
      maxWidth="md"
      aria-labelledby={titleId}
    >
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>{props.children}</DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
