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
import Alert from '@material-ui/lab/Alert';
import { Replica } from '@env-parity/plugin-env-parity-common';
import { envParityApiRef } from '../../api';
import { errorMessage } from '../shared/errors';
import { FormActions } from '../shared/FormDialog';
import { clockTime, extendOptions, lifetimeLabel } from './format';

/* Extending and deleting one replica, each after asking. */

/** A new lifetime from now, up to the replica's maximum. */
export function ExtendReplicaDialog(props: {
  replica?: Replica;
  maxLifetimeMinutes: number;
  onClose: () => void;
  onDone: (replica: Replica) => void;
}) {
  const api = useApi(envParityApiRef);
  const { replica, maxLifetimeMinutes, onClose, onDone } = props;
  const options = replica ? extendOptions(replica, maxLifetimeMinutes) : [];
  const [lifetime, setLifetime] = useState<number>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = replica?.id;
  useEffect(() => {
    setLifetime(undefined);
    setError(undefined);
  }, [id]);
  const chosen = lifetime ?? options[0];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!replica || !chosen) {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const extended = await api.extendReplica(replica.id, chosen);
      setBusy(false);
      onDone(extended);
    } catch (e) {
      setBusy(false);
      setError(`Could not extend it: ${errorMessage(e as Error)}`);
    }
  };

  const titleId = 'extend-replica-title';
  return (
    <Dialog
      open={Boolean(replica)}
      onClose={busy ? undefined : onClose}
      aria-labelledby={titleId}
      fullWidth
      maxWidth="xs"
    >
      <DialogTitle id={titleId}>Extend the replica</DialogTitle>
      <form onSubmit={submit} noValidate aria-labelledby={titleId}>
        <DialogContent>
          <DialogContentText>
            It now expires at {replica ? clockTime(replica.expiresAt) : '—'}. A
            replica lives at most {lifetimeLabel(maxLifetimeMinutes)} from its
            launch.
          </DialogContentText>
          {error && (
            <Alert severity="error" role="alert">
              {error}
            </Alert>
          )}
          {options.length === 0 ? (
            <Alert severity="info">It already lives as long as it may.</Alert>
          ) : (
            <TextField
              id="extend-replica-lifetime"
              select
              SelectProps={{ native: true }}
              label="Keep it for another"
              value={String(chosen)}
              onChange={e => {
                setLifetime(Number(e.target.value));
                setError(undefined);
              }}
              fullWidth
              variant="outlined"
              margin="normal"
            >
              {options.map(m => (
                <option key={m} value={m}>
                  {lifetimeLabel(m)}
                  {m === options[options.length - 1] ? ' (the maximum)' : ''}
                </option>
              ))}
            </TextField>
          )}
        </DialogContent>
        {options.length === 0 ? (
          <DialogActions>
            <Button onClick={onClose}>Close</Button>
          </DialogActions>
        ) : (
          <FormActions busy={busy} onCancel={onClose} submit="Extend" />
        )}
      </form>
    </Dialog>
  );
}

/** Deleting a replica now, after saying what goes with it. */
export function DeleteReplicaDialog(props: {
  replica?: Replica;
  onClose: () => void;
  onDone: (replica: Replica) => void;
}) {
  const api = useApi(envParityApiRef);
  const { replica, onClose, onDone } = props;
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const id = replica?.id;
  useEffect(() => setError(undefined), [id]);

  const confirm = async () => {
    if (!replica) {
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const deleted = await api.deleteReplica(replica.id);
      setBusy(false);
      onDone(deleted);
    } catch (e) {
      setBusy(false);
      setError(`Could not delete it: ${errorMessage(e as Error)}`);
    }
  };

  const titleId = 'delete-replica-title';
  return (
    <Dialog
      open={Boolean(replica)}
      onClose={busy ? undefined : onClose}
      aria-labelledby={titleId}
      aria-describedby="delete-replica-text"
      fullWidth
      maxWidth="xs"
    >
      <DialogTitle id={titleId}>Delete the replica?</DialogTitle>
      <DialogContent>
        <DialogContentText id="delete-replica-text">
          The namespace {replica?.namespace} in the {replica?.cluster} cluster
          is removed with everything in it. This cannot be undone.
        </DialogContentText>
        {error && (
          <Alert severity="error" role="alert">
            {error}
          </Alert>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={busy}>
          Keep it
        </Button>
        <Button
          color="secondary"
          variant="contained"
          onClick={confirm}
          disabled={busy}
          startIcon={busy ? <CircularProgress size={16} /> : undefined}
        >
          Delete
        </Button>
      </DialogActions>
    </Dialog>
  );
}
