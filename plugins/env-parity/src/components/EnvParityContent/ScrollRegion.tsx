import { ReactNode } from 'react';
import { makeStyles } from '@material-ui/core/styles';

const useStyles = makeStyles(theme => ({
  scroll: {
    overflowX: 'auto',
    '&:focus-visible': {
      outline: `2px solid ${theme.palette.primary.main}`,
      outlineOffset: -2,
    },
  },
}));

/**
 * A wide table's container: it scrolls sideways rather than crushing the
 * columns, and, being a named region in the tab order, the keyboard can
 * scroll it too.
 */
export function ScrollRegion(props: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  const classes = useStyles();
  return (
    <div
      className={`${classes.scroll} ${props.className ?? ''}`.trim()}
      role="region"
      aria-label={props.label}
      // scrollable content must be reachable by keyboard (WCAG 2.1.1)
      // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
      tabIndex={0}
    >
      {props.children}
    </div>
  );
}
