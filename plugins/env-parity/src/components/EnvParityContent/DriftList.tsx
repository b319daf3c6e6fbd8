import { Link } from '@backstage/core-components';
import Box from '@material-ui/core/Box';
import Divider from '@material-ui/core/Divider';
import List from '@material-ui/core/List';
import ListItem from '@material-ui/core/ListItem';
import ListItemText from '@material-ui/core/ListItemText';
import Table from '@material-ui/core/Table';
import TableBody from '@material-ui/core/TableBody';
import TableCell from '@material-ui/core/TableCell';
import TableHead from '@material-ui/core/TableHead';
import TableRow from '@material-ui/core/TableRow';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import {
  CommitSummary,
  DriftItem,
  EnvironmentComparison,
  ParityReport,
  shortHash,
} from '@env-parity/plugin-env-parity-common';
import { VerdictChip } from './VerdictChip';
import { commitUrl } from './format';

const useStyles = makeStyles(theme => ({
  section: {
    paddingTop: theme.spacing(2),
    paddingBottom: theme.spacing(2),
  },
  heading: {
    display: 'flex',
    alignItems: 'center',
    flexWrap: 'wrap',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(1),
  },
  value: {
    fontFamily: 'monospace',
    wordBreak: 'break-all',
  },
  label: {
    whiteSpace: 'nowrap',
  },
  field: {
    fontFamily: 'monospace',
    whiteSpace: 'nowrap',
  },
  muted: {
    color: theme.palette.text.secondary,
    fontStyle: 'italic',
  },
}));

const TYPE_LABELS: Record<DriftItem['type'], string> = {
  version: 'Version',
  revision: 'Revision',
  artifact: 'Artifact',
  config: 'Config',
  missing: 'Missing',
};

function DriftValue(props: {
  item: DriftItem;
  side: 'reference' | 'environment';
}) {
  const classes = useStyles();
  const { item, side } = props;
  const value = item[side];
  if (value !== undefined) {
    return <span className={classes.value}>{value}</span>;
  }
  const absent =
    (side === 'reference' && item.change === 'added') ||
    (side === 'environment' && item.change === 'removed');
  if (absent) {
    return <span className={classes.muted}>not set</span>;
  }
  return (
    <span className={classes.muted}>
      {item.type === 'config' ? 'value hidden' : 'unknown'}
    </span>
  );
}

function Commits(props: {
  comparison: EnvironmentComparison;
  referenceTitle: string;
  slug?: string;
}) {
  const { comparison, referenceTitle, slug } = props;
  const { commitsAhead, commitsBehind, commits } = comparison;
  if (commitsAhead === undefined && commitsBehind === undefined) {
    return null;
  }
  const plural = (n: number) => `${n} commit${n === 1 ? '' : 's'}`;
  return (
    <Box mt={1}>
      <Typography variant="body2">
        {plural(commitsAhead ?? 0)} ahead of {referenceTitle},{' '}
        {plural(commitsBehind ?? 0)} behind
      </Typography>
      {commits && commits.length > 0 && (
        <List dense disablePadding aria-label="Commits">
          {commits.map(commit => (
            <CommitRow key={commit.sha} commit={commit} slug={slug} />
          ))}
        </List>
      )}
    </Box>
  );
}

function CommitRow(props: { commit: CommitSummary; slug?: string }) {
  const classes = useStyles();
  const { commit, slug } = props;
  const url = commit.url ?? commitUrl(slug, commit.sha);
  const sha = <span className={classes.value}>{shortHash(commit.sha)}</span>;
  const details = [
    commit.author,
    commit.pullRequest !== undefined ? `#${commit.pullRequest}` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <ListItem disableGutters>
      <ListItemText
        primary={
          <>
            {url ? <Link to={url}>{sha}</Link> : sha}{' '}
            {commit.message.split('\n')[0]}
          </>
        }
        secondary={details || undefined}
      />
    </ListItem>
  );
}

function ComparisonSection(props: {
  comparison: EnvironmentComparison;
  title: string;
  referenceTitle: string;
  slug?: string;
}) {
  const classes = useStyles();
  const { comparison, title, referenceTitle, slug } = props;
  return (
    <section
      className={classes.section}
      aria-label={`${title} compared with ${referenceTitle}`}
    >
      <div className={classes.heading}>
        <Typography variant="h6" component="h3">
          {title}
        </Typography>
        <VerdictChip verdict={comparison.verdict} />
        <Typography variant="body2" color="textSecondary" component="span">
          score {comparison.score}/100
        </Typography>
      </div>
      <Typography variant="body1">{comparison.summary}</Typography>
      <Commits
        comparison={comparison}
        referenceTitle={referenceTitle}
        slug={slug}
      />
      {comparison.drift.length > 0 ? (
        <Box mt={1} overflow="auto">
          <Table size="small" aria-label={`Drift of ${title}`}>
            <TableHead>
              <TableRow>
                <TableCell>Type</TableCell>
                <TableCell>Field</TableCell>
                <TableCell>Change</TableCell>
                <TableCell>{referenceTitle}</TableCell>
                <TableCell>{title}</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {comparison.drift.map(item => (
                <TableRow key={`${item.type}:${item.field}`}>
                  <TableCell className={classes.label}>
                    {TYPE_LABELS[item.type] ?? item.type}
                  </TableCell>
                  <TableCell className={classes.field}>{item.field}</TableCell>
                  <TableCell className={classes.label}>{item.change}</TableCell>
                  <TableCell>
                    <DriftValue item={item} side="reference" />
                  </TableCell>
                  <TableCell>
                    <DriftValue item={item} side="environment" />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </Box>
      ) : (
        <Typography variant="body2" color="textSecondary">
          {comparison.verdict === 'unknown'
            ? 'Nothing to compare.'
            : `No drift from ${referenceTitle}.`}
        </Typography>
      )}
    </section>
  );
}

/**
 * How each non-reference environment drifts from the reference.
 */
export function DriftList(props: { report: ParityReport; slug?: string }) {
  const { report, slug } = props;
  const titleOf = (name: string) =>
    report.environments.find(e => e.name === name)?.title ?? name;
  const order = report.environments.map(e => e.name);
  const comparisons = [...report.comparisons].sort(
    (a, b) => order.indexOf(a.environment) - order.indexOf(b.environment),
  );
  return (
    <>
      {comparisons.map((comparison, index) => (
        <div key={comparison.environment}>
          {index > 0 && <Divider />}
          <ComparisonSection
            comparison={comparison}
            title={titleOf(comparison.environment)}
            referenceTitle={titleOf(comparison.against)}
            slug={slug}
          />
        </div>
      ))}
    </>
  );
}
