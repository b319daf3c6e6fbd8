import { MouseEvent } from 'react';
import Link from '@material-ui/core/Link';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import { useHref, useLocation, useNavigate } from 'react-router-dom';

const useStyles = makeStyles(theme => ({
  nav: {
    display: 'flex',
    alignItems: 'baseline',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5, 2),
    marginTop: theme.spacing(2),
  },
  list: {
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(0.5, 2),
    listStyle: 'none',
    margin: 0,
    padding: 0,
  },
}));

function SectionLink(props: { id: string; title: string }) {
  const location = useLocation();
  const navigate = useNavigate();
  const to = {
    pathname: location.pathname,
    search: location.search,
    hash: `#${props.id}`,
  };
  const href = useHref(to);
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return; // a new tab or window opens the deep link
    }
    event.preventDefault();
    navigate(to);
  };
  return (
    <Link href={href} onClick={onClick}>
      {props.title}
    </Link>
  );
}

/**
 * Links to the Parity tab's sections, under its summary: each opens its
 * section and scrolls to it, and is a deep link (`…/parity#compare`).
 */
export function SectionNav(props: {
  sections: ReadonlyArray<{ id: string; title: string }>;
}) {
  const classes = useStyles();
  if (props.sections.length === 0) {
    return null;
  }
  return (
    <nav className={classes.nav} aria-label="Parity sections">
      <Typography variant="body2" color="textSecondary" component="span">
        Jump to
      </Typography>
      <ul className={classes.list}>
        {props.sections.map(section => (
          <Typography key={section.id} variant="body2" component="li">
            <SectionLink id={section.id} title={section.title} />
          </Typography>
        ))}
      </ul>
    </nav>
  );
}
