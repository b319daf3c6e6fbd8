import { FormEvent, ReactNode, useEffect, useState } from 'react';
import Button from '@material-ui/core/Button';
import CircularProgress from '@material-ui/core/CircularProgress';
import Dialog from '@material-ui/core/Dialog';
import DialogActions from '@material-ui/core/DialogActions';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Alert from '@material-ui/lab/Alert';
import { errorMessage, isConflict, isInputError } from './errors';
import { FactList } from './FactList';

/** How one action on a request reads: its title, button and comment field. */
export interface ActionSpec {
  title: string;
  button: string;
  /** The comment field's label, e.g. `Why is it denied?`. */
  label: string;
  /** Whether the comment is required (a denial's is). */
  required: boolean;
  color: 'primary' | 'secondary';
}

/**
 * Asks for a comment and carries out one decision on a request (an access
 * request or an alignment): what it will do, the facts the decision rests
 * on, and the comment. The backend's refusal of the input is shown next to
 * the comment, which is kept; a conflict (someone else decided first)
 * closes the dialog and is reported through `onConflict`.
 */
export function ActionDialog<T>(props: {
  /** Unique among the page's dialogs, e.g. `access-decision-deny`. */
  id: string;
  spec: ActionSpec;
  /** What the action will do, in one or two sentences. */
  explain: string;
  /** The facts to decide on, e.g. the reason. */
  facts?: Array<[string, ReactNode]>;
  /** Carries out the action with the comment (undefined when empty). */
  submit: (comment?: string) => Promise<T>;
  open: boolean;
  onClose: () => void;
  onDone: (result: T) => void;
  onConflict: (message: string) => void;
}) {
  const { id, spec, explain, facts, submit, open, onClose, onDone } = props;
  const { onConflict } = props;
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
  }, [open, id]);

  const onSubmit = async (event: FormEvent) => {
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
      const result = await submit(text || undefined);
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

  const titleId = `${id}-title`;
  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : onClose}
      aria-labelledby={titleId}
      fullWidth
      maxWidth="sm"
    >
      <form onSubmit={onSubmit} noValidate>
        <DialogTitle id={titleId}>{spec.title}</DialogTitle>
        <DialogContent>
          <DialogContentText>{explain}</DialogContentText>
          {facts && facts.length > 0 && <FactList rows={facts} />}
          {error && (
            <Alert severity="error" role="alert" style={{ marginBottom: 16 }}>
              {error}
            </Alert>
          )}
          <TextField
            id={`${id}-comment`}
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
