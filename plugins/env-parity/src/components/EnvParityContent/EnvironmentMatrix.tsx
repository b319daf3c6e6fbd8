import { Fragment, ReactNode } from 'react';
import { CopyTextButton, Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Paper from '@material-ui/core/Paper';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import useMediaQuery from '@material-ui/core/useMediaQuery';
import { makeStyles, useTheme } from '@material-ui/core/styles';
import {
  Alignment,
  artifactDigest,
  EnvironmentComparison,
  ParityReport,
  Replica,
  ReportEnvironment,
  shortHash,
} from '@env-parity/plugin-env-parity-common';
import { EnvironmentStatus } from './EnvironmentStatus';
import { AlignmentUnderWay } from '../Align/AlignmentUnderWay';
import { openAlignmentOf } from '../Align/useServiceAlignments';
import { ReplicaEnvironmentLabel } from '../Replica/ReplicaEnvironmentLabel';
import { Score } from './Score';
import { ScrollRegion } from './ScrollRegion';
import { EnvironmentFindings, RunningResources } from './Running';
import { VerdictChip } from './VerdictChip';
import { commitUrl, exactTime, relativeTime } from './format';

/** Narrower than this, an environment's column crushes what it shows. */
const COLUMN_MIN_WIDTH = 180;
const ROW_HEADER_WIDTH = 140;

const useStyles = makeStyles(theme => ({
  table: {
    tableLayout: 'fixed',
  },
  cards: {
    listStyle: 'none',
    margin: 0,
    padding: theme.spacing(2),
    display: 'grid',
    gap: theme.spacing(2),
  },
  card: {
    padding: theme.spacing(2),
  },
  fields: {
    display: 'grid',
    gridTemplateColumns: `minmax(90px, max-content) minmax(0, 1fr)`,
    gap: theme.spacing(1, 2),
    margin: theme.spacing(1.5, 0, 0),
  },
  term: {
    color: theme.palette.text.secondary,
    fontWeight: theme.typography.fontWeightMedium as number,
    ...theme.typography.body2,
  },
  definition: {
    margin: 0,
    minWidth: 0,
    overflowWrap: 'anywhere',
    ...theme.typography.body2,
  },
  rowHeader: {
    width: ROW_HEADER_WIDTH,
    color: theme.palette.text.secondary,
    fontWeight: theme.typography.fontWeightMedium as number,
    verticalAlign: 'top',
  },
  cell: {
    verticalAlign: 'top',
    overflowWrap: 'anywhere',
  },
  envHeader: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
  },
  mono: {
    fontFamily: 'monospace',
  },
}));

const NONE = (
  <Typography variant="body2" color="textSecondary" component="span">
    —
  </Typography>
);

function Artifact(props: { artifact?: string }) {
  const classes = useStyles();
  const { artifact } = props;
  if (!artifact) {
    return NONE;
  }
  const digest = artifactDigest(artifact);
  return (
    <Box display="flex" alignItems="center">
      <Tooltip title={artifact}>
        <span className={classes.mono}>
          {digest ? shortHash(digest) : artifact}
        </span>
      </Tooltip>
      <CopyTextButton
        text={artifact}
        tooltipText="Artifact reference copied to clipboard"
        aria-label="Copy artifact reference"
        variant="tertiary"
      />
    </Box>
  );
}

function Revision(props: { revision?: string; slug?: string }) {
  const classes = useStyles();
  const { revision, slug } = props;
  if (!revision) {
    return NONE;
  }
  const url = commitUrl(slug, revision);
  const text = <span className={classes.mono}>{shortHash(revision)}</span>;
  return (
    <Tooltip title={revision}>
      {url ? <Link to={url}>{text}</Link> : text}
    </Tooltip>
  );
}

function Deployed(props: { env: ReportEnvironment; now: number }) {
  const { deployedAt, deployedBy } = props.env.deployment ?? {};
  if (!deployedAt && !deployedBy) {
    return NONE;
  }
  return (
    <>
      {deployedAt && (
        <Tooltip title={exactTime(deployedAt)}>
          <Typography variant="body2" component="span">
            {relativeTime(deployedAt, props.now)}
          </Typography>
        </Tooltip>
      )}
      {deployedBy && (
        <Typography variant="body2" color="textSecondary">
          by {deployedBy}
        </Typography>
      )}
    </>
  );
}

function Parity(props: {
  report: ParityReport;
  env: ReportEnvironment;
  comparison?: EnvironmentComparison;
  alignment?: Alignment;
}) {
  const { report, env, comparison, alignment } = props;
  if (env.reference) {
    return (
      <Typography variant="body2" color="textSecondary">
        the reference
      </Typography>
    );
  }
  if (!comparison) {
    return alignment ? <AlignmentUnderWay alignment={alignment} /> : NONE;
  }
  return (
    <>
      <Box
        display="flex"
        alignItems="center"
        flexWrap="wrap"
        style={{ gap: 8 }}
      >
        <VerdictChip verdict={comparison.verdict} />
        <Score report={report} comparison={comparison} />
      </Box>
      {alignment && <AlignmentUnderWay alignment={alignment} />}
    </>
  );
}

function Links(props: { env: ReportEnvironment }) {
  const { url, links } = props.env.deployment ?? {};
  if (!url && !links?.length) {
    return NONE;
  }
  return (
    <>
      {url && (
        <div>
          <Link to={url}>Open</Link>
        </div>
      )}
      {links?.map(link => (
        <div key={`${link.title}:${link.url}`}>
          <Link to={link.url}>{link.title}</Link>
        </div>
      ))}
    </>
  );
}

type Row = {
  label: string;
  render: (env: ReportEnvironment) => ReactNode;
};

/** The matrix's rows, the same in the table and in the cards. */
function rowsOf(
  report: ParityReport,
  slug: string | undefined,
  now: number,
  alignments: Alignment[] | undefined,
) {
  const envs = report.environments;
  const comparisonOf = (name: string) =>
    report.comparisons.find(c => c.environment === name);

  const rows: Row[] = [
    {
      label: 'Status',
      render: env => (
        <>
          <EnvironmentStatus environment={env} now={now} />
          <EnvironmentFindings environment={env} />
        </>
      ),
    },
    {
      label: 'Parity',
      render: env => (
        <Parity
          report={report}
          env={env}
          comparison={comparisonOf(env.name)}
          alignment={openAlignmentOf(alignments, env.name)}
        />
      ),
    },
    {
      label: 'Version',
      render: env => env.deployment?.version ?? NONE,
    },
    {
      label: 'Revision',
      render: env => (
        <Revision revision={env.deployment?.revision} slug={slug} />
      ),
    },
    {
      label: 'Artifact',
      render: env => <Artifact artifact={env.deployment?.artifact} />,
    },
    ...(envs.some(e => e.deployment?.resources?.length)
      ? [
          {
            label: 'Running',
            render: (env: ReportEnvironment) => (
              <RunningResources environment={env} now={now} />
            ),
          },
        ]
      : []),
    {
      label: 'Deployed',
      render: env => <Deployed env={env} now={now} />,
    },
    {
      label: 'Owner',
      render: env =>
        env.owner ? (
          <EntityRefLink entityRef={env.owner} defaultKind="group" />
        ) : (
          NONE
        ),
    },
  ];
  if (envs.some(e => e.deployment?.url || e.deployment?.links?.length)) {
    rows.push({ label: 'Links', render: env => <Links env={env} /> });
  }
  return rows;
}

/** Narrow screens: one card per environment, in promotion order. */
function EnvironmentCards(props: {
  envs: ReportEnvironment[];
  rows: Row[];
  replicas?: Replica[];
}) {
  const classes = useStyles();
  const { envs, rows, replicas } = props;
  return (
    <ul className={classes.cards} aria-label="Environments">
      {envs.map(env => (
        <Paper
          key={env.name}
          component="li"
          variant="outlined"
          className={classes.card}
          aria-labelledby={`environment-card-${env.name}`}
        >
          <div className={classes.envHeader}>
            <Typography
              variant="subtitle1"
              component="h3"
              id={`environment-card-${env.name}`}
            >
              {env.title}
            </Typography>
            {env.reference && (
              <Chip label="reference" size="small" variant="outlined" />
            )}
            <ReplicaEnvironmentLabel env={env} replicas={replicas} />
          </div>
          <dl className={classes.fields}>
            {rows.map(row => (
              <Fragment key={row.label}>
                <dt className={classes.term}>{row.label}</dt>
                <dd className={classes.definition}>{row.render(env)}</dd>
              </Fragment>
            ))}
          </dl>
        </Paper>
      ))}
    </ul>
  );
}

/**
 * What runs in each environment: one column per environment in promotion
 * order, in a region that scrolls sideways (and that the keyboard reaches)
 * rather than crushing the columns; on narrow screens one card per
 * environment.
 */
export function EnvironmentMatrix(props: {
  report: ParityReport;
  slug?: string;
  now: number;
  /** The service's alignments: the one under way shows on its environment. */
  alignments?: Alignment[];
  /** The user's replicas of the service: their environments are labelled. */
  replicas?: Replica[];
}) {
  const classes = useStyles();
  const theme = useTheme();
  const narrow = useMediaQuery(theme.breakpoints.down('sm'), { noSsr: true });
  const { report, slug, now, alignments, replicas } = props;
  const envs = report.environments;
  const rows = rowsOf(report, slug, now, alignments);

  if (narrow) {
    return <EnvironmentCards envs={envs} rows={rows} replicas={replicas} />;
  }
  return (
    <ScrollRegion label="Environments table, scrolls sideways">
      <Table
        size="small"
        className={classes.table}
        aria-label="Environments"
        style={{ minWidth: ROW_HEADER_WIDTH + envs.length * COLUMN_MIN_WIDTH }}
      >
        <TableHead>
          <TableRow>
            <TableCell className={classes.rowHeader} />
            {envs.map(env => (
              <TableCell key={env.name} className={classes.cell} scope="col">
                <div className={classes.envHeader}>
                  <Typography variant="subtitle2" component="span">
                    {env.title}
                  </Typography>
                  {env.reference && (
                    <Chip label="reference" size="small" variant="outlined" />
                  )}
                  <ReplicaEnvironmentLabel env={env} replicas={replicas} />
                </div>
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map(row => (
            <TableRow key={row.label}>
              <TableCell
                component="th"
                scope="row"
                className={classes.rowHeader}
              >
                {row.label}
              </TableCell>
              {envs.map(env => (
                <TableCell key={env.name} className={classes.cell}>
                  {row.render(env)}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </ScrollRegion>
  );
}
