import { FormEvent, useMemo, useState } from 'react';
import { Progress } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import Box from '@material-ui/core/Box';
import Checkbox from '@material-ui/core/Checkbox';
import Dialog from '@material-ui/core/Dialog';
import DialogContent from '@material-ui/core/DialogContent';
import DialogContentText from '@material-ui/core/DialogContentText';
import DialogTitle from '@material-ui/core/DialogTitle';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormHelperText from '@material-ui/core/FormHelperText';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  AccessRequest,
  AccessSettings,
  CreateAccessRequestBody,
} from '@env-parity/plugin-env-parity-common';
import useAsync from 'react-use/esm/useAsync';
import { envParityApiRef } from '../../api';
import { FormActions, LoadFailed, useAttempt } from '../shared/FormDialog';
import { errorMessage, formatDuration, isInputError, shortRef } from './format';

const useStyles = makeStyles(theme => ({
  fields: {
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2.5),
    marginTop: theme.spacing(1),
  },
  row: {
    display: 'flex',
    gap: theme.spacing(2),
    flexWrap: 'wrap',
    '& > *': { flex: '1 1 200px' },
  },
  counter: {
    display: 'flex',
    justifyContent: 'space-between',
    gap: theme.spacing(2),
  },
}));

/** An environment to choose from, as the report names it. */
export interface AccessEnvironmentOption {
  name: string;
  title: string;
  owner?: string;
}

const DURATIONS = [15, 30, 60, 120, 240, 480, 720, 1440, 2880, 10080];

/** The durations offered: the usual ones up to the maximum, and the maximum. */
export function durationOptions(maxMinutes: number): number[] {
  const options = DURATIONS.filter(d => d <= maxMinutes);
  if (!options.includes(maxMinutes)) {
    options.push(maxMinutes);
  }
  return options;
}

type Field =
  | 'environment'
  | 'durationMinutes'
  | 'reason'
  | 'ticket'
  | 'breakGlass';

/** Which field a message of the backend's InputError is about. */
function fieldOf(message: string): Field | undefined {
  if (/^reason\b/i.test(message)) {
    return 'reason';
  }
  if (/^ticket\b/i.test(message)) {
    return 'ticket';
  }
  if (/^durationMinutes\b/.test(message)) {
    return 'durationMinutes';
  }
  if (/break-glass/i.test(message)) {
    return 'breakGlass';
  }
  if (/environment/i.test(message)) {
    return 'environment';
  }
  return undefined;
}

function ticketMatches(pattern: string, ticket: string): boolean {
  try {
    return new RegExp(`^(?:${pattern})$`).test(ticket);
  } catch {
    // the backend checks it anyway
    return true;
  }
}

function RequestForm(props: {
  settings: AccessSettings;
  entityRef: string;
  environments: AccessEnvironmentOption[];
  onCancel: () => void;
  onCreated: (request: AccessRequest) => void;
}) {
  const classes = useStyles();
  const api = useApi(envParityApiRef);
  const { settings, entityRef, onCancel, onCreated } = props;

  const environments = useMemo(
    () =>
      props.environments.length
        ? props.environments
        : [
            {
              name: settings.defaultEnvironment,
              title: settings.defaultEnvironment,
            },
          ],
    [props.environments, settings.defaultEnvironment],
  );
  const durations = durationOptions(settings.maxDurationMinutes);

  const [environment, setEnvironment] = useState(
    environments.some(e => e.name === settings.defaultEnvironment)
      ? settings.defaultEnvironment
      : environments[0].name,
  );
  const [duration, setDuration] = useState(
    durations.includes(60) ? 60 : durations[durations.length - 1],
  );
  const [reason, setReason] = useState('');
  const [ticket, setTicket] = useState('');
  const [breakGlass, setBreakGlass] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const owner = environments.find(e => e.name === environment)?.owner;
  const reasonLength = reason.trim().length;

  const clear = (field: Field) => {
    setErrors(e => ({ ...e, [field]: undefined }));
    setFormError(undefined);
  };

  const validate = (): Partial<Record<Field, string>> => {
    const found: Partial<Record<Field, string>> = {};
    if (reasonLength < settings.minReasonLength) {
      found.reason = `Say why you need access, in at least ${settings.minReasonLength} characters`;
    } else if (reasonLength > settings.maxReasonLength) {
      found.reason = `At most ${settings.maxReasonLength} characters`;
    }
    const t = ticket.trim();
    if (!t && settings.ticketRequired) {
      found.ticket = 'A ticket is required';
    } else if (
      t &&
      settings.ticketPattern &&
      !ticketMatches(settings.ticketPattern, t)
    ) {
      found.ticket = `Does not match ${settings.ticketPattern}`;
    }
    return found;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const found = validate();
    setErrors(found);
    setFormError(undefined);
    if (Object.keys(found).length) {
      return;
    }
    const body: CreateAccessRequestBody = {
      entityRef,
      environment,
      reason: reason.trim(),
      durationMinutes: duration,
      ...(ticket.trim() && { ticket: ticket.trim() }),
      ...(breakGlass && { breakGlass: true }),
    };
    setBusy(true);
    try {
      const created = await api.createAccessRequest(body);
      setBusy(false);
      onCreated(created);
    } catch (e) {
      setBusy(false);
      const message = errorMessage(e as Error);
      const field = isInputError(e as Error) ? fieldOf(message) : undefined;
      if (field) {
        setErrors({ [field]: message });
      } else {
        setFormError(message);
      }
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label="Request read-only access">
      <DialogContent>
        <DialogContentText>
          Read-only access to {shortRef(entityRef)} for a limited time, so you
          can check whether it is also broken there.{' '}
          {owner
            ? `Members of ${shortRef(owner)} approve it`
            : 'The owners of the environment approve it'}
          {settings.requiredApprovals > 1
            ? ` (${settings.requiredApprovals} approvals needed)`
            : ''}
          ; a request not decided within{' '}
          {formatDuration(settings.reviewTimeoutMinutes)} times out.
        </DialogContentText>
        {formError && (
          <Alert severity="error" role="alert">
            {formError}
          </Alert>
        )}
        <div className={classes.fields}>
          <div className={classes.row}>
            <TextField
              // a modal dialog moves the focus into itself (WAI-ARIA dialog
              // pattern): its first field, not the dialog's container
              // eslint-disable-next-line jsx-a11y/no-autofocus
              autoFocus
              select
              label="Environment"
              value={environment}
              onChange={e => {
                setEnvironment(e.target.value);
                clear('environment');
              }}
              SelectProps={{ native: true }}
              error={Boolean(errors.environment)}
              helperText={errors.environment}
              variant="outlined"
              id="access-environment"
            >
              {environments.map(e => (
                <option key={e.name} value={e.name}>
                  {e.title}
                </option>
              ))}
            </TextField>
            <TextField
              select
              label="Duration"
              value={String(duration)}
              onChange={e => {
                setDuration(Number(e.target.value));
                clear('durationMinutes');
              }}
              SelectProps={{ native: true }}
              error={Boolean(errors.durationMinutes)}
              helperText={
                errors.durationMinutes ??
                `At most ${formatDuration(settings.maxDurationMinutes)}`
              }
              variant="outlined"
              id="access-duration"
            >
              {durations.map(d => (
                <option key={d} value={String(d)}>
                  {formatDuration(d)}
                </option>
              ))}
            </TextField>
          </div>
          <TextField
            label="Reason"
            value={reason}
            onChange={e => {
              setReason(e.target.value);
              clear('reason');
            }}
            required
            multiline
            minRows={3}
            variant="outlined"
            placeholder="What do you need to check, and why there?"
            inputProps={{ maxLength: settings.maxReasonLength }}
            error={Boolean(errors.reason)}
            FormHelperTextProps={{ component: 'div' } as any}
            helperText={
              <span className={classes.counter}>
                <span>
                  {errors.reason ??
                    `At least ${settings.minReasonLength} characters; the approvers see it.`}
                </span>
                <span aria-label="Reason length">
                  {reasonLength}/{settings.maxReasonLength}
                </span>
              </span>
            }
            id="access-reason"
          />
          <TextField
            label={settings.ticketRequired ? 'Ticket' : 'Ticket (optional)'}
            value={ticket}
            onChange={e => {
              setTicket(e.target.value);
              clear('ticket');
            }}
            required={settings.ticketRequired}
            variant="outlined"
            placeholder="e.g. INC-1234"
            error={Boolean(errors.ticket)}
            helperText={
              errors.ticket ??
              (settings.ticketPattern
                ? `Incident or change reference, matching ${settings.ticketPattern}`
                : 'Incident or change reference')
            }
            id="access-ticket"
          />
          {settings.breakGlassEnabled && (
            <Box>
              <FormControlLabel
                control={
                  <Checkbox
                    checked={breakGlass}
                    onChange={e => {
                      setBreakGlass(e.target.checked);
                      clear('breakGlass');
                    }}
                  />
                }
                label="Break glass: access now, without waiting for approval"
              />
              {errors.breakGlass && (
                <FormHelperText error>{errors.breakGlass}</FormHelperText>
              )}
              {breakGlass && (
                <Alert severity="warning">
                  Only in an emergency. The access starts at once, the approvers
                  are alerted with critical severity, and they review it
                  afterwards. Everything is recorded in the audit timeline.
                </Alert>
              )}
            </Box>
          )}
        </div>
      </DialogContent>
      <FormActions
        busy={busy}
        onCancel={onCancel}
        submit={breakGlass ? 'Break glass' : 'Request access'}
      />
    </form>
  );
}

/**
 * The dialog that asks for temporary read-only access to a service: which
 * environment, for how long, why, and the ticket; break-glass where enabled.
 */
export function RequestAccessDialog(props: {
  open: boolean;
  entityRef: string;
  environments: AccessEnvironmentOption[];
  onClose: () => void;
  onCreated: (request: AccessRequest) => void;
}) {
  const { open, entityRef, environments, onClose, onCreated } = props;
  const api = useApi(envParityApiRef);
  const [attempt, retry] = useAttempt(open);
  const settings = useAsync(
    async () => (open ? api.getAccessSettings() : undefined),
    [api, open, attempt],
  );

  return (
    <Dialog
      open={open}
      onClose={onClose}
      aria-labelledby="request-access-title"
      fullWidth
      maxWidth="sm"
    >
      <DialogTitle id="request-access-title">
        Request read-only access
      </DialogTitle>
      {settings.loading && (
        <DialogContent>
          <Progress />
        </DialogContent>
      )}
      {settings.error && (
        <LoadFailed
          text="Could not load the access rules"
          error={settings.error}
          close="Cancel"
          onClose={onClose}
          onRetry={retry}
        />
      )}
      {settings.value && (
        <RequestForm
          settings={settings.value}
          entityRef={entityRef}
          environments={environments}
          onCancel={onClose}
          onCreated={onCreated}
        />
      )}
    </Dialog>
  );
}
