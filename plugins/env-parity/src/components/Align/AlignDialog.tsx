import { FormEvent, useState } from 'react';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Dialog from '@material-ui/core/Dialog';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  Alignment,
  AlignmentPreview,
} from '@env-parity/plugin-env-parity-common';
import useAsync from 'react-use/esm/useAsync';
import { envParityApiRef } from '../../api';
import { errorMessage, isInputError, shortRef } from '../shared/errors';
import { FactList } from '../shared/FactList';
import { FormActions, LoadFailed, useAttempt } from '../shared/FormDialog';
import { approvalLabel } from './format';

const useStyles = makeStyles(theme => ({
  code: {
    fontFamily: 'monospace',
    fontSize: '0.85rem',
  },
  heading: {
    marginTop: theme.spacing(2),
  },
  keys: {
    margin: theme.spacing(0.5, 0, 0),
    paddingLeft: theme.spacing(3),
    '& li': { fontFamily: 'monospace' },
  },
}));

/** What the deployer carries of the configuration, in a sentence. */
function carriedLabel(carries: AlignmentPreview['carriesConfig']): string {
  if (carries === 'all') {
    return 'The deployer carries the whole configuration along.';
  }
  if (!carries.length) {
    return 'The deployer carries no configuration: it deploys the artifact only.';
  }
  return `The deployer carries ${carries.join(', ')} along.`;
}

function AlignForm(props: {
  preview: AlignmentPreview;
  environmentTitle: string;
  referenceTitle: string;
  onCancel: () => void;
  onCreated: (alignment: Alignment) => void;
}) {
  const classes = useStyles();
  const api = useApi(envParityApiRef);
  const { preview, environmentTitle, referenceTitle, onCancel, onCreated } =
    props;
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string>();
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const { target } = preview;
  const needsApproval = preview.requiredApprovals > 0 && preview.approvers;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const text = reason.trim();
    if (!text) {
      setReasonError(
        `Say why ${environmentTitle} should run what ${referenceTitle} runs`,
      );
      return;
    }
    setBusy(true);
    setReasonError(undefined);
    setFormError(undefined);
    try {
      const created = await api.createAlignment({
        entityRef: preview.entityRef,
        environment: preview.environment,
        reason: text,
      });
      setBusy(false);
      onCreated(created);
    } catch (e) {
      setBusy(false);
      const message = errorMessage(e as Error);
      if (isInputError(e as Error) && /^reason\b/i.test(message)) {
        setReasonError(message.replace(/^reason/, 'The reason'));
      } else {
        setFormError(message);
      }
    }
  };

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={`Align ${environmentTitle} with ${referenceTitle}`}
    >
      <DialogContent>
        <DialogContentText>{preview.summary}</DialogContentText>
        <Typography variant="subtitle2" component="h3">
          What will be deployed to {environmentTitle}
        </Typography>
        <FactList
          rows={[
            ['Version', target.version ?? 'unknown'],
            [
              'Revision',
              <span className={classes.code}>
                {target.revision ?? 'unknown'}
              </span>,
            ],
            [
              'Artifact',
              <span className={classes.code}>
                {target.artifact ?? 'unknown'}
              </span>,
            ],
            [
              'Digest',
              <span className={classes.code}>
                {target.digest ?? 'unknown: verified by the revision instead'}
              </span>,
            ],
            ['Deployer', preview.deployer],
            [
              'Approval',
              needsApproval
                ? `${approvalLabel(
                    preview.approvers,
                    preview.requiredApprovals,
                  )}; nobody approves their own request`
                : 'none: the deployer is called as soon as you ask',
            ],
          ]}
        />
        <Typography
          variant="subtitle2"
          component="h3"
          className={classes.heading}
        >
          What alignment will not fix
        </Typography>
        <Typography variant="body2">
          {carriedLabel(preview.carriesConfig)}{' '}
          {preview.remainingConfigDrift.length
            ? `These configuration keys differ from ${referenceTitle} and will still differ afterwards:`
            : `No configuration drift from ${referenceTitle} remains.`}
        </Typography>
        {preview.remainingConfigDrift.length > 0 && (
          <ul className={classes.keys} aria-label="Configuration drift left">
            {preview.remainingConfigDrift.map(key => (
              <li key={key}>{key}</li>
            ))}
          </ul>
        )}
        {formError && (
          <Alert severity="error" role="alert" style={{ marginTop: 16 }}>
            {formError}
          </Alert>
        )}
        <TextField
          // a modal dialog moves the focus into itself: its one field
          // eslint-disable-next-line jsx-a11y/no-autofocus
          autoFocus
          id="align-reason"
          label="Reason"
          value={reason}
          onChange={e => {
            setReason(e.target.value);
            setReasonError(undefined);
            setFormError(undefined);
          }}
          required
          multiline
          minRows={3}
          fullWidth
          variant="outlined"
          margin="normal"
          placeholder={`Why should ${environmentTitle} run what ${referenceTitle} runs?`}
          error={Boolean(reasonError)}
          helperText={
            reasonError ??
            (needsApproval
              ? `Required; members of ${shortRef(
                  preview.approvers!,
                )} see it when they decide.`
              : 'Required; it is kept in the timeline.')
          }
        />
      </DialogContent>
      <FormActions
        busy={busy}
        onCancel={onCancel}
        submit={needsApproval ? 'Ask to align' : 'Align now'}
      />
    </form>
  );
}

/**
 * Aligning one environment of a service with the reference environment:
 * what will be deployed (from the backend's preview), what will still
 * differ, which deployer acts and who approves; a reason is required.
 */
export function AlignDialog(props: {
  open: boolean;
  entityRef: string;
  environment: { name: string; title: string };
  referenceTitle: string;
  onClose: () => void;
  onCreated: (alignment: Alignment) => void;
}) {
  const { open, entityRef, environment, referenceTitle, onClose, onCreated } =
    props;
  const api = useApi(envParityApiRef);
  const [attempt, retry] = useAttempt(open);
  const preview = useAsync(
    async () =>
      open ? api.previewAlignment(entityRef, environment.name) : undefined,
    [api, open, entityRef, environment.name, attempt],
  );

  const titleId = 'align-dialog-title';
  return (
    <Dialog
      open={open}
      onClose={onClose}
      aria-labelledby={titleId}
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id={titleId}>
        Align {environment.title} with {referenceTitle}
      </DialogTitle>
      {preview.loading && (
        <DialogContent>
          <Progress />
        </DialogContent>
      )}
      {preview.error && !preview.loading && (
        <LoadFailed
          text="Could not prepare the alignment"
          error={preview.error}
          close="Close"
          onClose={onClose}
          onRetry={retry}
        />
      )}
      {preview.value && !preview.loading && (
        <AlignForm
          preview={preview.value}
          environmentTitle={environment.title}
          referenceTitle={referenceTitle}
          onCancel={onClose}
          onCreated={onCreated}
        />
      )}
    </Dialog>
  );
}
