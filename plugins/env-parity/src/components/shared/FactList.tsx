import { ReactNode } from 'react';
import { makeStyles } from '@material-ui/core/styles';

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

/** Labelled facts in two columns (a `<dl>`), each value named by its label. */
export function FactList(props: {
  rows: Array<[string, ReactNode]>;
  'aria-label'?: string;
}) {
  const classes = useStyles();
  return (
    <dl className={classes.facts} aria-label={props['aria-label']}>
      {props.rows.map(([label, value]) => (
        <div key={label} style={{ display: 'contents' }}>
          <dt>{label}</dt>
          <dd aria-label={label}>{value}</dd>
        </div>
      ))}
    </dl>
  );
}
