import { ReactNode, useEffect, useLayoutEffect, useRef, useState } from 'react';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ExpandMoreIcon from '@material-ui/icons/ExpandMore';

const useStyles = makeStyles(theme => ({
  section: {
    // under the app's header when scrolled to
    scrollMarginTop: theme.spacing(2),
  },
  header: {
    display: 'flex',
    alignItems: 'baseline',
    flexWrap: 'wrap',
    columnGap: theme.spacing(1),
  },
  heading: {
    margin: 0,
  },
  toggle: {
    ...theme.typography.h6,
    textTransform: 'none',
    padding: theme.spacing(0.5, 1),
    marginLeft: theme.spacing(-1),
  },
  icon: {
    transition: theme.transitions.create('transform', {
      duration: theme.transitions.duration.shortest,
    }),
  },
  closed: {
    transform: 'rotate(-90deg)',
  },
  content: {
    marginTop: theme.spacing(1),
  },
  // text.secondary on the page's background is 4.47:1 in the light theme
  description: {
    color:
      theme.palette.type === 'light'
        ? theme.palette.grey[700]
        : theme.palette.text.secondary,
  },
}));

/**
 * A section of the Parity tab a user opens and closes: a heading whose
 * button says whether it is open (`aria-expanded`) and which region it
 * controls. Closed, its content stays mounted (hidden), so that what it
 * holds keeps its state, and dialogs it opens from the URL still open. A
 * section whose content renders nothing is not shown at all.
 */
export function Section(props: {
  id: string;
  title: string;
  description?: string;
  open: boolean;
  onToggle: () => void;
  /** Changes each time the URL links to this section: scroll to it. */
  linkKey?: string;
  onPresence?: (present: boolean) => void;
  children: ReactNode;
}) {
  const classes = useStyles();
  const { id, title, description, open, onToggle, linkKey, onPresence } = props;
  const sectionRef = useRef<HTMLDivElement>(null);
  const contentRef = useRef<HTMLDivElement>(null);
  const buttonId = `${id}-toggle`;
  const contentId = `${id}-content`;

  // some content (a card the permission policy denies) renders nothing
  const [present, setPresent] = useState(true);
  const onPresenceRef = useRef(onPresence);
  onPresenceRef.current = onPresence;
  useLayoutEffect(() => {
    const content = contentRef.current;
    if (!content) {
      return undefined;
    }
    const report = () => {
      const now = content.childElementCount > 0;
      setPresent(now);
      onPresenceRef.current?.(now);
    };
    report();
    const observer = new MutationObserver(report);
    observer.observe(content, { childList: true });
    return () => observer.disconnect();
  }, []);

  // once it shows: content such as a permitted card appears a moment later
  useEffect(() => {
    if (linkKey && present) {
      sectionRef.current?.scrollIntoView?.({ block: 'start' });
    }
  }, [linkKey, present]);

  return (
    <Grid
      item
      xs={12}
      component="section"
      id={id}
      ref={sectionRef}
      className={classes.section}
      aria-labelledby={buttonId}
      hidden={!present}
    >
      <div className={classes.header}>
        <Typography variant="h6" component="h2" className={classes.heading}>
          <Button
            id={buttonId}
            className={classes.toggle}
            aria-expanded={open}
            aria-controls={contentId}
            onClick={onToggle}
            startIcon={
              <ExpandMoreIcon
                className={`${classes.icon} ${open ? '' : classes.closed}`}
              />
            }
          >
            {title}
          </Button>
        </Typography>
        {description && (
          <Typography
            variant="body2"
            component="p"
            className={classes.description}
          >
            {description}
          </Typography>
        )}
      </div>
      <div
        id={contentId}
        ref={contentRef}
        className={classes.content}
        role="region"
        aria-labelledby={buttonId}
        hidden={!open}
      >
        {props.children}
      </div>
    </Grid>
  );
}
