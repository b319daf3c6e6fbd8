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
import Tooltip from '@material-ui/core/Tooltip';
import Typography from '@material-ui/core/Typography';
import { makeStyles } from '@material-ui/core/styles';
import InfoOutlinedIcon from '@material-ui/icons/InfoOutlined';
import LockIcon from '@material-ui/icons/Lock';
import {
  CommitSummary,
  DriftItem,
  EnvironmentComparison,
  IGNORE_CONFIG_ANNOTATION,
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
    minWidth: 160,
  },
  source: {
    display: 'block',
    color: theme.palette.text.secondary,
    whiteSpace: 'nowrap',
  },
  secret: {
    display: 'inline-flex',
    alignItems: 'center',
    marginLeft: theme.spacing(1),
    padding: theme.spacing(0, 0.5),
    borderRadius: theme.shape.borderRadius,
    border: `1px solid ${theme.palette.divider}`,
    color: theme.palette.text.secondary,
    fontFamily: theme.typography.fontFamily,
    fontSize: theme.typography.caption.fontSize,
    whiteSpace: 'nowrap',
    verticalAlign: 'middle',
  },
  secretIcon: {
    fontSize: '0.85rem',
    marginRight: theme.spacing(0.25),
  },
  muted: {
    color: theme.palette.text.secondary,
    fontStyle: 'italic',
  },
  ignored: {
    marginTop: theme.spacing(1),
  },
  ignoredIcon: {
    fontSize: '1rem',
    verticalAlign: 'text-bottom',
    marginLeft: theme.spacing(0.5),
    cursor: 'help',
  },
  key: {
    fontFamily: 'monospace',
  },
}));

/** Where a configuration key comes from, by the prefix providers give it. */
const CONFIG_SOURCES: Array<[RegExp, string]> = [
  [/^deployment\//i, 'Deployment'],
  [/^statefulset\//i, 'StatefulSet'],
  [/^daemonset\//i, 'DaemonSet'],
  [/^rollout\//i, 'Rollout'],
  [/^configmap\//i, 'ConfigMap'],
  [/^secret\//i, 'Secret'],
  [/^helm\.values\./i, 'Helm values'],
  [/^kustomize\.images\./i, 'Kustomize image'],
  [/^kustomize\./i, 'Kustomize'],
];

/** The prefix Argo CD gives the keys of one source of a multi-source Application. */
const MULTI_SOURCE = /^source\[(\d+)\]\./i;

/**
 * Where a configuration key comes from, and for a key of a multi-source
 * Argo CD Application (`source[1].helm.values.…`) which source.
 */
function configSource(field: string): { label?: string; source?: number } {
  const multi = MULTI_SOURCE.exec(field);
  const key = multi ? field.slice(multi[0].length) : field;
  return {
    label: CONFIG_SOURCES.find(([pattern]) => pattern.test(key))?.[1],
    source: multi ? Number(multi[1]) : undefined,
  };
}

/** A key with break opportunities after `/` and `.`, so that long keys wrap. */
function BreakableKey(props: { value: string }) {
  const parts = props.value.match(/[^/.]*(?:[/.]|$)/g)!.filter(Boolean);
  return (
    <span>
      {parts.flatMap((part, index) =>
        index === 0 ? [part] : [<wbr key={index} />, part],
      )}
    </span>
  );
}

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
  secret: boolean;
}) {
  const classes = useStyles();
  const { item, side, secret } = props;
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
  let hidden = 'unknown';
  if (secret) {
    hidden = 'value hidden (secret)';
  } else if (item.type === 'config') {
    hidden = 'value hidden';
  }
  return <span className={classes.muted}>{hidden}</span>;
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

function SecretMarker() {
  const classes = useStyles();
  return (
    <span className={classes.secret}>
      <LockIcon className={classes.secretIcon} aria-hidden />
      secret
    </span>
  );
}

function DriftRow(props: { item: DriftItem; secret: boolean }) {
  const classes = useStyles();
  const { item, secret } = props;
  const { label, source } =
    item.type === 'config' ? configSource(item.field) : {};
  return (
    <TableRow>
      <TableCell className={classes.label}>
        {TYPE_LABELS[item.type] ?? item.type}
        {(label || source !== undefined) && (
          <Typography
            variant="caption"
            component="span"
            className={classes.source}
          >
            {label}
            {label && source !== undefined && ' · '}
            {source !== undefined && (
              <Tooltip
                title={`spec.sources[${source}] of a multi-source Argo CD Application`}
              >
                <span>source[{source}]</span>
              </Tooltip>
            )}
          </Typography>
        )}
      </TableCell>
      <TableCell className={classes.field}>
        <BreakableKey value={item.field} />
        {secret && <SecretMarker />}
      </TableCell>
      <TableCell className={classes.label}>{item.change}</TableCell>
      <TableCell>
        <DriftValue item={item} side="reference" secret={secret} />
      </TableCell>
      <TableCell>
        <DriftValue item={item} side="environment" secret={secret} />
      </TableCell>
    </TableRow>
  );
}

const IGNORE_HELP = `Configured as expected to differ, in envParity.config.ignore or the entity annotation ${IGNORE_CONFIG_ANNOTATION}; they count for neither verdict nor score.`;

function IgnoredConfig(props: { keys: string[] }) {
  const classes = useStyles();
  const { keys } = props;
  const n = keys.length;
  return (
    <Typography
      variant="body2"
      color="textSecondary"
      className={classes.ignored}
    >
      {n} configuration {n === 1 ? 'difference' : 'differences'} ignored as
      expected:{' '}
      {keys.map((key, index) => (
        <span key={key}>
          {index > 0 && ', '}
          <span className={classes.key}>
            <BreakableKey value={key} />
          </span>
        </span>
      ))}
      <Tooltip title={IGNORE_HELP}>
        <InfoOutlinedIcon className={classes.ignoredIcon} tabIndex={0} />
      </Tooltip>
    </Typography>
  );
}

function ComparisonSection(props: {
  comparison: EnvironmentComparison;
  title: string;
  referenceTitle: string;
  slug?: string;
  isSecret: (item: DriftItem) => boolean;
}) {
  const classes = useStyles();
  const { comparison, title, referenceTitle, slug, isSecret } = props;
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
                <DriftRow
                  key={`${item.type}:${item.field}`}
                  item={item}
                  secret={isSecret(item)}
                />
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
      {comparison.ignoredConfig && comparison.ignoredConfig.length > 0 && (
        <IgnoredConfig keys={comparison.ignoredConfig} />
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
  const configOf = (name: string) =>
    report.environments.find(e => e.name === name)?.deployment?.config;
  // a key secret on either side is a secret; so is any key of a Secret
  // whose values were withheld
  const isSecret = (comparison: EnvironmentComparison) => (item: DriftItem) =>
    item.type === 'config' &&
    (Boolean(
      configOf(comparison.environment)?.[item.field]?.secret ||
        configOf(comparison.against)?.[item.field]?.secret,
    ) ||
      (/^secret\//i.test(item.field) &&
        item.reference === undefined &&
        item.environment === undefined));
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
            isSecret={isSecret(comparison)}
          />
        </div>
      ))}
    </>
  );
}
