import { ChangeEvent, FormEvent, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  ParityReport,
  Replica,
  ReplicaRequestBody,
  ReplicaSettings,
} from '@env-parity/plugin-env-parity-common';
import { envParityApiRef } from '../../api';
import {
  errorMessage,
  isConflict,
  isInputError,
  isForbidden,
} from '../shared/errors';
import { FormActions } from '../shared/FormDialog';
import {
  defaultLifetime,
  lifetimeLabel,
  lifetimeOptions,
  otherDeployments,
  productionWorkloads,
} from './format';

const useStyles = makeStyles(theme => ({
  change: {
    marginTop: theme.spacing(1),
    paddingLeft: theme.spacing(2),
    borderLeft: `2px solid ${theme.palette.divider}`,
  },
}));

type FieldErrors = Partial<
  Record<'reason' | 'lifetime' | 'workload' | 'image', string>
>;

/** Which field a 400 of the backend is about, by the name it starts with. */
function fieldOf(message: string): keyof FieldErrors | undefined {
  if (/^reason\b/i.test(message)) {
    return 'reason';
  }
  if (/^lifetime/i.test(message)) {
    return 'lifetime';
  }
  if (/^override\.workload\b/i.test(message)) {
    return 'workload';
  }
  if (/^override\b/i.test(message)) {
    return 'image';
  }
  return undefined;
}

/**
 * Launching a production replica of a service: a required reason, a
 * lifetime (the configured default, at most the maximum) and, optionally,
 * "production plus my change": one workload of production running another
 * build (a tag or digest entered, or one of the service's non-production
 * deployments). What was typed stays when the backend refuses it: a field
 * the refusal is about shows it, anything else (a cap reached) above the
 * form.
 */
/** What every field of the dialog shares. */
const FIELD = {
  fullWidth: true,
  variant: 'outlined',
  margin: 'normal',
} as const;

export function LaunchReplicaDialog(props: {
  open: boolean;
  entityRef: string;
  report: ParityReport;
  settings: ReplicaSettings;
  /** The replicas the user has, so that theirs are not offered as builds. */
  replicas?: Replica[];
  onClose: () => void;
  onLaunched: (replica: Replica) => void;
}) {
  const classes = useStyles();
  const api = useApi(envParityApiRef);
  const { open, entityRef, report, settings, replicas, onClose, onLaunched } =
    props;
  const referenceTitle =
    report.environments.find(e => e.reference)?.title ?? 'Production';
  const max = settings.maxLifetimeMinutes;
  const [reason, setReason] = useState('');
  const [lifetime, setLifetime] = useState(() =>
    defaultLifetime(settings.defaultLifetimeMinutes, max),
  );
  const [withChange, setWithChange] = useState(false);
  const workloads = productionWorkloads(report);
  const builds = otherDeployments(report, replicas);
  const [workload, setWorkload] = useState(workloads[0]?.name ?? '');
  const [image, setImage] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const edited = () => {
    setErrors({});
    setFormError(undefined);
  };
  /** A field's onChange: keep its value and clear the errors shown. */
  const changed =
    (set: (value: string) => void) =>
    (e: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      set(e.target.value);
      edited();
    };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found: FieldErrors = {};
    const text = reason.trim();
    if (!text) {
      found.reason = `Say why you need a replica of ${referenceTitle}`;
    }
    if (withChange && workloads.length === 0) {
      setFormError(
        `There is no workload of ${referenceTitle} to run your change in: launch it without one`,
      );
      return;
    }
    if (withChange) {
      if (!workload) {
        found.workload = 'Pick the workload whose image to replace';
      }
      if (!image.trim()) {
        found.image = 'Enter a tag or digest, or pick a deployment';
      }
    }
    if (Object.keys(found).length) {
      setErrors(found);
      return;
    }
    const body: ReplicaRequestBody = {
      entityRef,
      reason: text,
      lifetimeMinutes: lifetime,
      ...(withChange && { override: { workload, image: image.trim() } }),
    };
    setBusy(true);
    setErrors({});
    setFormError(undefined);
    try {
      const launched = await api.launchReplica(body);
      setBusy(false);
      onLaunched(launched);
    } catch (e) {
      setBusy(false);
      const error = e as Error;
      const message = errorMessage(error);
      const field = isInputError(error) ? fieldOf(message) : undefined;
      if (field) {
        setErrors({ [field]: message });
      } else if (isConflict(error)) {
        setFormError(`Cannot launch another replica: ${message}`);
      } else if (isForbidden(error)) {
        setFormError(`Not allowed: ${message}`);
      } else {
        setFormError(`Could not launch the replica: ${message}`);
      }
    }
  };

  const titleId = 'launch-replica-title';
  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : onClose}
      aria-labelledby={titleId}
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id={titleId}>
        Launch a {referenceTitle.toLocaleLowerCase('en-US')} replica
      </DialogTitle>
      <form onSubmit={submit} noValidate aria-labelledby={titleId}>
        <DialogContent>
          <DialogContentText>
            A private copy of what {referenceTitle} runs, every image pinned to
            the digest {referenceTitle} runs, in a namespace of its own
            {settings.cluster ? ` in the ${settings.cluster} cluster` : ''}.
            Secret values are never copied: secrets are created empty, for you
            to provide. It is deleted when its lifetime ends; you can have{' '}
            {settings.perUserLimit} active at a time.
          </DialogContentText>
          {formError && (
            <Alert severity="error" role="alert">
              {formError}
            </Alert>
          )}
          <TextField
            // a modal dialog moves the focus into itself: its first field
            // eslint-disable-next-line jsx-a11y/no-autofocus
            autoFocus
            id="replica-reason"
            label="Reason"
            value={reason}
            onChange={changed(setReason)}
            required
            multiline
            minRows={2}
            {...FIELD}
            placeholder="What do you need to see production's code do?"
            error={Boolean(errors.reason)}
            helperText={errors.reason ?? 'Required; it is kept in the record.'}
          />
          <TextField
            id="replica-lifetime"
            select
            SelectProps={{ native: true }}
            label="Lifetime"
            value={String(lifetime)}
            onChange={changed(value => setLifetime(Number(value)))}
            {...FIELD}
            error={Boolean(errors.lifetime)}
            helperText={
              errors.lifetime ??
              `At most ${lifetimeLabel(max)}; you can extend it up to that.`
            }
          >
            {lifetimeOptions(settings.defaultLifetimeMinutes, max).map(m => (
              <option key={m} value={m}>
                {lifetimeLabel(m)}
                {m === settings.defaultLifetimeMinutes ? ' (default)' : ''}
              </option>
            ))}
          </TextField>
          <FormControlLabel
            control={
              <Checkbox
                checked={withChange}
                onChange={e => {
                  setWithChange(e.target.checked);
                  edited();
                }}
                color="primary"
              />
            }
            label={`${referenceTitle} plus my change`}
          />
          <Typography variant="body2" color="textSecondary">
            Run another build of one workload, everything else as{' '}
            {referenceTitle} runs it: can my change run there?
          </Typography>
          {withChange && workloads.length === 0 && (
            <Alert severity="info" role="status" style={{ marginTop: 8 }}>
              No Deployment or StatefulSet of {referenceTitle} has been observed
              (the Kubernetes provider reports them), so there is no workload
              whose image to replace.
            </Alert>
          )}
          {withChange && workloads.length > 0 && (
            <div className={classes.change}>
              <TextField
                id="replica-workload"
                select
                SelectProps={{ native: true }}
                label="Workload"
                value={workload}
                onChange={changed(setWorkload)}
                required
                {...FIELD}
                error={Boolean(errors.workload)}
                helperText={errors.workload}
              >
                {workloads.map(w => (
                  <option key={w.name} value={w.name}>
                    {w.name} ({w.kind}
                    {w.images.length ? `, runs ${w.images.join(', ')}` : ''})
                  </option>
                ))}
              </TextField>
              {builds.length > 0 && (
                <TextField
                  id="replica-build"
                  select
                  SelectProps={{ native: true }}
                  label="Pick a non-production deployment"
                  value={builds.some(b => b.artifact === image) ? image : ''}
                  onChange={e => {
                    if (e.target.value) {
                      setImage(e.target.value);
                    }
                    edited();
                  }}
                  {...FIELD}
                >
                  <option value="">—</option>
                  {builds.map(b => (
                    <option key={b.environment} value={b.artifact}>
                      {b.title}
                      {b.version ? ` ${b.version}` : ''}: {b.artifact}
                    </option>
                  ))}
                </TextField>
              )}
              <TextField
                id="replica-image"
                label="Image tag or digest"
                value={image}
                onChange={changed(setImage)}
                required
                {...FIELD}
                placeholder="1.5.0, sha256:… or a full reference of the same repository"
                error={Boolean(errors.image)}
                helperText={
                  errors.image ??
                  'Another build of the same repository as the one it replaces.'
                }
              />
            </div>
          )}
        </DialogContent>
        <FormActions busy={busy} onCancel={onClose} submit="Launch replica" />
      </form>
    </Dialog>
  );
}
