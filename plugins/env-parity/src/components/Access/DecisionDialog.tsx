import { FormEvent, useEffect, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import { AccessRequest } from '@env-parity/plugin-env-parity-common';
import { AccessRequestAction, envParityApiRef } from '../../api';
import {
  errorMessage,
  formatDuration,
  isConflict,
  isInputError,
  shortRef,
} from './format';

const useStyles = makeStyles(theme => ({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    gap: theme.spacing(0.5, 2),
    margin: theme.spacing(0, 0, 2),
    '& dt': { fontWeight: theme.typography.fontWeightMedium },
    '& dd': { margin: 0, whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' },
  },
}));

const ACTIONS: Record<
  AccessRequestAction,
  {
    title: string;
    button: string;
    label: string;
    required: boolean;
    color: 'primary' | 'secondary';
    explain: (r: AccessRequest) => string;
  }
> = {
  approve: {
    title: 'Approve access',
    button: 'Approve',
    label: 'Comment (optional)',
    required: false,
    color: 'primary',
    explain: r =>
      `${shortRef(r.requester)} gets ${formatDuration(
        r.durationMinutes,
      )} of read-only access to ${shortRef(r.entityRef)} in ${
        r.environment
      } once approved${
        r.requiredApprovals > 1
          ? ` by ${r.requiredApprovals} approvers (${
              r.approvals.filter(a => a.decision === 'approve').length
            } so far)`
          : ''
      }.`,
  },
  deny: {
    title: 'Deny access',
    button: 'Deny',
    label: 'Why is it denied?',
    required: true,
    color: 'secondary',
    explain: r =>
      `${shortRef(r.requester)} does not get read-only access to ${shortRef(
        r.entityRef,
      )} in ${
        r.environment
      } and sees your comment. Denying is final: they can ask again.`,
  },
  withdraw: {
    title: 'Withdraw request',
    button: 'Withdraw',
    label: 'Comment (optional)',
    required: false,
    color: 'secondary',
    explain: r =>
      `The request for ${r.environment} access to ${shortRef(
        r.entityRef,
      )} stops waiting for review. You can ask again later.`,
  },
  revoke: {
    title: 'Revoke access',
    button: 'Revoke',
    label: 'Comment (optional)',
    required: false,
    color: 'secondary',
    explain: r =>
      `The read-only access of ${shortRef(r.requester)} to ${shortRef(
        r.entityRef,
      )} in ${r.environment} ends now.`,
  },
  review: {
    title: 'Review break-glass access',
    button: 'Mark reviewed',
    label: 'Review notes (optional)',
    required: false,
    color: 'primary',
    explain: r =>
      `${shortRef(r.requester)} used break-glass access to ${shortRef(
        r.entityRef,
      )} in ${r.environment} without review.`,
  },
};

/** The label of the button that opens the dialog for an action. */
export function actionLabel(action: AccessRequestAction): string {
  return ACTIONS[action].button;
}

/**
 * Asks for a comment and carries out one decision on an access request.
 * The backend's refusal of the input is shown next to the comment, which
 * is kept; a conflict (someone else decided first) closes the dialog and
 * is reported through `onConflict`.
 */
export function DecisionDialog(props: {
  request: AccessRequest;
  action: AccessRequestAction;
  open: boolean;
  onClose: () => void;
  onDone: (request: AccessRequest) => void;
  onConflict: (message: string) => void;
}) {
  const { request, action, open, onClose, onDone, onConflict } = props;
  const classes = useStyles();
  const api = useApi(envParityApiRef);
  const spec = ACTIONS[action];
  const [comment, setComment] = useState('');
  const [fieldError, setFieldError] = useState<string>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) {
      setComment('');
      setFieldError(undefined);
      setError(undefined);
    }
  }, [open, action, request.id]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const text = comment.trim();
    if (spec.required && !text) {
      setFieldError('A comment is required');
      return;
    }
    setBusy(true);
    setFieldError(undefined);
    setError(undefined);
    try {
      const result = await api.decideAccessRequest(
        request.id,
        action,
        text || undefined,
      );
      setBusy(false);
      onDone(result);
    } catch (e) {
      setBusy(false);
      const err = e as Error;
      if (isConflict(err)) {
        onConflict(errorMessage(err));
      } else if (isInputError(err)) {
        setFieldError(errorMessage(err));
      } else {
        setError(errorMessage(err));
      }
    }
  };

  const titleId = `access-decision-${action}-title`;
  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : onClose}
      aria-labelledby={titleId}
      fullWidth
      maxWidth="sm"
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id={titleId}>{spec.title}</DialogTitle>
        <DialogContent>
          <DialogContentText>{spec.explain(request)}</DialogContentText>
          {action !== 'withdraw' && (
            <dl className={classes.facts}>
              <dt>Reason</dt>
              <dd aria-label="Reason">{request.reason}</dd>
              {request.ticket && (
                <>
                  <dt>Ticket</dt>
                  <dd aria-label="Ticket">{request.ticket}</dd>
                </>
              )}
            </dl>
          )}
          {error && (
            <Alert severity="error" role="alert" style={{ marginBottom: 16 }}>
              {error}
            </Alert>
          )}
          <TextField
            id={`access-decision-${action}-comment`}
            label={spec.label}
            value={comment}
            onChange={e => {
              setComment(e.target.value);
              setFieldError(undefined);
            }}
            required={spec.required}
            error={Boolean(fieldError)}
            helperText={fieldError}
            multiline
            minRows={3}
            fullWidth
            variant="outlined"
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={busy}>
            Cancel
          </Button>
          <Button
            type="submit"
            color={spec.color}
            variant="contained"
            disabled={busy}
            startIcon={busy ? <CircularProgress size={16} /> : undefined}
          >
            {spec.button}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
