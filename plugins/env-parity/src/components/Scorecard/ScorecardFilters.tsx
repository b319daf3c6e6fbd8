import { useEffect, useId, useRef, useState } from 'react';
import { useApiHolder } from '@backstage/core-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import Button from '@material-ui/core/Button';
import FormControlLabel from '@material-ui/core/FormControlLabel';
import InputAdornment from '@material-ui/core/InputAdornment';
import Switch from '@material-ui/core/Switch';
import TextField from '@material-ui/core/TextField';
import { makeStyles } from '@material-ui/core/styles';
import SearchIcon from '@material-ui/icons/Search';
import Autocomplete from '@material-ui/lab/Autocomplete';
import {
  ScorecardFilter,
  Verdict,
  verdictLabel,
  VERDICTS,
} from '@env-parity/plugin-env-parity-common';
import useAsync from 'react-use/esm/useAsync';
import { ownerName, systemName } from './format';
import { hasFilter } from './query';

const useStyles = makeStyles(theme => ({
  root: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(2),
    // the labels' default grey is 4.47:1 on the page's background: darker
    // in the light theme so they reach 4.5:1 (WCAG AA)
    '& .MuiFormLabel-root:not(.Mui-focused):not(.Mui-error), & .MuiFormHelperText-root:not(.Mui-error)':
      {
        color:
          theme.palette.type === 'light' ? theme.palette.grey[700] : undefined,
      },
  },
  search: {
    flex: '1 1 240px',
    minWidth: 200,
  },
  picker: {
    flex: '1 1 180px',
    minWidth: 180,
    maxWidth: 320,
  },
}));

const KIND_SUGGESTIONS = ['component', 'resource', 'api', 'system'];
const TEXT_DELAY_MS = 400;

/** Suggestions for the system and lifecycle filters, from the catalog. */
function useCatalogSuggestions() {
  const catalogApi = useApiHolder().get(catalogApiRef);
  const { value } = useAsync(async () => {
    if (!catalogApi) {
      return undefined;
    }
    try {
      const { facets } = await catalogApi.getEntityFacets({
        facets: ['spec.system', 'spec.lifecycle'],
      });
      const values = (name: string) =>
        [
          ...new Set(
            (facets[name] ?? []).map(f => f.value.toLocaleLowerCase('en-US')),
          ),
        ].sort();
      return {
        system: values('spec.system'),
        lifecycle: values('spec.lifecycle'),
      };
    } catch {
      // suggestions only: free text still works
      return undefined;
    }
  }, [catalogApi]);
  return value ?? { system: [], lifecycle: [] };
}

function Picker<T extends string>(props: {
  label: string;
  value: T[] | undefined;
  options: T[];
  freeSolo?: boolean;
  getLabel?: (value: T) => string;
  onChange: (value: T[]) => void;
}) {
  const classes = useStyles();
  const value = props.value ?? [];
  const options = [...new Set([...props.options, ...value])];
  return (
    <Autocomplete<T, true, false, boolean>
      multiple
      freeSolo={props.freeSolo}
      size="small"
      className={classes.picker}
      options={options}
      value={value}
      filterSelectedOptions
      getOptionLabel={option =>
        props.getLabel ? props.getLabel(option) : option
      }
      onChange={(_, next) =>
        props.onChange(
          (next as string[]).map(v => v.trim()).filter(Boolean) as T[],
        )
      }
      renderInput={params => (
        <TextField
          {...params}
          variant="outlined"
          label={props.label}
          placeholder={value.length ? undefined : 'Any'}
        />
      )}
    />
  );
}

/**
 * The filters of the scorecard: free text, owner, system, kind, lifecycle,
 * verdict and "owned by me". Every change goes to the URL.
 */
export function ScorecardFilters(props: {
  filter: ScorecardFilter;
  /** Owners to suggest, e.g. from the team roll-up. */
  owners: string[];
  onChange: (
    patch: Partial<ScorecardFilter>,
    options?: { replace?: boolean },
  ) => void;
  onClear: () => void;
}) {
  const classes = useStyles();
  const { filter, onChange } = props;
  const suggestions = useCatalogSuggestions();
  const id = useId();

  // the text filter waits for a pause in typing before it asks the backend
  const [text, setText] = useState(filter.q ?? '');
  const typed = useRef(false);
  useEffect(() => {
    if (!typed.current) {
      setText(filter.q ?? '');
    }
  }, [filter.q]);
  useEffect(() => {
    if (!typed.current) {
      return undefined;
    }
    const timer = setTimeout(() => {
      typed.current = false;
      onChange({ q: text.trim() || undefined });
    }, TEXT_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, onChange]);

  return (
    <div className={classes.root} role="search" aria-label="Filter services">
      <TextField
        id={`${id}-search`}
        className={classes.search}
        variant="outlined"
        size="small"
        label="Search"
        placeholder="Name, title, owner or system"
        value={text}
        onChange={e => {
          typed.current = true;
          setText(e.target.value);
        }}
        InputProps={{
          startAdornment: (
            <InputAdornment position="start">
              <SearchIcon fontSize="small" />
            </InputAdornment>
          ),
        }}
      />
      <Picker
        label="Owner"
        value={filter.owner}
        options={props.owners}
        freeSolo
        getLabel={ownerName}
        onChange={owner => onChange({ owner })}
      />
      <Picker
        label="System"
        value={filter.system}
        options={suggestions.system}
        freeSolo
        getLabel={v => systemName(v) ?? v}
        onChange={system => onChange({ system })}
      />
      <Picker
        label="Kind"
        value={filter.kind}
        options={KIND_SUGGESTIONS}
        freeSolo
        onChange={kind => onChange({ kind })}
      />
      <Picker
        label="Lifecycle"
        value={filter.lifecycle}
        options={suggestions.lifecycle}
        freeSolo
        onChange={lifecycle => onChange({ lifecycle })}
      />
      <Picker<Verdict>
        label="Verdict"
        value={filter.verdict}
        options={[...VERDICTS]}
        getLabel={v => verdictLabel(v) ?? v}
        onChange={verdict => onChange({ verdict })}
      />
      <FormControlLabel
        control={
          <Switch
            color="primary"
            checked={Boolean(filter.ownedByMe)}
            onChange={e =>
              onChange({ ownedByMe: e.target.checked || undefined })
            }
          />
        }
        label="Owned by me"
      />
      {hasFilter(filter) && (
        <Button
          color="primary"
          onClick={() => {
            typed.current = false;
            setText('');
            props.onClear();
          }}
        >
          Clear filters
        </Button>
      )}
    </div>
  );
}
