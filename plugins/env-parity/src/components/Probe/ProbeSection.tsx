import { FormEvent, useState } from 'react';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useApi } from '@backstage/core-plugin-api';
import { usePermission } from '@backstage/plugin-permission-react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Checkbox from '@material-ui/core/Checkbox';
import CircularProgress from '@material-ui/core/CircularProgress';
import FormControl from '@material-ui/core/FormControl';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import FormGroup from '@material-ui/core/FormGroup';
import FormLabel from '@material-ui/core/FormLabel';
import Grid from '@material-ui/core/Grid';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import Alert from '@material-ui/lab/Alert';
import {
  environmentAnnotation,
  envParityProbeRunPermission,
  ParityReport,
  PROBE_MAX_PATH_LENGTH,
  ProbeMethod,
  ProbeRequest,
  ProbeResult,
  ReportEnvironment,
} from '@env-parity/plugin-env-parity-common';
import useAsyncFn from 'react-use/esm/useAsyncFn';
import { envParityApiRef } from '../../api';
import { ProbeResults } from './ProbeResults';
import { useRecentProbes } from './recentProbes';

const useStyles = makeStyles(theme => ({
  form: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'flex-end',
    gap: theme.spacing(2),
    marginBottom: theme.spacing(2),
  },
  path: {
    flex: '1 1 280px',
  },
  mono: {
    fontFamily: 'monospace',
  },
}));

/**
 * The environments of a report that can be probed: those whose
 * `env-parity/<env>.url` annotation the entity has (the backend probes the
 * annotated URL, nothing else), in promotion order.
 */
export function probeEnvironments(
  entity: Entity,
  report: ParityReport,
): ReportEnvironment[] {
  const annotations = entity.metadata.annotations ?? {};
  return report.environments.filter(
    e => annotations[environmentAnnotation(e.name, 'url')],
  );
}

/** The server's own message for a ResponseError, else the error's message. */
function errorMessage(error: Error): string {
  const e = error as Error & { body?: { error?: { message?: string } } };
  return e.body?.error?.message || error.message;
}

function summary(result: ProbeResult): string {
  return result.environments
    .map(
      e => `${e.title} ${e.status ?? (e.error ? e.error.reason : 'no answer')}`,
    )
    .join(' · ');
}

function ProbeCard(props: {
  entity: Entity;
  environments: ReportEnvironment[];
}) {
  const classes = useStyles();
  const { entity, environments } = props;
  const api = useApi(envParityApiRef);
  const entityRef = stringifyEntityRef(entity);
  const [path, setPath] = useState('/version');
  const [method, setMethod] = useState<ProbeMethod>('GET');
  const [unselected, setUnselected] = useState<string[]>([]);
  const [shownId, setShownId] = useState<string>();
  const recent = useRecentProbes(entityRef);

  const selected = environments
    .map(e => e.name)
    .filter(name => !unselected.includes(name));

  const { add } = recent;
  const [state, run] = useAsyncFn(
    async (request: ProbeRequest) => {
      const result = await api.probe(entityRef, request);
      add(result);
      setShownId(result.id);
      return result;
    },
    [api, entityRef, add],
  );

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    run({ path: path.trim(), method, environments: selected });
  };

  const shown =
    recent.probes.find(p => p.id === shownId) ??
    (shownId === undefined ? recent.probes[0] : undefined);
  const canRun = !state.loading && path.trim() !== '' && selected.length > 0;

  return (
    <InfoCard
      title="Compare an endpoint"
      subheader="Ask every environment the same question: is it also broken in production?"
    >
      <form className={classes.form} onSubmit={onSubmit} aria-label="Probe">
        <TextField
          className={classes.path}
          label="Path"
          value={path}
          onChange={e => setPath(e.target.value)}
          placeholder="/version"
          helperText="Relative to each environment's URL; a query is allowed"
          inputProps={{
            'aria-label': 'Path',
            maxLength: PROBE_MAX_PATH_LENGTH,
            className: classes.mono,
          }}
        />
        <TextField
          select
          label="Method"
          value={method}
          onChange={e => setMethod(e.target.value as ProbeMethod)}
          SelectProps={{ native: true }}
          inputProps={{ 'aria-label': 'Method' }}
        >
          <option value="GET">GET</option>
          <option value="HEAD">HEAD</option>
        </TextField>
        <FormControl component="fieldset">
          <FormLabel component="legend">Environments</FormLabel>
          <FormGroup row>
            {environments.map(env => (
              <FormControlLabel
                key={env.name}
                label={env.title}
                control={
                  <Checkbox
                    size="small"
                    checked={!unselected.includes(env.name)}
                    onChange={e =>
                      setUnselected(current =>
                        e.target.checked
                          ? current.filter(n => n !== env.name)
                          : [...current, env.name],
                      )
                    }
                  />
                }
              />
            ))}
          </FormGroup>
        </FormControl>
        <Button
          type="submit"
          variant="contained"
          color="primary"
          disabled={!canRun}
          startIcon={
            state.loading ? (
              <CircularProgress size={16} aria-label="Running" />
            ) : undefined
          }
        >
          {state.loading ? 'Running…' : 'Run'}
        </Button>
      </form>
      {state.error && !state.loading && (
        <Box mb={2}>
          <Alert severity="error">
            Probe failed: {errorMessage(state.error)}
          </Alert>
        </Box>
      )}
      {shown && <ProbeResults result={shown} />}
      {recent.probes.length > 0 && (
        <Box mt={2}>
          <Typography variant="subtitle2">Recent probes</Typography>
          <List dense aria-label="Recent probes">
            {/* each button in a list item of its own: a list holds items only */}
            {recent.probes.map(p => (
              <li key={p.id}>
                <ListItem
                  button
                  component="div"
                  selected={p.id === shown?.id}
                  aria-current={p.id === shown?.id ? 'true' : undefined}
                  onClick={() => setShownId(p.id)}
                >
                  <ListItemText
                    primary={
                      <>
                        <span className={classes.mono}>
                          {p.method} {p.path}
                        </span>
                        {p.id === shown?.id && (
                          <Typography
                            component="span"
                            variant="caption"
                            color="textSecondary"
                          >
                            {' '}
                            (shown above)
                          </Typography>
                        )}
                      </>
                    }
                    secondary={`${new Date(
                      p.startedAt,
                    ).toLocaleTimeString()} — ${summary(p)}`}
                  />
                </ListItem>
              </li>
            ))}
          </List>
        </Box>
      )}
    </InfoCard>
  );
}

function PermittedProbeCard(props: {
  entity: Entity;
  environments: ReportEnvironment[];
}) {
  const permission = usePermission({
    permission: envParityProbeRunPermission,
  });
  // only an explicit denial hides it; the backend has the final word
  const denied =
    !permission.loading && !permission.allowed && !permission.error;
  if (permission.loading || denied) {
    return null;
  }
  return (
    <Grid item xs={12} data-env-parity-section="probe">
      <ProbeCard {...props} />
    </Grid>
  );
}

/**
 * "Compare an endpoint" on the Parity tab, as a grid item: shown when some
 * environment has a URL and the permission policy does not deny
 * `env-parity.probe.run`.
 */
export function ProbeSection(props: { entity: Entity; report: ParityReport }) {
  const environments = probeEnvironments(props.entity, props.report);
  if (environments.length === 0) {
    return null;
  }
  return (
    <PermittedProbeCard entity={props.entity} environments={environments} />
  );
}
