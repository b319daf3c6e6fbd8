import { ReactElement, ReactNode } from 'react';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import ArrowForwardIcon from '@material-ui/icons/ArrowForward';
import ErrorIcon from '@material-ui/icons/Error';
import { exactTime, relativeTime } from '../EnvParityContent/format';

const useStyles = makeStyles(theme => ({
  list: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
  },
  item: {
    display: 'flex',
    gap: theme.spacing(1.5),
    position: 'relative',
    paddingBottom: theme.spacing(2),
    '&:not(:last-child)::before': {
      content: '""',
      position: 'absolute',
      left: 15,
      top: 32,
      bottom: 0,
      borderLeft: `2px solid ${theme.palette.divider}`,
    },
  },
  icon: {
    flex: '0 0 32px',
    height: 32,
    borderRadius: '50%',
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    backgroundColor: theme.palette.background.default,
    border: `1px solid ${theme.palette.divider}`,
  },
  good: { color: theme.palette.success.main },
  bad: { color: theme.palette.error.main },
  warn: { color: theme.palette.warning.main },
  neutral: { color: theme.palette.text.secondary },
  body: {
    flex: 1,
    minWidth: 0,
    paddingTop: theme.spacing(0.5),
  },
  headline: {
    display: 'flex',
    flexWrap: 'wrap',
    alignItems: 'center',
    gap: theme.spacing(1),
  },
  transition: {
    display: 'inline-flex',
    alignItems: 'center',
    gap: theme.spacing(0.5),
  },
  comment: {
    margin: theme.spacing(0.5, 0, 0),
    paddingLeft: theme.spacing(1.5),
    borderLeft: `3px solid ${theme.palette.divider}`,
    whiteSpace: 'pre-wrap',
    wordBreak: 'break-word',
  },
}));

/** How a step reads: `approved`, its icon, and its colour. */
export interface StepSpec {
  label: string;
  icon: ReactElement;
  tone: 'good' | 'bad' | 'warn' | 'neutral';
}

/** One step of a timeline, whatever it records. */
export interface TimelineStep<S extends string> {
  /** Unique within the timeline. */
  key: string | number;
  /** What happened, e.g. `approved`. */
  type: string;
  /** User entity ref of whoever acted, or `system`. */
  actor: string;
  fromStatus?: S;
  toStatus?: S;
  comment?: string;
  /** Facts worth reading, e.g. `1 of 2 approvals`. */
  facts: string[];
  /** ISO 8601. */
  at: string;
  /** Breaks ties of `at`: the order the steps were written in. */
  order: number;
}

/** Who acted: a link to the user, or the system. */
export function Actor(props: { actor: string }) {
  const { actor } = props;
  if (!actor || actor === 'system') {
    return <span>System</span>;
  }
  return <EntityRefLink entityRef={actor} defaultKind="user" hideIcon />;
}

/**
 * Every step of a request's life, oldest first: what happened, who did it,
 * when, the status it moved from and to, its facts and comment. Access
 * requests and alignments each give their own step labels and status chip.
 */
export function Timeline<S extends string>(props: {
  steps: TimelineStep<S>[];
  specOf: (type: string) => StepSpec | undefined;
  chip: (status: S) => ReactNode;
}) {
  const classes = useStyles();
  const { specOf, chip } = props;
  const steps = [...props.steps].sort(
    (a, b) => Date.parse(a.at) - Date.parse(b.at) || a.order - b.order,
  );
  if (!steps.length) {
    return (
      <Typography variant="body2" color="textSecondary">
        Nothing has happened yet.
      </Typography>
    );
  }
  return (
    <ol className={classes.list} aria-label="Timeline">
      {steps.map(step => {
        const spec: StepSpec = specOf(step.type) ?? {
          label: step.type,
          icon: <ErrorIcon />,
          tone: 'neutral',
        };
        const changed =
          step.fromStatus && step.toStatus && step.fromStatus !== step.toStatus;
        return (
          <li
            key={step.key}
            className={classes.item}
            data-event={step.type}
            aria-label={`${step.type} by ${step.actor}`}
          >
            <div className={`${classes.icon} ${classes[spec.tone]}`}>
              {spec.icon}
            </div>
            <div className={classes.body}>
              <div className={classes.headline}>
                <Typography component="span" variant="body2">
                  <Actor actor={step.actor} /> {spec.label}
                </Typography>
                <Tooltip title={exactTime(step.at)}>
                  <Typography
                    component="span"
                    variant="body2"
                    color="textSecondary"
                  >
                    <time dateTime={step.at}>{relativeTime(step.at)}</time>
                  </Typography>
                </Tooltip>
                {changed && (
                  <span
                    className={classes.transition}
                    aria-label={`from ${step.fromStatus} to ${step.toStatus}`}
                  >
                    {chip(step.fromStatus!)}
                    <ArrowForwardIcon fontSize="small" color="disabled" />
                    {chip(step.toStatus!)}
                  </span>
                )}
                {!changed &&
                  !step.fromStatus &&
                  step.toStatus &&
                  chip(step.toStatus)}
              </div>
              {step.facts.length > 0 && (
                <Typography variant="caption" color="textSecondary">
                  {step.facts.join(' · ')}
                </Typography>
              )}
              {step.comment && (
                <Typography
                  variant="body2"
                  component="blockquote"
                  className={classes.comment}
                >
                  {step.comment}
                </Typography>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
