import { ReactNode, useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import Alert from '@material-ui/lab/Alert';
import { errorMessage } from './errors';

/* Parts of the dialogs that ask for something (access, an alignment). */

/**
 * Which attempt at loading what a dialog needs this is: `retry` loads it
 * again, and closing the dialog starts over.
 */
export function useAttempt(open: boolean): [number, () => void] {
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!open) {
      setAttempt(0);
    }
  }, [open]);
  return [attempt, () => setAttempt(a => a + 1)];
}

/** That a dialog could not load what it needs, with a button to try again. */
export function LoadFailed(props: {
  /** e.g. `Could not load the access rules` */
  text: string;
  error: Error;
  /** The label of the button that closes the dialog. */
  close: string;
  onClose: () => void;
  onRetry: () => void;
}) {
  return (
    <>
      <DialogContent>
        <Alert severity="error" role="alert">
          {props.text}: {errorMessage(props.error)}
        </Alert>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose}>{props.close}</Button>
        <Button color="primary" onClick={props.onRetry}>
          Try again
        </Button>
      </DialogActions>
    </>
  );
}

/** Cancel, and the button that submits the form (busy while it does). */
export function FormActions(props: {
  busy: boolean;
  onCancel: () => void;
  submit: ReactNode;
}) {
  const { busy } = props;
  return (
    <DialogActions>
      <Button onClick={props.onCancel} disabled={busy}>
        Cancel
      </Button>
      <Button
        type="submit"
        color="primary"
        variant="contained"
        disabled={busy}
        startIcon={busy ? <CircularProgress size={16} /> : undefined}
      >
        {props.submit}
      </Button>
    </DialogActions>
  );
}
