import { ReactNode } from 'react';
import { CopyTextButton, Link } from '@backstage/core-components';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import Box from '@material-ui/core/Box';
import Chip from '@material-ui/core/Chip';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  artifactDigest,
  EnvironmentComparison,
  ParityReport,
  ReportEnvironment,
  shortHash,
} from '@env-parity/plugin-env-parity-common';
import { EnvironmentStatus } from './EnvironmentStatus';
import { EnvironmentFindings, RunningResources } from './Running';
import { VerdictChip } from './VerdictChip';
import { commitUrl, exactTime, relativeTime } from './format';

const useStyles = makeStyles(theme => ({
  table: {
    tableLayout: 'fixed',
  },
  rowHeader: {
    width: 140,
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
  env: ReportEnvironment;
  comparison?: EnvironmentComparison;
}) {
  const { env, comparison } = props;
  if (env.reference) {
    return (
      <Typography variant="body2" color="textSecondary">
        the reference
      </Typography>
    );
  }
  if (!comparison) {
    return NONE;
  }
  return (
    <Box display="flex" alignItems="center" flexWrap="wrap" style={{ gap: 8 }}>
      <VerdictChip verdict={comparison.verdict} />
      <Typography variant="body2" color="textSecondary" component="span">
        score {comparison.score}/100
      </Typography>
    </Box>
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

/**
 * What runs in each environment, one column per environment in promotion
 * order.
 */
export function EnvironmentMatrix(props: {
  report: ParityReport;
  slug?: string;
  now: number;
}) {
  const classes = useStyles();
  const { report, slug, now } = props;
  const envs = report.environments;
  const comparisonOf = (name: string) =>
    report.comparisons.find(c => c.environment === name);

  const rows: Array<{
    label: string;
    render: (env: ReportEnvironment) => ReactNode;
  }> = [
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
      render: env => <Parity env={env} comparison={comparisonOf(env.name)} />,
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

  return (
    <Table size="small" className={classes.table} aria-label="Environments">
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
              </div>
            </TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map(row => (
          <TableRow key={row.label}>
            <TableCell component="th" scope="row" className={classes.rowHeader}>
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
  );
}
