import { useState } from 'react';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import InfoOutlinedIcon from '@material-ui/icons/InfoOutlined';
import WarningIcon from '@material-ui/icons/Warning';
import Alert from '@material-ui/lab/Alert';
import {
  artifactDigest,
  DeploymentFinding,
  parseArtifact,
  ReportEnvironment,
  RunningImage,
  RunningResource,
  shortHash,
} from '@env-parity/plugin-env-parity-common';
import { exactTime, relativeTime } from './format';

/** More resources than this are collapsed behind a "Show more" button. */
const VISIBLE_RESOURCES = 4;

const useStyles = makeStyles(theme => ({
  list: {
    listStyle: 'none',
    margin: 0,
    padding: 0,
  },
  resource: {
    '& + &': {
      marginTop: theme.spacing(1),
      paddingTop: theme.spacing(1),
      borderTop: `1px solid ${theme.palette.divider}`,
    },
  },
  name: {
    fontWeight: theme.typography.fontWeightMedium as number,
  },
  line: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    columnGap: theme.spacing(1),
  },
  mono: {
    fontFamily: 'monospace',
  },
  warning: {
    color:
      theme.palette.type === 'dark'
        ? theme.palette.warning.light
        : theme.palette.warning.dark,
    fontWeight: theme.typography.fontWeightMedium as number,
  },
  icon: {
    fontSize: '1rem',
    verticalAlign: 'text-bottom',
    marginRight: theme.spacing(0.25),
  },
  image: {
    marginTop: theme.spacing(0.5),
  },
  digests: {
    display: 'flex',
    flexWrap: 'wrap',
    columnGap: theme.spacing(1),
  },
  findings: {
    marginTop: theme.spacing(1),
    '& > * + *': {
      marginTop: theme.spacing(0.5),
    },
  },
  alert: {
    padding: theme.spacing(0, 1),
    '& .MuiAlert-icon': {
      marginRight: theme.spacing(1),
    },
  },
  detailsToggle: {
    marginLeft: theme.spacing(-0.5),
    padding: theme.spacing(0, 0.5),
    minWidth: 0,
  },
  info: {
    display: 'flex',
    alignItems: 'flex-start',
    gap: theme.spacing(0.5),
  },
}));

/** The short form of a digest, the full one in a tooltip. */
function Digest(props: { digest: string; warning?: boolean }) {
  const classes = useStyles();
  const { digest, warning } = props;
  return (
    <Tooltip title={digest}>
      <span
        className={`${classes.mono} ${warning ? classes.warning : ''}`.trim()}
      >
        {digest.startsWith('sha256:') ? shortHash(digest) : digest}
      </span>
    </Tooltip>
  );
}

/** The digests an image runs; a digest pinned in the image if none reported. */
function digestsOf(image: RunningImage): string[] {
  if (image.digests?.length) {
    return image.digests;
  }
  const pinned = artifactDigest(image.image);
  return pinned ? [pinned] : [];
}

/** The image without its digest (shown separately), e.g. `ghcr.io/acme/api:1.4.2`. */
function imageName(image: string): string {
  try {
    const { repository, tag } = parseArtifact(image);
    return tag ? `${repository}:${tag}` : repository;
  } catch {
    return image;
  }
}

function Image(props: { image: RunningImage }) {
  const classes = useStyles();
  const { image } = props;
  const digests = digestsOf(image);
  const mixed = digests.length > 1;
  return (
    <div className={classes.image}>
      <Typography variant="caption" component="div">
        {image.container && (
          <Typography variant="caption" color="textSecondary" component="span">
            {image.container}:{' '}
          </Typography>
        )}
        <Tooltip title={image.image}>
          <span className={classes.mono}>{imageName(image.image)}</span>
        </Tooltip>
      </Typography>
      {digests.length > 0 && (
        <Typography
          variant="caption"
          component="div"
          className={classes.digests}
        >
          {mixed && (
            <WarningIcon
              className={`${classes.icon} ${classes.warning}`}
              titleAccess="Pods run different digests"
            />
          )}
          {digests.map(digest => (
            <Digest key={digest} digest={digest} warning={mixed} />
          ))}
        </Typography>
      )}
    </div>
  );
}

function Replicas(props: { replicas: { desired: number; ready: number } }) {
  const classes = useStyles();
  const { desired, ready } = props.replicas;
  const short = ready < desired;
  return (
    <Tooltip title={`${ready} of ${desired} replicas ready`}>
      <Typography
        variant="caption"
        component="span"
        className={short ? classes.warning : undefined}
      >
        {short && (
          <WarningIcon
            className={classes.icon}
            titleAccess="Fewer replicas ready than desired"
          />
        )}
        {ready}/{desired} ready
      </Typography>
    </Tooltip>
  );
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T/;
const SHA = /^[0-9a-f]{7,40}$/i;

function Detail(props: { name: string; value: string; now: number }) {
  const classes = useStyles();
  const { name, value, now } = props;
  let shown = <span>{value}</span>;
  if (ISO_TIME.test(value) && !Number.isNaN(Date.parse(value))) {
    shown = (
      <Tooltip title={exactTime(value)}>
        <span>{relativeTime(value, now)}</span>
      </Tooltip>
    );
  } else if (SHA.test(value) || value.startsWith('sha256:')) {
    shown = (
      <Tooltip title={value}>
        <span className={classes.mono}>{shortHash(value)}</span>
      </Tooltip>
    );
  }
  return (
    <span>
      {name} {shown}
    </span>
  );
}

function Resource(props: { resource: RunningResource; now: number }) {
  const classes = useStyles();
  const { resource, now } = props;
  const where = [resource.location, resource.namespace].filter(Boolean);
  const details = Object.entries(resource.details ?? {});
  return (
    <li className={classes.resource}>
      <Typography variant="body2" component="div">
        <Typography variant="body2" color="textSecondary" component="span">
          {resource.kind}
        </Typography>{' '}
        <span className={classes.name}>{resource.name}</span>
      </Typography>
      {where.length > 0 && (
        <Tooltip
          title={[
            resource.location && 'cluster or Argo CD instance',
            resource.namespace && 'namespace',
          ]
            .filter(Boolean)
            .join(' · ')}
        >
          <Typography variant="caption" color="textSecondary" component="div">
            {where.join(' · ')}
          </Typography>
        </Tooltip>
      )}
      {(resource.replicas || resource.status) && (
        <div className={classes.line}>
          {resource.replicas && <Replicas replicas={resource.replicas} />}
          {resource.status && (
            <Typography variant="caption" component="span">
              {resource.status}
            </Typography>
          )}
        </div>
      )}
      {resource.images?.map(image => (
        <Image key={`${image.container ?? ''}:${image.image}`} image={image} />
      ))}
      {details.length > 0 && (
        <Typography
          variant="caption"
          color="textSecondary"
          component="div"
          className={classes.line}
        >
          {details.map(([name, value]) => (
            <Detail key={name} name={name} value={value} now={now} />
          ))}
        </Typography>
      )}
    </li>
  );
}

/** What one environment runs, in one line. */
function summaryOf(resources: RunningResource[]) {
  const kinds = [...new Set(resources.map(r => r.kind))];
  const replicas = resources.flatMap(r => (r.replicas ? [r.replicas] : []));
  const ready = replicas.reduce((sum, r) => sum + r.ready, 0);
  const desired = replicas.reduce((sum, r) => sum + r.desired, 0);
  const digests = [
    ...new Set(
      resources.flatMap(r => (r.images ?? []).flatMap(i => digestsOf(i))),
    ),
  ];
  const statuses = [
    ...new Set(resources.flatMap(r => (r.status ? [r.status] : []))),
  ];
  const mixed = resources.some(r =>
    (r.images ?? []).some(i => (i.digests?.length ?? 0) > 1),
  );
  return {
    what:
      resources.length === 1
        ? `${kinds[0]} ${resources[0].name}`
        : `${resources.length} resources (${kinds.join(', ')})`,
    replicas: replicas.length ? { ready, desired } : undefined,
    digests,
    statuses,
    mixed,
  };
}

/** The one-line summary: what runs, replicas ready, digests, statuses. */
function RunningSummary(props: { resources: RunningResource[] }) {
  const classes = useStyles();
  const summary = summaryOf(props.resources);
  const parts: JSX.Element[] = [<span key="what">{summary.what}</span>];
  if (summary.replicas) {
    parts.push(<Replicas key="replicas" replicas={summary.replicas} />);
  }
  if (summary.digests.length > 0) {
    parts.push(
      <span key="digests" className={classes.digests}>
        {summary.mixed && (
          <WarningIcon
            className={`${classes.icon} ${classes.warning}`}
            titleAccess="Pods run different digests"
          />
        )}
        {summary.digests.map(digest => (
          <Digest key={digest} digest={digest} warning={summary.mixed} />
        ))}
      </span>,
    );
  }
  if (summary.statuses.length > 0) {
    parts.push(<span key="statuses">{summary.statuses.join(', ')}</span>);
  }
  return (
    <Typography variant="caption" component="div" className={classes.line}>
      {parts.flatMap((part, index) =>
        index === 0
          ? [part]
          : [
              <span key={`sep${index}`} aria-hidden>
                ·
              </span>,
              part,
            ],
      )}
    </Typography>
  );
}

/**
 * The workloads or applications that run the service in one environment:
 * a one-line summary (what, replicas ready, the digests the pods run, their
 * status), the details (each resource, image and digest) on demand.
 */
export function RunningResources(props: {
  environment: ReportEnvironment;
  now: number;
}) {
  const classes = useStyles();
  const { environment: env, now } = props;
  const [details, setDetails] = useState(false);
  const [expanded, setExpanded] = useState(false);
  const detailsId = `running-details-${env.name}`;
  const resources = env.deployment?.resources ?? [];
  if (resources.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary" component="span">
        —
      </Typography>
    );
  }
  const collapsible = resources.length > VISIBLE_RESOURCES;
  const shown =
    collapsible && !expanded
      ? resources.slice(0, VISIBLE_RESOURCES)
      : resources;
  return (
    <>
      <RunningSummary resources={resources} />
      <Button
        size="small"
        color="primary"
        className={classes.detailsToggle}
        onClick={() => setDetails(d => !d)}
        aria-expanded={details}
        aria-controls={detailsId}
        aria-label={`${details ? 'Hide' : 'Show'} details of what runs in ${
          env.title
        }`}
      >
        {details ? 'Hide details' : 'Show details'}
      </Button>
      <div id={detailsId} hidden={!details}>
        {details && (
          <>
            <ul className={classes.list} aria-label={`Running in ${env.title}`}>
              {shown.map((resource, index) => (
                <Resource
                  key={`${resource.location ?? ''}:${
                    resource.namespace ?? ''
                  }:${resource.kind}:${resource.name}:${index}`}
                  resource={resource}
                  now={now}
                />
              ))}
            </ul>
            {collapsible && (
              <Box mt={0.5}>
                <Button
                  size="small"
                  color="primary"
                  onClick={() => setExpanded(e => !e)}
                  aria-expanded={expanded}
                >
                  {expanded
                    ? 'Show fewer'
                    : `Show ${resources.length - VISIBLE_RESOURCES} more`}
                </Button>
              </Box>
            )}
          </>
        )}
      </div>
    </>
  );
}

/** Whether a running resource is the one a finding names. */
function isNamed(
  resource: RunningResource,
  named: NonNullable<DeploymentFinding['resource']>,
): boolean {
  return (
    resource.kind === named.kind &&
    resource.name === named.name &&
    (named.location === undefined || resource.location === named.location)
  );
}

/**
 * Images whose pods run more than one digest, for a `mixed-digests` finding:
 * those of the resource it names, or of every resource for a finding that
 * names none (reports from before findings named their resource).
 */
function mixedImages(env: ReportEnvironment, finding: DeploymentFinding) {
  const named = finding.resource;
  return (env.deployment?.resources ?? []).flatMap((resource, index) =>
    named && !isNamed(resource, named)
      ? []
      : (resource.images ?? [])
          .filter(image => (image.digests?.length ?? 0) > 1)
          .map(image => ({ resource, image, index })),
  );
}

function WarningFinding(props: {
  finding: DeploymentFinding;
  environment: ReportEnvironment;
}) {
  const classes = useStyles();
  const { finding, environment } = props;
  const mixed =
    finding.type === 'mixed-digests' ? mixedImages(environment, finding) : [];
  // name the cluster only where the list spans more than one
  const locations = new Set(mixed.map(({ resource }) => resource.location));
  const showLocation = locations.size > 1;
  return (
    <Alert severity="warning" className={classes.alert}>
      <Typography variant="body2">{finding.message}</Typography>
      {mixed.map(({ resource, image, index }) => (
        <Box
          key={`${resource.location ?? ''}:${resource.namespace ?? ''}:${
            resource.kind
          }:${resource.name}:${index}:${image.container ?? ''}:${image.image}`}
          mt={0.5}
        >
          <Typography variant="caption" component="div">
            {resource.kind} {resource.name}
            {showLocation && resource.location
              ? ` on ${resource.location}`
              : ''}
            {image.container ? ` · ${image.container}` : ''}:
          </Typography>
          <Typography
            variant="caption"
            component="div"
            className={classes.digests}
          >
            {image.digests!.map(digest => (
              <Digest key={digest} digest={digest} />
            ))}
          </Typography>
        </Box>
      ))}
    </Alert>
  );
}

/**
 * What the providers noticed about one environment: warnings (such as pods
 * running different digests) as alerts, information more quietly.
 */
export function EnvironmentFindings(props: { environment: ReportEnvironment }) {
  const classes = useStyles();
  const { environment } = props;
  const findings = environment.deployment?.findings ?? [];
  if (findings.length === 0) {
    return null;
  }
  const warnings = findings.filter(f => f.severity === 'warning');
  const infos = findings.filter(f => f.severity !== 'warning');
  return (
    <div
      className={classes.findings}
      role="group"
      aria-label={`Findings in ${environment.title}`}
    >
      {warnings.map((finding, index) => (
        <WarningFinding
          key={`${finding.type}:${index}`}
          finding={finding}
          environment={environment}
        />
      ))}
      {infos.map((finding, index) => (
        <Typography
          key={`${finding.type}:${index}`}
          variant="caption"
          color="textSecondary"
          component="div"
          className={classes.info}
        >
          <InfoOutlinedIcon className={classes.icon} aria-hidden />
          <span>{finding.message}</span>
        </Typography>
      ))}
    </div>
  );
}
