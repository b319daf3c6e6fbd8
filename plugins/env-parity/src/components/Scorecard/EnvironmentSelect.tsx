import { useId } from 'react';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';
import {
  SCORECARD_WORST_ENVIRONMENT,
  ScorecardEnvironments,
} from '@env-parity/plugin-env-parity-common';
import { envTitle } from './format';
import { WORST_ENVIRONMENT_TITLE } from './environments';

const useStyles = makeStyles(theme => ({
  select: {
    minWidth: 220,
    // 4.5:1 on the page's background in the light theme (WCAG AA)
    '& .MuiFormLabel-root:not(.Mui-focused):not(.Mui-error), & .MuiFormHelperText-root:not(.Mui-error)':
      {
        color:
          theme.palette.type === 'light' ? theme.palette.grey[700] : undefined,
      },
  },
}));

/**
 * Which environment the scorecard compares with the reference: each
 * non-reference environment in promotion order, then "Worst environment"
 * (each service's lowest score across its environments).
 */
export function EnvironmentSelect(props: {
  environments: ScorecardEnvironments;
  /** The environment shown, or `worst`. */
  value: string;
  onChange: (environment: string) => void;
}) {
  const classes = useStyles();
  const id = useId();
  const { environments, value } = props;
  const reference = envTitle(environments.reference);
  const known =
    value === SCORECARD_WORST_ENVIRONMENT ||
    environments.environments.some(e => e.name === value);
  return (
    <TextField
      id={`${id}-environment`}
      select
      variant="outlined"
      size="small"
      label="Environment"
      className={classes.select}
      value={known ? value : environments.defaultEnvironment}
      onChange={e => props.onChange(e.target.value)}
      SelectProps={{ native: true }}
      helperText={
        value === SCORECARD_WORST_ENVIRONMENT
          ? `Each service's lowest score against ${reference}`
          : `Compared with ${reference}`
      }
    >
      {environments.environments.map(environment => (
        <option key={environment.name} value={environment.name}>
          {environment.title}
        </option>
      ))}
      <option value={SCORECARD_WORST_ENVIRONMENT}>
        {WORST_ENVIRONMENT_TITLE}
      </option>
    </TextField>
  );
}
