import Divider from '@material-ui/core/Divider';
import IconButton from '@material-ui/core/IconButton';
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
  ConfigSettingDrift,
  DriftItem,
  EnvironmentComparison,
  groupConfigDrift,
  IGNORE_CONFIG_ANNOTATION,
  ParityReport,
} from '@env-parity/plugin-env-parity-common';
import { VerdictChip } from './VerdictChip';
import { Commits } from './Commits';
import { Score } from './Score';
import { ScrollRegion } from './ScrollRegion';

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
    whiteSpace: 'nowrap',
  },
  scrollGap: {
    marginTop: theme.spacing(1),
  },
  table: {
    // narrower, the columns crush their words one letter per line
    minWidth: 720,
  },
  ignored: {
    marginTop: theme.spacing(1),
  },
  ignoredButton: {
    padding: theme.spacing(0.25),
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
  settingName: {
    fontWeight: theme.typography.fontWeightMedium as number,
  },
  sourceKeys: {
    listStyle: 'none',
    margin: theme.spacing(0.5, 0, 0),
    padding: 0,
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

/**
 * One setting that differs, with every key that expresses it (a ConfigMap
 * key, the env var read from it, the Helm value it comes from): its values
 * once, hidden for all of its keys when any of them is secret.
 */
function SettingRow(props: { setting: ConfigSettingDrift }) {
  const classes = useStyles();
  const { setting } = props;
  // one key: the key's own row
  if (setting.sources.length === 1) {
    return <DriftRow item={setting.sources[0]} secret={setting.secret} />;
  }
  const item: DriftItem = {
    type: 'config',
    field: setting.name,
    change: setting.change,
    ...(setting.reference !== undefined
      ? { reference: setting.reference }
      : {}),
    ...(setting.environment !== undefined
      ? { environment: setting.environment }
      : {}),
  };
  return (
    <TableRow data-setting={setting.name}>
      <TableCell className={classes.label}>
        Config
        <Typography
          variant="caption"
          component="span"
          className={classes.source}
        >
          {setting.sources.length} keys
        </Typography>
      </TableCell>
      <TableCell className={classes.field}>
        <span className={classes.settingName}>{setting.name}</span>
        {setting.secret && <SecretMarker />}
        <ul
          className={classes.sourceKeys}
          aria-label={`Keys of ${setting.name}`}
        >
          {setting.sources.map(source => (
            <li key={source.field}>
              <BreakableKey value={source.field} />
              <SourceCaption field={source.field} />
            </li>
          ))}
        </ul>
      </TableCell>
      <TableCell className={classes.label}>{setting.change}</TableCell>
      <TableCell>
        <DriftValue item={item} side="reference" secret={setting.secret} />
      </TableCell>
      <TableCell>
        <DriftValue item={item} side="environment" secret={setting.secret} />
      </TableCell>
    </TableRow>
  );
}

/** ` (ConfigMap)`, ` (Helm values · source[1])` after a key. */
function SourceCaption(props: { field: string }) {
  const { label, source } = configSource(props.field);
  const text = [label, source !== undefined ? `source[${source}]` : undefined]
    .filter(Boolean)
    .join(' · ');
  if (!text) {
    return null;
  }
  return (
    <Typography variant="caption" component="span" color="textSecondary">
      {' '}
      ({text})
    </Typography>
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
        <IconButton
          size="small"
          aria-label="Why these keys are ignored"
          className={classes.ignoredButton}
        >
          <InfoOutlinedIcon className={classes.ignoredIcon} />
        </IconButton>
      </Tooltip>
    </Typography>
  );
}

function ComparisonSection(props: {
  report: ParityReport;
  comparison: EnvironmentComparison;
  title: string;
  referenceTitle: string;
  slug?: string;
  isSecret: (item: DriftItem) => boolean;
}) {
  const classes = useStyles();
  const { report, comparison, title, referenceTitle, slug, isSecret } = props;
  const settings =
    comparison.settings ?? groupConfigDrift(comparison.drift, { isSecret });
  const otherDrift = comparison.drift.filter(item => item.type !== 'config');
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
        <Score report={report} comparison={comparison} />
      </div>
      <Typography variant="body1">{comparison.summary}</Typography>
      <Commits
        comparison={comparison}
        referenceTitle={referenceTitle}
        slug={slug}
      />
      {comparison.drift.length > 0 ? (
        <ScrollRegion
          className={classes.scrollGap}
          label={`Drift of ${title}, scrolls sideways`}
        >
          <Table
            size="small"
            className={classes.table}
            aria-label={`Drift of ${title}`}
          >
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
              {otherDrift.map(item => (
                <DriftRow
                  key={`${item.type}:${item.field}`}
                  item={item}
                  secret={isSecret(item)}
                />
              ))}
              {settings.map((setting, index) => (
                <SettingRow
                  key={`${index}:${setting.name}`}
                  setting={setting}
                />
              ))}
            </TableBody>
          </Table>
        </ScrollRegion>
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
            report={report}
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
